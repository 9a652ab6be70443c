import { readAll, type Db, type DbOrTx } from '../../db/client';
import type { LocalDate } from '../../lib/dates';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { recordAudit } from '../audit/audit.repo';
import {
  listEffectiveCompletions,
  listEffectiveExemptions,
  listEmployees,
  listRequirements,
  type RequirementRecord,
} from '../compliance/compliance.repo';
import { evaluateCompliance } from '../compliance/compliance.service';
import type { ComplianceStatus } from '../compliance/deadline-engine';
import { findUnitsByIds, listCourses, saveRequirementRow } from './requirements.repo';
import type { RequirementInput } from './requirements.schema';
import { compareNorwegian } from '../../lib/text';

export interface StatusOnDate {
  status: ComplianceStatus;
  dueDate: LocalDate | null;
}

export interface RequirementChangeRow {
  employeeId: number;
  employeeNumber: string;
  name: string;
  unitName: string | null;
  before: StatusOnDate | null;
  after: StatusOnDate | null;
}

export interface RequirementPreview {
  asOf: LocalDate;
  before: RequirementRecord | null;
  after: RequirementRecord;
  /** Employees whose status or due date differs (including those who enter or leave the audience). */
  changed: number;
  statusChanged: number;
  dueChanged: number;
  entered: number;
  left: number;
  unchanged: number;
  rows: RequirementChangeRow[];
}

/** Every requirement (active or not) with course and audience. */
export function listAllRequirements(db: DbOrTx): Promise<RequirementRecord[]> {
  return listRequirements(db);
}

export async function getRequirement(db: DbOrTx, id: number): Promise<RequirementRecord> {
  const found = (await listRequirements(db)).find((r) => r.id === id);
  if (!found) throw new NotFoundError('Kurskravet finnes ikke.');
  return found;
}

/** The requirement as the input would make it, without saving (paths resolved for the engine). */
async function draftRequirement(
  db: DbOrTx,
  id: number | null,
  input: RequirementInput,
): Promise<RequirementRecord> {
  const course = (await listCourses(db)).find((c) => c.id === input.courseId);
  if (!course)
    throw new ValidationError('Skjemaet har feil. Rett opp og prøv igjen.', { courseId: 'Velg et kurs.' });
  const units = input.audience === 'units' ? await findUnitsByIds(db, input.unitIds) : [];
  if (units.length !== (input.audience === 'units' ? input.unitIds.length : 0))
    throw new ValidationError('Skjemaet har feil. Rett opp og prøv igjen.', {
      unitIds: 'En av enhetene finnes ikke lenger.',
    });
  return {
    id: id ?? 0,
    name: input.name,
    courseId: course.id,
    courseSlug: course.slug,
    courseTitle: course.title,
    audienceAll: input.audience === 'all',
    audienceRoleTags: input.roleTags,
    audienceUnitIds: units.map((u) => u.id),
    audienceUnitPaths: units.map((u) => u.path),
    firstDeadline: input.firstDeadline,
    renewalMode: input.renewalMode,
    renewalMonths: input.renewalMonths,
    newHireMonths: input.newHireMonths,
    dueSoonDays: input.dueSoonDays,
    active: input.active,
  };
}

/** Statuses of every counted employee under one requirement on a date (none when inactive). */
async function statusesUnder(
  db: DbOrTx,
  requirement: RequirementRecord | null,
  data: Awaited<ReturnType<typeof loadData>>,
  asOf: LocalDate,
): Promise<Map<number, StatusOnDate>> {
  const out = new Map<number, StatusOnDate>();
  if (!requirement || !requirement.active) return out;
  const rows = evaluateCompliance([requirement], data.employees, data.completions, data.exemptions, asOf);
  for (const row of rows)
    out.set(row.employee.id, { status: row.result.status!, dueDate: row.result.dueDate });
  return out;
}

async function loadData(db: DbOrTx, asOf: LocalDate) {
  const filter = { scope: { kind: 'all' as const }, activeOn: asOf };
  const [employees, completions, exemptions] = await readAll(db, [
    () => listEmployees(db, filter),
    () => listEffectiveCompletions(db, filter, asOf),
    () => listEffectiveExemptions(db, filter),
  ]);
  return { employees, completions, exemptions };
}

