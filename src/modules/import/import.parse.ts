import { CsvError, parse } from 'csv-parse/sync';
import { dateInputProblem, parseDateInput, type LocalDate } from '../../lib/dates';

/**
 * Reading HR files: bytes → typed rows, or issues that name line and column in bokmål. Pure, no
 * database; the checks that need the database (unknown units, employees, courses) are in the service.
 */

export type ImportKind = 'units' | 'employees' | 'completions';

export const IMPORT_KINDS: ImportKind[] = ['units', 'employees', 'completions'];

export const IMPORT_KIND_LABELS: Record<ImportKind, string> = {
  units: 'Enheter',
  employees: 'Ansatte',
  completions: 'Fullføringer (historikk)',
};

export interface ImportIssue {
  line: number;
  column: string | null;
  message: string;
}

/** "Linje 14, kolonne «epost»: …" – the one way an import error is written. */
export function formatIssue(issue: ImportIssue): string {
  return issue.column
    ? `Linje ${issue.line}, kolonne «${issue.column}»: ${issue.message}`
    : `Linje ${issue.line}: ${issue.message}`;
}

interface ColumnSpec {
  name: string;
  /** The header must contain the column. */
  requiredColumn: boolean;
  /** Other spellings accepted in the header (after lower-casing). */
  aliases?: string[];
}

export const IMPORT_COLUMNS: Record<ImportKind, ColumnSpec[]> = {
  units: [
    { name: 'enhetskode', requiredColumn: true },
    { name: 'enhetsnavn', requiredColumn: true },
    { name: 'overordnet_enhetskode', requiredColumn: false },
    { name: 'leder_epost', requiredColumn: false },
  ],
  employees: [
    { name: 'ansattnummer', requiredColumn: true },
    { name: 'fornavn', requiredColumn: true },
    { name: 'etternavn', requiredColumn: true },
    { name: 'epost', requiredColumn: true, aliases: ['e-post'] },
    { name: 'enhetskode', requiredColumn: true },
    { name: 'stilling', requiredColumn: false },
    { name: 'roller', requiredColumn: false },
    { name: 'ansattdato', requiredColumn: true },
    { name: 'sluttdato', requiredColumn: false },
  ],
  completions: [
    { name: 'ansattnummer', requiredColumn: true },
    { name: 'kurs', requiredColumn: true },
    { name: 'fullfort_dato', requiredColumn: true, aliases: ['fullført_dato'] },
    { name: 'kilde', requiredColumn: false },
  ],
};

export interface UnitRow {
  line: number;
  code: string;
  name: string;
  /** undefined: the file has no such column (keep what is stored); null: no parent (a root). */
  parentCode: string | null | undefined;
  /** undefined: the file has no leader column (leaders are left as they are). */
  leaderEmails: string[] | undefined;
}

export interface EmployeeRow {
  line: number;
  employeeNumber: string;
  firstName: string;
  lastName: string;
  email: string | null;
  unitCode: string | null;
  /** undefined when the column is missing from the file: the stored value is kept. */
  title: string | null | undefined;
  roleTags: string[] | undefined;
  hireDate: LocalDate;
  endDate: LocalDate | null | undefined;
}

export interface CompletionRow {
  line: number;
  employeeNumber: string;
  courseSlug: string;
  completedOn: LocalDate;
  source: string | null;
}

export type ParsedRows = {
  units: UnitRow[];
  employees: EmployeeRow[];
  completions: CompletionRow[];
};

export interface ParseResult<K extends ImportKind> {
  kind: K;
  delimiter: ';' | ',';
  rows: ParsedRows[K];
  issues: ImportIssue[];
}

const EMAIL = /^[^\s@;,|]+@[^\s@;,|]+\.[^\s@;,|]+$/;
const ROLE_TAG = /^[a-z0-9æøå][a-z0-9æøå_-]*$/;
const MAX_TEXT = 200;

/** Picks ';' or ',' by counting each outside quotes in the header line. */
export function detectDelimiter(text: string): ';' | ',' {
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch === ';') semicolons++;
    else if (!quoted && ch === ',') commas++;
  }
  return commas > semicolons ? ',' : ';';
}

/** Decodes UTF-8 with or without BOM; null when the bytes are not UTF-8. */
export function decodeUtf8(content: Buffer | string): string | null {
  if (typeof content === 'string') return content.replace(/^\uFEFF/, '');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(content);
  } catch {
    return null;
  }
}

const CSV_ERROR_TEXT: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'et anførselstegn («"») er ikke lukket.',
  CSV_INVALID_CLOSING_QUOTE: 'et anførselstegn («"») står midt i et felt. Sett hele feltet i anførselstegn.',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'det står tegn etter et avsluttende anførselstegn.',
};

