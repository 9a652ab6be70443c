import fc from 'fast-check';
import type { EmployeeRecord, RequirementRecord } from '../../../src/modules/compliance/compliance.repo';
import { indexFacts } from '../../../src/modules/compliance/compliance-facts';
import { evaluateCompliance } from '../../../src/modules/compliance/compliance.service';
import { summarizeStatuses } from '../../../src/modules/compliance/deadline-engine';
import type { UnitRecord } from '../../../src/modules/org/org.repo';
import { evaluateForFigures } from '../../../src/modules/reports/lean-evaluation';
import {
  computeFigures,
  pathIds,
  ratePercent,
  sortUnitFigures,
  type UnitFigures,
} from '../../../src/modules/reports/report-figures';
import { requirementRecord } from '../../support/records';

/** A fixed tree: 1 kommune → 2, 3 sectors → 4, 5 under 2; 6 under 3; 7 under 4. */
const UNITS: UnitRecord[] = [
  { id: 1, code: 'K', name: 'Kommunen', parentId: null, kind: 'kommune', path: '/1/' },
  { id: 2, code: 'OPP', name: 'Oppvekst', parentId: 1, kind: 'sektor', path: '/1/2/' },
  { id: 4, code: 'SKO', name: 'Skolen', parentId: 2, kind: 'virksomhet', path: '/1/2/4/' },
  { id: 7, code: 'SFO', name: 'SFO', parentId: 4, kind: 'avdeling', path: '/1/2/4/7/' },
  { id: 5, code: 'BHG', name: 'Barnehagen', parentId: 2, kind: 'virksomhet', path: '/1/2/5/' },
  { id: 3, code: 'HO', name: 'Helse', parentId: 1, kind: 'sektor', path: '/1/3/' },
  { id: 6, code: 'SYK', name: 'Sykehjemmet', parentId: 3, kind: 'virksomhet', path: '/1/3/6/' },
];

function requirement(
  id: number,
  courseId: number,
  extra: Partial<RequirementRecord> = {},
): RequirementRecord {
  const course = { courseId, courseSlug: `kurs-${courseId}`, courseTitle: `Kurs ${courseId}` };
  return requirementRecord({ id, name: `Krav ${id}`, ...course, ...extra });
}

const REQUIREMENTS = [
  requirement(1, 10),
  requirement(2, 20, { renewalMode: 'rolling', dueSoonDays: 60 }),
  requirement(3, 30, {
    audienceAll: false,
    audienceUnitIds: [2],
    audienceUnitPaths: ['/1/2/'],
    audienceRoleTags: ['skole'],
  }),
];

