import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Db, DbOrTx } from '../../db/client';
import type { LocalDate } from '../../lib/dates';
import { listUnits, type UnitRecord } from '../org/org.repo';
import { isUnitPathInScope, type UnitScope } from '../org/unit-scope';
import {
  listEffectiveCompletions,
  listEffectiveExemptions,
  listEmployees,
  listRequirements,
  readComplianceVersion,
  type EmployeeFilter,
  type EmployeeRecord,
  type ExemptionRecord,
  type RequirementRecord,
} from './compliance.repo';

/**
 * Everything the deadline engine reads, loaded once and indexed: the active requirements, the
 * employees (in name order), the units (in path order), every effective completion date per
 * employee and course (ascending) and the effective exemptions per employee.
 *
 * Statuses depend on the date asked about, so the facts hold no statuses; they are evaluated per
 * request, which is cheap once nothing has to be read or grouped.
 */
export interface ComplianceFacts {
  /** The data version the facts were read at (null for an uncached, filtered load). */
  version: number | null;
  requirements: RequirementRecord[];
  /** Ordered by last name, first name, id, as the database sorts them. */
  employees: EmployeeRecord[];
  employeeById: Map<number, EmployeeRecord>;
  /** Position of each employee in `employees`, to keep name order when picking a subset. */
  positionOf: Map<number, number>;
  employeesByUnitId: Map<number, EmployeeRecord[]>;
  /** Ordered by path: parents before children. */
  units: UnitRecord[];
  /** employee id → course id → effective completion dates, ascending. */
  completionDates: Map<number, Map<number, LocalDate[]>>;
  /** employee id → effective exemptions. */
  exemptions: Map<number, ExemptionRecord[]>;
}

/** Builds the indexes of the facts from plain lists. */
export function indexFacts(input: {
  version: number | null;
  requirements: RequirementRecord[];
  employees: EmployeeRecord[];
  units: UnitRecord[];
  completions: Array<{ employeeId: number; courseId: number; completedOn: LocalDate }>;
  exemptions: ExemptionRecord[];
}): ComplianceFacts {
  const employeeById = new Map<number, EmployeeRecord>();
  const positionOf = new Map<number, number>();
  const employeesByUnitId = new Map<number, EmployeeRecord[]>();
  input.employees.forEach((e, i) => {
    employeeById.set(e.id, e);
    positionOf.set(e.id, i);
    if (e.unitId === null) return;
    const list = employeesByUnitId.get(e.unitId);
    if (list) list.push(e);
    else employeesByUnitId.set(e.unitId, [e]);
  });
  const completionDates = new Map<number, Map<number, LocalDate[]>>();
  for (const c of input.completions) {
    let byCourse = completionDates.get(c.employeeId);
    if (!byCourse) completionDates.set(c.employeeId, (byCourse = new Map()));
    const dates = byCourse.get(c.courseId);
    if (dates) dates.push(c.completedOn);
    else byCourse.set(c.courseId, [c.completedOn]);
  }
  for (const byCourse of completionDates.values()) for (const dates of byCourse.values()) dates.sort();
  const exemptions = new Map<number, ExemptionRecord[]>();
  for (const x of input.exemptions) {
    const list = exemptions.get(x.employeeId);
    if (list) list.push(x);
    else exemptions.set(x.employeeId, [x]);
  }
  return {
    version: input.version,
    requirements: input.requirements,
    employees: input.employees,
    employeeById,
    positionOf,
    employeesByUnitId,
    units: input.units,
    completionDates,
    exemptions,
  };
}

/** Reads the facts of the employees in a filter (all of them for the cache) from the database. */
async function readFacts(
  db: DbOrTx,
  filter: EmployeeFilter,
  version: number | null,
): Promise<ComplianceFacts> {
  const [requirements, employees, units, completions, exemptions] = await Promise.all([
    listRequirements(db, { activeOnly: true }),
    listEmployees(db, filter),
    listUnits(db, filter.scope),
    listEffectiveCompletions(db, filter),
    listEffectiveExemptions(db, filter),
  ]);
  return indexFacts({ version, requirements, employees, units, completions, exemptions });
}

interface FactsCache {
  facts: ComplianceFacts | null;
  loading: Promise<ComplianceFacts> | null;
}

