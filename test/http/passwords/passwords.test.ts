import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { and, eq } from 'drizzle-orm';
import { auditLog, mailOutbox, passwordTokens, users } from '../../../src/db/schema';
import { insertUser } from '../../../src/modules/auth/users.repo';
import { listOutboxMails, type OutboxMail } from '../../../src/modules/mail/mail.repo';
import { drainOutbox } from '../../../src/modules/mail/sender';
import { createFileTransport } from '../../../src/modules/mail/transport';
import { hashToken } from '../../../src/modules/passwords/passwords.service';
import { countMailsSentByUnitPath } from '../../../src/modules/yearly-report/yearly-report.repo';
import { loggedUrl } from '../../../src/http/error-handler';
import { createTestApp, csrfFrom, loginAs, postForm, type TestApp } from '../../support/app';
import { createEmployee, createUnit, createUser, TEST_PASSWORD } from '../../support/factories';

const NEW_PASSWORD = 'grønn-sykkel-på-taket';
const LINK = /http:\/\/localhost:3999\/sett-passord\/([A-Za-z0-9_-]{43})/;

/** Asks for a link on /glemt-passord as a visitor does. */
async function askForLink(t: TestApp, email: string) {
  const agent = request.agent(t.app);
  return postForm(agent, '/glemt-passord', '/glemt-passord', { email });
}

async function passwordMails(t: TestApp): Promise<OutboxMail[]> {
  const all = await listOutboxMails(t.database.db, { limit: 1000, offset: 0 });
  return all.filter((m) => m.kind === 'password_link');
}

/** The token in a mail's link. */
function tokenIn(mail: OutboxMail): string {
  const match = LINK.exec(mail.bodyText);
  if (!match) throw new Error(`no link in mail: ${mail.bodyText}`);
  return match[1]!;
}

/** Sets a password through the link's form; returns the response. */
async function setWithLink(t: TestApp, token: string, password: string, repeat = password) {
  const agent = request.agent(t.app);
  const page = await agent.get(`/sett-passord/${token}`);
  if (page.status !== 200) return page;
  return agent
    .post(`/sett-passord/${token}`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), password, passwordRepeat: repeat });
}

async function canLogIn(t: TestApp, email: string, password: string): Promise<boolean> {
  return loginAs(t.app, email, password).then(
    () => true,
    () => false,
  );
}

async function userRow(t: TestApp, email: string) {
  const [row] = await t.database.db.select().from(users).where(eq(users.email, email));
  return row!;
}