/** Who changes status or due date on asOf if the requirement becomes the input (old rule vs new rule). */
export async function previewRequirement(
  db: DbOrTx,
  id: number | null,
  input: RequirementInput,
  asOf: LocalDate,
): Promise<RequirementPreview> {
  const before = id === null ? null : await getRequirement(db, id);
  const after = await draftRequirement(db, id, input);
  const data = await loadData(db, asOf);
  const [old, next] = await readAll(db, [
    () => statusesUnder(db, before, data, asOf),
    () => statusesUnder(db, after, data, asOf),
  ]);
  const byId = new Map(data.employees.map((e) => [e.id, e]));
  const preview: RequirementPreview = {
    asOf,
    before,
    after,
    changed: 0,
    statusChanged: 0,
    dueChanged: 0,
    entered: 0,
    left: 0,
    unchanged: 0,
    rows: [],
  };
  for (const employeeId of new Set([...old.keys(), ...next.keys()])) {
    const a = old.get(employeeId) ?? null;
    const b = next.get(employeeId) ?? null;
    if (a && b && a.status === b.status && a.dueDate === b.dueDate) {
      preview.unchanged++;
      continue;
    }
    preview.changed++;
    if (!a) preview.entered++;
    else if (!b) preview.left++;
    else {
      if (a.status !== b.status) preview.statusChanged++;
      if (a.dueDate !== b.dueDate) preview.dueChanged++;
    }
    const e = byId.get(employeeId)!;
    preview.rows.push({
      employeeId,
      employeeNumber: e.employeeNumber,
      name: `${e.firstName} ${e.lastName}`,
      unitName: e.unitName,
      before: a,
      after: b,
    });
  }
  preview.rows.sort((x, y) => compareNorwegian(x.name, y.name));
  return preview;
}

/** Saves the requirement in one transaction with an audit entry; returns its id and the preview it was based on. */
export async function saveRequirement(
  db: Db,
  id: number | null,
  input: RequirementInput,
  actor: { userId: number | null; label?: string },
  asOf: LocalDate,
): Promise<{ id: number; preview: RequirementPreview }> {
  return db.transaction(async (tx) => {
    const preview = await previewRequirement(tx, id, input, asOf);
    const savedId = await saveRequirementRow(tx, id, input);
    await recordAudit(tx, {
      actorUserId: actor.userId,
      action: id === null ? 'requirement.create' : 'requirement.update',
      entity: 'requirement',
      entityId: savedId,
      details: {
        actorLabel: actor.label ?? null,
        before: preview.before ? ruleSnapshot(preview.before) : null,
        after: ruleSnapshot(preview.after),
        asOf,
        changed: preview.changed,
        statusChanged: preview.statusChanged,
        dueChanged: preview.dueChanged,
        entered: preview.entered,
        left: preview.left,
      },
    });
    return { id: savedId, preview };
  });
}

function ruleSnapshot(r: RequirementRecord) {
  return {
    name: r.name,
    course: r.courseSlug,
    audienceAll: r.audienceAll,
    audienceUnitIds: r.audienceUnitIds,
    audienceRoleTags: r.audienceRoleTags,
    firstDeadline: r.firstDeadline,
    renewalMode: r.renewalMode,
    renewalMonths: r.renewalMonths,
    newHireMonths: r.newHireMonths,
    dueSoonDays: r.dueSoonDays,
    active: r.active,
  };
}

/** The input form values of a stored requirement. */
export function inputOf(r: RequirementRecord): RequirementInput {
  return {
    courseId: r.courseId,
    name: r.name,
    audience: r.audienceAll ? 'all' : 'units',
    unitIds: r.audienceUnitIds,
    roleTags: r.audienceRoleTags,
    firstDeadline: r.firstDeadline,
    renewalMode: r.renewalMode,
    renewalMonths: r.renewalMonths,
    newHireMonths: r.newHireMonths,
    dueSoonDays: r.dueSoonDays,
    active: r.active,
  };
}