// One cache per database object, and its current facts by version for transactions to find.
const caches = new WeakMap<Db, FactsCache>();
const factsByVersion = new Map<number, WeakRef<ComplianceFacts>>();

function keep(cache: FactsCache, facts: ComplianceFacts): void {
  if (cache.facts && (cache.facts.version ?? -1) >= (facts.version ?? -1)) return;
  if (cache.facts?.version != null) factsByVersion.delete(cache.facts.version);
  cache.facts = facts;
  if (facts.version !== null) factsByVersion.set(facts.version, new WeakRef(facts));
}

/** Reads all facts and their version in one snapshot, so the version names exactly what was read. */
function loadSnapshot(db: Db): Promise<ComplianceFacts> {
  return db.transaction(
    async (tx) => {
      const version = await readComplianceVersion(tx);
      return readFacts(tx, { scope: { kind: 'all' } }, version);
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

/**
 * The facts of the whole organisation at the committed data version. One small query per call
 * checks the version (bumped by triggers in every transaction that changes the facts, so also by
 * another app instance); the facts are read again only when it has moved, once for all callers
 * waiting at that moment.
 */
export async function currentFacts(db: Db): Promise<ComplianceFacts> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = { facts: null, loading: null }));
  for (;;) {
    const version = await readComplianceVersion(db);
    if (cache.facts && cache.facts.version !== null && cache.facts.version >= version) return cache.facts;
    if (!cache.loading) {
      const loading = loadSnapshot(db);
      cache.loading = loading;
      loading
        .then((facts) => keep(cache, facts))
        .catch(() => undefined)
        .finally(() => {
          if (cache.loading === loading) cache.loading = null;
        });
    }
    const facts = await cache.loading;
    // A load that began before the version we saw was committed is too old: look again.
    if ((facts.version ?? -1) >= version) return facts;
  }
}

/**
 * The facts for a filter: from the cache for the database itself. Inside a transaction, a cache
 * serves only when the transaction sees the very version it holds. A transaction that has changed
 * facts sees a newer version than anything committed (its bump holds the version row until it
 * ends), so it reads its own view directly, filtered in SQL. Versions start at a random number per
 * database (migration 0001), so two databases in one process never share one.
 */
export async function factsFor(db: DbOrTx, filter: EmployeeFilter): Promise<ComplianceFacts> {
  if (!(db instanceof PgTransaction)) return currentFacts(db as Db);
  const cached = factsByVersion.get(await readComplianceVersion(db))?.deref();
  return cached ?? readFacts(db, filter, null);
}

/**
 * The employees of the facts that match a filter, in name order: inside the scope (employees
 * without a unit only for the whole organisation), below a unit, one employee, counted on a date.
 */
export function selectEmployees(facts: ComplianceFacts, filter: EmployeeFilter): EmployeeRecord[] {
  let candidates: EmployeeRecord[];
  if (filter.employeeId !== undefined) {
    const one = facts.employeeById.get(filter.employeeId);
    candidates = one ? [one] : [];
  } else if (filter.scope.kind === 'all' && !filter.unitPath) {
    candidates = facts.employees;
  } else {
    candidates = [];
    for (const unit of facts.units) {
      if (!isUnitPathInScope(filter.scope, unit.path)) continue;
      if (filter.unitPath && !unit.path.startsWith(filter.unitPath)) continue;
      const members = facts.employeesByUnitId.get(unit.id);
      if (members) candidates.push(...members);
    }
    candidates.sort((a, b) => facts.positionOf.get(a.id)! - facts.positionOf.get(b.id)!);
  }
  return candidates.filter(
    (e) =>
      isUnitPathInScope(filter.scope, e.unitPath) &&
      (!filter.unitPath || (e.unitPath?.startsWith(filter.unitPath) ?? false)) &&
      (!filter.activeOn || isCountedOn(e, filter.activeOn)),
  );
}

/** Employed on the date: hired on or before it and not ended before it. */
export function isCountedOn(e: Pick<EmployeeRecord, 'hireDate' | 'endDate'>, date: LocalDate): boolean {
  return e.hireDate <= date && (e.endDate === null || e.endDate >= date);
}

/** The units of the facts inside a scope, in path order. */
export function selectUnits(facts: ComplianceFacts, scope: UnitScope): UnitRecord[] {
  return facts.units.filter((u) => isUnitPathInScope(scope, u.path));
}
