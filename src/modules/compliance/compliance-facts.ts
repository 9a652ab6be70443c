import { isTransaction, readAll, type Db, type DbOrTx } from '../../db/client';
import type { LocalDate } from '../../lib/dates';
import { listUnits, type UnitRecord } from '../org/org.repo';
import { isUnitPathInScope, type UnitScope } from '../org/unit-scope';
import {
  listEffectiveCompletions,
  listEffectiveExemptions,
  listEmployees,
  listFactChanges,
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
  /**
   * Set on facts made from older facts by replacing some people's completions and exemptions, so
   * that what was derived per person from the older facts can be kept for everyone else. Weak: a
   * chain of refreshes does not keep old facts alive.
   */
  refreshedFrom?: { facts: WeakRef<ComplianceFacts>; employeeIds: number[] };
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
  addCompletions(completionDates, input.completions);
  const exemptions = new Map<number, ExemptionRecord[]>();
  addExemptions(exemptions, input.exemptions);
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

type CompletionFact = { employeeId: number; courseId: number; completedOn: LocalDate };

/** Adds completions to the index employee → course → dates (kept ascending). */
function addCompletions(index: Map<number, Map<number, LocalDate[]>>, completions: CompletionFact[]): void {
  const touched = new Set<LocalDate[]>();
  for (const c of completions) {
    let byCourse = index.get(c.employeeId);
    if (!byCourse) index.set(c.employeeId, (byCourse = new Map()));
    let dates = byCourse.get(c.courseId);
    if (!dates) byCourse.set(c.courseId, (dates = []));
    dates.push(c.completedOn);
    touched.add(dates);
  }
  for (const dates of touched) dates.sort();
}

function addExemptions(index: Map<number, ExemptionRecord[]>, exemptions: ExemptionRecord[]): void {
  for (const x of exemptions) {
    const list = index.get(x.employeeId);
    if (list) list.push(x);
    else index.set(x.employeeId, [x]);
  }
}

/**
 * New facts where only some employees' completions and exemptions differ: everything else is
 * shared with the older facts (which stay as they were, for anyone still using them).
 */
function withPeopleReplaced(
  old: ComplianceFacts,
  version: number | null,
  employeeIds: number[],
  completions: CompletionFact[],
  exemptions: ExemptionRecord[],
): ComplianceFacts {
  const completionDates = new Map(old.completionDates);
  const exemptionIndex = new Map(old.exemptions);
  for (const id of employeeIds) {
    completionDates.delete(id);
    exemptionIndex.delete(id);
  }
  addCompletions(completionDates, completions);
  addExemptions(exemptionIndex, exemptions);
  return {
    ...old,
    version,
    completionDates,
    exemptions: exemptionIndex,
    refreshedFrom: { facts: new WeakRef(old), employeeIds },
  };
}

/** Reads the facts of the employees in a filter (all of them for the cache) from the database. */
async function readFacts(
  db: DbOrTx,
  filter: EmployeeFilter,
  version: number | null,
): Promise<ComplianceFacts> {
  const [requirements, employees, units, completions, exemptions] = await readAll(db, [
    () => listRequirements(db, { activeOnly: true }),
    () => listEmployees(db, filter),
    () => listUnits(db, filter.scope),
    () => listEffectiveCompletions(db, filter),
    () => listEffectiveExemptions(db, filter),
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

/** Above this many people changed, reading everything again is as cheap as reading them. */
const MAX_PEOPLE_REFRESHED = 2_000;
/** The fact_changes log keeps this many versions (the trigger of migration 0002 prunes it). */
const LOGGED_VERSIONS = 10_000;

/**
 * Newer facts from older ones when every version after theirs up to `version` only added
 * completions or exemptions for a few people (the fact_changes log): just those people are read
 * again. Null when the log cannot say (a gap, or any other change): then everything must be read.
 */
async function refreshedFacts(
  db: DbOrTx,
  older: ComplianceFacts,
  version: number,
  newVersion: number | null,
): Promise<ComplianceFacts | null> {
  if (older.version === null || older.version >= version || version - older.version > LOGGED_VERSIONS)
    return null;
  const changes = await listFactChanges(db, older.version, version);
  const versionsLogged = new Set(changes.map((c) => c.version)).size;
  const people = new Set<number>();
  for (const c of changes) if (c.employeeId !== null) people.add(c.employeeId);
  const onlyPeople = changes.every((c) => c.employeeId !== null);
  if (versionsLogged !== version - older.version || !onlyPeople || people.size > MAX_PEOPLE_REFRESHED)
    return null;
  const employeeIds = [...people];
  const all = { scope: { kind: 'all' as const }, employeeIds };
  const [completions, exemptions] = await readAll(db, [
    () => listEffectiveCompletions(db, all),
    () => listEffectiveExemptions(db, all),
  ]);
  return withPeopleReplaced(older, newVersion, employeeIds, completions, exemptions);
}

/**
 * Reads the facts and their version in one snapshot, so the version names exactly what was read:
 * from older facts when the change log allows it, else everything.
 */
export function loadFactsSnapshot(db: Db, older: ComplianceFacts | null = null): Promise<ComplianceFacts> {
  return db.transaction(
    async (tx) => {
      const version = await readComplianceVersion(tx);
      const refreshed = older ? await refreshedFacts(tx, older, version, version) : null;
      return refreshed ?? readFacts(tx, { scope: { kind: 'all' } }, version);
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

/** The newest cached facts of a version at or before `version`, within the change log's reach. */
function newestCachedUpTo(version: number): ComplianceFacts | null {
  let best: ComplianceFacts | null = null;
  for (const [v, ref] of factsByVersion) {
    if (v > version || version - v > LOGGED_VERSIONS || (best && best.version! >= v)) continue;
    best = ref.deref() ?? best;
  }
  return best;
}

/**
 * The facts of the whole organisation at the committed data version. One small query per call
 * checks the version (bumped by triggers in every transaction that changes the facts, so also by
 * another app instance); the facts are read again only when it has moved, once for all callers
 * waiting at that moment. A caller that has just read the version (a request reads it once, see
 * versionsOf) passes it as `seenVersion` instead of a second query.
 */
export async function currentFacts(db: Db, seenVersion?: number): Promise<ComplianceFacts> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = { facts: null, loading: null }));
  let seen = seenVersion;
  for (;;) {
    const version = seen ?? (await readComplianceVersion(db));
    seen = undefined;
    if (cache.facts && cache.facts.version !== null && cache.facts.version >= version) return cache.facts;
    if (!cache.loading) {
      const loading = loadFactsSnapshot(db, cache.facts);
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
 * serves when the transaction sees the very version it holds. Otherwise the transaction's own view
 * is built from the newest cached facts and the change log when it can be (these facts are not
 * shared), else read directly, filtered in SQL. A transaction that has changed facts sees a newer
 * version than anything committed (its bump holds the version row until it ends), and its own
 * changes are in the log it sees. Versions start at a random number per database (migration 0001),
 * so two databases in one process never share one, nor come within the log's reach of each other.
 */
export async function factsFor(
  db: DbOrTx,
  filter: EmployeeFilter,
  seenVersion?: number,
): Promise<ComplianceFacts> {
  if (!isTransaction(db)) return currentFacts(db, seenVersion);
  const version = await readComplianceVersion(db);
  const cached = factsByVersion.get(version)?.deref();
  if (cached) return cached;
  const older = newestCachedUpTo(version);
  const refreshed = older ? await refreshedFacts(db, older, version, null) : null;
  return refreshed ?? readFacts(db, filter, null);
}

/**
 * The employees of the facts that match a filter, in name order: inside the scope (employees
 * without a unit only for the whole organisation), below a unit, one employee, counted on a date.
 */
export function selectEmployees(facts: ComplianceFacts, filter: EmployeeFilter): EmployeeRecord[] {
  const counted = (e: EmployeeRecord) => !filter.activeOn || isCountedOn(e, filter.activeOn);
  if (filter.employeeId !== undefined) {
    const one = facts.employeeById.get(filter.employeeId);
    const inFilter =
      one !== undefined &&
      isUnitPathInScope(filter.scope, one.unitPath) &&
      (!filter.unitPath || (one.unitPath?.startsWith(filter.unitPath) ?? false));
    return inFilter && counted(one) ? [one] : [];
  }
  if (filter.scope.kind === 'all' && !filter.unitPath) return facts.employees.filter(counted);
  // Walk the units in the scope (and below the unit asked for): everyone found is inside both.
  const candidates: EmployeeRecord[] = [];
  for (const unit of facts.units) {
    if (!isUnitPathInScope(filter.scope, unit.path)) continue;
    if (filter.unitPath && !unit.path.startsWith(filter.unitPath)) continue;
    for (const e of facts.employeesByUnitId.get(unit.id) ?? []) if (counted(e)) candidates.push(e);
  }
  return candidates.sort((a, b) => facts.positionOf.get(a.id)! - facts.positionOf.get(b.id)!);
}

/** The effective exemptions of one employee from one requirement (usually none). */
export function exemptionsOf(
  facts: ComplianceFacts,
  employeeId: number,
  requirementId: number,
): ExemptionRecord[] {
  const own = facts.exemptions.get(employeeId);
  return own ? own.filter((x) => x.requirementId === requirementId) : NO_EXEMPTIONS;
}

const NO_EXEMPTIONS: ExemptionRecord[] = [];

/** Employed on the date: hired on or before it and not ended before it. */
export function isCountedOn(e: Pick<EmployeeRecord, 'hireDate' | 'endDate'>, date: LocalDate): boolean {
  return e.hireDate <= date && (e.endDate === null || e.endDate >= date);
}

/** The units of the facts inside a scope, in path order. */
export function selectUnits(facts: ComplianceFacts, scope: UnitScope): UnitRecord[] {
  return facts.units.filter((u) => isUnitPathInScope(scope, u.path));
}