/** Parses an HR file of the given kind into rows; every problem becomes an issue with line and column. */
export function parseImportFile<K extends ImportKind>(kind: K, content: Buffer | string): ParseResult<K> {
  const issues: ImportIssue[] = [];
  const empty = { kind, delimiter: ';' as const, rows: [] as unknown as ParsedRows[K], issues };
  const text = decodeUtf8(content);
  if (text === null) {
    issues.push({
      line: 1,
      column: null,
      message: 'filen er ikke lagret som UTF-8. Lagre den som «CSV UTF-8» og prøv igjen.',
    });
    return empty;
  }
  if (text.trim() === '') {
    issues.push({ line: 1, column: null, message: 'filen er tom. Første linje må være en overskriftsrad.' });
    return empty;
  }
  const delimiter = detectDelimiter(text);
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines ?? 1;
      issues.push({
        line,
        column: null,
        message: CSV_ERROR_TEXT[error.code] ?? 'linjen kan ikke leses som CSV.',
      });
      return { ...empty, delimiter };
    }
    throw error;
  }
  const [header, ...body] = records;
  const columnIndex = readHeader(kind, header!.record, issues);
  if (!columnIndex) return { ...empty, delimiter };

  const rows: Array<UnitRow | EmployeeRow | CompletionRow> = [];
  for (const { record, info } of body) {
    const line = info.lines;
    if (record.every((v) => v === '')) continue;
    if (record.length !== header!.record.length) {
      issues.push({
        line,
        column: null,
        message: `linjen har ${record.length} felt, men overskriften har ${header!.record.length}. Sjekk skilletegnet («${delimiter}») og anførselstegn.`,
      });
      continue;
    }
    const cell = (name: string): string | undefined => {
      const i = columnIndex.get(name);
      return i === undefined ? undefined : (record[i] ?? '');
    };
    const row = readRow(kind, line, cell, issues);
    if (row) rows.push(row);
  }
  findDuplicates(kind, rows, issues);
  issues.sort((a, b) => a.line - b.line);
  return { kind, delimiter, rows: rows as unknown as ParsedRows[K], issues };
}

function readHeader(kind: ImportKind, header: string[], issues: ImportIssue[]): Map<string, number> | null {
  const specs = IMPORT_COLUMNS[kind];
  const index = new Map<string, number>();
  const before = issues.length;
  header.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    const spec = specs.find((s) => s.name === name || s.aliases?.includes(name));
    if (!spec) {
      issues.push({
        line: 1,
        column: raw.trim() || `nr. ${i + 1}`,
        message: `ukjent kolonne. Gyldige kolonner for ${IMPORT_KIND_LABELS[kind].toLowerCase()} er ${specs.map((s) => s.name).join(', ')}.`,
      });
      return;
    }
    if (index.has(spec.name)) {
      issues.push({ line: 1, column: spec.name, message: 'kolonnen står to ganger i overskriften.' });
      return;
    }
    index.set(spec.name, i);
  });
  for (const spec of specs) {
    if (spec.requiredColumn && !index.has(spec.name))
      issues.push({
        line: 1,
        column: spec.name,
        message: 'kolonnen mangler i overskriftsraden. Første linje må være overskriftene.',
      });
  }
  return issues.length > before ? null : index;
}

type Cell = (name: string) => string | undefined;

