import { mailOutbox, reminderSchedules } from '../../../src/db/schema';
import { createTestApp, csrfFrom, loginAs, type TestApp } from '../../support/app';
import { createEmployee, createUser, TEST_PASSWORD } from '../../support/factories';
import { seedReminderWorld } from '../../integration/reminders/fixture';

jest.setTimeout(120_000);

describe('/admin/paminnelser and /admin/e-post', () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof seedReminderWorld>>;
  let hr: Awaited<ReturnType<typeof loginAs>>;
  let csrf: string;

  beforeAll(async () => {
    t = await createTestApp({
      now: new Date('2026-11-23T09:00:00+01:00'),
      env: { BASE_URL: 'https://kursvakt.test.kommune.no', DATA_DIR: '/tmp/kursvakt-test-reminders-http' },
    });
    world = await seedReminderWorld(t.database.db);
    hr = await loginAs(t.app, 'hr@test.kommune.no', TEST_PASSWORD);
    csrf = csrfFrom((await hr.get('/admin/paminnelser/ny').expect(200)).text);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  const validForm = (extra: Record<string, string | string[]> = {}) => ({
    _csrf: csrf,
    name: 'Ukentlige påminnelser',
    when: 'weekly_monday',
    cron: '',
    kinds: ['employee_due_soon', 'employee_overdue', 'leader_digest'],
    overdueIntervalDays: '7',
    overdueMaxCount: '3',
    escalationDays: '30',
    digestPeriod: 'week',
    windowStart: '07:00',
    windowEnd: '17:00',
    ...extra,
  });

  /** Posts the mail-text editor of a kind: save ('lagre') or preview ('forhandsvis'). */
  const postTemplate = (
    kind: string,
    text: { subject: string; body: string },
    handling: 'lagre' | 'forhandsvis',
    status: number,
  ) =>
    hr
      .post(`/admin/e-post/maler/${kind}`)
      .type('form')
      .send({ _csrf: csrf, ...text, handling })
      .expect(status);

  it('when a leader or an employee opens the reminder and mail pages, then they get 403', async () => {
    // Starts next year, so no reminder counts below change.
    const employee = await createEmployee(t.database.db, {
      unitId: world.skoleA.id,
      email: 'ansatt.http@test.kommune.no',
      hireDate: '2027-01-01',
    });
    await createUser(t.database.db, { email: 'ansatt.http@test.kommune.no', employeeId: employee.id });
    for (const email of ['leder.a@test.kommune.no', 'ansatt.http@test.kommune.no']) {
      const agent = await loginAs(t.app, email, TEST_PASSWORD);
      for (const path of [
        '/admin/paminnelser',
        '/admin/paminnelser/ny',
        '/admin/e-post',
        '/admin/e-post/maler',
        '/admin/e-post/maler/leader_digest',
      ]) {
        await agent.get(path).expect(403);
      }
      const token = csrfFrom((await agent.get('/mine-kurs').expect(200)).text);
      await agent
        .post('/admin/paminnelser')
        .type('form')
        .send(validForm({ _csrf: token }))
        .expect(403);
    }
    expect(await t.database.db.select().from(reminderSchedules)).toHaveLength(0);
  });

  it('when HR previews a new schedule, then recipients are shown with counts and names and nothing is saved', async () => {
    const res = await hr
      .post('/admin/paminnelser')
      .type('form')
      .send(validForm({ handling: 'forhandsvis' }))
      .expect(200);
    expect(res.text).toContain('Mottakere hvis planen kjører i dag (23.11.2026)');
    expect(res.text).toMatch(/Ansatt: fristen nærmer seg: <strong>2<\/strong>/);
    expect(res.text).toMatch(/Leder: oversikt over det som må følges opp: <strong>3<\/strong>/);
    expect(res.text).toContain('Anna Aasen');
    expect(res.text).toContain('Berit Bakke');
    expect(await t.database.db.select().from(reminderSchedules)).toHaveLength(0);
  });

  it('when the cron expression or a number is invalid, then the form comes back with bokmål messages', async () => {
    const res = await hr
      .post('/admin/paminnelser')
      .type('form')
      .send(validForm({ when: 'cron', cron: '99 * * *', overdueIntervalDays: '0', handling: 'lagre' }))
      .expect(400);
    expect(res.text).toContain('Cron-uttrykket er ugyldig');
    // Every wrong field is marked at once, not the cron expression alone.
    expect(res.text).toContain('Minst 1 dag.');
    const all = await hr
      .post('/admin/paminnelser')
      .type('form')
      .send({ ...validForm({ when: 'cron', cron: 'x', escalationDays: 'abc', handling: 'lagre' }), name: '' })
      .expect(400);
    expect(all.text).toContain('Cron-uttrykket er ugyldig');
    expect(all.text).toContain('Gi planen et navn.');
    expect(all.text).toContain('Skriv et helt antall dager.');
    const again = await hr
      .post('/admin/paminnelser')
      .type('form')
      .send(validForm({ overdueIntervalDays: '0', handling: 'lagre' }))
      .expect(400);
    expect(again.text).toContain('Minst 1 dag.');
    const noKinds = await hr
      .post('/admin/paminnelser')
      .type('form')
      .send({ ...validForm({ handling: 'lagre' }), kinds: undefined })
      .expect(400);
    expect(noKinds.text).toContain('Velg minst én type e-post.');
    expect(await t.database.db.select().from(reminderSchedules)).toHaveLength(0);
  });

  it('when HR saves a preset and a cron schedule, then the list shows when they run in words', async () => {
    await hr
      .post('/admin/paminnelser')
      .type('form')
      .send(validForm({ handling: 'lagre' }))
      .expect(303);
    await hr
      .post('/admin/paminnelser')
      .type('form')
      .send(
        validForm({
          name: 'Hverdager',
          when: 'cron',
          cron: '30 6 * * 1-5',
          kinds: 'escalation',
          handling: 'lagre',
        }),
      )
      .expect(303);
    await hr
      .post('/admin/paminnelser')
      .type('form')
      .send(
        validForm({
          name: 'Månedlig',
          when: 'first_working_day',
          kinds: 'leader_digest',
          digestPeriod: 'month',
          handling: 'lagre',
        }),
      )
      .expect(303);
    const list = await hr.get('/admin/paminnelser').expect(200);
    expect(list.text).toContain('Hver mandag kl. 07.00');
    // «Kjør nå» is not a fire of the plan; the column says which runs it shows.
    expect(list.text).toContain('<th scope="col">Sist kjørt etter planen</th>');
    expect(list.text).toContain('Første virkedag i måneden kl. 07.00');
    expect(list.text).toContain('Kl. 06.30, mandag til og med fredag');
    const rows = await t.database.db.select().from(reminderSchedules);
    expect(rows.map((r) => r.cron).sort()).toEqual(['0 7 * * 1', '0 7 1-7 * *', '30 6 * * 1-5']);
    const monthly = rows.find((r) => r.name === 'Månedlig')!;
    expect(monthly.options).toMatchObject({ firstWorkingDayOnly: true, digestPeriod: 'month' });
  });

  it('when no mail server is set up, then the reminder and mail pages tell HR that mails are kept, not sent, and the operator what to set', async () => {
    expect(t.config.smtpUrl).toBeFalsy();
    const outbox = await hr.get('/admin/e-post').expect(200);
    expect(outbox.text).toContain(
      'Kursvakt er ikke koblet til en e-postserver, så e-postene blir ikke sendt til mottakerne. De blir lagret, og du kan lese dem her.',
    );
    expect(outbox.text).toContain(
      'Til den som drifter serveren: sett miljøvariabelen <code>SMTP_URL</code> for å sende e-post.',
    );
    expect(outbox.text).not.toContain('SMTP er ikke satt opp');
    const reminders = await hr.get('/admin/paminnelser').expect(200);
    expect(reminders.text).toContain(
      'Kursvakt er ikke koblet til en e-postserver, så påminnelsene blir ikke sendt',
    );
  });

  it('when HR presses «Kjør nå» twice, then mails are enqueued once and shown with content at /admin/e-post', async () => {
    const [schedule] = (await t.database.db.select().from(reminderSchedules)).filter(
      (r) => r.name === 'Ukentlige påminnelser',
    );
    const first = await hr
      .post(`/admin/paminnelser/${schedule!.id}/kjor`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(200);
    expect(first.text).toMatch(/7 e-poster er lagt i kø, 0 var sendt før/);
    const second = await hr
      .post(`/admin/paminnelser/${schedule!.id}/kjor`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(200);
    expect(second.text).toMatch(/0 e-poster er lagt i kø/);
    // The overdue reminded a moment ago are held back by the weekly interval, and HR is told.
    expect(first.text).not.toContain('får ikke ny påminnelse');
    expect(second.text).toMatch(/\d+ forfalte kurs får ikke ny påminnelse i denne kjøringen:/);
    expect(second.text).toContain('fordi forrige påminnelse ble sendt for mindre enn 7 dager siden');
    expect(await t.database.db.select().from(mailOutbox)).toHaveLength(7);
    const outbox = await hr.get('/admin/e-post').expect(200);
    expect(outbox.text).toContain('Venter (7)');
    expect(outbox.text).toContain('Påminnelse: «Meldeplikt» må fullføres innen 15.12.2026');
    const [mail] = (await t.database.db.select().from(mailOutbox)).filter(
      (m) => m.toAddress === 'leder.a@test.kommune.no',
    );
    const detail = await hr.get(`/admin/e-post/${mail!.id}`).expect(200);
    expect(detail.text).toContain('Anna Aasen');
    expect(detail.text).not.toContain('Berit Bakke');
  });

  it('when HR dry-runs a schedule for a date, then the page lists what would be sent and nothing is written', async () => {
    const [schedule] = (await t.database.db.select().from(reminderSchedules)).filter(
      (r) => r.name === 'Hverdager',
    );
    const res = await hr
      .post(`/admin/paminnelser/${schedule!.id}/provekjor`)
      .type('form')
      .send({ _csrf: csrf, dato: '2026-11-24' })
      .expect(200);
    // One escalation mail to the sector leader lists both overdue people.
    expect(res.text).toMatch(/<strong>1 e-post<\/strong> ville blitt lagt i kø/);
    expect(res.text).toContain('Sjef Oppvekst');
    expect(res.text).toContain('Anna Aasen og Berit Bakke');
    expect(await t.database.db.select().from(mailOutbox)).toHaveLength(7);
  });

  it('when HR presses «Kjør nå» on a monthly schedule on another day than the first working day, then it runs, once', async () => {
    // The test's day is Monday 23 November; the month's first working day was 2 November.
    const monthly = (await t.database.db.select().from(reminderSchedules)).find(
      (r) => r.name === 'Månedlig',
    )!;
    const digestsBefore = (await t.database.db.select().from(mailOutbox)).filter(
      (m) => m.kind === 'leader_digest',
    );
    const run = await hr
      .post(`/admin/paminnelser/${monthly.id}/kjor`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(200);
    expect(run.text).not.toContain('er ikke første virkedag');
    const digests = (await t.database.db.select().from(mailOutbox)).filter((m) => m.kind === 'leader_digest');
    expect(digests.length).toBeGreaterThan(digestsBefore.length);
    const added = digests.filter((m) => !digestsBefore.some((b) => b.id === m.id));
    expect(added.map((m) => m.subject)).toEqual(added.map(() => 'Kurs som må følges opp – november 2026'));
    const again = await hr
      .post(`/admin/paminnelser/${monthly.id}/kjor`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(200);
    expect(again.text).toMatch(/0 e-poster er lagt i kø/);
    expect(
      (await t.database.db.select().from(mailOutbox)).filter((m) => m.kind === 'leader_digest'),
    ).toHaveLength(digests.length);
  });

  it('when HR pauses and resumes a schedule, then its status changes', async () => {
    const [schedule] = (await t.database.db.select().from(reminderSchedules)).filter(
      (r) => r.name === 'Hverdager',
    );
    await hr.post(`/admin/paminnelser/${schedule!.id}/pause`).type('form').send({ _csrf: csrf }).expect(303);
    expect(
      (await t.database.db.select().from(reminderSchedules)).find((r) => r.id === schedule!.id)!.paused,
    ).toBe(true);
    await hr
      .post(`/admin/paminnelser/${schedule!.id}/fortsett`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(303);
    expect(
      (await t.database.db.select().from(reminderSchedules)).find((r) => r.id === schedule!.id)!.paused,
    ).toBe(false);
  });

  it('when HR opens the escalation text, then it offers the placeholders of one mail per leader and previews the list of people', async () => {
    const editor = await hr.get('/admin/e-post/maler/escalation').expect(200);
    for (const name of ['{{antall}}', '{{enheter}}', '{{dager}}']) expect(editor.text).toContain(name);
    const old = await postTemplate(
      'escalation',
      { subject: 'Forfalt: {{ansatt}}', body: 'Hei, {{navn}}!' },
      'lagre',
      400,
    );
    expect(old.text).toContain('Ukjent flettefelt: {{ansatt}}.');
    const preview = await postTemplate(
      'escalation',
      { subject: 'Eskalering: {{antall}}', body: 'Hei, {{navn}}!\n\nSe {{lenke}}' },
      'forhandsvis',
      200,
    );
    expect(preview.text).toContain('Eskalering: 2 ansatte');
    expect(preview.text).toContain('Forfalt i mer enn 30 dager (2 ansatte)');
    expect(preview.text).toContain(
      'Ola Nordmann (Solbakken skole): Taushetsplikt, frist 01.09.2026, 83 dager siden',
    );
  });

  it('when HR edits a mail text with a preview, then unknown placeholders are refused and the saved text is used by the next run', async () => {
    const editor = await hr.get('/admin/e-post/maler/employee_due_today').expect(200);
    expect(editor.text).toContain('{{kurs}}');
    const bad = await postTemplate(
      'employee_due_today',
      { subject: 'Hei {{fornavn}}', body: 'Tekst' },
      'lagre',
      400,
    );
    expect(bad.text).toContain('Ukjent flettefelt: {{fornavn}}.');
    const preview = await postTemplate(
      'employee_due_today',
      { subject: 'Siste frist i dag: {{kurs}}', body: 'Hei, {{navn}}!\n\nGå til {{lenke}}' },
      'forhandsvis',
      200,
    );
    expect(preview.text).toContain('Siste frist i dag: Meldeplikt til barnevernet');
    const noLink = await postTemplate(
      'employee_due_today',
      { subject: 'Siste frist i dag: {{kurs}}', body: 'Hei, {{navn}}! Husk kurset.' },
      'lagre',
      400,
    );
    expect(noLink.text).toContain('Teksten må ha med {{lenke}}, så mottakeren kommer rett til kurset.');
    expect(preview.text).toContain('Hei, Kari Nordmann!');
    await postTemplate(
      'employee_due_today',
      { subject: 'Siste frist i dag: {{kurs}}', body: 'Hei, {{navn}}!\n\nGå til {{lenke}}' },
      'lagre',
      303,
    );
    await hr
      .post('/admin/paminnelser')
      .type('form')
      .send(validForm({ name: 'Fristdag', kinds: 'employee_due_today', handling: 'lagre' }))
      .expect(303);
    const [schedule] = (await t.database.db.select().from(reminderSchedules)).filter(
      (r) => r.name === 'Fristdag',
    );
    await hr
      .post(`/admin/paminnelser/${schedule!.id}/kjor`)
      .type('form')
      .send({ _csrf: csrf, dato: '2026-12-15' })
      .expect(200);
    const mails = (await t.database.db.select().from(mailOutbox)).filter(
      (m) => m.kind === 'employee_due_today',
    );
    expect(mails.map((m) => m.subject)).toEqual([
      'Siste frist i dag: Meldeplikt',
      'Siste frist i dag: Meldeplikt',
    ]);
    // HR reads the mail's text as rendered from its stored content.
    const detail = await hr.get(`/admin/e-post/${mails[0]!.id}`).expect(200);
    expect(detail.text).toContain('Gå til https://kursvakt.test.kommune.no/kurs/meldeplikt');
  });
});
