import { or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { ForbiddenError } from '../../lib/errors';

/**
 * The one guard for leader data. Every query that returns employees or units for a viewer
 * takes a UnitScope and filters with `unitScopeCondition`; every route that receives a unit id
 * checks it with `assertUnitInScope`.
 */
export type UnitScope = { kind: 'all' } | { kind: 'units'; rootUnitIds: number[]; paths: string[] };

export interface ScopeSubject {
  isAdmin: boolean;
  ledUnits: Array<{ id: number; path: string }>;
}

/** Admins (HR) see everything; leaders see the units they lead and every unit below them; others nothing. */
export function scopeOf(subject: ScopeSubject): UnitScope {
  if (subject.isAdmin) return { kind: 'all' };
  return {
    kind: 'units',
    rootUnitIds: subject.ledUnits.map((u) => u.id),
    paths: subject.ledUnits.map((u) => u.path),
  };
}

/** The leader-only scope of a subject, ignoring admin rights (used for the leader's own pages). */
export function leaderScopeOf(subject: ScopeSubject): UnitScope {
  return scopeOf({ isAdmin: false, ledUnits: subject.ledUnits });
}

/** A string that is the same for two scopes exactly when they cover the same units, for cache keys. */
export function scopeKeyOf(scope: UnitScope): string {
  return scope.kind === 'all' ? '*' : [...scope.paths].sort().join(',');
}

/** A SQL condition on an org_units.path column that is true only for units inside the scope. */
export function unitScopeCondition(scope: UnitScope, pathColumn: AnyColumn | SQL): SQL {
  if (scope.kind === 'all') return sql`true`;
  if (scope.paths.length === 0) return sql`false`;
  const parts = scope.paths.map((p) => sql`${pathColumn} like ${escapeLike(p) + '%'}`);
  return or(...parts) ?? sql`false`;
}

/** True when a unit (by its materialised path) is inside the scope. */
export function isUnitPathInScope(scope: UnitScope, unitPath: string | null | undefined): boolean {
  if (scope.kind === 'all') return true;
  if (!unitPath) return false;
  return scope.paths.some((p) => unitPath.startsWith(p));
}

/** Throws 403 unless the unit is inside the scope. */
export function assertUnitInScope(scope: UnitScope, unitPath: string | null | undefined): void {
  if (!isUnitPathInScope(scope, unitPath)) {
    throw new ForbiddenError('Du har ikke tilgang til denne enheten.');
  }
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => '\\' + c);
}