function readRow(kind: ImportKind, line: number, cell: Cell, issues: ImportIssue[]) {
  const before = issues.length;
  const fail = (column: string, message: string) => issues.push({ line, column, message });
  const required = (column: string, what: string): string => {
    const value = cell(column) ?? '';
    if (value === '') fail(column, `${what} mangler.`);
    else if (value.length > MAX_TEXT) fail(column, `${what} er lengre enn ${MAX_TEXT} tegn.`);
    return value;
  };
  const optional = (column: string, what: string): string | null | undefined => {
    const value = cell(column);
    if (value === undefined) return undefined;
    if (value.length > MAX_TEXT) fail(column, `${what} er lengre enn ${MAX_TEXT} tegn.`);
    return value === '' ? null : value;
  };
  const email = (column: string, value: string): string | null => {
    if (value === '') return null;
    const normalised = value.toLowerCase();
    if (!EMAIL.test(normalised)) fail(column, `«${value}» er ikke en gyldig e-postadresse.`);
    return normalised;
  };
  const date = (column: string, value: string, what: string): LocalDate | null => {
    if (value === '') return null;
    const parsed = parseDateInput(value);
    if (!parsed) {
      const problem = dateInputProblem(value);
      fail(
        column,
        problem === 'calendar'
          ? `«${value}» finnes ikke i kalenderen.`
          : problem === 'range'
            ? `«${value}»: året må være mellom 1900 og 2199.`
            : `«${value}» er ikke en gyldig dato. Skriv ${what} som dd.mm.åååå eller åååå-mm-dd.`,
      );
    }
    return parsed;
  };

  if (kind === 'units') {
    const code = required('enhetskode', 'Enhetskoden');
    const name = required('enhetsnavn', 'Enhetsnavnet');
    const parentRaw = cell('overordnet_enhetskode');
    const parentCode = parentRaw === undefined ? undefined : parentRaw === '' ? null : parentRaw;
    if (parentCode && parentCode === code)
      fail('overordnet_enhetskode', 'en enhet kan ikke være overordnet seg selv.');
    const leaderRaw = cell('leder_epost');
    let leaderEmails: string[] | undefined;
    if (leaderRaw !== undefined) {
      leaderEmails = [];
      for (const part of leaderRaw.split('|').map((p) => p.trim())) {
        if (part === '') continue;
        const value = email('leder_epost', part);
        if (value && !leaderEmails.includes(value)) leaderEmails.push(value);
      }
    }
    if (issues.length > before) return null;
    return { line, code, name, parentCode, leaderEmails } satisfies UnitRow;
  }

  if (kind === 'employees') {
    const employeeNumber = required('ansattnummer', 'Ansattnummeret');
    const firstName = required('fornavn', 'Fornavnet');
    const lastName = required('etternavn', 'Etternavnet');
    const mail = email('epost', cell('epost') ?? '');
    const unitCode = cell('enhetskode') || null;
    const title = optional('stilling', 'Stillingen');
    const rolesRaw = cell('roller');
    let roleTags: string[] | undefined;
    if (rolesRaw !== undefined) {
      const tags = new Set<string>();
      for (const part of rolesRaw.split('|').map((p) => p.trim().toLowerCase())) {
        if (part === '') continue;
        if (!ROLE_TAG.test(part))
          fail(
            'roller',
            `«${part}» er ikke en gyldig rolle. Bruk små bokstaver, tall, - og _, og skill rollene med |.`,
          );
        tags.add(part);
      }
      roleTags = [...tags].sort();
    }
    const hireRaw = cell('ansattdato') ?? '';
    const hireDate = hireRaw === '' ? null : date('ansattdato', hireRaw, 'ansattdatoen');
    if (hireRaw === '') fail('ansattdato', 'Ansattdatoen mangler.');
    const endRaw = cell('sluttdato');
    const endDate = endRaw === undefined ? undefined : date('sluttdato', endRaw, 'sluttdatoen');
    if (hireDate && endDate && endDate < hireDate) fail('sluttdato', 'sluttdatoen er før ansattdatoen.');
    if (issues.length > before || !hireDate) return null;
    return {
      line,
      employeeNumber,
      firstName,
      lastName,
      email: mail,
      unitCode,
      title,
      roleTags,
      hireDate,
      endDate,
    } satisfies EmployeeRow;
  }

  const employeeNumber = required('ansattnummer', 'Ansattnummeret');
  const courseSlug = required('kurs', 'Kurset').toLowerCase();
  const dateRaw = cell('fullfort_dato') ?? '';
  const completedOn = dateRaw === '' ? null : date('fullfort_dato', dateRaw, 'fullføringsdatoen');
  if (dateRaw === '') fail('fullfort_dato', 'Fullføringsdatoen mangler.');
  const source = optional('kilde', 'Kilden') ?? null;
  if (issues.length > before || !completedOn) return null;
  return { line, employeeNumber, courseSlug, completedOn, source } satisfies CompletionRow;
}

/** Keys that must be unique in a file: the second occurrence is the error, pointing at the first. */
function findDuplicates(
  kind: ImportKind,
  rows: Array<UnitRow | EmployeeRow | CompletionRow>,
  issues: ImportIssue[],
): void {
  const check = (column: string, what: string, key: (row: never) => string | null) => {
    const seen = new Map<string, number>();
    for (const row of rows) {
      const value = key(row as never);
      if (value === null) continue;
      const first = seen.get(value);
      if (first === undefined) seen.set(value, row.line);
      else
        issues.push({ line: row.line, column, message: `${what} «${value}» står også på linje ${first}.` });
    }
  };
  if (kind === 'units') check('enhetskode', 'enhetskoden', (r: UnitRow) => r.code);
  if (kind === 'employees') {
    check('ansattnummer', 'ansattnummeret', (r: EmployeeRow) => r.employeeNumber);
    check('epost', 'e-postadressen', (r: EmployeeRow) => r.email);
  }
}
