import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../src/db/client';
import { scormAttempts, scormCommits } from '../../../src/db/schema';
import { importScormPackage } from '../../../src/modules/courses/courses.service';

/** Shared set-up for the SCORM player tests: a package folder per test file and small readers. */

export async function makeDataDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'kursvakt-scorm-'));
}

/** Imports a zip as a new version of the course with this slug (the course may exist already). */
export async function installPackage(db: Db, dataDir: string, courseSlug: string, buffer: Buffer) {
  return importScormPackage(db, { dataDir, courseSlug, buffer });
}

/** The token in the launch page's player frame URL. */
export function tokenFromLaunchPage(html: string): string {
  const match = /src="[^"]*\/spiller\/([^"]+)"/.exec(html);
  if (!match) throw new Error('no player frame in page');
  return match[1]!;
}

export function sequenceBaseOf(token: string): number {
  return (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { b: number }).b;
}

export async function readAttempt(db: Db, id: number) {
  const [row] = await db.select().from(scormAttempts).where(eq(scormAttempts.id, id));
  return row!;
}

export async function readCommitLog(db: Db, attemptId: number) {
  const rows = await db
    .select()
    .from(scormCommits)
    .where(eq(scormCommits.attemptId, attemptId))
    .orderBy(scormCommits.id);
  return rows.map((r) => ({ sequence: r.sequence, outcome: r.outcome }));
}

export function attemptIdOf(token: string): number {
  return (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { a: number }).a;
}
