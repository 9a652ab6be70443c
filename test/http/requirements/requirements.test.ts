import { eq } from 'drizzle-orm';
import type { Agent } from 'supertest';
import { auditLog, requirementUnits, requirements } from '../../../src/db/schema';
import { createTestApp, csrfFrom, loginAs, postForm, type TestApp } from '../../support/app';
import {
  createCompletion,
  createCourseWithRequirement,
  createEmployee,
  createUnit,
  createUser,
  TEST_PASSWORD,
} from '../../support/factories';

jest.setTimeout(180_000);

const tall = (html: string, name: string) =>
  Number(new RegExp(`data-tall="${name}">(\\d+)<`).exec(html)?.[1]);

describe('requirement editor with preview', () => {
  let t: TestApp;
  let hr: Agent;
  const ids = { a: 0, b: 0, course: 0, requirement: 0, other: 0 };

  beforeAll(async () => {
    t = await createTestApp({ now: new Date('2026-11-22T10:00:00+01:00') });
    const db = t.database.db;
    const root = await createUnit(db, { code: 'K', name: 'Kommunen' });
    const a = await createUnit(db, { code: 'A', name: 'Alfa skole', parentId: root.id });
    const b = await createUnit(db, { code: 'B', name: 'Beta barnehage', parentId: root.id });
    const { course, requirement } = await createCourseWithRequirement(db, {
      slug: 'meldeplikt',
      title: 'Meldeplikt',
      name: 'Alle: meldeplikt',
    });
    const other = await createCourseWithRequirement(db, { slug: 'taushetsplikt', title: 'Taushetsplikt' });
    Object.assign(ids, {
      a: a.id,
      b: b.id,
      course: course.id,
      requirement: requirement.id,
      other: other.course.id,
    });
    const anne = await createEmployee(db, {
      unitId: a.id,
      firstName: 'Anne',
      lastName: 'Alfa',
      roleTags: ['skole'],
    });
    await createEmployee(db, { unitId: a.id, firstName: 'Arne', lastName: 'Alfa' });
    await createEmployee(db, { unitId: b.id, firstName: 'Berit', lastName: 'Beta', roleTags: ['barnehage'] });
    const done = await createEmployee(db, { unitId: b.id, firstName: 'Bjørn', lastName: 'Beta' });
    await createCompletion(db, {
      employeeId: done.id,
      courseId: course.id,
      completedOn: '2025-06-01',
      source: 'scorm',
    });
    await createUser(db, { email: 'hr@test.no', isAdmin: true });
    await createUser(db, { email: 'leder@test.no', leads: [a.id] });
    await createUser(db, { email: 'ansatt@test.no', employeeId: anne.id });
    hr = await loginAs(t.app, 'hr@test.no', TEST_PASSWORD);
  });
  afterAll(() => t.close());

  const form = (overrides: Record<string, string | string[]> = {}) => ({
    id: String(ids.requirement),
    courseId: String(ids.course),
    name: 'Alle: meldeplikt',
    audience: 'all',
    firstDeadline: '2023-12-31',
    renewalMode: 'cycle',
    renewalMonths: '24',
    newHireMonths: '12',
    dueSoonDays: '30',
    active: 'on',
    roleTags: '',
    ...overrides,
  });

  const send = (path: string, body: Record<string, string | string[]>) =>
    postForm(hr, '/admin/kurskrav', path, body);

  test('when a leader or an employee opens or posts the requirement editor, then access is refused', async () => {
    for (const email of ['leder@test.no', 'ansatt@test.no']) {
      const agent = await loginAs(t.app, email, TEST_PASSWORD);
      const token = csrfFrom((await agent.get('/mine-kurs')).text);
      await agent.get('/admin/kurskrav').expect(403);
      await agent.get('/admin/kurskrav/ny').expect(403);
      await agent.get(`/admin/kurskrav/${ids.requirement}`).expect(403);
      await agent
        .post('/admin/kurskrav/forhandsvis')
        .type('form')
        .send({ _csrf: token, ...form() })
        .expect(403);
      await agent
        .post('/admin/kurskrav/lagre')
        .type('form')
        .send({ _csrf: token, ...form({ firstDeadline: '2030-01-01' }) })
        .expect(403);
    }
    const [stored] = await t.database.db
      .select()
      .from(requirements)
      .where(eq(requirements.id, ids.requirement));
    expect(stored!.firstDeadline).toBe('2023-12-31');
  });

  test('when HR lists and opens requirements, then every field is shown', async () => {
    const list = await hr.get('/admin/kurskrav').expect(200);
    expect(list.text).toContain('Meldeplikt');
    expect(list.text).toContain('Alle ansatte');
    expect(list.text).toContain('31.12.2023');
    expect(list.text).toMatch(
      /<table class="ds-table" data-border="true">\s*<caption class="ds-sr-only">Kurskrav med kurs, målgruppe, frister og fornyelse<\/caption>/,
    );
    const edit = await hr.get(`/admin/kurskrav/${ids.requirement}`).expect(200);
    expect(edit.text).toContain('value="2023-12-31"');
    expect(edit.text).toContain('value="24"');
  });

  test('when the first deadline moves, then the preview names who changes status and due date and nothing is saved yet', async () => {
    const res = await send('/admin/kurskrav/forhandsvis', form({ firstDeadline: '2027-06-30' }));
    expect(res.status).toBe(200);
    // Three without a completion go from overdue (31.12.2023) to todo (30.06.2027); Bjørn's cycle due date moves too.
    expect(tall(res.text, 'endres')).toBe(4);
    expect(tall(res.text, 'status')).toBe(3);
    expect(tall(res.text, 'frist')).toBe(4);
    expect(res.text).toContain('Anne Alfa');
    expect(res.text).toContain('Forfalt, frist 31.12.2023');
    expect(res.text).toContain('Ikke fullført, frist 30.06.2027');
    const [stored] = await t.database.db
      .select()
      .from(requirements)
      .where(eq(requirements.id, ids.requirement));
    expect(stored!.firstDeadline).toBe('2023-12-31');
  });

  test('when the audience narrows to one unit and a role, then the others fall out in the preview', async () => {
    const res = await send(
      '/admin/kurskrav/forhandsvis',
      form({ audience: 'units', unitIds: [String(ids.a)], roleTags: 'skole' }),
    );
    expect(res.status).toBe(200);
    expect(tall(res.text, 'ut')).toBe(3);
    expect(tall(res.text, 'uendret')).toBe(1);
    expect(res.text).toContain('Berit Beta');
    expect(res.text).toContain('Ikke omfattet');
  });

  test('when the form has errors, then it comes back with bokmål messages and nothing is saved', async () => {
    const noUnits = await send('/admin/kurskrav/forhandsvis', form({ audience: 'units' }));
    expect(noUnits.status).toBe(400);
    expect(noUnits.text).toContain('Velg minst én enhet, eller «alle ansatte».');
    const res = await send(
      '/admin/kurskrav/forhandsvis',
      form({ renewalMonths: '0', firstDeadline: '31.02.2024' }),
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('Fornyelse må være et helt antall måneder fra 1 til 120.');
    expect(res.text).toContain('31.02.2024 finnes ikke i kalenderen.');
    const shortName = await send('/admin/kurskrav/forhandsvis', form({ name: 'x' }));
    expect(shortName.text).toContain('Navnet må ha minst 2 tegn.');
    const noName = await send('/admin/kurskrav/forhandsvis', form({ name: ' ' }));
    expect(noName.text).toContain('Skriv et navn på kravet.');
    const notADate = await send('/admin/kurskrav/forhandsvis', form({ firstDeadline: 'snart' }));
    expect(notADate.text).toContain('Skriv første frist som dd.mm.åååå eller åååå-mm-dd.');
  });

  test('when HR confirms, then the rule and audience are saved with an audit entry', async () => {
    const res = await send(
      '/admin/kurskrav/lagre',
      form({
        audience: 'units',
        unitIds: [String(ids.a), String(ids.b)],
        roleTags: 'skole, barnehage',
        renewalMode: 'rolling',
        dueSoonDays: '45',
      }),
    );
    expect(res.status).toBe(303);
    const [stored] = await t.database.db
      .select()
      .from(requirements)
      .where(eq(requirements.id, ids.requirement));
    expect(stored).toMatchObject({
      audienceAll: false,
      audienceRoleTags: ['barnehage', 'skole'],
      renewalMode: 'rolling',
      dueSoonDays: 45,
    });
    const units = await t.database.db
      .select()
      .from(requirementUnits)
      .where(eq(requirementUnits.requirementId, ids.requirement));
    expect(units.map((u) => u.unitId).sort()).toEqual([ids.a, ids.b].sort());
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'requirement.update'));
    expect(audit!.details).toMatchObject({
      before: { renewalMode: 'cycle' },
      after: { renewalMode: 'rolling', dueSoonDays: 45 },
    });
  });

  test('when HR creates a new requirement, then it appears in the list', async () => {
    const body = form({
      courseId: String(ids.other),
      name: 'Helse: taushetsplikt',
      firstDeadline: '31.12.2027',
    });
    delete (body as Record<string, unknown>).id;
    const preview = await send('/admin/kurskrav/forhandsvis', body);
    expect(preview.status).toBe(200);
    const saved = await send('/admin/kurskrav/lagre', body);
    expect(saved.status).toBe(303);
    const list = await hr.get(saved.headers.location!).expect(200);
    expect(list.text).toContain('Kurskravet er lagret.');
    expect(list.text).toContain('Helse: taushetsplikt');
  });
});
