import { count, eq, isNotNull } from 'drizzle-orm';
import { completions, employees, orgUnits } from '../../../src/db/schema';
import { computeComplianceRows } from '../../../src/modules/compliance/compliance.service';
import { DEMO_PASSWORD, loadDemo } from '../../../src/modules/demo/demo.service';
import { createTestApp, loginAs, type TestApp } from '../../support/app';

describe('the demo (Eksempel kommune)', () => {
  let t: TestApp;
  let logins: Awaited<ReturnType<typeof loadDemo>>['logins'];
  const today = '2026-11-22';

  beforeAll(async () => {
    t = await createTestApp({ now: new Date(`${today}T10:00:00+01:00`) });
    logins = (await loadDemo(t.database.db, today)).logins;
  });
  afterAll(() => t.close());

  test('when loaded, then it has the sectors, about 15 units and about 400 employees', async () => {
    const [u] = await t.database.db.select({ n: count() }).from(orgUnits);
    const [e] = await t.database.db.select({ n: count() }).from(employees);
    expect(Number(u!.n)).toBeGreaterThanOrEqual(15);
    expect(Number(e!.n)).toBeGreaterThanOrEqual(380);
    const names = (await t.database.db.select({ name: orgUnits.name }).from(orgUnits)).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['Oppvekst', 'Helse og omsorg', 'NAV']));
  });

  test('when loaded, then people who have left have no completion dated after they left, and some who left do have history', async () => {
    const rows = await t.database.db
      .select({ completedOn: completions.completedOn, endDate: employees.endDate })
      .from(completions)
      .innerJoin(employees, eq(employees.id, completions.employeeId))
      .where(isNotNull(employees.endDate));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.completedOn > r.endDate!)).toEqual([]);
  });

  test('when statuses are computed for today, then every status occurs', async () => {
    const rows = await computeComplianceRows(t.database.db, { scope: { kind: 'all' } }, today);
    const seen = new Set(rows.map((r) => r.result.status));
    expect([...seen].sort()).toEqual(['done', 'due_soon', 'exempt', 'overdue', 'todo']);
  });

  test('when loaded twice, then the second load is refused and nothing is duplicated', async () => {
    await expect(loadDemo(t.database.db, today)).rejects.toThrow(
      'Demodata lastes bare inn i en tom database',
    );
  });

  test('when each printed login is used, then that role reaches its pages', async () => {
    const hr = logins.find((l) => l.role.startsWith('HR'))!;
    const leader = logins.find((l) => l.role === 'Leder' && l.description.includes('Solbakken skole'))!;
    const employee = logins.find((l) => l.role === 'Ansatt')!;
    const hrAgent = await loginAs(t.app, hr.email, DEMO_PASSWORD);
    expect((await hrAgent.get('/admin').expect(200)).text).toContain('NAV Eksempel');
    const leaderAgent = await loginAs(t.app, leader.email, DEMO_PASSWORD);
    const dash = await leaderAgent.get('/leder').expect(200);
    expect(dash.text).toContain('Solbakken skolefritidsordning');
    expect(dash.text).not.toContain('NAV Eksempel');
    const employeeAgent = await loginAs(t.app, employee.email, DEMO_PASSWORD);
    const mine = await employeeAgent.get('/mine-kurs').expect(200);
    expect(mine.text).toContain('Forfaller snart');
    await employeeAgent.get('/leder').expect(403);
  });
});
