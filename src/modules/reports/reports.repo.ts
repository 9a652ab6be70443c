import { and, asc, eq, gte, isNull, lte, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { employees, orgUnits } from '../../db/schema';
import type { LocalDate } from '../../lib/dates';

export interface FlaggedEmployee {
  id: number;
  employeeNumber: string;
  firstName: string;
  lastName: string;
  email: string | null;
  unitCode: string | null;
  unitName: string | null;
}

/**
 * Employees employed on a date who lack an e-mail address (they get no reminders and cannot log
 * in) or a unit (no leader sees them). HR only: this query has no unit scope.
 */
export async function listFlaggedEmployees(db: DbOrTx, activeOn: LocalDate): Promise<FlaggedEmployee[]> {
  return db
    .select({
      id: employees.id,
      employeeNumber: employees.employeeNumber,
      firstName: employees.firstName,
      lastName: employees.lastName,
      email: employees.email,
      unitCode: orgUnits.code,
      unitName: orgUnits.name,
    })
    .from(employees)
    .leftJoin(orgUnits, eq(orgUnits.id, employees.unitId))
    .where(
      and(
        lte(employees.hireDate, activeOn),
        or(isNull(employees.endDate), gte(employees.endDate, activeOn)),
        or(isNull(employees.unitId), isNull(employees.email), sql`trim(${employees.email}) = ''`),
      ),
    )
    .orderBy(asc(employees.lastName), asc(employees.firstName), asc(employees.id));
}
