import express from 'express';
import request from 'supertest';
import { completions, exemptions, unitReviews } from '../../src/db/schema';
import { createErrorHandler } from '../../src/http/error-handler';
import { createTestApp, csrfFrom, loginAs, type TestApp } from '../support/app';
import {
  createCourseWithRequirement,
  createEmployee,
  createUnit,
  createUser,
  TEST_PASSWORD,
} from '../support/factories';

jest.setTimeout(120_000);

/** Larger than any PostgreSQL integer column can hold. */
const BIG = '99999999999';

describe('ids and numbers too large for the database', () => {
  let t: TestApp;
  let hrEmail: string;
  let leaderEmail: string;
  let employeeId: number;

  beforeAll(async () => {
    t = await createTestApp({ now: new Date('2026-11-24T10:00:00+01:00') });
    const db = t.database.db;
    const unit = await createUnit(db, { name: 'Bakken skole' });
    employeeId = (await createEmployee(db, { unitId: unit.id })).id;
    await createCourseWithRequirement(db, { slug: 'handlingsplan' });
    hrEmail = (await createUser(db, { isAdmin: true })).email;
    leaderEmail = (await createUser(db, { leads: [unit.id] })).email;
  });
  afterAll(() => t.close());

  test('when HR opens a page with an id or filter no column can hold, then the answer is 400 or 404 in bokmål, never 500', async () => {
    const hr = await loginAs(t.app, hrEmail, TEST_PASSWORD);
    const urls = [
      `/admin/ansatt/${BIG}`,
      `/admin/ansatt/${BIG}/fullforing`,
      `/admin/ansatt/${BIG}/fritak`,
      `/leder/ansatt/${BIG}`,
      `/admin?enhet=${BIG}`,
      `/admin?kurs=${BIG}`,
      `/admin/rapport?enhet=${BIG}`,
      `/admin/eksport.xlsx?enhet=${BIG}`,
      `/admin/eksport/ansatte.csv?kurs=${BIG}`,
      `/admin/paminnelser/${BIG}`,
      `/admin/kurs/${BIG}`,
      `/admin/kurs/1/versjoner/${BIG}/pakke.zip`,
      `/admin/kurskrav/${BIG}`,
      `/admin/e-post/${BIG}`,
      `/kursbevis/${BIG}`,
      `/admin/scorm/forsok/${BIG}`,
    ];
    const answers: Array<[string, number]> = [];
    for (const url of urls) {
      const res = await hr.get(url);
      answers.push([url, res.status]);
      if (res.status === 400) expect(res.text).toMatch(/Ugyldig|ugyldig|finnes ikke|for stort/);
    }
    expect(answers.filter(([, status]) => status !== 400 && status !== 404)).toEqual([]);
    // The attempt list's course filter (a select) ignores a value it cannot use, as it ignores letters.
    expect((await hr.get(`/admin/scorm?kurs=${BIG}`)).status).toBe(200);
  });

  test('when a leader filters on a unit id no column can hold, then the answer is 400, never 500', async () => {
    const leader = await loginAs(t.app, leaderEmail, TEST_PASSWORD);
    for (const url of [`/leder?enhet=${BIG}`, `/leder/eksport.xlsx?enhet=${BIG}`, `/leder/ansatt/${BIG}`]) {
      const res = await leader.get(url);
      expect([url, res.status]).toEqual([url, 400]);
    }
  });

  test('when a form posts a number no column can hold, or letters for an id, then the field says so in bokmål and nothing is saved', async () => {
    const hr = await loginAs(t.app, hrEmail, TEST_PASSWORD);
    const rows = async () =>
      (await t.database.db.select().from(completions)).length +
      (await t.database.db.select().from(exemptions)).length;
    const before = await rows();
    const page = await hr.get(`/admin/ansatt/${employeeId}/fritak`).expect(200);
    const tooBig = await hr
      .post(`/admin/ansatt/${employeeId}/fritak`)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        requirementId: BIG,
        validFrom: '01.11.2026',
        validUntil: '',
        reason: 'Langtidssykemeldt',
      });
    expect(tooBig.status).toBe(400);
    expect(tooBig.text).toContain('Velg et kurskrav.');
    const letters = await hr
      .post(`/admin/ansatt/${employeeId}/fullforing`)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        courseId: '1',
        completedOn: '01.11.2026',
        reason: 'Kurs på papir',
        replacesId: 'abc',
      });
    expect(letters.status).toBe(400);
    expect(letters.text).toContain('Oppføringen som skal erstattes, finnes ikke.');
    expect(letters.text).not.toMatch(/Invalid input/);
    expect(await rows()).toBe(before);

    const topics = await hr.get('/admin/gjennomganger/temaer').expect(200);
    const topic = await hr
      .post(`/admin/gjennomganger/temaer/${BIG}`)
      .type('form')
      .send({ _csrf: csrfFrom(topics.text), title: 'Tema', timesPerYear: '1' });
    expect([400, 404]).toContain(topic.status);
  });

  test('when a leader posts a review for a unit or topic id no column can hold, then the fields say so and nothing is saved', async () => {
    const leader = await loginAs(t.app, leaderEmail, TEST_PASSWORD);
    const page = await leader.get('/leder/gjennomganger').expect(200);
    const res = await leader
      .post('/leder/gjennomganger')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        unitId: BIG,
        topicId: BIG,
        reviewedOn: '2026-11-01',
        participants: '5',
        note: '',
      });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Velg en enhet.');
    expect(res.text).toContain('Velg et tema.');
    expect(await t.database.db.select().from(unitReviews)).toEqual([]);
  });
});

describe('the error handler and a number out of range in SQL', () => {
  test('when a query fails with SQLSTATE 22003 (wrapped as Drizzle wraps it), then the answer is 400 with a bokmål message', async () => {
    const app = express();
    app.set('view engine', 'ejs');
    app.get('/tall', () => {
      const cause = Object.assign(new Error('value "99999999999" is out of range for type integer'), {
        code: '22003',
      });
      throw Object.assign(new Error('Failed query: select 1'), { query: 'select 1', cause });
    });
    app.use(createErrorHandler(async () => true));
    const res = await request(app).get('/tall').set('accept', 'application/json');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'out_of_range', message: 'Et tall i forespørselen er for stort.' });
  });
});
