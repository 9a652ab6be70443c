import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { eq } from 'drizzle-orm';
import { auditLog, certificates, courseVersions, employees } from '../../../src/db/schema';
import { VERIFY_RATE_LIMIT } from '../../../src/modules/certificates/certificates.routes';
import { createTestApp, loginAs, type TestApp } from '../../support/app';
import {
  createCompletion,
  createCourseWithRequirement,
  createEmployee,
  createUnit,
  createUser,
  TEST_PASSWORD,
} from '../../support/factories';

// Logins hash with argon2 and every download renders a PDF; on a busy CI machine that takes a while.
jest.setTimeout(120_000);

/** The text of a PDF as pdftotext (poppler-utils) reads it, whitespace collapsed. */
function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kursvakt-pdf-'));
  try {
    const file = path.join(dir, 'bevis.pdf');
    writeFileSync(file, pdf);
    return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** supertest collects a binary body as a Buffer with this parser. */
function binary(res: request.Response, callback: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

const codeIn = (text: string) => /Kode: ([A-Za-z0-9_-]{22})/.exec(text)?.[1];

describe('Kursbevis: download and public verification', () => {
  let t: TestApp;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp({ now: new Date('2026-11-22T10:00:00+01:00') });
    const db = t.database.db;
    const root = await createUnit(db, { code: 'K', name: 'Kommunen', kind: 'kommune' });
    const school = await createUnit(db, { code: 'S', name: 'Solsiden skole', parentId: root.id });
    const { course } = await createCourseWithRequirement(db, {
      slug: 'taushetsplikt',
      title: 'Taushetsplikt og deling av opplysninger',
    });
    const { course: other } = await createCourseWithRequirement(db, {
      slug: 'meldeplikt',
      title: 'Opplysningsplikt til barnevernet',
      renewalMode: 'rolling',
    });
    const [version] = await db
      .insert(courseVersions)
      .values({ courseId: course.id, version: 3, scormVersion: '2004', title: 'Taushetsplikt' })
      .returning();
    const aase = await createEmployee(db, {
      unitId: school.id,
      firstName: 'Åse',
      lastName: 'Ødegård Bjørnæs',
      employeeNumber: 'A-4711',
      email: 'aase.privat@test.kommune.no',
    });
    const colleague = await createEmployee(db, { unitId: school.id, firstName: 'Kari', lastName: 'Kollega' });
    Object.assign(ids, { aase: aase.id, courseId: course.id, otherId: other.id });
    const older = await createCompletion(db, {
      employeeId: aase.id,
      courseId: course.id,
      courseVersionId: version!.id,
      completedOn: '2024-02-01',
      source: 'scorm',
    });
    const latest = await createCompletion(db, {
      employeeId: aase.id,
      courseId: course.id,
      courseVersionId: version!.id,
      completedOn: '2026-11-20',
      source: 'scorm',
    });
    const manual = await createCompletion(db, {
      employeeId: aase.id,
      courseId: other.id,
      completedOn: '2025-06-15',
      source: 'manual',
      reason: 'Kurs tatt på papir',
    });
    const colleagueDone = await createCompletion(db, {
      employeeId: colleague.id,
      courseId: course.id,
      completedOn: '2026-01-10',
      source: 'scorm',
    });
    Object.assign(ids, {
      older: older.id,
      latest: latest.id,
      manual: manual.id,
      colleagueDone: colleagueDone.id,
    });
    await createUser(db, { email: 'aase@test.no', employeeId: aase.id });
    await createUser(db, { email: 'kari@test.no', employeeId: colleague.id });
    await createUser(db, { email: 'leder@test.no', leads: [school.id] });
    await createUser(db, { email: 'hr@test.no', isAdmin: true });
  });
  afterAll(() => t.close());

  async function download(agent: ReturnType<typeof request.agent>, completionId: number) {
    return agent.get(`/kursbevis/${completionId}`).buffer(true).parse(binary);
  }

  test('when an employee has completed courses, then Mine kurs links to the certificate of the latest completion of each', async () => {
    const agent = await loginAs(t.app, 'aase@test.no', TEST_PASSWORD);
    const res = await agent.get('/mine-kurs').expect(200);
    expect(res.text).toContain(`href="/kursbevis/${ids.latest}"`);
    expect(res.text).toContain(`href="/kursbevis/${ids.manual}"`);
    expect(res.text).not.toContain(`href="/kursbevis/${ids.older}"`);
    expect(res.text).toContain(
      'Last ned kursbevis (PDF)<span class="ds-sr-only">: Taushetsplikt og deling av opplysninger',
    );
  });

  test('when the employee downloads a certificate, then the PDF shows name, course, version, dates, municipality and a verification link that works', async () => {
    const agent = await loginAs(t.app, 'aase@test.no', TEST_PASSWORD);
    const res = await download(agent, ids.latest!);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="kursbevis-taushetsplikt-2026-11-20.pdf"',
    );
    const text = pdfText(res.body as Buffer);
    for (const expected of [
      'EKSEMPEL KOMMUNE',
      'Åse Ødegård Bjørnæs',
      'Taushetsplikt og deling av opplysninger',
      'Kursversjon 3',
      'Fullført 20.11.2026',
      // Cycle rule from 31.12.2023 every 24 months: 20.11.2026 satisfies 31.12.2027, so the next is 31.12.2029.
      'Gyldig til og med 31.12.2029',
    ])
      expect([expected, text.includes(expected)]).toEqual([expected, true]);
    const code = codeIn(text)!;
    const [row] = await t.database.db
      .select()
      .from(certificates)
      .where(eq(certificates.completionId, ids.latest!));
    expect(row!.code).toBe(code);
    expect(text.replace(/\s+/g, '')).toContain(`http://localhost:3999/bevis/${code}`);

    // A second download keeps the code, and the issue is audited once.
    const again = pdfText((await download(agent, ids.latest!)).body as Buffer);
    expect(codeIn(again)).toBe(code);
    const audits = await t.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'certificate.issued'));
    expect(audits.filter((a) => a.entityId === String(ids.latest))).toHaveLength(1);

    // The public page, without logging in.
    const page = await request(t.app).get(`/bevis/${code}`).expect(200);
    expect(page.text).toContain('Beviset er ekte');
    expect(page.text).toContain('Åse Ødegård Bjørnæs');
    expect(page.text).toContain('Taushetsplikt og deling av opplysninger');
    expect(page.text).toContain('20.11.2026');
    expect(page.text).toContain('31.12.2029');
    expect(page.text).not.toContain('Gyldigheten gikk ut');
    expect(page.headers['x-robots-tag']).toBe('noindex, nofollow');
    // Nothing beyond what the certificate shows.
    for (const secret of ['A-4711', 'aase.privat@test.kommune.no', 'Solsiden skole', 'Kari'])
      expect([secret, page.text.includes(secret)]).toEqual([secret, false]);
  });

  test('when a completion names no version and renews rolling, then the version is a dash and valid until is the completion plus 24 months', async () => {
    const agent = await loginAs(t.app, 'aase@test.no', TEST_PASSWORD);
    const text = pdfText((await download(agent, ids.manual!)).body as Buffer);
    expect(text).toContain('Opplysningsplikt til barnevernet');
    expect(text).toContain('Kursversjon —');
    expect(text).toContain('Fullført 15.06.2025');
    expect(text).toContain('Gyldig til og med 15.06.2027');
  });

  test('when a colleague, a leader of the unit or an anonymous visitor asks for the certificate, then they do not get it', async () => {
    const kari = await loginAs(t.app, 'kari@test.no', TEST_PASSWORD);
    const leader = await loginAs(t.app, 'leder@test.no', TEST_PASSWORD);
    for (const agent of [kari, leader]) {
      const res = await agent.get(`/kursbevis/${ids.latest}`);
      expect(res.status).toBe(404);
      expect(res.text).toContain('Fant ikke siden');
      expect(res.text).not.toContain('Åse');
      expect(res.headers['content-type']).toMatch(/^text\/html/);
    }
    // A known id and an unknown one look the same.
    const unknown = await kari.get('/kursbevis/999999');
    expect(unknown.status).toBe(404);
    expect((await kari.get('/kursbevis/abc')).status).toBe(404);
    const anonymous = await request(t.app).get(`/kursbevis/${ids.latest}`);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toBe(
      `/logg-inn?neste=${encodeURIComponent(`/kursbevis/${ids.latest}`)}`,
    );
    // Kari's own certificate is hers to download.
    expect((await download(kari, ids.colleagueDone!)).status).toBe(200);
  });

  test('when HR downloads an employee certificate, then it is the same certificate with the same code', async () => {
    const hr = await loginAs(t.app, 'hr@test.no', TEST_PASSWORD);
    const res = await download(hr, ids.latest!);
    expect(res.status).toBe(200);
    const [row] = await t.database.db
      .select()
      .from(certificates)
      .where(eq(certificates.completionId, ids.latest!));
    expect(codeIn(pdfText(res.body as Buffer))).toBe(row!.code);
  });

  test('when the completion is voided after the certificate was issued, then the download is gone and the page says it is withdrawn', async () => {
    const db = t.database.db;
    const aase = await loginAs(t.app, 'aase@test.no', TEST_PASSWORD);
    const text = pdfText((await download(aase, ids.older!)).body as Buffer);
    const code = codeIn(text)!;
    expect((await request(t.app).get(`/bevis/${code}`)).text).toContain('Beviset er ekte');

    const voidRow = await createCompletion(db, {
      employeeId: ids.aase!,
      courseId: ids.courseId!,
      completedOn: '2024-02-01',
      source: 'void',
      voidsCompletionId: ids.older!,
      reason: 'Registrert på feil person',
    });
    const page = await request(t.app).get(`/bevis/${code}`).expect(200);
    expect(page.text).toContain('Beviset er trukket tilbake');
    expect(page.text).not.toContain('Beviset er ekte');
    expect(page.text).toContain('Åse Ødegård Bjørnæs');
    expect((await aase.get(`/kursbevis/${ids.older}`)).status).toBe(404);
    // The void row itself is no completion to certify.
    expect((await aase.get(`/kursbevis/${voidRow.id}`)).status).toBe(404);
  });

  test('when the valid-until date of a genuine certificate has passed, then the page says it is genuine but expired', async () => {
    const db = t.database.db;
    const [kari] = await db.select().from(employees).where(eq(employees.firstName, 'Kari'));
    const old = await createCompletion(db, {
      employeeId: kari!.id,
      courseId: ids.otherId!,
      completedOn: '2021-03-01',
      source: 'import',
      reason: 'Historikk fra forrige system',
    });
    const agent = await loginAs(t.app, 'kari@test.no', TEST_PASSWORD);
    const text = pdfText((await download(agent, old.id)).body as Buffer);
    // Rolling 24 months would give 01.03.2023, but a completion never moves the first deadline earlier.
    expect(text).toContain('Gyldig til og med 31.12.2023');
    const page = await request(t.app)
      .get(`/bevis/${codeIn(text)}`)
      .expect(200);
    expect(page.text).toContain('Beviset er ekte');
    expect(page.text).toContain('Gyldigheten gikk ut 31.12.2023.');
    expect(page.text).toContain('data-color="warning"');
  });

  test('when a code is unknown or malformed, then the page is a bokmål 404 that reveals nothing', async () => {
    for (const code of ['AAAAAAAAAAAAAAAAAAAAAA', 'finnes-ikke', "x' or '1'='1"]) {
      const res = await request(t.app).get(`/bevis/${encodeURIComponent(code)}`);
      expect([code, res.status]).toEqual([code, 404]);
      expect(res.text).toContain('Fant ikke beviset');
      expect(res.text).toContain('Det finnes ikke noe kursbevis med denne koden.');
      expect(res.text).not.toContain('Åse');
      expect(res.text).not.toContain('Taushetsplikt');
    }
  });

  test('when one address asks for too many codes, then it is slowed down with a bokmål message', async () => {
    // A fresh app, so that the earlier tests' lookups do not count.
    const fresh = await createTestApp();
    try {
      await createUser(fresh.database.db, { email: 'hr@test.no', isAdmin: true });
      for (let i = 0; i < VERIFY_RATE_LIMIT.limit; i += 1)
        await request(fresh.app).get('/bevis/AAAAAAAAAAAAAAAAAAAAAA').expect(404);
      const res = await request(fresh.app).get('/bevis/AAAAAAAAAAAAAAAAAAAAAA');
      expect(res.status).toBe(429);
      expect(res.text).toContain('For mange forsøk');
      expect(res.text).toContain('Vent ti minutter og prøv igjen.');
    } finally {
      await fresh.close();
    }
  });
});
