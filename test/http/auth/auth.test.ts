import request from 'supertest';
import { eq } from 'drizzle-orm';
import { sessions, users } from '../../../src/db/schema';
import { DrizzleSessionStore } from '../../../src/http/session-store';
import { createTestApp, csrfFrom, loginAs, type TestApp } from '../../support/app';
import { createUser, TEST_PASSWORD } from '../../support/factories';

describe('first run', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  test('when no administrator exists, then every page leads to the first-run page', async () => {
    const res = await request(t.app).get('/mine-kurs').expect(302);
    expect(res.headers.location).toBe('/forste-oppstart');
    const page = await request(t.app).get('/forste-oppstart').expect(200);
    expect(page.text).toContain('Opprett administrator');
  });

  test('when the form has errors, then it comes back with bokmål messages and nothing is created', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/forste-oppstart');
    const res = await agent
      .post('/forste-oppstart')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        name: 'Hege',
        email: 'ikke-en-adresse',
        password: 'kort',
        passwordRepeat: 'annet',
      })
      .expect(400);
    expect(res.text).toContain('Skriv inn en gyldig e-postadresse.');
    expect(res.text).toContain('Passordet må ha minst 12 tegn.');
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    const repeated = await agent
      .post('/forste-oppstart')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        name: 'Hege',
        email: 'hege@kommune.no',
        password: 'kursvaktkursvakt',
        passwordRepeat: 'kursvaktkursvakt',
      })
      .expect(400);
    expect(repeated.text).toContain('Passordet kan ikke bare gjenta det samme.');
    expect(await t.database.db.select().from(users)).toHaveLength(0);
  });

  test('when the first administrator is created, then they can log in and the first-run page is gone', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/forste-oppstart');
    await agent
      .post('/forste-oppstart')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        name: 'Hege Rønning',
        email: 'Hege@Kommune.no',
        password: 'et-langt-passord-1',
        passwordRepeat: 'et-langt-passord-1',
      })
      .expect(302)
      .expect('location', '/logg-inn?opprettet=1');
    const [admin] = await t.database.db.select().from(users);
    expect(admin).toMatchObject({ email: 'hege@kommune.no', isAdmin: true });
    expect(admin!.passwordHash).toMatch(/^\$argon2id\$/);
    const login = await request(t.app).get('/logg-inn?opprettet=1').expect(200);
    expect(login.text).toContain(
      'Administratoren er opprettet. Logg inn med e-postadressen og passordet du valgte.',
    );
    await request(t.app).get('/forste-oppstart').expect(302).expect('location', '/logg-inn');
    const logged = await loginAs(t.app, 'hege@kommune.no', 'et-langt-passord-1');
    const home = await logged.get('/').expect(200);
    expect(home.text).toContain('Administrasjon (HR)');
  });
});

