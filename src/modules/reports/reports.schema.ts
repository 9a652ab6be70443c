import type { Request } from 'express';
import { z } from 'zod';
import { dbId } from '../../lib/validation';
import { isValidLocalDate } from '../../lib/dates';
import { ValidationError } from '../../lib/errors';

/** Query parameters of the report pages and exports; empty form fields mean "not chosen". */
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);

const positiveId = (message: string) => z.preprocess(emptyToUndefined, dbId(message).optional());

export const reportQuerySchema = z.object({
  dato: z.preprocess(
    emptyToUndefined,
    z
      .string({ message: 'Datoen må være en gyldig dato (åååå-mm-dd).' })
      .refine(isValidLocalDate, 'Datoen må være en gyldig dato (åååå-mm-dd).')
      .optional(),
  ),
  enhet: positiveId('Enheten i filteret er ugyldig.'),
  kurs: positiveId('Kurset i filteret er ugyldig.'),
  status: z.preprocess(
    emptyToUndefined,
    z
      .enum(['oppfolging', 'alle', 'done', 'todo', 'due_soon', 'overdue', 'exempt'], {
        message: 'Statusen i filteret er ugyldig.',
      })
      .default('oppfolging'),
  ),
  sorter: z.preprocess(
    emptyToUndefined,
    z
      .enum(['tre', 'navn', 'kode', 'ansatte', 'fullforingsgrad', 'forfalt'], {
        message: 'Ugyldig sortering.',
      })
      .default('tre'),
  ),
  retning: z.preprocess(
    emptyToUndefined,
    z.enum(['stigende', 'synkende'], { message: 'Ugyldig sorteringsretning.' }).default('stigende'),
  ),
  /** The page of the employee list (the exports always hold every row). */
  side: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'Sidenummeret er ugyldig.' })
      .int('Sidenummeret er ugyldig.')
      .positive('Sidenummeret er ugyldig.')
      .default(1),
  ),
});

export type ReportQuery = z.infer<typeof reportQuerySchema>;

/** Parses the report query or throws a 400 with the first bokmål message. */
export function parseReportQuery(req: Request): ReportQuery {
  const parsed = reportQuerySchema.safeParse(req.query);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ugyldig filter.');
  return parsed.data;
}

/** A link to a report path with the current filters, some replaced or removed (undefined). */
export function reportUrl(
  path: string,
  current: Record<string, string | number | undefined>,
  changes: Record<string, string | number | undefined> = {},
): string {
  const merged = { ...current, ...changes };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(merged)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** One page of a list: its rows, which page it is (clamped to the pages there are) and how many. */
export interface ListPage<T> {
  rows: T[];
  page: number;
  pages: number;
  /** 1-based position of the first row shown, and the last (0 when the list is empty). */
  from: number;
  to: number;
  total: number;
}

export const EMPLOYEE_LIST_PAGE_SIZE = 100;

export function pageOf<T>(rows: T[], page: number, size = EMPLOYEE_LIST_PAGE_SIZE): ListPage<T> {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const current = Math.min(Math.max(1, page), pages);
  const start = (current - 1) * size;
  const shown = rows.slice(start, start + size);
  return {
    rows: shown,
    page: current,
    pages,
    from: shown.length > 0 ? start + 1 : 0,
    to: start + shown.length,
    total: rows.length,
  };
}
