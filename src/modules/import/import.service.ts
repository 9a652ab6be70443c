import { createHash } from 'node:crypto';
import { readAll, type Db, type DbOrTx } from '../../db/client';
import { formatNorwegianDate, type LocalDate } from '../../lib/dates';
import { recordAudit } from '../audit/audit.repo';
import { recomputeUnitPaths } from '../org/org.repo';
import {
  parseImportFile,
  type CompletionRow,
  type EmployeeRow,
  type ImportIssue,
  type ImportKind,
  type UnitRow,
} from './import.parse';
import {
  endEmployees,
  insertCompletions,
  insertEmployees,
  insertUnits,
  insertUsers,
  loadCompletionKeys,
  loadCourseSlugs,
  loadEmployeeNamesByEmail,
  loadEmployeeNumbers,
  loadEmployees,
  loadUnitLeaderEmails,
  loadUnits,
  loadUsers,
  replaceUnitLeaders,
  updateEmployees,
  updateUnits,
  updateUserLinks,
  type EmployeeValues,
  type ExistingEmployee,
} from './import.repo';

/**
 * The HR import: parse → plan (compare with what is stored) → apply in one transaction. A plan
 * with any issue writes nothing. The same plan is the preview, so what HR confirms is what is written.
 */

export interface ImportCounts {
  new: number;
  changed: number;
  ended: number;
  unchanged: number;
}

export interface ImportChange {
  line: number | null;
  action: 'new' | 'changed' | 'ended';
  key: string;
  description: string;
}

export interface ImportOptions {
  kind: ImportKind;
  content: Buffer | string;
  /** Employees only: end the employees who are missing from the file. */
  full: boolean;
  /** Check and count, write nothing. */
  dryRun: boolean;
  actorUserId: number | null;
  today: LocalDate;
  fileName?: string;
  via: 'web' | 'cli';
  /** Who ran it when there is no user account (the OS user of a CLI run). */
  actorLabel?: string;
}

export interface ImportResult {
  kind: ImportKind;
  full: boolean;
  applied: boolean;
  counts: ImportCounts;
  issues: ImportIssue[];
  changes: ImportChange[];
  /** Login accounts created for employees or leaders, and existing accounts linked to an employee. */
  accounts: { created: number; linked: number };
  /** Rows inserted or updated in data tables (0 for an unchanged re-import). */
  rowsWritten: number;
  sha256: string;
}

interface Plan {
  counts: ImportCounts;
  issues: ImportIssue[];
  changes: ImportChange[];
  accounts: { created: number; linked: number };
  apply(tx: DbOrTx): Promise<number>;
}

