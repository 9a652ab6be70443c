import fc from 'fast-check';
import { addDays, type LocalDate } from '../../../src/lib/dates';
import { indexFacts, isCountedOn } from '../../../src/modules/compliance/compliance-facts';
import type {
  EmployeeRecord,
  ExemptionRecord,
  RequirementRecord,
} from '../../../src/modules/compliance/compliance.repo';
import { evaluateFacts } from '../../../src/modules/compliance/compliance.service';
import { evaluateForFigures } from '../../../src/modules/reports/lean-evaluation';

const day = (offset: number): LocalDate => addDays('2015-01-01', offset);
const dateArb = fc.integer({ min: 0, max: 365 * 14 }).map(day);
const paths = ['/1/', '/1/2/', '/1/3/', '/1/3/4/'];

const requirementArb = (id: number): fc.Arbitrary<RequirementRecord> =>
  fc
    .record({
      firstDeadline: fc.integer({ min: 365 * 7, max: 365 * 10 }).map(day),
      renewalMode: fc.constantFrom('cycle' as const, 'rolling' as const),
      renewalMonths: fc.constantFrom(12, 24, 36),
      newHireMonths: fc.integer({ min: 0, max: 24 }),
      dueSoonDays: fc.integer({ min: 0, max: 90 }),
      audienceAll: fc.boolean(),
      audienceUnitPaths: fc.subarray(paths, { minLength: 1 }),
      audienceRoleTags: fc.subarray(['helse', 'skole']),
    })
    .map((r) => ({
      ...r,
      id,
      name: `Krav ${id}`,
      courseId: id,
      courseSlug: `kurs-${id}`,
      courseTitle: `Kurs ${id}`,
      audienceUnitIds: [],
      active: true,
    }));

const employeeArb = (id: number): fc.Arbitrary<EmployeeRecord> =>
  fc
    .record({
      unitPath: fc.option(fc.constantFrom(...paths), { nil: null }),
      roleTags: fc.subarray(['helse', 'skole']),
      hireDate: dateArb,
      endDate: fc.option(dateArb, { nil: null }),
    })
    .map((e) => ({
      ...e,
      id,
      employeeNumber: String(1000 + id),
      firstName: 'Kari',
      lastName: `Nordmann ${id}`,
      email: null,
      title: null,
      unitId: null,
      unitCode: null,
      unitName: null,
    }));

const worldArb = fc
  .record({
    requirements: fc.tuple(requirementArb(1), requirementArb(2)),
    employees: fc.array(fc.integer(), { minLength: 1, maxLength: 25 }),
    asOf: dateArb,
  })
  .chain(({ requirements, employees, asOf }) =>
    fc.record({
      requirements: fc.constant(requirements),
      asOf: fc.constant(asOf),
      employees: fc.tuple(...employees.map((_, i) => employeeArb(i + 1))),
      completions: fc.array(
        fc.record({
          employeeId: fc.integer({ min: 1, max: employees.length }),
          courseId: fc.constantFrom(1, 2),
          completedOn: dateArb,
        }),
        { maxLength: 60 },
      ),
      exemptions: fc.array(
        fc.record({
          employeeId: fc.integer({ min: 1, max: employees.length }),
          requirementId: fc.constantFrom(1, 2),
          validFrom: dateArb,
          validUntil: fc.option(dateArb, { nil: null }),
          reason: fc.constant('Langtidssykemeldt'),
        }),
        { maxLength: 8 },
      ),
    }),
  );

describe('the figures evaluation', () => {
  test('when any people, completions and exemptions are evaluated, then the figures path gives the status and latest completion of the full engine', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(worldArb, (world) => {
        const exemptions: ExemptionRecord[] = world.exemptions;
        const facts = indexFacts({
          version: null,
          requirements: world.requirements,
          employees: world.employees,
          units: [],
          completions: world.completions,
          exemptions,
        });
        const counted = world.employees.filter((e) => isCountedOn(e, world.asOf));
        const full = evaluateFacts(facts, world.requirements, counted, world.asOf).map((r) => ({
          employee: r.employee.id,
          requirement: r.requirement.id,
          status: r.result.status,
          lastCompletion: r.result.lastCompletion,
        }));
        const lean = evaluateForFigures(facts, world.requirements, counted, world.asOf).map((r) => ({
          employee: r.employee.id,
          requirement: r.requirement.id,
          status: r.result.status,
          lastCompletion: r.result.lastCompletion,
        }));
        expect(lean).toEqual(full);
        for (const row of full) seen.add(row.status!);
      }),
      { numRuns: 400 },
    );
    // The worlds cover every status, so the comparison above is not vacuous.
    expect([...seen].sort()).toEqual(['done', 'due_soon', 'exempt', 'overdue', 'todo']);
  });
});
