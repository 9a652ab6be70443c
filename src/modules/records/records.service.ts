import type { Db } from '../../db/client';
import { formatNorwegianDate, type LocalDate } from '../../lib/dates';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { recordAudit } from '../audit/audit.repo';
import { listEmployees, type EmployeeRecord } from '../compliance/compliance.repo';
import {
  courseExists,
  insertCompletionRow,
  insertExemptionRow,
  listCompletionHistory,
  listCourseChoices,
  listExemptionHistory,
  listRequirementChoices,
  lockCompletion,
  lockExemption,
  requirementExists,
} from './records.repo';
import type { ExemptionInput, ManualCompletionInput } from './records.schema';

/**
 * Manual completions and exemptions recorded by HR. History is append-only: a correction is a new
 * row that voids (completions.voids_completion_id / exemptions.voids_exemption_id) an older one.
 */

const FORM_ERROR = 'Skjemaet har feil. Rett opp og prøv igjen.';

export async function findEmployeeOrThrow(db: Db, employeeId: number): Promise<EmployeeRecord> {
  const [employee] = await listEmployees(db, { scope: { kind: 'all' }, employeeId });
  if (!employee) throw new NotFoundError('Den ansatte finnes ikke.');
  return employee;
}

/** Everything the completion and exemption pages show for one employee. */
export async function loadRecordsPage(db: Db, employeeId: number) {
  const employee = await findEmployeeOrThrow(db, employeeId);
  const [completionHistory, exemptionHistory, courseChoices, requirementChoices] = await Promise.all([
    listCompletionHistory(db, employeeId),
    listExemptionHistory(db, employeeId),
    listCourseChoices(db),
    listRequirementChoices(db),
  ]);
  return { employee, completionHistory, exemptionHistory, courseChoices, requirementChoices };
}

/** Records a completion entered by HR (optionally replacing an older one); returns its id. */
export async function recordManualCompletion(
  db: Db,
  employeeId: number,
  input: ManualCompletionInput,
  actorUserId: number,
  today: LocalDate,
): Promise<number> {
  await findEmployeeOrThrow(db, employeeId);
  if (input.completedOn > today)
    throw new ValidationError(FORM_ERROR, { completedOn: 'Datoen kan ikke være fram i tid.' });
  if (!(await courseExists(db, input.courseId)))
    throw new ValidationError(FORM_ERROR, { courseId: 'Velg et kurs.' });
  return db.transaction(async (tx) => {
    if (input.replacesId !== null) {
      const old = await lockCompletion(tx, employeeId, input.replacesId);
      if (!old || old.source === 'void' || old.voided)
        throw new ValidationError(FORM_ERROR, {
          replacesId: 'Fullføringen som skal erstattes, gjelder ikke lenger.',
        });
    }
    const id = await insertCompletionRow(tx, {
      employeeId,
      courseId: input.courseId,
      completedOn: input.completedOn,
      source: 'manual',
      reason: input.reason,
      voidsCompletionId: input.replacesId,
      recordedBy: actorUserId,
    });
    await recordAudit(tx, {
      actorUserId,
      action: input.replacesId === null ? 'completion.manual' : 'completion.correct',
      entity: 'employee',
      entityId: employeeId,
      details: {
        completionId: id,
        courseId: input.courseId,
        completedOn: input.completedOn,
        reason: input.reason,
        replaces: input.replacesId,
      },
    });
    return id;
  });
}

/** Voids a completion with a reason (a new 'void' row); the old row stays in the history. */
export async function voidCompletion(
  db: Db,
  employeeId: number,
  completionId: number,
  reason: string,
  actorUserId: number,
): Promise<number> {
  return db.transaction(async (tx) => {
    const old = await lockCompletion(tx, employeeId, completionId);
    if (!old) throw new NotFoundError('Fullføringen finnes ikke.');
    if (old.source === 'void' || old.voided)
      throw new ValidationError('Fullføringen er allerede annullert eller erstattet.');
    const id = await insertCompletionRow(tx, {
      employeeId,
      courseId: old.courseId,
      completedOn: old.completedOn,
      source: 'void',
      reason,
      voidsCompletionId: old.id,
      recordedBy: actorUserId,
    });
    await recordAudit(tx, {
      actorUserId,
      action: 'completion.void',
      entity: 'employee',
      entityId: employeeId,
      details: { completionId: old.id, voidId: id, completedOn: old.completedOn, reason },
    });
    return id;
  });
}

/** Records an exemption with an end date (optionally replacing an older one); returns its id. */
export async function recordExemption(
  db: Db,
  employeeId: number,
  input: ExemptionInput,
  actorUserId: number,
): Promise<number> {
  await findEmployeeOrThrow(db, employeeId);
  if (!(await requirementExists(db, input.requirementId)))
    throw new ValidationError(FORM_ERROR, { requirementId: 'Velg et kurskrav.' });
  return db.transaction(async (tx) => {
    if (input.replacesId !== null) {
      const old = await lockExemption(tx, employeeId, input.replacesId);
      if (!old || old.isVoid || old.voided)
        throw new ValidationError(FORM_ERROR, {
          replacesId: 'Fritaket som skal erstattes, gjelder ikke lenger.',
        });
    }
    const id = await insertExemptionRow(tx, {
      employeeId,
      requirementId: input.requirementId,
      validFrom: input.validFrom,
      validUntil: input.validUntil,
      reason: input.reason,
      voidsExemptionId: input.replacesId,
      recordedBy: actorUserId,
    });
    await recordAudit(tx, {
      actorUserId,
      action: input.replacesId === null ? 'exemption.create' : 'exemption.correct',
      entity: 'employee',
      entityId: employeeId,
      details: {
        exemptionId: id,
        requirementId: input.requirementId,
        validFrom: input.validFrom,
        validUntil: input.validUntil,
        reason: input.reason,
        replaces: input.replacesId,
      },
    });
    return id;
  });
}

/** Cancels an exemption with a reason (a new void row); the old row stays in the history. */
export async function voidExemption(
  db: Db,
  employeeId: number,
  exemptionId: number,
  reason: string,
  actorUserId: number,
): Promise<number> {
  return db.transaction(async (tx) => {
    const old = await lockExemption(tx, employeeId, exemptionId);
    if (!old) throw new NotFoundError('Fritaket finnes ikke.');
    if (old.isVoid || old.voided)
      throw new ValidationError('Fritaket er allerede annullert eller erstattet.');
    const id = await insertExemptionRow(tx, {
      employeeId,
      requirementId: old.requirementId,
      validFrom: old.validFrom,
      validUntil: old.validUntil,
      reason,
      isVoid: true,
      voidsExemptionId: old.id,
      recordedBy: actorUserId,
    });
    await recordAudit(tx, {
      actorUserId,
      action: 'exemption.void',
      entity: 'employee',
      entityId: employeeId,
      details: {
        exemptionId: old.id,
        voidId: id,
        period: `${formatNorwegianDate(old.validFrom)}–${old.validUntil ? formatNorwegianDate(old.validUntil) : ''}`,
        reason,
      },
    });
    return id;
  });
}