describe('login, logout and CSRF', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await createUser(t.database.db, { email: 'hr@test.no', isAdmin: true });
    await createUser(t.database.db, { email: 'ansatt@test.no' });
  });
  afterAll(() => t.close());

  test('when anonymous, then protected pages redirect to login with the page to return to', async () => {
    const res = await request(t.app).get('/mine-kurs').expect(302);
    expect(res.headers.location).toBe('/logg-inn?neste=%2Fmine-kurs');
  });

  test('when the password is wrong, then the login form says so in bokmål with status 401', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/logg-inn');
    const res = await agent
      .post('/logg-inn')
      .type('form')
      .send({ email: 'ansatt@test.no', password: 'feil', _csrf: csrfFrom(page.text) })
      .expect(401);
    expect(res.text).toContain('Feil e-postadresse eller passord.');
  });

  test('when logging in, then the session id changes (no fixation) and the session is stored in the database', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/logg-inn');
    const before = /kursvakt\.sid=([^;]+)/.exec(String(page.headers['set-cookie']))?.[1];
    const res = await agent
      .post('/logg-inn')
      .type('form')
      .send({
        email: 'ANSATT@test.no',
        password: TEST_PASSWORD,
        _csrf: csrfFrom(page.text),
        neste: '/mine-kurs',
      })
      .expect(302)
      .expect('location', '/mine-kurs');
    const after = /kursvakt\.sid=([^;]+)/.exec(String(res.headers['set-cookie']))?.[1];
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const sid = decodeURIComponent(after!).slice(2).split('.')[0]!;
    expect(await t.database.db.select().from(sessions).where(eq(sessions.sid, sid))).toHaveLength(1);
    await agent.get('/mine-kurs').expect(200);
  });

  test('when a rolling session is touched, then its expiry is written only once it moves by more than a minute', async () => {
    const store = new DrizzleSessionStore(t.database.db);
    const at = (ms: number) => ({ cookie: { expires: new Date(ms), originalMaxAge: 1 } }) as never;
    const stored = async () =>
      (
        await t.database.db.select().from(sessions).where(eq(sessions.sid, 'rullerende'))
      )[0]!.expire.getTime();
    const base = Date.now() + 8 * 3600_000;
    await new Promise<void>((resolve, reject) =>
      store.set('rullerende', at(base), (e) => (e ? reject(e) : resolve())),
    );
    const touch = (ms: number) =>
      new Promise<void>((resolve, reject) =>
        store.touch('rullerende', at(ms), (e) => (e ? reject(e) : resolve())),
      );
    await touch(base + 30_000);
    expect(await stored()).toBe(base);
    await touch(base + 90_000);
    expect(await stored()).toBe(base + 90_000);
    // A second instance (a new store) knows nothing yet, so its first touch writes.
    await new Promise<void>((resolve, reject) =>
      new DrizzleSessionStore(t.database.db).touch('rullerende', at(base + 100_000), (e) =>
        e ? reject(e) : resolve(),
      ),
    );
    expect(await stored()).toBe(base + 100_000);
  });

  test('when the next parameter points elsewhere, then login stays on this site', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/logg-inn');
    await agent
      .post('/logg-inn')
      .type('form')
      .send({
        email: 'ansatt@test.no',
        password: TEST_PASSWORD,
        _csrf: csrfFrom(page.text),
        neste: '//evil.example/',
      })
      .expect(302)
      .expect('location', '/');
  });

  test('when a form is posted without the CSRF token, then it is refused with 403 and a bokmål message', async () => {
    const agent = request.agent(t.app);
    await agent.get('/logg-inn');
    const res = await agent
      .post('/logg-inn')
      .type('form')
      .send({ email: 'ansatt@test.no', password: TEST_PASSWORD })
      .expect(403);
    expect(res.text).toContain('Skjemaet er utløpt eller ugyldig');
    const logged = await loginAs(t.app, 'ansatt@test.no', TEST_PASSWORD);
    await logged.post('/logg-ut').type('form').send({}).expect(403);
    await logged.get('/mine-kurs').expect(200);
  });

  test('when logging out, then the session is gone and pages ask for login again', async () => {
    const agent = await loginAs(t.app, 'ansatt@test.no', TEST_PASSWORD);
    const home = await agent.get('/').expect(200);
    await agent
      .post('/logg-ut')
      .type('form')
      .send({ _csrf: csrfFrom(home.text) })
      .expect(302)
      .expect('location', '/logg-inn');
    await agent.get('/mine-kurs').expect(302);
  });

  test('when someone guesses passwords, then login is rate-limited per address and e-mail', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/logg-inn');
    const token = csrfFrom(page.text);
    for (let i = 0; i < 10; i++) {
      await agent
        .post('/logg-inn')
        .type('form')
        .send({ email: 'hr@test.no', password: `feil-${i}`, _csrf: token })
        .expect(401);
    }
    const blocked = await agent
      .post('/logg-inn')
      .type('form')
      .send({ email: 'hr@test.no', password: TEST_PASSWORD, _csrf: token })
      .expect(429);
    expect(blocked.text).toContain('For mange mislykkede forsøk');
  });

  test('when pages are served, then security headers are set', async () => {
    const res = await request(t.app).get('/logg-inn').expect(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('errors and health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await createUser(t.database.db, { email: 'hr@test.no', isAdmin: true });
  });
  afterAll(() => t.close());

  test('when a route does not exist, then the bokmål 404 page answers', async () => {
    const res = await request(t.app).get('/finnes/ikke').expect(404);
    expect(res.text).toContain('Fant ikke siden');
    expect(res.headers['content-type']).toContain('text/html');
  });

  test('when /healthz is asked, then it reports the database', async () => {
    const res = await request(t.app).get('/healthz').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: { ok: true } });
  });

  test('when the database is lost, then /healthz says so and pages answer 503', async () => {
    const other = await createTestApp();
    await createUser(other.database.db, { email: 'hr@test.no', isAdmin: true });
    const agent = await loginAs(other.app, 'hr@test.no', TEST_PASSWORD);
    await other.database.close();
    const health = await request(other.app).get('/healthz').expect(503);
    expect(health.body.database.ok).toBe(false);
    const page = await agent.get('/mine-kurs').expect(503);
    expect(page.text).toContain('midlertidig utilgjengelig');
  });
});
