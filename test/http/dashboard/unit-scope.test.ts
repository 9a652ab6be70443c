import { createTestApp, loginAs, type TestApp } from '../../support/app';
import {
  createCompletion,
  createCourseWithRequirement,
  createEmployee,
  createUnit,
  createUser,
  TEST_PASSWORD,
} from '../../support/factories';

jest.setTimeout(120_000);

describe('role and unit guards on the leader and HR pages', () => {
  let t: TestApp;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp({ now: new Date('2026-11-22T10:00:00+01:00') });
    const db = t.database.db;
    const root = await createUnit(db, { code: 'K', name: 'Kommunen', kind: 'kommune' });
    const a = await createUnit(db, { code: 'A', name: 'Alfa skole', parentId: root.id });
    const a1 = await createUnit(db, { code: 'A1', name: 'Alfa SFO', parentId: a.id, kind: 'avdeling' });
    const b = await createUnit(db, { code: 'B', name: 'Beta barnehage', parentId: root.id });
    Object.assign(ids, { root: root.id, a: a.id, a1: a1.id, b: b.id });
    const { course } = await createCourseWithRequirement(db, {
      slug: 'handlingsplan',
      title: 'Handlingsplanen',
    });
    const inA = await createEmployee(db, { unitId: a.id, firstName: 'Astrid', lastName: 'Alfa' });
    const inA1 = await createEmployee(db, { unitId: a1.id, firstName: 'Arne', lastName: 'Underenhet' });
    const inB = await createEmployee(db, { unitId: b.id, firstName: 'Berit', lastName: 'Beta' });
    const noUnit = await createEmployee(db, { unitId: null, firstName: 'Nils', lastName: 'Utenenhet' });
    Object.assign(ids, { inA: inA.id, inA1: inA1.id, inB: inB.id, noUnit: noUnit.id });
    await createCompletion(db, {
      employeeId: inA.id,
      courseId: course.id,
      completedOn: '2025-03-01',
      source: 'scorm',
    });
    await createUser(db, { email: 'leder.a@test.no', leads: [a.id] });
    await createUser(db, { email: 'leder.b@test.no', leads: [b.id] });
    await createUser(db, { email: 'hr@test.no', isAdmin: true });
    await createUser(db, { email: 'astrid@test.no', employeeId: inA.id });
  });
  afterAll(() => t.close());

  test('when an employee who leads nothing opens leader or HR pages, then access is refused', async () => {
    const agent = await loginAs(t.app, 'astrid@test.no', TEST_PASSWORD);
    for (const path of ['/leder', `/leder/ansatt/${ids.inA}`, '/admin', `/admin/ansatt/${ids.inA}`]) {
      const res = await agent.get(path);
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.text).toContain('Ingen tilgang');
    }
  });

  test('when a leader opens the dashboard, then it shows their unit and its sub-units and nobody else', async () => {
    const agent = await loginAs(t.app, 'leder.a@test.no', TEST_PASSWORD);
    const res = await agent.get('/leder').expect(200);
    expect(res.text).toContain('Alfa skole');
    expect(res.text).toContain('Alfa SFO');
    expect(res.text).toContain('Underenhet');
    expect(res.text).not.toContain('Beta');
    expect(res.text).not.toContain('Utenenhet');
  });

  test('when a leader asks for another unit by id, then access is refused', async () => {
    const agent = await loginAs(t.app, 'leder.a@test.no', TEST_PASSWORD);
    await agent.get(`/leder?enhet=${ids.b}`).expect(403);
    await agent.get(`/leder?enhet=${ids.root}`).expect(403);
    const sub = await agent.get(`/leder?enhet=${ids.a1}`).expect(200);
    expect(sub.text).toContain('Underenhet');
    expect(sub.text).not.toContain('Astrid');
  });

  test('when a leader opens an employee record outside their units, then access is refused; inside, it opens', async () => {
    const agent = await loginAs(t.app, 'leder.a@test.no', TEST_PASSWORD);
    await agent.get(`/leder/ansatt/${ids.inB}`).expect(403);
    await agent.get(`/leder/ansatt/${ids.noUnit}`).expect(403);
    await agent.get(`/admin/ansatt/${ids.inB}`).expect(403);
    const own = await agent.get(`/leder/ansatt/${ids.inA1}`).expect(200);
    expect(own.text).toContain('Arne Underenhet');
    const other = await loginAs(t.app, 'leder.b@test.no', TEST_PASSWORD);
    await other.get(`/leder/ansatt/${ids.inA}`).expect(403);
  });

  test('when HR opens the admin overview, then every unit and employee needing action is there', async () => {
    const agent = await loginAs(t.app, 'hr@test.no', TEST_PASSWORD);
    const res = await agent.get('/admin').expect(200);
    for (const name of ['Alfa skole', 'Beta barnehage', 'Kommunen', 'Berit Beta', 'Nils Utenenhet'])
      expect(res.text).toContain(name);
    await agent.get(`/admin/ansatt/${ids.inB}`).expect(200);
  });

  test('when a date is chosen, then figures are as of that date; a bad date gets a bokmål message', async () => {
    const agent = await loginAs(t.app, 'leder.b@test.no', TEST_PASSWORD);
    const before = await agent.get('/leder?dato=2023-12-15').expect(200);
    expect(before.text).toContain('Forfaller snart');
    expect(before.text).toContain('Forfaller 31.12.2023: kravets første frist');
    const bad = await agent.get('/leder?dato=2023-02-30').expect(400);
    expect(bad.text).toContain('Datoen må være en gyldig dato');
  });

  test('when an employee opens Mine kurs, then each required course shows status, due date and reason', async () => {
    const agent = await loginAs(t.app, 'astrid@test.no', TEST_PASSWORD);
    const res = await agent.get('/mine-kurs').expect(200);
    expect(res.text).toContain('Handlingsplanen');
    expect(res.text).toContain('Fullført');
    expect(res.text).toContain('31.12.2027');
  });
});