describe('«Glemt passord» and one-time links', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await createUser(t.database.db, { email: 'hr@test.no', isAdmin: true });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.database.db.delete(mailOutbox);
  });

  test('when the login page is opened, then it links to «Glemt passord»', async () => {
    const page = await request(t.app).get('/logg-inn').expect(200);
    expect(page.text).toContain('href="/glemt-passord"');
    const forgot = await request(t.app).get('/glemt-passord').expect(200);
    expect(forgot.text).toContain('Send lenke');
  });

  test('when an imported account without a password asks for a link, then one mail with a working link is queued and only the token hash is stored', async () => {
    await insertUser(t.database.db, {
      email: 'importert@test.no',
      displayName: 'Ida Import',
      passwordHash: null,
    });
    const res = await askForLink(t, ' Importert@Test.no ');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Hvis adressen er registrert hos oss, får du en e-post med en lenke');
    const mails = await passwordMails(t);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail).toMatchObject({
      toAddress: 'importert@test.no',
      toName: 'Ida Import',
      status: 'pending',
      employeeId: null,
      scheduleId: null,
    });
    // She has never had a password: the mail is about setting one, not a new one.
    expect(mail!.subject).toBe('Sett passord for Kursvakt');
    expect(mail!.bodyText).toContain('Hei, Ida Import!');
    expect(mail!.bodyText).toContain('Åpne lenken nedenfor og velg et passord:');
    expect(mail!.bodyText).not.toContain('nytt passord');
    expect(mail!.bodyText).toContain('går ut om én time');
    expect(mail!.bodyText).toContain(
      'Har du ikke bedt om dette, kan du se bort fra e-posten. Da blir det ikke satt noe passord.',
    );
    const token = tokenIn(mail!);
    const [row] = await t.database.db
      .select()
      .from(passwordTokens)
      .where(eq(passwordTokens.id, Number(mail!.idempotencyKey.split(':')[1])));
    expect(mail!.idempotencyKey).toBe(`password-link:${row!.id}`);
    expect(row!.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(60 * 60 * 1000);
    expect(row!.usedAt).toBeNull();
    const form = await request(t.app).get(`/sett-passord/${token}`).expect(200);
    expect(form.text).toContain('Gjenta det nye passordet');
  });

  test('when an unknown address asks for a link, then the page is the same and no mail is queued', async () => {
    await createUser(t.database.db, { email: 'finnes@test.no' });
    const known = await askForLink(t, 'finnes@test.no');
    const unknown = await askForLink(t, 'finnes-ikke@test.no');
    expect(unknown.status).toBe(known.status);
    expect(unknown.text).toBe(known.text);
    const mails = await passwordMails(t);
    expect(mails.map((m) => m.toAddress)).toEqual(['finnes@test.no']);
    // An account with a password is asked to choose a new one.
    expect(mails[0]!.subject).toBe('Sett nytt passord for Kursvakt');
    expect(mails[0]!.bodyText).toContain('Passordet ditt blir ikke endret.');
  });

  test('when a disabled account asks for a link, then the same page answers and no mail is queued', async () => {
    const user = await createUser(t.database.db, { email: 'sperret@test.no' });
    await t.database.db.update(users).set({ disabled: true }).where(eq(users.id, user.id));
    const res = await askForLink(t, 'sperret@test.no');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Hvis adressen er registrert hos oss');
    expect(await passwordMails(t)).toHaveLength(0);
  });

  test('when the link is used, then the password is set, the person can log in with it, the link works only once, and it is audited', async () => {
    const id = await insertUser(t.database.db, {
      email: 'ny@test.no',
      displayName: 'Nina Ny',
      passwordHash: null,
    });
    expect(await canLogIn(t, 'ny@test.no', NEW_PASSWORD)).toBe(false);
    await askForLink(t, 'ny@test.no');
    const token = tokenIn((await passwordMails(t))[0]!);
    const res = await setWithLink(t, token, NEW_PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/logg-inn?passord=satt');
    const login = await request(t.app).get('/logg-inn?passord=satt').expect(200);
    expect(login.text).toContain('Passordet er satt. Nå kan du logge inn med det.');
    expect(await canLogIn(t, 'ny@test.no', NEW_PASSWORD)).toBe(true);
    const [row] = await t.database.db
      .select()
      .from(passwordTokens)
      .where(eq(passwordTokens.tokenHash, hashToken(token)));
    expect(row!.usedAt).not.toBeNull();
    const audit = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, 'user'), eq(auditLog.entityId, String(id))));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['password_link.requested', 'password.set_with_link']),
    );

    const again = await request(t.app).get(`/sett-passord/${token}`).expect(410);
    expect(again.text).toContain('Lenken er allerede brukt');
    expect(again.text).toContain('href="/glemt-passord"');
    // A form opened before the first use cannot set another password afterwards.
    const agent = request.agent(t.app);
    const page = await agent.get('/glemt-passord');
    await agent
      .post(`/sett-passord/${token}`)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        password: 'et-helt-annet-passord',
        passwordRepeat: 'et-helt-annet-passord',
      })
      .expect(410);
    expect(await canLogIn(t, 'ny@test.no', NEW_PASSWORD)).toBe(true);
  });

  test('when a new password is set with one link, then the other open links of the account stop working', async () => {
    const user = await createUser(t.database.db, { email: 'to-lenker@test.no' });
    await askForLink(t, 'to-lenker@test.no');
    await askForLink(t, 'to-lenker@test.no');
    const [first, second] = (await passwordMails(t)).map(tokenIn);
    expect(first).not.toBe(second);
    expect((await setWithLink(t, second!, NEW_PASSWORD)).status).toBe(303);
    const res = await request(t.app).get(`/sett-passord/${first}`).expect(410);
    // The first link was never used: the message covers a link made void by a newer password.
    expect(res.text).toContain(
      'Lenken er allerede brukt, eller det er satt et nytt passord etter at den ble sendt.',
    );
    const open = await t.database.db.select().from(passwordTokens).where(eq(passwordTokens.userId, user.id));
    expect(open.every((r) => r.usedAt !== null)).toBe(true);
  });

  test('when the passwords are too short or differ, then the form comes back with bokmål messages and nothing is stored', async () => {
    await insertUser(t.database.db, { email: 'feil@test.no', displayName: 'Frida Feil', passwordHash: null });
    await askForLink(t, 'feil@test.no');
    const token = tokenIn((await passwordMails(t))[0]!);
    const short = await setWithLink(t, token, 'kort');
    expect(short.status).toBe(400);
    expect(short.text).toContain('Passordet må ha minst 12 tegn.');
    const differ = await setWithLink(t, token, NEW_PASSWORD, `${NEW_PASSWORD}!`);
    expect(differ.status).toBe(400);
    expect(differ.text).toContain('Passordene er ikke like.');
    expect(differ.text).toContain('aria-invalid="true"');
    const repeated = await setWithLink(t, token, 'passordpassord');
    expect(repeated.status).toBe(400);
    expect(repeated.text).toContain('Passordet kan ikke bare gjenta det samme.');
    expect((await userRow(t, 'feil@test.no')).passwordHash).toBeNull();
    const [row] = await t.database.db
      .select()
      .from(passwordTokens)
      .where(eq(passwordTokens.tokenHash, hashToken(token)));
    expect(row!.usedAt).toBeNull();
    // The link still works after the mistakes.
    expect((await setWithLink(t, token, NEW_PASSWORD)).status).toBe(303);
  });

  test('when a link has expired, then it is refused with a way to ask for a new one', async () => {
    const user = await createUser(t.database.db, { email: 'gammel@test.no' });
    await askForLink(t, 'gammel@test.no');
    const token = tokenIn((await passwordMails(t))[0]!);
    await t.database.db
      .update(passwordTokens)
      .set({ expiresAt: new Date('2026-11-22T09:59:59+01:00') })
      .where(eq(passwordTokens.userId, user.id));
    const res = await request(t.app).get(`/sett-passord/${token}`).expect(410);
    expect(res.text).toContain('Lenken har gått ut.');
    expect(res.text).toContain('Be om en ny lenke');
    const agent = request.agent(t.app);
    const page = await agent.get('/glemt-passord');
    await agent
      .post(`/sett-passord/${token}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), password: NEW_PASSWORD, passwordRepeat: NEW_PASSWORD })
      .expect(410);
    expect(await canLogIn(t, 'gammel@test.no', TEST_PASSWORD)).toBe(true);
  });

  test('when a link is made up or cut short, then the page says it is not valid', async () => {
    const unknown = await request(t.app)
      .get(`/sett-passord/${'A'.repeat(43)}`)
      .expect(404);
    expect(unknown.text).toContain('Lenken er ikke gyldig');
    await request(t.app).get('/sett-passord/kort').expect(404);
  });

  test('when a token page is served, then it is neither cached nor sent on as a referrer', async () => {
    await createUser(t.database.db, { email: 'hode@test.no' });
    await askForLink(t, 'hode@test.no');
    const token = tokenIn((await passwordMails(t))[0]!);
    const res = await request(t.app).get(`/sett-passord/${token}`).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const invalid = await request(t.app).get('/sett-passord/kort');
    expect(invalid.headers['cache-control']).toBe('no-store');
  });

  test('when a link is queued, then the normal sender delivers it (files in DATA_DIR/mail without SMTP) and it is not counted as a reminder', async () => {
    await createUser(t.database.db, { email: 'levert@test.no' });
    await askForLink(t, 'levert@test.no');
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'kursvakt-passord-'));
    try {
      const result = await drainOutbox(t.database.db, createFileTransport(folder), {
        from: 'Kursvakt <kursvakt@test.no>',
        ratePerSecond: 1000,
        now: () => new Date('2026-11-22T10:00:00+01:00'),
      });
      expect(result).toEqual({ sent: 1, retried: 0, failed: 0 });
      const [mail] = await passwordMails(t);
      expect(mail!.status).toBe('sent');
      const files = fs.readdirSync(folder);
      expect(files).toEqual([`${mail!.idempotencyKey.replace(':', '_')}.eml`]);
      expect(fs.readFileSync(path.join(folder, files[0]!), 'utf8')).toContain('levert@test.no');
      // Not a reminder: the yearly report's count of sent reminders and digests leaves it out.
      expect(await countMailsSentByUnitPath(t.database.db, { kind: 'all' }, 2026)).toEqual([]);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('limits on asking for links', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await createUser(t.database.db, { email: 'hr@test.no', isAdmin: true });
    await createUser(t.database.db, { email: 'mange@test.no' });
  });
  afterAll(() => t.close());

  test('when one person is asked for again and again, then at most three links an hour are sent, and the address is rate-limited after five tries', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/glemt-passord');
    const token = csrfFrom(page.text);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await agent
        .post('/glemt-passord')
        .type('form')
        .send({ _csrf: token, email: 'mange@test.no' });
      statuses.push(res.status);
      if (res.status === 429) expect(res.text).toContain('Vent et kvarter og prøv igjen.');
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(await passwordMails(t)).toHaveLength(3);
  });

  test('when the e-mail field is empty, then a bokmål message asks for it', async () => {
    const res = await askForLink(t, '  ');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Skriv inn e-postadressen din.');
  });

  test('when the form is posted without the CSRF token, then it is refused', async () => {
    await request(t.app).post('/glemt-passord').type('form').send({ email: 'mange@test.no' }).expect(403);
  });
});

describe("changing one's password when logged in", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await createUser(t.database.db, { email: 'hr@test.no', isAdmin: true });
    await createUser(t.database.db, { email: 'bytter@test.no' });
  });
  afterAll(() => t.close());

  test('when someone is logged in, then the header beside their name links to «Bytt passord», marked as current on that page', async () => {
    const agent = await loginAs(t.app, 'bytter@test.no', TEST_PASSWORD);
    const courses = await agent.get('/mine-kurs').expect(200);
    const user = /<div class="kv-user">[\s\S]*?<\/div>/.exec(courses.text)?.[0] ?? '';
    expect(user).toContain('<a class="ds-link" href="/min-konto/passord" >Bytt passord</a>');
    const page = await agent.get('/min-konto/passord').expect(200);
    expect(page.text).toContain('href="/min-konto/passord" aria-current=page>Bytt passord</a>');
    expect((await request(t.app).get('/logg-inn').expect(200)).text).not.toContain('Bytt passord');
  });

  test('when anonymous, then the page asks for login', async () => {
    const res = await request(t.app).get('/min-konto/passord').expect(302);
    expect(res.headers.location).toBe('/logg-inn?neste=%2Fmin-konto%2Fpassord');
  });

  test('when the current password is wrong or the new ones differ, then bokmål messages come back and the password stays', async () => {
    const agent = await loginAs(t.app, 'bytter@test.no', TEST_PASSWORD);
    const wrong = await postForm(agent, '/min-konto/passord', '/min-konto/passord', {
      currentPassword: 'ikke-riktig-passord',
      password: NEW_PASSWORD,
      passwordRepeat: NEW_PASSWORD,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Passordet stemmer ikke.');
    const differ = await postForm(agent, '/min-konto/passord', '/min-konto/passord', {
      currentPassword: TEST_PASSWORD,
      password: NEW_PASSWORD,
      passwordRepeat: 'noe-helt-annet-her',
    });
    expect(differ.status).toBe(400);
    expect(differ.text).toContain('Passordene er ikke like.');
    const same = await postForm(agent, '/min-konto/passord', '/min-konto/passord', {
      currentPassword: TEST_PASSWORD,
      password: TEST_PASSWORD,
      passwordRepeat: TEST_PASSWORD,
    });
    expect(same.status).toBe(400);
    expect(same.text).toContain('Det nye passordet må være et annet enn det du har nå.');
    expect(await canLogIn(t, 'bytter@test.no', TEST_PASSWORD)).toBe(true);
    expect(await canLogIn(t, 'bytter@test.no', NEW_PASSWORD)).toBe(false);
  });

  test('when the password is changed, then the new one works, the old does not, other sessions end and this one goes on', async () => {
    const other = await loginAs(t.app, 'bytter@test.no', TEST_PASSWORD);
    const agent = await loginAs(t.app, 'bytter@test.no', TEST_PASSWORD);
    const res = await postForm(agent, '/min-konto/passord', '/min-konto/passord', {
      currentPassword: TEST_PASSWORD,
      password: NEW_PASSWORD,
      passwordRepeat: NEW_PASSWORD,
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/min-konto/passord?endret=1');
    const done = await agent.get('/min-konto/passord?endret=1').expect(200);
    expect(done.text).toContain('Passordet er byttet.');
    await agent.get('/mine-kurs').expect(200);
    await other.get('/mine-kurs').expect(302);
    expect(await canLogIn(t, 'bytter@test.no', TEST_PASSWORD)).toBe(false);
    expect(await canLogIn(t, 'bytter@test.no', NEW_PASSWORD)).toBe(true);
    const user = await userRow(t, 'bytter@test.no');
    const audit = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'password.changed'), eq(auditLog.entityId, String(user.id))));
    expect(audit).toHaveLength(1);
  });
});

describe('HR sends a link from the employee record', () => {
  let t: TestApp;
  let employeeId: number;
  let accountId: number;
  beforeAll(async () => {
    t = await createTestApp();
    const db = t.database.db;
    const unit = await createUnit(db, { name: 'Solbakken skole' });
    const employee = await createEmployee(db, {
      unitId: unit.id,
      firstName: 'Siri',
      lastName: 'Skole',
      email: 'siri@test.no',
    });
    employeeId = employee.id;
    accountId = await insertUser(db, {
      email: 'siri@test.no',
      displayName: 'Siri Skole',
      passwordHash: null,
      employeeId: employee.id,
    });
    await createUser(db, { email: 'hr@test.no', isAdmin: true });
    await createUser(db, { email: 'leder@test.no', leads: [unit.id] });
  });
  afterAll(() => t.close());

  test('when HR presses «Send lenke for å sette passord», then a mail valid for seven days is queued, audited, and not listed as a reminder', async () => {
    const hr = await loginAs(t.app, 'hr@test.no', TEST_PASSWORD);
    const record = await hr.get(`/admin/ansatt/${employeeId}`).expect(200);
    expect(record.text).toContain('Send lenke for å sette passord');
    expect(record.text).toContain('har ikke satt passord ennå');
    const res = await postForm(
      hr,
      `/admin/ansatt/${employeeId}`,
      `/admin/ansatt/${employeeId}/passordlenke`,
      {},
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/ansatt/${employeeId}/passordlenke?sendt=1`);
    const sent = await hr.get(res.headers.location!).expect(200);
    expect(sent.text).toContain('Lenken er lagt i utboksen og sendes til siri@test.no');
    const outbox = await hr.get('/admin/e-post').expect(200);
    expect(outbox.text).toContain('Lenke for å sette passord');

    const [mail] = await passwordMails(t);
    expect(mail).toMatchObject({ toAddress: 'siri@test.no', employeeId: null, status: 'pending' });
    expect(mail!.bodyText).toContain('HR har sendt deg en lenke');
    expect(mail!.bodyText).toContain('går ut om sju dager');
    const token = tokenIn(mail!);
    const [row] = await t.database.db
      .select()
      .from(passwordTokens)
      .where(eq(passwordTokens.tokenHash, hashToken(token)));
    expect(row).toMatchObject({ userId: accountId, origin: 'hr' });
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(7 * 24 * 60 * 60 * 1000);
    const hrUser = await userRow(t, 'hr@test.no');
    const audit = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'password_link.sent_by_hr'), eq(auditLog.entityId, String(accountId))));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorUserId).toBe(hrUser.id);

    const after = await hr.get(`/admin/ansatt/${employeeId}`).expect(200);
    expect(after.text).toContain('Ingen påminnelser er sendt til denne ansatte.');
    expect((await setWithLink(t, token, NEW_PASSWORD)).status).toBe(303);
    expect(await canLogIn(t, 'siri@test.no', NEW_PASSWORD)).toBe(true);
  });

  test('when a leader opens the employee or posts to the route, then there is no button and the route answers 403', async () => {
    const leader = await loginAs(t.app, 'leder@test.no', TEST_PASSWORD);
    const record = await leader.get(`/leder/ansatt/${employeeId}`).expect(200);
    expect(record.text).not.toContain('Send lenke for å sette passord');
    expect(record.text).not.toContain('passordlenke');
    const before = (await passwordMails(t)).length;
    const res = await postForm(
      leader,
      `/leder/ansatt/${employeeId}`,
      `/admin/ansatt/${employeeId}/passordlenke`,
      {},
    );
    expect(res.status).toBe(403);
    expect((await passwordMails(t)).length).toBe(before);
  });

  test('when an admin who also leads opens the leader page, then the button is not there either', async () => {
    const unit = await createUnit(t.database.db, { name: 'Annen enhet' });
    const employee = await createEmployee(t.database.db, { unitId: unit.id, email: 'annen@test.no' });
    await insertUser(t.database.db, {
      email: 'annen@test.no',
      displayName: 'Annen',
      passwordHash: null,
      employeeId: employee.id,
    });
    await createUser(t.database.db, { email: 'hr-leder@test.no', isAdmin: true, leads: [unit.id] });
    const agent = await loginAs(t.app, 'hr-leder@test.no', TEST_PASSWORD);
    const asLeader = await agent.get(`/leder/ansatt/${employee.id}`).expect(200);
    expect(asLeader.text).not.toContain('Send lenke for å sette passord');
    const asAdmin = await agent.get(`/admin/ansatt/${employee.id}`).expect(200);
    expect(asAdmin.text).toContain('Send lenke for å sette passord');
  });

  test('when the employee has no account, then the record says so and the route answers 404', async () => {
    const unit = await createUnit(t.database.db);
    const employee = await createEmployee(t.database.db, { unitId: unit.id, email: null });
    const hr = await loginAs(t.app, 'hr@test.no', TEST_PASSWORD);
    const record = await hr.get(`/admin/ansatt/${employee.id}`).expect(200);
    expect(record.text).toContain('Den ansatte har ingen brukerkonto.');
    expect(record.text).not.toContain('Send lenke for å sette passord');
    const res = await postForm(
      hr,
      `/admin/ansatt/${employee.id}`,
      `/admin/ansatt/${employee.id}/passordlenke`,
      {},
    );
    expect(res.status).toBe(404);
  });
});

