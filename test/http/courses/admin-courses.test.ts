import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { courseVersions, courses } from '../../../src/db/schema';
import { setLogLevel } from '../../../src/lib/logger';
import { installBuiltinCourses } from '../../../src/modules/courses/courses.service';
import { createTestApp, csrfFrom, loginAs, type TestApp } from '../../support/app';
import { createEmployee, createUnit, createUser, TEST_PASSWORD } from '../../support/factories';
import { buildBuiltinDist } from '../../fixtures/scorm/builtin';
import { patchName, scorm12Zip, scorm2004MultiZip } from '../../fixtures/scorm/packages';

// Opening a database takes seconds on a busy machine; these tests do real I/O, not timed work.
jest.setTimeout(120_000);

/** Collects a binary response body (supertest leaves zip bodies unparsed otherwise). */
function binary(res: request.Response, callback: (error: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

describe('/admin/kurs', () => {
  let t: TestApp;
  let root: string;
  let dataDir: string;
  let admin: Awaited<ReturnType<typeof loginAs>>;
  let leader: Awaited<ReturnType<typeof loginAs>>;
  let employee: Awaited<ReturnType<typeof loginAs>>;

  beforeAll(async () => {
    setLogLevel('silent');
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kv-admin-kurs-'));
    dataDir = path.join(root, 'data');
    t = await createTestApp({ env: { DATA_DIR: dataDir } });
    const unit = await createUnit(t.database.db);
    const a = await createUser(t.database.db, { isAdmin: true });
    const l = await createUser(t.database.db, { leads: [unit.id] });
    const e = await createEmployee(t.database.db, { unitId: unit.id });
    const u = await createUser(t.database.db, { employeeId: e.id });
    admin = await loginAs(t.app, a.email, TEST_PASSWORD);
    leader = await loginAs(t.app, l.email, TEST_PASSWORD);
    employee = await loginAs(t.app, u.email, TEST_PASSWORD);
  }, 120_000);
  afterAll(async () => {
    await t.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  async function uploadAs(agent: typeof admin, zip: Buffer, kurs = '') {
    const page = await agent.get('/admin/kurs').expect(200);
    return agent
      .post(`/admin/kurs/last-opp?_csrf=${encodeURIComponent(csrfFrom(page.text))}`)
      .field('kurs', kurs)
      .attach('pakke', zip, { filename: 'pakke.zip', contentType: 'application/zip' });
  }

  test('when a leader or an employee opens or posts to the course admin, then they get 403', async () => {
    for (const agent of [leader, employee]) {
      const res = await agent.get('/admin/kurs').expect(403);
      expect(res.text).toContain('Du har ikke tilgang til denne siden.');
      await agent.get('/admin/kurs/1').expect(403);
      await agent.get('/admin/kurs/1/versjoner/1/pakke.zip').expect(403);
      const home = await agent.get('/mine-kurs').expect(200);
      await agent
        .post(`/admin/kurs/last-opp?_csrf=${encodeURIComponent(csrfFrom(home.text))}`)
        .attach('pakke', await scorm12Zip(), 'pakke.zip')
        .expect(403);
    }
    expect(await t.database.db.select().from(courses)).toEqual([]);
  });

  test('when nobody is logged in, then the page sends them to the login', async () => {
    const res = await request(t.app).get('/admin/kurs');
    expect(res.status).toBe(302);
    expect(res.headers.location).toContain('/logg-inn');
  });

  test('when an admin uploads a zip without a CSRF token, then it is refused', async () => {
    await admin
      .post('/admin/kurs/last-opp')
      .attach('pakke', await scorm12Zip(), 'pakke.zip')
      .expect(403);
  });

  test('when an admin uploads a new package, then a course is created and the course page says so', async () => {
    const res = await uploadAs(admin, await scorm2004MultiZip());
    expect(res.status).toBe(303);
    expect(res.headers.location!).toMatch(/^\/admin\/kurs\/\d+\?importert=1$/);
    const page = await admin.get(res.headers.location!).expect(200);
    expect(page.text).toContain(
      'Nytt kurs «Personvern i praksis» (personvern-i-praksis) er opprettet med versjon 1 (SCORM 2004, 3 SCO-er).',
    );
    expect(page.text).toContain('Del A, Del B, Del C');
    const list = await admin.get('/admin/kurs').expect(200);
    expect(list.text).toContain('<code>personvern-i-praksis</code>');
    expect(list.text).toContain('Ny versjon av Personvern i praksis');
  });

  test('when an admin uploads a new version for a chosen course, then it becomes version 2; the same again makes none', async () => {
    const first = await uploadAs(admin, await scorm12Zip([{ name: 'v1.txt', data: '1' }]));
    const courseUrl = first.headers.location!.split('?')[0]!;
    const second = await uploadAs(
      admin,
      await scorm12Zip([{ name: 'v2.txt', data: '2' }]),
      'brannvern-romning',
    );
    expect(second.headers.location!).toBe(`${courseUrl}?importert=2`);
    expect((await admin.get(second.headers.location!)).text).toContain(
      '«Brannvern &amp; rømning» (brannvern-romning) har fått versjon 2 (SCORM 1.2, 1 SCO).',
    );
    const same = await uploadAs(
      admin,
      await scorm12Zip([{ name: 'v2.txt', data: '2' }]),
      'brannvern-romning',
    );
    expect(same.headers.location!).toBe(`${courseUrl}?uendret=2`);
    expect((await admin.get(same.headers.location!)).text).toContain('Ingen ny versjon er laget.');
  });

  test('when an admin downloads a version, then the original zip comes back', async () => {
    const zip = await scorm12Zip([{ name: 'nedlasting.txt', data: 'x' }]);
    const up = await uploadAs(admin, zip, 'brannvern-romning');
    const courseId = up.headers.location!.match(/\/admin\/kurs\/(\d+)/)![1];
    const res = await admin
      .get(`/admin/kurs/${courseId}/versjoner/3/pakke.zip`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toContain('brannvern-romning-v3-scorm12.zip');
    expect(res.body).toEqual(zip);
    await admin.get(`/admin/kurs/${courseId}/versjoner/99/pakke.zip`).expect(404);
    // A course that is not built-in has no SCORM 1.2 twin.
    await admin.get(`/admin/kurs/${courseId}/versjoner/3/scorm12.zip`).expect(404);
    await admin.get('/admin/kurs/abc').expect(404);
  });

  test('when an admin uploads a hostile zip, then the bokmål reason is shown and nothing is stored', async () => {
    const before = await t.database.db.select().from(courseVersions);
    const treeBefore = await fs.readdir(path.join(dataDir, 'packages'));
    const zip = patchName(
      await scorm12Zip([{ name: 'zz/evil.txt', data: 'x' }]),
      'zz/evil.txt',
      '../evil.txt',
    );
    const res = await uploadAs(admin, zip, 'brannvern-romning');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Stien «../evil.txt» peker ut av pakken (..).');
    expect(res.text).toContain('Ingenting er lagret.');
    // The chosen course stays selected, so the admin can try again.
    expect(res.text).toMatch(/<option value="brannvern-romning" selected>/);
    expect(await t.database.db.select().from(courseVersions)).toEqual(before);
    expect(await fs.readdir(path.join(dataDir, 'packages'))).toEqual(treeBefore);
    await expect(fs.access(path.join(dataDir, 'evil.txt'))).rejects.toThrow();
  });

  test('when an admin sends no file or an unknown course, then the form says what is wrong', async () => {
    const page = await admin.get('/admin/kurs').expect(200);
    const none = await admin
      .post(`/admin/kurs/last-opp?_csrf=${encodeURIComponent(csrfFrom(page.text))}`)
      .field('kurs', '');
    expect(none.status).toBe(400);
    expect(none.text).toContain('Velg en zip-fil med SCORM-pakken.');
    const unknown = await uploadAs(admin, await scorm12Zip(), 'finnes-ikke');
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('Kurset du valgte, finnes ikke.');
  });

  test('when the built-in courses are installed, then their SCORM 2004 and SCORM 1.2 zips can be downloaded', async () => {
    const distDir = path.join(root, 'dist');
    await buildBuiltinDist(root, distDir, { slugs: ['handlingsplan'] });
    await installBuiltinCourses(t.database.db, dataDir, distDir);
    const list = await admin.get('/admin/kurs').expect(200);
    const id = list.text.match(/href="\/admin\/kurs\/(\d+)\/versjoner\/1\/scorm12\.zip"/)![1];
    expect(list.text).toContain('<code>handlingsplan</code>');
    // HR reads the limits and the platforms on the page, not in the source tree.
    expect(list.text).toContain('for eksempel KS Læring eller Moodle.');
    expect(list.text).toContain(
      'Utpakket kan pakken være høyst 500 MB til sammen og høyst 200 MB per fil, med høyst 5\u00a0000 filer og mapper.',
    );
    expect(list.text).not.toMatch(/docs\/|\.md\b|KS Kunnskap/);
    const s2004 = await admin
      .get(`/admin/kurs/${id}/versjoner/1/pakke.zip`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(s2004.headers['content-disposition']).toContain('handlingsplan-v1-scorm2004.zip');
    expect(s2004.body).toEqual(await fs.readFile(path.join(distDir, 'handlingsplan-scorm2004.zip')));
    const s12 = await admin
      .get(`/admin/kurs/${id}/versjoner/1/scorm12.zip`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(s12.headers['content-disposition']).toContain('handlingsplan-v1-scorm12.zip');
    expect(s12.body).toEqual(await fs.readFile(path.join(distDir, 'handlingsplan-scorm12.zip')));
    const page = await admin.get(`/admin/kurs/${id}`).expect(200);
    expect(page.text).toContain('Innebygd kurs som følger med Kursvakt.');
    expect(page.text).not.toContain('courses/');
  });
});
