import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../../src/config';
import type { Database } from '../../../src/db/client';
import { reminderLog } from '../../../src/db/schema';
import { mailCommands } from '../../../src/modules/mail/mail.cli';
import { htmlDocument, renderContent } from '../../../src/modules/mail/templates';
import { remindersCommands } from '../../../src/modules/reminders/reminders.cli';
import {
  findExistingKeys,
  findSchedule,
  insertEscalationLines,
  insertRemindersWithMails,
  type NewReminderMail,
} from '../../../src/modules/reminders/reminders.repo';
import {
  dryRunSchedule,
  enqueuePlan,
  planSchedule,
  runScheduleNow,
} from '../../../src/modules/reminders/reminders.service';
import { insertTopic, insertUnitReview } from '../../../src/modules/reviews/reviews.repo';
import { getEmployeeRecord } from '../../../src/modules/dashboard/dashboard.service';
import { createTestDatabase } from '../../support/db';
import { createEmployee } from '../../support/factories';
import { createSchedule, seedReminderWorld } from './fixture';
import { readOutbox } from './outbox';

const env = { baseUrl: 'https://kursvakt.test.kommune.no', now: new Date('2026-11-23T08:00:00+01:00') };
const asOf = '2026-11-23';
// The CLI commands run on the test's clock too: on the real one, a run in the minute the fixture's
// sending window leaves out (23:59 in Oslo) queued its mails for midnight, and `mail send` a moment
// later found them not yet due.
const clock = () => env.now;