describe('password mails in the outbox when mail is really sent (SMTP)', () => {
  let t: TestApp;
  let employeeId: number;
  beforeAll(async () => {
    // Nothing listens there: the test reads the outbox page, it sends nothing.
    t = await createTestApp({ env: { SMTP_URL: 'smtp://127.0.0.1:9' } });
    const db = t.database.db;
    const unit = await createUnit(db, { name: 'Nordby skole' });
    const employee = await createEmployee(db, { unitId: unit.id, email: 'nils@test.no' });
    employeeId = employee.id;
    await insertUser(db, {
      email: 'nils@test.no',
      displayName: 'Nils Nordby',
      passwordHash: null,
      employeeId: employee.id,
    });
    await createUser(db, { email: 'hr@test.no', isAdmin: true });
  });
  afterAll(() => t.close());

  test('when HR opens a queued password mail, then its link is not shown, since it logs in as the recipient', async () => {
    const hr = await loginAs(t.app, 'hr@test.no', TEST_PASSWORD);
    const sent = await postForm(
      hr,
      `/admin/ansatt/${employeeId}`,
      `/admin/ansatt/${employeeId}/passordlenke`,
      {},
    );
    expect(sent.status).toBe(303);
    const [mail] = await passwordMails(t);
    const token = tokenIn(mail!);
    const page = await hr.get(`/admin/e-post/${mail!.id}`).expect(200);
    expect(page.text).toContain('Innholdet vises ikke her.');
    expect(page.text).not.toContain(token);
    expect(page.text).not.toContain('/sett-passord/');
  });
});

describe('the log and password links', () => {
  test('when a URL with a password link is logged, then the token is left out', () => {
    expect(loggedUrl('/sett-passord/abcDEF_123-xyz')).toBe('/sett-passord/…');
    expect(loggedUrl('/sett-passord/abcDEF_123-xyz?x=1')).toBe('/sett-passord/…?x=1');
    expect(loggedUrl('/admin/ansatt/12')).toBe('/admin/ansatt/12');
  });
});
