import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { completions, courses, exemptions, requirements } from '../../db/schema';
import type { LocalDate } from '../../lib/dates';
import { NotFoundError } from '../../lib/errors';
import {
  computeComplianceRows,
  summarizeByRequirement,
  type ComplianceRow,
} from '../compliance/compliance.service';
import { listEmployees } from '../compliance/compliance.repo';
import type { StatusSummary } from '../compliance/deadline-engine';
import { findUnitById, listUnits, type UnitRecord } from '../org/org.repo';
import { assertUnitInScope, type UnitScope } from '../org/unit-scope';

export interface UnitSummary {
  unit: UnitRecord;
  depth: number;
  byRequirement: Array<{ requirementId: number; courseTitle: string; summary: StatusSummary }>;
}

export interface LeaderDashboard {
  asOf: LocalDate;
  units: UnitSummary[];
  selectedUnit: UnitRecord | null;
  actionRows: ComplianceRow[];
}

/** The dashboard for a scope on a date: one summary per visible unit (with sub-units) and who needs action. */
export async function buildDashboard(
  db: Db,
  scope: UnitScope,
  asOf: LocalDate,
  unitId?: number,
): Promise<LeaderDashboard> {
  let selectedUnit: UnitRecord | null = null;
  if (unitId !== undefined) {
    selectedUnit = await findUnitById(db, unitId);
    if (!selectedUnit) throw new NotFoundError('Enheten finnes ikke.');
    assertUnitInScope(scope, selectedUnit.path);
  }
  const units = (await listUnits(db, scope)).filter(
    (u) => !selectedUnit || u.path.startsWith(selectedUnit.path),
  );
  const rows = await computeComplianceRows(db, { scope, unitPath: selectedUnit?.path }, asOf);
  const minDepth = Math.min(...units.map((u) => u.path.split('/').length));
  const summaries: UnitSummary[] = units.map((unit) => {
    const own = rows.filter((r) => r.employee.unitPath?.startsWith(unit.path));
    const byRequirement = [...summarizeByRequirement(own).entries()].map(([requirementId, summary]) => ({
      requirementId,
      courseTitle: own.find((r) => r.requirement.id === requirementId)!.requirement.courseTitle,
      summary,
    }));
    return { unit, depth: unit.path.split('/').length - minDepth, byRequirement };
  });
  const actionRows = rows
    .filter((r) => r.result.status === 'overdue' || r.result.status === 'due_soon')
    .sort((a, b) => (a.result.dueDate ?? '').localeCompare(b.result.dueDate ?? ''));
  return { asOf, units: summaries, selectedUnit, actionRows };
}

/** One employee's record, only when the employee's unit is inside the scope. */
export async function getEmployeeRecord(db: Db, scope: UnitScope, employeeId: number, asOf: LocalDate) {
  const [employee] = await listEmployees(db, { scope: { kind: 'all' }, employeeId });
  if (!employee) throw new NotFoundError('Den ansatte finnes ikke.');
  if (scope.kind !== 'all') assertUnitInScope(scope, employee.unitPath);
  const statusRows = await computeComplianceRows(db, { scope, employeeId }, asOf);
  const history = await db
    .select({
      id: completions.id,
      courseTitle: courses.title,
      completedOn: completions.completedOn,
      source: completions.source,
      reason: completions.reason,
      voidsCompletionId: completions.voidsCompletionId,
      recordedAt: completions.recordedAt,
    })
    .from(completions)
    .innerJoin(courses, eq(courses.id, completions.courseId))
    .where(eq(completions.employeeId, employeeId))
    .orderBy(desc(completions.completedOn));
  const exemptionList = await db
    .select({
      id: exemptions.id,
      requirementName: requirements.name,
      validFrom: exemptions.validFrom,
      validUntil: exemptions.validUntil,
      reason: exemptions.reason,
      isVoid: exemptions.isVoid,
    })
    .from(exemptions)
    .innerJoin(requirements, eq(requirements.id, exemptions.requirementId))
    .where(and(eq(exemptions.employeeId, employeeId)))
    .orderBy(desc(exemptions.validFrom));
  return { employee, statusRows, history, exemptions: exemptionList };
}