const dateArb = fc
  .date({ min: new Date('2014-01-01T00:00:00Z'), max: new Date('2028-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const employeeArb = fc.record({
  unit: fc.constantFrom<number | null>(1, 2, 3, 4, 5, 6, 7, null),
  hireDate: dateArb,
  tags: fc.subarray(['skole', 'helse']),
  completions: fc.array(fc.record({ course: fc.constantFrom(10, 20, 30), on: dateArb }), { maxLength: 4 }),
  exemption: fc.option(fc.record({ from: dateArb, until: fc.option(dateArb) }), { nil: null }),
});

type EmployeeSpec = typeof employeeArb extends fc.Arbitrary<infer T> ? T : never;

function buildWorld(specs: EmployeeSpec[]) {
  const employees: EmployeeRecord[] = specs.map((s, i) => {
    const unit = UNITS.find((u) => u.id === s.unit) ?? null;
    return {
      id: i + 1,
      employeeNumber: `E${i + 1}`,
      firstName: 'F',
      lastName: `L${i + 1}`,
      email: null,
      title: null,
      unitId: unit?.id ?? null,
      unitCode: unit?.code ?? null,
      unitName: unit?.name ?? null,
      unitPath: unit?.path ?? null,
      roleTags: s.tags,
      hireDate: s.hireDate,
      endDate: null,
    };
  });
  const completions = specs.flatMap((s, i) =>
    s.completions.map((c) => ({ employeeId: i + 1, courseId: c.course, completedOn: c.on })),
  );
  const exemptions = specs.flatMap((s, i) =>
    s.exemption
      ? [
          {
            employeeId: i + 1,
            requirementId: 1,
            validFrom: s.exemption.from,
            validUntil: s.exemption.until,
            reason: 'Permisjon',
          },
        ]
      : [],
  );
  return { employees, completions, exemptions };
}

describe('report figures', () => {
  test('when figures are computed in one pass, then each unit equals the DOMAIN summary of the rows of the unit and its sub-units', () => {
    fc.assert(
      fc.property(fc.array(employeeArb, { maxLength: 40 }), dateArb, (specs, asOf) => {
        const { employees, completions, exemptions } = buildWorld(specs);
        const counted = employees.filter((e) => e.hireDate <= asOf);
        const rows = evaluateCompliance(REQUIREMENTS, counted, completions, exemptions, asOf);
        const figures = computeFigures(UNITS, REQUIREMENTS, rows);
        for (const u of figures.units) {
          const own = rows.filter((r) => r.employee.unitPath?.startsWith(u.unit.path));
          for (const [i, req] of REQUIREMENTS.entries()) {
            const expected = summarizeStatuses(
              own.filter((r) => r.requirement.id === req.id).map((r) => r.result),
            );
            expect(u.byRequirement[i]!.summary).toEqual(expected);
          }
          expect(u.total).toEqual(summarizeStatuses(own.map((r) => r.result)));
          expect(u.employees).toBe(new Set(own.map((r) => r.employee.id)).size);
        }
        expect(figures.overall.total).toEqual(summarizeStatuses(rows.map((r) => r.result)));
        expect(figures.overall.employees).toBe(new Set(rows.map((r) => r.employee.id)).size);
      }),
      { numRuns: 150 },
    );
  });

  test('when rows are evaluated the lean way (latest completion, memoised engine, due dates kept with the facts), then every status and due date equals the full evaluation on every date asked, in any order', () => {
    fc.assert(
      fc.property(
        fc.array(employeeArb, { maxLength: 40 }),
        fc.array(dateArb, { minLength: 1, maxLength: 4 }),
        (specs, dates) => {
          const { employees, completions, exemptions } = buildWorld(specs);
          // One facts object for all dates: what is kept from one date must hold on the next.
          const facts = indexFacts({
            version: null,
            requirements: REQUIREMENTS,
            employees,
            units: UNITS,
            completions,
            exemptions,
          });
          for (const asOf of dates) {
            const counted = employees.filter((e) => e.hireDate <= asOf);
            const full = evaluateCompliance(REQUIREMENTS, counted, completions, exemptions, asOf);
            const lean = evaluateForFigures(facts, REQUIREMENTS, counted, asOf);
            const shape = (r: {
              employee: { id: number };
              requirement: { id: number };
              result: { status: unknown; lastCompletion: unknown; dueDate: unknown };
            }) =>
              `${r.employee.id}|${r.requirement.id}|${String(r.result.status)}|${String(r.result.lastCompletion)}|${String(r.result.dueDate)}`;
            // The same rows, in any order (the lean way goes employee by employee).
            expect(lean.map(shape).sort()).toEqual(full.map(shape).sort());
            expect(computeFigures(UNITS, REQUIREMENTS, lean)).toEqual(
              computeFigures(UNITS, REQUIREMENTS, full),
            );
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  test('when units are sorted by a column, then siblings follow the column and every unit is directly followed by its own sub-units', () => {
    const rows = evaluateCompliance(
      REQUIREMENTS,
      buildWorld(
        [1, 2, 3, 4, 4, 5, 6, 6, 6, 7].map((unit, i) => ({
          unit,
          hireDate: '2015-01-01',
          tags: ['skole'],
          completions: i % 3 === 0 ? [{ course: 10, on: '2025-05-01' }] : [],
          exemption: null,
        })),
      ).employees,
      [],
      [],
      '2026-11-22',
    );
    const figures = computeFigures(UNITS, REQUIREMENTS, rows).units;
    const isTreeOrder = (list: UnitFigures[]) =>
      list.every((u, i) => {
        // Every unit after u until the first one outside u's subtree is inside it, and no later unit is.
        const rest = list.slice(i + 1);
        const end = rest.findIndex((x) => !x.unit.path.startsWith(u.unit.path));
        return end === -1 || rest.slice(end).every((x) => !x.unit.path.startsWith(u.unit.path));
      });
    for (const key of ['tre', 'navn', 'kode', 'ansatte', 'fullforingsgrad', 'forfalt'] as const) {
      for (const direction of ['stigende', 'synkende'] as const) {
        const sorted = sortUnitFigures(figures, key, direction);
        expect(sorted).toHaveLength(UNITS.length);
        expect([key, direction, isTreeOrder(sorted)]).toEqual([key, direction, true]);
      }
    }
    const byEmployees = sortUnitFigures(figures, 'ansatte', 'synkende');
    const sectors = byEmployees.filter((u) => u.depth === 1).map((u) => u.unit.code);
    expect(sectors).toEqual(['OPP', 'HO']);
    expect(sortUnitFigures(figures, 'navn', 'stigende').map((u) => u.unit.code)).toEqual([
      'K',
      'HO',
      'SYK',
      'OPP',
      'BHG',
      'SKO',
      'SFO',
    ]);
  });

  test('when a rate is shown, then it is a whole percent, and no rate when nobody counts', () => {
    expect(ratePercent({ completionRate: 2 / 3 })).toBe(67);
    expect(ratePercent({ completionRate: 0.005 })).toBe(1);
    expect(ratePercent({ completionRate: null })).toBeNull();
    expect(pathIds('/1/12/7/')).toEqual([1, 12, 7]);
  });
});