describe('reminders run', () => {
  let database: Database;
  let world: Awaited<ReturnType<typeof seedReminderWorld>>;
  let dataDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    world = await seedReminderWorld(database.db);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kursvakt-reminders-'));
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('when a schedule runs, then due-soon, overdue, digest and escalation mails are enqueued with their keys', async () => {
    const schedule = await createSchedule(database.db);
    const result = await runScheduleNow(
      database.db,
      (await findSchedule(database.db, schedule.id))!,
      asOf,
      env,
    );
    const byKind = (kind: string) =>
      result.items
        .filter((i) => i.kind === kind)
        .map((i) => i.recipient)
        .sort();
    expect(byKind('employee_due_soon')).toEqual(['anna@test.kommune.no', 'berit@test.kommune.no']);
    expect(byKind('employee_overdue')).toEqual(['anna@test.kommune.no', 'berit@test.kommune.no']);
    expect(byKind('employee_due_today')).toEqual([]);
    expect(byKind('leader_digest')).toEqual([
      'leder.a@test.kommune.no',
      'leder.b@test.kommune.no',
      'sjef@test.kommune.no',
    ]);
    // 83 days overdue > 30: the school leaders' parent unit is the sector. One mail lists both.
    expect(byKind('escalation')).toEqual(['sjef@test.kommune.no']);
    const escalation = result.items.find((i) => i.kind === 'escalation')!;
    expect(escalation.escalated!.map((l) => l.key).sort()).toEqual(
      [world.anna.id, world.berit.id]
        .map(
          (id) =>
            `escalation|e${id}|r${world.late.requirement.id}|d2026-09-01|eskalering|u${world.sectorLeader.id}`,
        )
        .sort(),
    );
    expect(result.enqueued).toBe(result.items.length);
    const dueSoonAnna = result.items.find(
      (i) => i.kind === 'employee_due_soon' && i.recipient === 'anna@test.kommune.no',
    )!;
    expect(dueSoonAnna.key).toBe(
      `employee_due_soon|e${world.anna.id}|r${world.soon.requirement.id}|d2026-12-15|varsel`,
    );
    expect(dueSoonAnna.courseTitle).toBe('Meldeplikt');
    expect(dueSoonAnna.dueDate).toBe('2026-12-15');
    const outbox = await readOutbox(database.db);
    const logs = await database.db.select().from(reminderLog);
    expect(outbox).toHaveLength(result.items.length);
    // Every mail is logged under its own key, except the escalation: one row per person it lists.
    expect(logs).toHaveLength(result.items.length + 1);
    const escalationMail = outbox.find((m) => m.kind === 'escalation')!;
    expect(escalationMail.idempotencyKey).toBe(escalation.key);
    expect(escalationMail.bodyText).toContain('2 ansatte i enhetene under Oppvekst');
    expect(escalationMail.bodyText).toContain('Forfalt i mer enn 30 dager (2 ansatte)');
    expect(escalationMail.bodyText).toContain(`/leder/ansatt/${world.anna.id}`);
    expect(escalationMail.bodyText).toContain(`/leder/ansatt/${world.berit.id}`);
    expect(
      logs
        .filter((l) => l.kind === 'escalation')
        .map((l) => l.mailKey)
        .sort(),
    ).toEqual([escalation.key, escalation.key]);
    // Anna's record shows her own reminders and the escalation that names her.
    const record = await getEmployeeRecord(database.db, { kind: 'all' }, world.anna.id, asOf);
    expect(record.reminders.map((m) => m.kind).sort()).toEqual([
      'employee_due_soon',
      'employee_overdue',
      'escalation',
    ]);
  });

  it('when the same day is run again, then nothing new is enqueued', async () => {
    const before = (await readOutbox(database.db)).length;
    const schedule = (await findSchedule(database.db, 1))!;
    const again = await runScheduleNow(database.db, schedule, asOf, env);
    expect(again.enqueued).toBe(0);
    // Overdue reminders wait for their interval; everything else is recognised by its key.
    expect(again.already).toBe(before - 2);
    expect(again.items.some((i) => i.kind === 'employee_overdue')).toBe(false);
    expect(await readOutbox(database.db)).toHaveLength(before);
    const dry = await dryRunSchedule(database.db, schedule, asOf, env);
    expect(dry.items.every((i) => i.state === 'already')).toBe(true);
  });

  it('when another run has logged a key first, then its mail is not written again and the key is reported', async () => {
    const row = (key: string, subject: string): NewReminderMail => ({
      idempotencyKey: `kappløp|${key}`,
      scheduleId: null,
      kind: 'employee_due_soon',
      employeeId: world.anna.id,
      requirementId: null,
      recipientUserId: null,
      dueDate: '2026-12-01',
      period: 'varsel',
      toAddress: 'anna@test.kommune.no',
      toName: 'Anna',
      subject,
      content: { body: subject, sections: [] },
      nextAttemptAt: env.now,
    });
    const first = await insertRemindersWithMails(database.db, [row('a', 'Første a'), row('b', 'Første b')]);
    expect([...first]).toEqual([]);
    const second = await insertRemindersWithMails(database.db, [row('b', 'Andre b'), row('c', 'Andre c')]);
    expect([...second]).toEqual(['kappløp|b']);
    const mails = (await readOutbox(database.db)).filter((m) => m.idempotencyKey.startsWith('kappløp|'));
    expect(mails.map((m) => [m.idempotencyKey, m.subject]).sort()).toEqual([
      ['kappløp|a', 'Første a'],
      ['kappløp|b', 'Første b'],
      ['kappløp|c', 'Andre c'],
    ]);
    const logged = (await database.db.select().from(reminderLog)).filter((r) =>
      r.idempotencyKey.startsWith('kappløp|'),
    );
    expect(logged).toHaveLength(3);
    expect(await findExistingKeys(database.db, ['kappløp|a', 'kappløp|c', 'kappløp|x'])).toEqual(
      new Set(['kappløp|a', 'kappløp|c']),
    );
  });

  it('when a school leader gets a digest, then it names only people in that school', async () => {
    const outbox = await readOutbox(database.db);
    const digestA = outbox.find(
      (m) => m.kind === 'leader_digest' && m.toAddress === 'leder.a@test.kommune.no',
    )!;
    const digestB = outbox.find(
      (m) => m.kind === 'leader_digest' && m.toAddress === 'leder.b@test.kommune.no',
    )!;
    const digestSector = outbox.find(
      (m) => m.kind === 'leader_digest' && m.toAddress === 'sjef@test.kommune.no',
    )!;
    expect(digestA.bodyText).toContain('Anna Aasen');
    expect(digestA.bodyText).not.toContain('Berit');
    expect(digestA.bodyHtml).not.toContain('Berit');
    expect(digestB.bodyText).toContain('Berit Bakke');
    expect(digestB.bodyText).not.toContain('Anna');
    expect(digestB.bodyHtml).not.toContain('Anna');
    expect(digestSector.bodyText).toContain('Anna Aasen');
    expect(digestSector.bodyText).toContain('Berit Bakke');
    expect(digestA.bodyText).toContain(`${env.baseUrl}/leder/ansatt/${world.anna.id}`);
    expect(digestA.subject).toBe('Kurs som må følges opp – uke 48, 2026');
  });

  it('when an employee reminder is rendered, then it is bokmål text and HTML with a deep link to the course', async () => {
    const [mail] = (await readOutbox(database.db)).filter(
      (m) => m.kind === 'employee_due_soon' && m.toAddress === 'anna@test.kommune.no',
    );
    expect(mail!.subject).toBe('Påminnelse: «Meldeplikt» må fullføres innen 15.12.2026');
    expect(mail!.bodyText).toContain('Hei, Anna Aasen!');
    expect(mail!.bodyText).toContain('om 22 dager');
    expect(mail!.bodyText).toContain(`${env.baseUrl}/kurs/meldeplikt`);
    expect(mail!.bodyHtml).toContain(`<a href="${env.baseUrl}/kurs/meldeplikt"`);
    // The outbox holds the mail's own HTML; the layout (head, styles, footer) is added when it is sent.
    expect(mail!.bodyHtml).not.toMatch(/<!doctype|<head>|Sendt av Kursvakt/i);
    const document = htmlDocument(mail!.subject, mail!.bodyHtml!);
    expect(document).toMatch(/^<!doctype html>\s*<html lang="nb">/);
    expect(document).toContain(`<title>${mail!.subject}</title>`);
    expect(document).toContain(mail!.bodyHtml!);
    expect(document).toContain('Sendt av Kursvakt.');
  });

  it('when the CLI runs a new day with --dry-run --format json, then it prints what would be enqueued and writes nothing', async () => {
    const config = parseConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, BASE_URL: env.baseUrl });
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const before = (await readOutbox(database.db)).length;
    await remindersCommands.commands.reminders!(
      ['run', '--as-of', '2026-12-15', '--dry-run', '--format', 'json'],
      { config, database, io, now: clock },
    );
    const printed = JSON.parse(lines.join('\n')) as {
      schedules: Array<{ items: Array<{ state: string; kind: string; recipient: string; key: string }> }>;
    };
    const items = printed.schedules[0]!.items;
    const today = items.filter((i) => i.kind === 'employee_due_today');
    expect(today.map((i) => i.recipient).sort()).toEqual(['anna@test.kommune.no', 'berit@test.kommune.no']);
    expect(today.every((i) => i.state === 'would_enqueue' && i.key.includes('|d2026-12-15|fristdag'))).toBe(
      true,
    );
    expect(await readOutbox(database.db)).toHaveLength(before);
  });

  it('when the CLI runs the same day twice, then the second run enqueues nothing new', async () => {
    const config = parseConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, BASE_URL: env.baseUrl });
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    await remindersCommands.commands.reminders!(['run', '--as-of', '2026-12-15'], {
      config,
      database,
      io,
      now: clock,
    });
    expect(lines.join('\n')).toMatch(
      /lagt i kø \| anna@test\.kommune\.no \| Ansatt: fristen er i dag \| Anna Aasen \| Meldeplikt \| 15\.12\.2026 \| employee_due_today\|/,
    );
    lines.length = 0;
    await remindersCommands.commands.reminders!(['run', '--as-of', '2026-12-15'], {
      config,
      database,
      io,
      now: clock,
    });
    expect(lines.join('\n')).toContain('Ingen nye påminnelser.');
    expect(lines.join('\n')).toMatch(/ 0 lagt i kø, \d+ sendt før\./);
    // The overdue reminded by the first run are held back by the weekly interval, and the CLI says so.
    expect(lines.join('\n')).toMatch(
      /Ikke påminnet nå: [1-9]\d* forfalte kurs \(påminnet for mindre enn 7 dager siden\), 0 \(har fått alle 4\)\./,
    );
  });

  it('when there is no SMTP_URL, then mail send writes every mail as an .eml file and marks it sent', async () => {
    const config = parseConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      BASE_URL: env.baseUrl,
      MAIL_RATE_PER_SECOND: '1000',
    });
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const total = (await readOutbox(database.db)).length;
    await mailCommands.commands.mail!(['send'], { config, database, io, now: clock });
    expect(lines.join('\n')).toContain(`${total} sendt, 0 prøves igjen senere, 0 feilet`);
    const rows = await readOutbox(database.db);
    expect(rows.every((r) => r.status === 'sent' && r.smtpResponse?.startsWith('Lagret som fil:'))).toBe(
      true,
    );
    const files = fs.readdirSync(path.join(dataDir, 'mail')).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(total);
    const anna = fs.readFileSync(
      path.join(
        dataDir,
        'mail',
        files.find((f) => f.startsWith('employee_due_soon_e' + world.anna.id))!,
      ),
      'utf8',
    );
    expect(anna).toContain('To: Anna Aasen <anna@test.kommune.no>');
    expect(anna).toContain('From: Kursvakt <kursvakt@eksempel.kommune.no>');
  });

  it("when a school has not had this year's review, then its leader's and the sector leader's digests list it and the other school's does not", async () => {
    const topic = await insertTopic(database.db, {
      title: 'Handlingsveilederen (testtema)',
      timesPerYear: 1,
    });
    await insertUnitReview(database.db, {
      unitId: world.skoleB.id,
      topicId: topic.id,
      reviewedOn: '2026-03-02',
      participants: 8,
      note: '',
      recordedBy: null,
    });
    const digests = async (unitIds: number[]) => {
      const row = await createSchedule(database.db, {
        name: `Oversikt ${unitIds.join(',')}`,
        kinds: ['leader_digest'],
        unitIds,
      });
      const plan = await planSchedule(
        database.db,
        (await findSchedule(database.db, row.id))!,
        '2026-12-07',
        env,
      );
      return new Map(
        plan.mails.map((m) => {
          const bodies = renderContent(m.compose().content);
          return [m.recipient.email, `${bodies.text}\n${bodies.htmlBody}`];
        }),
      );
    };
    const all = await digests([]);
    expect(all.get('leder.a@test.kommune.no')).toContain(`Åsen skole: ${topic.title}`);
    expect(all.get('leder.b@test.kommune.no')).toBeDefined();
    expect(all.get('leder.b@test.kommune.no')).not.toContain(topic.title);
    expect(all.get('sjef@test.kommune.no')).toContain(`Åsen skole: ${topic.title}`);
    expect(all.get('sjef@test.kommune.no')).not.toContain(`Bakken skole: ${topic.title}`);
    // A schedule for Bakken skole alone names no other unit's missing review, not even to the sector leader.
    const onlyB = await digests([world.skoleB.id]);
    expect(onlyB.get('sjef@test.kommune.no')).toBeDefined();
    for (const text of onlyB.values()) expect(text).not.toContain(topic.title);
  });

  it('when more people pass the escalation limit later, then the next escalation lists only them, and one another run escalated first is left out', async () => {
    const escalationOnly = await createSchedule(database.db, {
      name: 'Bare eskalering',
      kinds: ['escalation'],
    });
    const schedule = (await findSchedule(database.db, escalationOnly.id))!;
    const newcomer = async (firstName: string) =>
      createEmployee(database.db, {
        unitId: world.skoleA.id,
        firstName,
        lastName: 'Nyberg',
        email: `${firstName.toLowerCase()}@test.kommune.no`,
        hireDate: '2020-01-01',
      });
    const cato = await newcomer('Cato');
    const dina = await newcomer('Dina');
    const plan = await planSchedule(database.db, schedule, asOf, env);
    // The plan still lists Anna and Berit: their keys were logged by the first run.
    expect(plan.mails).toHaveLength(1);
    expect(plan.mails[0]!.escalation!.lines.map((l) => l.employeeId).sort()).toEqual(
      [world.anna.id, world.berit.id, cato.id, dina.id].sort(),
    );
    // Another run escalates Cato between this run's plan and its write.
    const catoLine = plan.mails[0]!.escalation!.lines.find((l) => l.employeeId === cato.id)!;
    const raced = await insertEscalationLines(database.db, [
      {
        idempotencyKey: catoLine.key,
        scheduleId: null,
        kind: 'escalation',
        employeeId: cato.id,
        requirementId: catoLine.requirementId,
        recipientUserId: world.sectorLeader.id,
        dueDate: catoLine.dueDate,
        period: 'eskalering',
        mailKey: 'en-annen-kjøring',
      },
    ]);
    expect([...raced]).toEqual([catoLine.key]);
    const result = await database.db.transaction((tx) => enqueuePlan(tx, plan));
    expect(result.enqueued).toBe(1);
    const item = result.items[0]!;
    expect(item.escalated!.map((l) => l.employeeName)).toEqual(['Dina Nyberg']);
    const mail = (await readOutbox(database.db)).find((m) => m.idempotencyKey === item.key)!;
    expect(mail.toAddress).toBe('sjef@test.kommune.no');
    expect(mail.bodyText).toContain('1 ansatt i enhetene under Oppvekst');
    expect(mail.bodyText).toContain(`/leder/ansatt/${dina.id}`);
    for (const id of [world.anna.id, world.berit.id, cato.id])
      expect(mail.bodyText).not.toContain(`/leder/ansatt/${id}`);
    // Nothing is left to escalate today: a new run writes no mail.
    const again = await runScheduleNow(database.db, schedule, asOf, env);
    expect(again.items.map((i) => i.state)).toEqual(['already']);
  });
});