/** SHA-256 of the file bytes, hex: what a preview and its confirmation are tied to. */
export function hashContent(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Validates and compares a file with the database; writes it in one transaction unless dry-run or any issue. */
export async function runImport(db: Db, options: ImportOptions): Promise<ImportResult> {
  const sha256 = hashContent(options.content);
  const base = { kind: options.kind, full: options.full, sha256 };
  const parsed = parseImportFile(options.kind, options.content);
  const fullIssue: ImportIssue[] =
    options.full && options.kind !== 'employees'
      ? [{ line: 1, column: null, message: '«Full import» (--full) gjelder bare ansatte.' }]
      : [];
  const makePlan = (tx: DbOrTx): Promise<Plan> => {
    if (options.kind === 'units') return planUnits(tx, parsed.rows as UnitRow[]);
    if (options.kind === 'employees')
      return planEmployees(tx, parsed.rows as EmployeeRow[], options.full, options.today);
    return planCompletions(tx, parsed.rows as CompletionRow[], options.today, options.actorUserId);
  };
  const summary = (plan: Plan, applied: boolean, rowsWritten: number): ImportResult => ({
    ...base,
    applied,
    counts: plan.counts,
    issues: plan.issues.sort((a, b) => a.line - b.line),
    changes: plan.changes,
    accounts: plan.accounts,
    rowsWritten,
  });
  if (parsed.issues.length > 0 || fullIssue.length > 0) {
    // Check the readable rows against the database too, so that one run lists every error.
    const plan = await makePlan(db);
    plan.issues.push(...fullIssue, ...parsed.issues);
    return summary(plan, false, 0);
  }
  if (options.dryRun) return summary(await makePlan(db), false, 0);
  return db.transaction(async (tx) => {
    const plan = await makePlan(tx);
    if (plan.issues.length > 0) return summary(plan, false, 0);
    const rowsWritten = await plan.apply(tx);
    await recordAudit(tx, {
      actorUserId: options.actorUserId,
      action: 'import',
      entity: 'import',
      entityId: options.kind,
      details: {
        kind: options.kind,
        full: options.full,
        via: options.via,
        actorLabel: options.actorLabel ?? null,
        fileName: options.fileName ?? null,
        sha256,
        counts: plan.counts,
        accounts: plan.accounts,
        rowsWritten,
      },
    });
    return summary(plan, true, rowsWritten);
  });
}

function emptyCounts(): ImportCounts {
  return { new: 0, changed: 0, ended: 0, unchanged: 0 };
}

function sameList(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

const UNIT_KINDS = ['kommune', 'sektor', 'virksomhet', 'avdeling'];

// ---------------------------------------------------------------- units

async function planUnits(db: DbOrTx, rows: UnitRow[]): Promise<Plan> {
  const existing = await loadUnits(db);
  const leaderRows = await loadUnitLeaderEmails(db);
  const byCode = new Map(existing.map((u) => [u.code, u]));
  const codeOfId = new Map(existing.map((u) => [u.id, u.code]));
  const leadersOf = new Map<number, string[]>();
  for (const l of leaderRows) leadersOf.set(l.unitId, [...(leadersOf.get(l.unitId) ?? []), l.email]);
  const fileCodes = new Set(rows.map((r) => r.code));
  const issues: ImportIssue[] = [];

  // The tree as it will be: stored parents, overridden by the file.
  const parentOf = new Map<string, string | null>();
  for (const u of existing)
    parentOf.set(u.code, u.parentId === null ? null : (codeOfId.get(u.parentId) ?? null));
  for (const row of rows) {
    let parent = row.parentCode === undefined ? (parentOf.get(row.code) ?? null) : row.parentCode;
    if (parent && !fileCodes.has(parent) && !byCode.has(parent)) {
      issues.push({
        line: row.line,
        column: 'overordnet_enhetskode',
        message: `enheten «${parent}» finnes verken i filen eller i Kursvakt.`,
      });
      parent = null;
    }
    parentOf.set(row.code, parent);
  }
  for (const row of rows) {
    const chain = [row.code];
    const seen = new Set<string>([row.code]);
    let current = parentOf.get(row.code) ?? null;
    while (current) {
      if (current === row.code) {
        issues.push({
          line: row.line,
          column: 'overordnet_enhetskode',
          message: `enhetene danner en sløyfe (${[...chain, row.code].join(' → ')}). En enhet kan ikke ligge under seg selv.`,
        });
        break;
      }
      if (seen.has(current)) break;
      seen.add(current);
      chain.push(current);
      current = parentOf.get(current) ?? null;
    }
  }
  const depthOf = (code: string): number => {
    let depth = 0;
    let current = parentOf.get(code) ?? null;
    while (current && depth < 50) {
      depth++;
      current = parentOf.get(current) ?? null;
    }
    return depth;
  };

  const counts = emptyCounts();
  const changes: ImportChange[] = [];
  const newRows: UnitRow[] = [];
  const structureChanged: UnitRow[] = [];
  const leaderChanged: UnitRow[] = [];
  for (const row of rows) {
    const parent = parentOf.get(row.code) ?? null;
    const stored = byCode.get(row.code);
    if (!stored) {
      counts.new++;
      newRows.push(row);
      if (row.leaderEmails?.length) leaderChanged.push(row);
      changes.push({
        line: row.line,
        action: 'new',
        key: row.code,
        description: `${row.name}${parent ? ` under ${parent}` : ' (øverste nivå)'}${row.leaderEmails?.length ? `, ledere: ${row.leaderEmails.join(', ')}` : ''}`,
      });
      continue;
    }
    const what: string[] = [];
    const storedParent = stored.parentId === null ? null : (codeOfId.get(stored.parentId) ?? null);
    if (stored.name !== row.name) what.push(`navn «${stored.name}» → «${row.name}»`);
    if (storedParent !== parent) what.push(`overordnet ${storedParent ?? 'ingen'} → ${parent ?? 'ingen'}`);
    if (what.length > 0) structureChanged.push(row);
    if (row.leaderEmails && !sameList(row.leaderEmails, leadersOf.get(stored.id) ?? [])) {
      what.push(`ledere: ${row.leaderEmails.length ? row.leaderEmails.join(', ') : 'ingen'}`);
      leaderChanged.push(row);
    }
    if (what.length === 0) counts.unchanged++;
    else {
      counts.changed++;
      changes.push({ line: row.line, action: 'changed', key: row.code, description: what.join('; ') });
    }
  }

  const leaderEmails = [...new Set(leaderChanged.flatMap((r) => r.leaderEmails ?? []))];
  const knownUsers = new Set((await loadUsers(db)).map((u) => u.email));
  const accountsToCreate = leaderEmails.filter((e) => !knownUsers.has(e));

  return {
    counts,
    issues,
    changes,
    accounts: { created: accountsToCreate.length, linked: 0 },
    async apply(tx) {
      let written = 0;
      const newIds = await insertUnits(
        tx,
        newRows.map((r) => ({
          code: r.code,
          name: r.name,
          kind: UNIT_KINDS[Math.min(depthOf(r.code), UNIT_KINDS.length - 1)]!,
        })),
      );
      written += newIds.size;
      const idOf = (code: string) => byCode.get(code)?.id ?? newIds.get(code)!;
      const updates = [...newRows.filter((r) => parentOf.get(r.code)), ...structureChanged].map((r) => {
        const parent = parentOf.get(r.code) ?? null;
        return { id: idOf(r.code), name: r.name, parentId: parent ? idOf(parent) : null };
      });
      await updateUnits(tx, updates);
      written += updates.length;
      if (newRows.length > 0 || structureChanged.length > 0) await recomputeUnitPaths(tx);
      if (leaderChanged.length > 0) {
        const names = await loadEmployeeNamesByEmail(tx, accountsToCreate);
        const created = await insertUsers(
          tx,
          accountsToCreate.map((email) => ({
            email,
            displayName: names.get(email) ?? email,
            employeeId: null,
          })),
        );
        written += created.size;
        const userIds = new Map((await loadUsers(tx)).map((u) => [u.email, u.id]));
        const pairs = leaderChanged.flatMap((r) =>
          (r.leaderEmails ?? []).map((email) => ({ unitId: idOf(r.code), userId: userIds.get(email)! })),
        );
        await replaceUnitLeaders(
          tx,
          leaderChanged.map((r) => idOf(r.code)),
          pairs,
        );
        written += pairs.length;
      }
      return written;
    },
  };
}

// ---------------------------------------------------------------- employees

const EMPLOYEE_FIELDS: Array<{ key: keyof EmployeeValues; label: string }> = [
  { key: 'firstName', label: 'fornavn' },
  { key: 'lastName', label: 'etternavn' },
  { key: 'email', label: 'e-post' },
  { key: 'unitId', label: 'enhet' },
  { key: 'title', label: 'stilling' },
  { key: 'roleTags', label: 'roller' },
  { key: 'hireDate', label: 'ansattdato' },
  { key: 'endDate', label: 'sluttdato' },
];

async function planEmployees(
  db: DbOrTx,
  rows: EmployeeRow[],
  full: boolean,
  today: LocalDate,
): Promise<Plan> {
  const [units, existing, accounts] = await readAll(db, [
    () => loadUnits(db),
    () => loadEmployees(db),
    () => loadUsers(db),
  ]);
  const unitIdOf = new Map(units.map((u) => [u.code, u.id]));
  const byNumber = new Map(existing.map((e) => [e.employeeNumber, e]));
  const numberOfId = new Map(existing.map((e) => [e.id, e.employeeNumber]));
  const userByEmail = new Map(accounts.map((u) => [u.email, u]));
  const userByEmployee = new Map(
    accounts.filter((u) => u.employeeId !== null).map((u) => [u.employeeId!, u]),
  );
  const issues: ImportIssue[] = [];
  const counts = emptyCounts();
  const changes: ImportChange[] = [];
  const inserts: EmployeeValues[] = [];
  const updates: ExistingEmployee[] = [];
  const accountCreates: Array<{ email: string; displayName: string; employeeNumber: string }> = [];
  const accountLinks: Array<{ id: number; email: string; employeeNumber: string }> = [];

  for (const row of rows) {
    let unitId: number | null = null;
    if (row.unitCode) {
      unitId = unitIdOf.get(row.unitCode) ?? null;
      if (unitId === null) {
        issues.push({
          line: row.line,
          column: 'enhetskode',
          message: `enheten «${row.unitCode}» finnes ikke i Kursvakt. Importer enhetene først.`,
        });
        continue;
      }
    }
    const stored = byNumber.get(row.employeeNumber);
    const values: EmployeeValues = {
      employeeNumber: row.employeeNumber,
      firstName: row.firstName,
      lastName: row.lastName,
      email: row.email,
      unitId,
      title: row.title === undefined ? (stored?.title ?? null) : row.title,
      roleTags: row.roleTags ?? stored?.roleTags ?? [],
      hireDate: row.hireDate,
      endDate: row.endDate === undefined ? (stored?.endDate ?? null) : row.endDate,
    };

    // The login account: by e-mail, linked to the employee.
    if (row.email) {
      const sameEmail = userByEmail.get(row.email);
      const own = stored ? userByEmployee.get(stored.id) : undefined;
      if (own) {
        if (own.email !== row.email) {
          if (sameEmail && sameEmail.id !== own.id) {
            issues.push({
              line: row.line,
              column: 'epost',
              message: `e-postadressen «${row.email}» brukes allerede av en annen brukerkonto.`,
            });
            continue;
          }
          accountLinks.push({ id: own.id, email: row.email, employeeNumber: row.employeeNumber });
        }
      } else if (sameEmail) {
        if (sameEmail.employeeId !== null && sameEmail.employeeId !== stored?.id) {
          issues.push({
            line: row.line,
            column: 'epost',
            message: `e-postadressen «${row.email}» tilhører allerede ansatt ${numberOfId.get(sameEmail.employeeId) ?? 'med et annet nummer'}.`,
          });
          continue;
        }
        if (sameEmail.employeeId === null)
          accountLinks.push({ id: sameEmail.id, email: row.email, employeeNumber: row.employeeNumber });
      } else {
        accountCreates.push({
          email: row.email,
          displayName: `${row.firstName} ${row.lastName}`,
          employeeNumber: row.employeeNumber,
        });
      }
    }

    if (!stored) {
      counts.new++;
      inserts.push(values);
      changes.push({
        line: row.line,
        action: 'new',
        key: row.employeeNumber,
        description: `${row.firstName} ${row.lastName}${row.unitCode ? `, ${row.unitCode}` : ', uten enhet'}`,
      });
      continue;
    }
    const differs = EMPLOYEE_FIELDS.filter(({ key }) =>
      key === 'roleTags' ? !sameList(stored.roleTags, values.roleTags) : stored[key] !== values[key],
    );
    if (differs.length === 0) {
      counts.unchanged++;
      continue;
    }
    counts.changed++;
    updates.push({ ...values, id: stored.id });
    changes.push({
      line: row.line,
      action: 'changed',
      key: row.employeeNumber,
      description: `${row.firstName} ${row.lastName}: ${differs.map((d) => d.label).join(', ')}`,
    });
  }

  const endedIds: number[] = [];
  if (full) {
    const inFile = new Set(rows.map((r) => r.employeeNumber));
    for (const e of existing) {
      if (inFile.has(e.employeeNumber)) continue;
      if (e.endDate !== null && e.endDate <= today) continue;
      endedIds.push(e.id);
      counts.ended++;
      changes.push({
        line: null,
        action: 'ended',
        key: e.employeeNumber,
        description: `${e.firstName} ${e.lastName}: sluttdato ${formatNorwegianDate(today)} (mangler i filen)`,
      });
    }
  }

  return {
    counts,
    issues,
    changes,
    accounts: { created: accountCreates.length, linked: accountLinks.length },
    async apply(tx) {
      const newIds = await insertEmployees(tx, inserts);
      await updateEmployees(tx, updates);
      await endEmployees(tx, endedIds, today);
      const idOf = (n: string) => byNumber.get(n)?.id ?? newIds.get(n)!;
      await insertUsers(
        tx,
        accountCreates.map((a) => ({
          email: a.email,
          displayName: a.displayName,
          employeeId: idOf(a.employeeNumber),
        })),
      );
      await updateUserLinks(
        tx,
        accountLinks.map((a) => ({ id: a.id, email: a.email, employeeId: idOf(a.employeeNumber) })),
      );
      return inserts.length + updates.length + endedIds.length + accountCreates.length + accountLinks.length;
    },
  };
}

// ---------------------------------------------------------------- completions

async function planCompletions(
  db: DbOrTx,
  rows: CompletionRow[],
  today: LocalDate,
  actorUserId: number | null,
): Promise<Plan> {
  const [numbers, slugs, keys] = await readAll(db, [
    () => loadEmployeeNumbers(db),
    () => loadCourseSlugs(db),
    () => loadCompletionKeys(db),
  ]);
  const employeeIdOf = new Map(numbers.map((e) => [e.employeeNumber, e.id]));
  const courseIdOf = new Map(slugs.map((c) => [c.slug, c.id]));
  const issues: ImportIssue[] = [];
  const counts = emptyCounts();
  const changes: ImportChange[] = [];
  const inserts: Array<{
    employeeId: number;
    courseId: number;
    completedOn: LocalDate;
    reason: string | null;
    recordedBy: number | null;
  }> = [];
  for (const row of rows) {
    const employeeId = employeeIdOf.get(row.employeeNumber);
    const courseId = courseIdOf.get(row.courseSlug);
    if (employeeId === undefined)
      issues.push({
        line: row.line,
        column: 'ansattnummer',
        message: `ansatt «${row.employeeNumber}» finnes ikke i Kursvakt. Importer de ansatte først.`,
      });
    if (courseId === undefined)
      issues.push({
        line: row.line,
        column: 'kurs',
        message: `kurset «${row.courseSlug}» finnes ikke. Gyldige kurs er ${[...courseIdOf.keys()].sort().join(', ')}.`,
      });
    if (row.completedOn > today)
      issues.push({
        line: row.line,
        column: 'fullfort_dato',
        message: `datoen ${formatNorwegianDate(row.completedOn)} er fram i tid.`,
      });
    if (employeeId === undefined || courseId === undefined || row.completedOn > today) continue;
    const key = `${employeeId}:${courseId}:${row.completedOn}`;
    if (keys.has(key)) {
      counts.unchanged++;
      continue;
    }
    keys.add(key);
    counts.new++;
    inserts.push({
      employeeId,
      courseId,
      completedOn: row.completedOn,
      reason: row.source,
      recordedBy: actorUserId,
    });
    changes.push({
      line: row.line,
      action: 'new',
      key: row.employeeNumber,
      description: `${row.courseSlug} fullført ${formatNorwegianDate(row.completedOn)}${row.source ? ` (${row.source})` : ''}`,
    });
  }
  return {
    counts,
    issues,
    changes,
    accounts: { created: 0, linked: 0 },
    async apply(tx) {
      await insertCompletions(tx, inserts);
      return inserts.length;
    },
  };
}
