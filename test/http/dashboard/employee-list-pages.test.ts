import request from 'supertest';
import { employees } from '../../../src/db/schema';
import { createTestApp, loginAs, type TestApp } from '../../support/app';
import { TEST_PASSWORD, createCourseWithRequirement, createUnit, createUser } from '../../support/factories';
import { parseEmployeeNumbers } from '../reports/report-fixture';

jest.setTimeout(120_000);

/** A unit whose 230 people are all overdue: the list «Må følges opp» has three pages of 100. */
describe('the employee list of a large unit', () => {
  let t: TestApp;
  let leader: request.Agent;

  beforeAll(async () => {
    t = await createTestApp({ now: new Date('2026-11-22T10:00:00+01:00') });
    const db = t.database.db;
    const unit = await createUnit(db, { code: 'STOR', name: 'Storskolen' });
    await createCourseWithRequirement(db, { slug: 'handlingsplan', title: 'Handlingsplanen' });
    await db.insert(employees).values(
      Array.from({ length: 230 }, (_, i) => ({
        employeeNumber: `S${String(i).padStart(3, '0')}`,
        firstName: 'Ansatt',
        lastName: `Nummer ${String(i).padStart(3, '0')}`,
        email: `s${i}@test.kommune.no`,
        unitId: unit.id,
        hireDate: '2015-01-01',
      })),
    );
    await createUser(db, { email: 'hr@test.no', isAdmin: true });
    await createUser(db, { email: 'leder.stor@test.no', leads: [unit.id] });
    leader = await loginAs(t.app, 'leder.stor@test.no', TEST_PASSWORD);
  });
  afterAll(() => t.close());

  test('when the list is longer than a page, then it is shown 100 rows at a time with links between the pages, and the export holds all', async () => {
    const first = await leader.get('/leder').expect(200);
    expect(first.text).toContain('Må følges opp (230)');
    expect(first.text).toContain('Viser 1–100 av 230, side 1 av 3.');
    const onFirst = parseEmployeeNumbers(first.text);
    expect(onFirst).toHaveLength(100);
    expect(first.text).toMatch(/href="\/leder\?dato=2026-11-22&amp;side=2#ansatte" rel="next">Neste side/);
    expect(first.text).not.toContain('rel="prev"');

    const last = await leader.get('/leder?side=3').expect(200);
    expect(last.text).toContain('Viser 201–230 av 230, side 3 av 3.');
    const onLast = parseEmployeeNumbers(last.text);
    expect(onLast).toHaveLength(30);
    expect(onLast.filter((n) => onFirst.includes(n))).toEqual([]);
    expect(last.text).toMatch(/side=2#ansatte" rel="prev">Forrige side/);
    expect(last.text).not.toContain('rel="next"');

    // A page past the end shows the last one; a page that is not a number is refused in bokmål.
    expect((await leader.get('/leder?side=99').expect(200)).text).toContain('side 3 av 3');
    expect((await leader.get('/leder?side=null').expect(400)).text).toContain('Sidenummeret er ugyldig.');

    const csv = await leader.get('/leder/eksport/ansatte.csv').expect(200);
    expect(csv.text.trim().split('\n')).toHaveLength(231);
  });
});
