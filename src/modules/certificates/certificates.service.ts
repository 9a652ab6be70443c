import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/client';
import { compareDates, type LocalDate } from '../../lib/dates';
import { NotFoundError } from '../../lib/errors';
import { recordAudit } from '../audit/audit.repo';
import { listRequirements, type RequirementRecord } from '../compliance/compliance.repo';
import { isInAudience, ruleOf } from '../compliance/compliance.service';
import { computeDueDate } from '../compliance/deadline-engine';
import {
  ensureCertificateCode,
  findCompletion,
  findCompletionByCode,
  listLatestEffectiveCompletions,
  type CertificateCompletion,
} from './certificates.repo';

/** What a certificate shows; the PDF and the verification page print from this and nothing else. */
export interface CertificateContent {
  municipalityName: string;
  employeeName: string;
  courseTitle: string;
  /** The course version, or null when the completion names none (manual entry, imported history). */
  version: number | null;
  completedOn: LocalDate;
  /** The due date this completion earns; null when no active requirement covers the employee. */
  validUntil: LocalDate | null;
  code: string;
  verifyUrl: string;
}

export interface CertificateViewer {
  userId: number;
  employeeId: number | null;
  isAdmin: boolean;
}

export interface CertificateSettings {
  baseUrl: string;
  municipalityName: string;
}

const NOT_FOUND = 'Fant ikke kursbeviset.';

/** 128 random bits, URL-safe: 22 characters that cannot be guessed or enumerated. */
export function createCertificateCode(): string {
  return randomBytes(16).toString('base64url');
}

/** True when a string has the shape of a certificate code (checked before any database lookup). */
export function isCertificateCodeShape(code: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(code);
}

/**
 * The due date a completion earns: for each active requirement of the course whose audience
 * includes the employee, the engine's due date with this completion as the latest one; the
 * earliest of them when several apply. Null when no requirement applies (nothing to renew).
 */
export function computeValidUntil(
  requirementList: RequirementRecord[],
  completion: Pick<CertificateCompletion, 'courseId' | 'hireDate' | 'unitPath' | 'roleTags' | 'completedOn'>,
): LocalDate | null {
  let earliest: LocalDate | null = null;
  for (const requirement of requirementList) {
    if (requirement.courseId !== completion.courseId || !requirement.active) continue;
    if (!isInAudience(requirement, completion)) continue;
    const { dueDate } = computeDueDate(ruleOf(requirement), completion.hireDate, completion.completedOn);
    if (earliest === null || compareDates(dueDate, earliest) < 0) earliest = dueDate;
  }
  return earliest;
}

function verifyUrlFor(baseUrl: string, code: string): string {
  return `${baseUrl.replace(/\/$/, '')}/bevis/${code}`;
}

async function contentOf(
  db: Db,
  completion: CertificateCompletion,
  code: string,
  settings: CertificateSettings,
): Promise<CertificateContent> {
  const requirementList = await listRequirements(db, { activeOnly: true });
  return {
    municipalityName: settings.municipalityName,
    employeeName: `${completion.firstName} ${completion.lastName}`,
    courseTitle: completion.courseTitle,
    version: completion.version,
    completedOn: completion.completedOn,
    validUntil: computeValidUntil(requirementList, completion),
    code,
    verifyUrl: verifyUrlFor(settings.baseUrl, code),
  };
}

/**
 * The certificate of one completion for download. Only the employee themself and admins get it;
 * anyone else, a void row and a voided completion all get the same 404, so nothing is revealed.
 * The code is created on the first download and kept.
 */
export async function issueCertificate(
  db: Db,
  viewer: CertificateViewer,
  completionId: number,
  settings: CertificateSettings,
): Promise<CertificateContent & { courseSlug: string }> {
  const completion = await findCompletion(db, completionId);
  if (!completion || completion.source === 'void' || completion.voided) throw new NotFoundError(NOT_FOUND);
  const isOwner = viewer.employeeId !== null && viewer.employeeId === completion.employeeId;
  if (!isOwner && !viewer.isAdmin) throw new NotFoundError(NOT_FOUND);
  const { code } = await db.transaction(async (tx) => {
    const result = await ensureCertificateCode(tx, completion.completionId, createCertificateCode());
    if (result.created) {
      await recordAudit(tx, {
        actorUserId: viewer.userId,
        action: 'certificate.issued',
        entity: 'completion',
        entityId: completion.completionId,
        details: { employeeId: completion.employeeId },
      });
    }
    return result;
  });
  return { ...(await contentOf(db, completion, code, settings)), courseSlug: completion.courseSlug };
}

export type Verification =
  | { found: false }
  | {
      found: true;
      /** The completion was voided (or corrected) after the certificate was issued. */
      withdrawn: boolean;
      /** The valid-until date has passed (the certificate is genuine but no longer current). */
      expired: boolean;
      content: Pick<
        CertificateContent,
        'municipalityName' | 'employeeName' | 'courseTitle' | 'completedOn' | 'validUntil'
      >;
    };

/** Looks up a code from a verification link; unknown and malformed codes are simply not found. */
export async function verifyCertificate(
  db: Db,
  code: string,
  settings: CertificateSettings,
  today: LocalDate,
): Promise<Verification> {
  if (!isCertificateCodeShape(code)) return { found: false };
  const completion = await findCompletionByCode(db, code);
  if (!completion) return { found: false };
  const content = await contentOf(db, completion, code, settings);
  return {
    found: true,
    withdrawn: completion.voided || completion.source === 'void',
    expired: content.validUntil !== null && compareDates(content.validUntil, today) < 0,
    content: {
      municipalityName: content.municipalityName,
      employeeName: content.employeeName,
      courseTitle: content.courseTitle,
      completedOn: content.completedOn,
      validUntil: content.validUntil,
    },
  };
}

/** Per course slug, the completion whose certificate "Mine kurs" offers (the latest effective one). */
export async function listCertificateLinks(db: Db, employeeId: number): Promise<Map<string, number>> {
  const latest = await listLatestEffectiveCompletions(db, employeeId);
  return new Map(latest.map((row) => [row.courseSlug, row.completionId]));
}
