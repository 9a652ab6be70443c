/**
 * `npm run bench -- reminders [--employees N] [--mails N] [--deliver-only] [--profile DIR]`
 *
 * 1. Evaluate and enqueue: one run of a schedule with every kind over N employees (default 50,000)
 *    in ~100 units with leaders: compliance, selection, rendering, and the one transaction that
 *    writes reminder_log + mail_outbox. Target ≤ 5 s.
 * 2. Delivery: M mails (default 10,000) drained from the outbox to a local smtp-server sink, compared
 *    with a raw pooled nodemailer loop sending the same messages to the same sink. Target ≥ 0.7×.
 *
 * `--deliver-only` skips step 1: it renders M mails with the built-in templates in the kind mix of a
 * full run (overdue, due soon, escalations, leader digests with their lists) straight into the outbox,
 * measures delivery only and replaces only the `delivery` numbers in the results file.
 *
 * PGlite by default; DATABASE_URL=postgres://… runs on a server in schema bench_reminders (dropped after).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, type Database } from '../src/db/client';
import { courses, mailOutbox, orgUnits, requirements, unitLeaders, users } from '../src/db/schema';
import { addDays } from '../src/lib/dates';
import { recomputeUnitPaths } from '../src/modules/org/org.repo';
import { insertOutboxMails, type NewOutboxMail } from '../src/modules/mail/mail.repo';
import { resolveTemplates } from '../src/modules/mail/mail.service';
import { drainOutbox } from '../src/modules/mail/sender';
import { htmlDocument, renderContent } from '../src/modules/mail/templates';
import { currentFacts } from '../src/modules/compliance/compliance-facts';
import { createSmtpTransport } from '../src/modules/mail/transport';
import { findSchedule, insertSchedule } from '../src/modules/reminders/reminders.repo';
import { enqueuePlan, planSchedule, composeReminder } from '../src/modules/reminders/reminders.service';
import { scheduleOptionsSchema, type ReminderKind } from '../src/modules/reminders/reminders.schema';
import type { DigestLine, PlannedReminder } from '../src/modules/reminders/selection';
import { printTable, profiled, writeResults } from './lib/results';

const AS_OF = '2026-11-23';
const FROM = 'Kursvakt <kursvakt@bench.kommune.no>';
const CONNECTIONS = 5;

/** A deterministic pseudo-random sequence, so every run seeds the same data. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function chunked<T>(rows: T[], size: number, fn: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await fn(rows.slice(i, i + size));
}

async function seed(database: Database, employeeCount: number) {
  const db = database.db;
  const rnd = rng(42);
  const [kommune] = await db
    .insert(orgUnits)
    .values({ code: 'K', name: 'Benchkommune', kind: 'kommune' })
    .returning();
  const sectors = await db
    .insert(orgUnits)
    .values(
      Array.from({ length: 5 }, (_, i) => ({
        code: `S${i}`,
        name: `Sektor ${i}`,
        kind: 'sektor',
        parentId: kommune!.id,
      })),
    )
    .returning();
  const units = await db
    .insert(orgUnits)
    .values(
      Array.from({ length: 100 }, (_, i) => ({
        code: `V${i}`,
        name: `Virksomhet ${i}`,
        kind: 'virksomhet',
        parentId: sectors[i % 5]!.id,
      })),
    )
    .returning();
  await recomputeUnitPaths(db);
  const leaderUsers = await db
    .insert(users)
    .values(
      [...sectors, ...units].map((u) => ({
        email: `leder.${u.code.toLowerCase()}@bench.kommune.no`,
        displayName: `Leder ${u.name}`,
      })),
    )
    .returning();
  await db
    .insert(unitLeaders)
    .values([...sectors, ...units].map((u, i) => ({ unitId: u.id, userId: leaderUsers[i]!.id })));

  const courseRows = await db
    .insert(courses)
    .values(
      ['handlingsplan', 'meldeplikt', 'taushetsplikt'].map((slug) => ({ slug, title: slug, builtin: true })),
    )
    .returning();
  await db.insert(requirements).values(
    courseRows.map((c) => ({
      courseId: c.id,
      name: c.title,
      firstDeadline: '2023-12-31',
      renewalMode: 'rolling',
    })),
  );

  const employeeRows = Array.from({ length: employeeCount }, (_, i) => ({
    employeeNumber: `B${i}`,
    firstName: `Fornavn${i}`,
    lastName: `Etternavn${i}`,
    email: `ansatt${i}@bench.kommune.no`,
    unitId: units[i % units.length]!.id,
    hireDate: rnd() < 0.05 ? addDays(AS_OF, -Math.floor(rnd() * 360)) : '2015-01-01',
  }));
  const ids: number[] = [];
  await chunked(employeeRows, 10000, async (chunk) => {
    const rows = await queryRows<{ id: number }>(
      db,
      sql`insert into employees (employee_number, first_name, last_name, email, unit_id, hire_date)
          select employee_number, first_name, last_name, email, unit_id, hire_date
          from jsonb_to_recordset(${JSON.stringify(chunk.map((e) => ({ employee_number: e.employeeNumber, first_name: e.firstName, last_name: e.lastName, email: e.email, unit_id: e.unitId, hire_date: e.hireDate })))}::jsonb)
            as x(employee_number text, first_name text, last_name text, email text, unit_id int, hire_date date)
          returning id`,
    );
    ids.push(...rows.map((r) => Number(r.id)));
  });
  // Rolling 24 months: a completion spread over the last 26 months gives a realistic mix of done,
  // due soon (about 4 %) and overdue (about 8 %), plus some who never completed.
  const completionRows: Array<{ employeeId: number; courseId: number; completedOn: string; source: string }> =
    [];
  for (const id of ids) {
    for (const c of courseRows) {
      if (rnd() < 0.04) continue;
      const daysAgo = Math.floor(rnd() * 26 * 30.4);
      completionRows.push({
        employeeId: id,
        courseId: c.id,
        completedOn: addDays(AS_OF, -daysAgo),
        source: 'import',
      });
    }
  }
  // One JSON parameter per chunk: seeding 150,000 rows through a VALUES list builder takes minutes.
  await chunked(completionRows, 10000, (chunk) =>
    db.execute(
      sql`insert into completions (employee_id, course_id, completed_on, source)
          select employee_id, course_id, completed_on, source
          from jsonb_to_recordset(${JSON.stringify(chunk.map((c) => ({ employee_id: c.employeeId, course_id: c.courseId, completed_on: c.completedOn, source: c.source })))}::jsonb)
            as x(employee_id int, course_id int, completed_on date, source text)`,
    ),
  );
  return {
    units: units.length + sectors.length + 1,
    leaders: leaderUsers.length,
    completions: completionRows.length,
  };
}

async function startSink(): Promise<{ port: number; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    size: 0,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      employees: { type: 'string', default: '50000' },
      mails: { type: 'string', default: '10000' },
      'deliver-only': { type: 'boolean', default: false },
      profile: { type: 'string' },
    },
    strict: true,
  });
  const employeeCount = Number(values.employees);
  const mailCount = Number(values.mails);
  const deliverOnly = values['deliver-only'];
  const url = process.env.DATABASE_URL;
  const schema = 'bench_reminders';
  // PGlite in a folder of its own, as `npm start` runs it (in memory, every file PostgreSQL writes
  // grows by copying in WebAssembly memory: 1.7 s of a run's write went to that).
  const pgliteDir = url ? '' : fs.mkdtempSync(path.join(os.tmpdir(), 'kursvakt-bench-reminders-'));
  const database = await openDatabase(
    url ? { dataDir: '', databaseUrl: url, schema } : { dataDir: pgliteDir },
  );
  try {
    if (url) {
      await database.db.execute(sql.raw(`drop schema if exists ${schema} cascade`));
      await database.close();
    }
    const db0 = url ? await openDatabase({ dataDir: '', databaseUrl: url, schema }) : database;
    try {
      if (deliverOnly) await measureDeliveryOnly(db0, mailCount);
      else await measure(db0, employeeCount, mailCount, values.profile);
    } finally {
      if (url) {
        await db0.db.execute(sql.raw(`drop schema if exists ${schema} cascade`));
        await db0.close();
      }
    }
  } finally {
    if (!url) {
      await database.close();
      fs.rmSync(pgliteDir, { recursive: true, force: true });
    }
  }
}

/**
 * The kinds a full run over 50,000 employees enqueues, in its proportions (bench/results, 2026-11-24):
 * 10,808 escalated people in 5 escalation mails, one per leader above them.
 */
/** Lines in an escalation mail of a full run (people overdue beyond the limit per leader above them). */
const ESCALATION_LINES = 2162;

const FULL_RUN_MIX: Array<[ReminderKind, number]> = [
  ['employee_overdue', 15932],
  ['employee_due_soon', 5323],
  ['employee_due_today', 174],
  ['escalation', 5],
  ['leader_digest', 105],
];

/**
 * `count` mails rendered with the built-in templates as a full run would render them: the same kinds
 * in the same proportions, digests with lists as long as a 500-employee unit's.
 */
async function renderDeliveryMails(database: Database, count: number): Promise<NewOutboxMail[]> {
  const templates = await resolveTemplates(database.db, null);
  const total = FULL_RUN_MIX.reduce((sum, [, n]) => sum + n, 0);
  const kinds: ReminderKind[] = [];
  for (const [kind, n] of FULL_RUN_MIX) {
    for (let i = 0; i < Math.round((n / total) * count); i++) kinds.push(kind);
  }
  while (kinds.length < count) kinds.push('employee_overdue');
  kinds.length = count;
  const rnd = rng(7);
  const courses = [
    ['handlingsplan', 'Handlingsplan mot vold og overgrep'],
    ['meldeplikt', 'Meldeplikt til barnevernet'],
    ['taushetsplikt', 'Taushetsplikt og opplysningsplikt'],
  ] as const;
  const digestLines = (n: number, offset: number): DigestLine[] =>
    Array.from({ length: n }, (_, j) => ({
      employeeId: offset + j,
      name: `Fornavn${offset + j} Etternavn${offset + j}`,
      unitName: `Virksomhet ${j % 3}`,
      courseTitle: courses[j % 3]![1],
      dueDate: addDays(AS_OF, -Math.floor(rnd() * 300)),
    }));
  const notBefore = new Date(Date.now() - 1000);
  return kinds.map((kind, i) => {
    const [slug, title] = courses[i % 3]!;
    const daysPastDue = kind === 'employee_due_soon' ? -Math.floor(rnd() * 30) : Math.floor(rnd() * 400);
    const isLeader = kind === 'leader_digest' || kind === 'escalation';
    const item: PlannedReminder = {
      key: `${kind}|e${i}|bench`,
      kind,
      period: 'bench',
      employeeId: i,
      requirementId: (i % 3) + 1,
      dueDate: addDays(AS_OF, -daysPastDue),
      recipient: isLeader
        ? { userId: null, name: `Leder Virksomhet ${i % 100}`, email: `leder.v${i % 100}@bench.kommune.no` }
        : { userId: null, name: `Fornavn${i} Etternavn${i}`, email: `ansatt${i}@bench.kommune.no` },
      employeeName: `Fornavn${i} Etternavn${i}`,
      courseTitle: title,
      courseSlug: slug,
      unitName: `Virksomhet ${i % 100}`,
      daysPastDue,
      ...(kind === 'leader_digest'
        ? {
            digest: {
              periodLabel: 'november 2026',
              unitNames: [`Virksomhet ${i % 100}`],
              overdue: digestLines(160, i * 1000),
              dueSoon: digestLines(53, i * 1000 + 500),
              newHires: digestLines(5, i * 1000 + 800),
              missingReviews: [
                {
                  unitName: `Virksomhet ${i % 100}`,
                  topicTitle: 'Meldeplikt og opplysningsplikt gjennomgått',
                },
              ],
              withoutEmail: [],
              rates: [{ unitId: i, unitName: `Virksomhet ${i % 100}`, rate: 0.88, counted: 500 }],
            },
          }
        : {}),
      ...(kind === 'escalation'
        ? {
            escalation: {
              limitDays: 30,
              unitNames: [`Sektor ${i % 4}`],
              lines: digestLines(ESCALATION_LINES, i * 1000).map((l, j) => ({
                ...l,
                key: `escalation|e${l.employeeId}|bench|${j}`,
                requirementId: (j % 3) + 1,
                daysPastDue: 31 + j,
              })),
            },
          }
        : {}),
    };
    const mail = composeReminder(item, templates, 'https://kursvakt.bench.kommune.no');
    return {
      idempotencyKey: item.key,
      kind,
      toAddress: item.recipient.email,
      toName: item.recipient.name,
      subject: mail.subject,
      content: mail.content,
      employeeId: null,
      recipientUserId: null,
      scheduleId: null,
      nextAttemptAt: new Date(notBefore.getTime() - i),
    };
  });
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Delivery runs in rounds, raw and outbox taking turns going first, so a change in the machine's load hits both. */
const ROUNDS = 4;

/**
 * Delivers the mails twice over, round by round: a raw pooled nodemailer loop (no database), and
 * drainOutbox after the round's mails were put in the outbox (not timed); both to the same
 * smtp-server sink in this process, both with CONNECTIONS connections.
 */
async function measureDelivery(database: Database, mails: NewOutboxMail[]) {
  const db = database.db;
  await db.delete(mailOutbox);
  const loadBefore = os.loadavg().map(round1);
  const sink = await startSink();
  const smtpUrl = `smtp://127.0.0.1:${sink.port}`;
  const raw = nodemailer.createTransport(`${smtpUrl}?pool=true&maxConnections=${CONNECTIONS}`);
  const transport = createSmtpTransport(smtpUrl, { maxConnections: CONNECTIONS });
  let rawMs = 0;
  let outboxMs = 0;
  let outboxSent = 0;

  const sendRaw = async (messages: NewOutboxMail[]) => {
    // The same parts the sender renders from the content, rendered before the clock starts.
    const parts = messages.map((m) => {
      const bodies = renderContent(m.content);
      return { text: bodies.text, html: htmlDocument(m.subject, bodies.htmlBody) };
    });
    const t = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < messages.length) {
          const i = next++;
          const m = messages[i]!;
          await raw.sendMail({
            from: FROM,
            to: { name: m.toName ?? '', address: m.toAddress },
            subject: m.subject,
            text: parts[i]!.text,
            html: parts[i]!.html,
          });
        }
      }),
    );
    rawMs += performance.now() - t;
  };
  const sendOutbox = async () => {
    const t = performance.now();
    const drained = await drainOutbox(db, transport, {
      from: FROM,
      ratePerSecond: 1_000_000,
      concurrency: CONNECTIONS,
      batchSize: 200,
    });
    outboxMs += performance.now() - t;
    outboxSent += drained.sent;
  };

  const perRound = Math.ceil(mails.length / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    const chunk = mails.slice(round * perRound, (round + 1) * perRound);
    await chunked(chunk, 1000, (c) => insertOutboxMails(db, c));
    if (round % 2 === 0) {
      await sendRaw(chunk);
      await sendOutbox();
    } else {
      await sendOutbox();
      await sendRaw(chunk);
    }
  }
  raw.close();
  await transport.close();
  const receivedTotal = sink.received();
  await sink.close();
  const [state] = await queryRows<{ sent: number; other: number }>(
    db,
    sql`select count(*) filter (where status = 'sent')::int as sent, count(*) filter (where status <> 'sent')::int as other from mail_outbox`,
  );

  const rawRate = (mails.length / rawMs) * 1000;
  const outboxRate = (outboxSent / outboxMs) * 1000;
  return {
    mails: mails.length,
    connections: CONNECTIONS,
    rounds: ROUNDS,
    rawNodemailerMs: Math.round(rawMs),
    rawPerSecond: Math.round(rawRate),
    outboxMs: Math.round(outboxMs),
    outboxPerSecond: Math.round(outboxRate),
    outboxSent,
    markedSent: Number(state?.sent ?? 0),
    notSent: Number(state?.other ?? 0),
    sinkReceived: receivedTotal,
    ratio: Number((outboxRate / rawRate).toFixed(2)),
    targetRatio: 0.7,
    met: outboxRate / rawRate >= 0.7,
    loadAverage: { before: loadBefore, after: os.loadavg().map(round1) },
  };
}

type DeliveryResult = Awaited<ReturnType<typeof measureDelivery>>;

function deliveryRows(delivery: DeliveryResult) {
  return [
    {
      måling: `rå nodemailer (${delivery.mails})`,
      verdi: `${delivery.rawNodemailerMs} ms (${delivery.rawPerSecond}/s)`,
    },
    {
      måling: `utboks (${delivery.mails})`,
      verdi: `${delivery.outboxMs} ms (${delivery.outboxPerSecond}/s; ${delivery.markedSent} merket sendt, sluk mottok ${delivery.sinkReceived})`,
    },
    { måling: 'forhold utboks/rå', verdi: `${delivery.ratio} (mål ≥ 0.7)` },
    {
      måling: 'belastning (1/5/15 min)',
      verdi: `${delivery.loadAverage.before.join(' ')} før, ${delivery.loadAverage.after.join(' ')} etter`,
    },
  ];
}

async function measureDeliveryOnly(database: Database, mailCount: number): Promise<void> {
  console.log(`Legger ${mailCount} e-poster i utboksen i ${database.description} …`);
  const mails = await renderDeliveryMails(database, mailCount);
  const delivery = await measureDelivery(database, mails);
  printTable(deliveryRows(delivery));
  // Only the delivery numbers are replaced; the evaluate numbers of the last full run stay.
  const file = path.join(__dirname, 'results', 'reminders.json');
  let previous: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      runs?: Record<string, Record<string, unknown>>;
    };
    previous = parsed.runs?.[database.kind] ?? {};
  } catch {
    // no earlier results
  }
  writeResults('reminders', database.kind, {
    ...previous,
    database: database.description,
    delivery: {
      ...delivery,
      seeding: 'deliver-only: rendered with the built-in templates, kind mix of a full run',
    },
  });
  console.log(`Resultater skrevet til ${file}`);
}

async function measure(
  database: Database,
  employeeCount: number,
  mailCount: number,
  profileDir?: string,
): Promise<void> {
  const db = database.db;
  console.log(`Fyller ${database.description} med ${employeeCount} ansatte …`);
  const t0 = performance.now();
  const seeded = await seed(database, employeeCount);
  const seedMs = performance.now() - t0;

  const scheduleId = await insertSchedule(db, {
    name: 'Bench',
    cron: '0 7 * * 1',
    kinds: ['employee_due_soon', 'employee_due_today', 'employee_overdue', 'leader_digest', 'escalation'],
    unitIds: [],
    templateKey: null,
    options: scheduleOptionsSchema.parse({
      allowWeekends: true,
      allowHolidays: true,
      windowStart: '00:00',
      windowEnd: '23:59',
    }),
    createdBy: null,
  });
  const schedule = (await findSchedule(db, scheduleId))!;
  const env = { baseUrl: 'https://kursvakt.bench.kommune.no', now: new Date() };
  // As runScheduleNow and the scheduler do: the facts cache first (cold here: the first read since
  // start, so it is timed in), then plan and enqueue in one transaction.
  const t1 = performance.now();
  await currentFacts(db);
  const factsMs = performance.now() - t1;
  const { plan, result } = await profiled(profileDir, 'evaluate-enqueue', () =>
    db.transaction(async (tx) => {
      const p = await planSchedule(tx, schedule, AS_OF, env);
      const tPlan = performance.now();
      const r = await enqueuePlan(tx, p);
      return { plan: { mails: p.mails.length, ms: tPlan - t1 }, result: r };
    }),
  );
  const runMs = performance.now() - t1;
  const byKind: Record<string, number> = {};
  for (const item of result.items) byKind[item.kind] = (byKind[item.kind] ?? 0) + 1;

  const t2 = performance.now();
  await currentFacts(db);
  const second = await db.transaction(async (tx) =>
    enqueuePlan(tx, await planSchedule(tx, schedule, AS_OF, env)),
  );
  const secondMs = performance.now() - t2;

  // Delivery: exactly mailCount mails (the run's own, topped up with rendered copies).
  const existing = await db.select().from(mailOutbox).limit(mailCount);
  const template = existing[0]!;
  const mails: NewOutboxMail[] = Array.from({ length: mailCount }, (_, i) => {
    const m = existing[i] ?? { ...template, idempotencyKey: `bench|${i}` };
    return {
      idempotencyKey: m.idempotencyKey,
      kind: m.kind,
      toAddress: m.toAddress,
      toName: m.toName,
      subject: m.subject,
      content: m.content!,
      employeeId: null,
      recipientUserId: null,
      scheduleId: null,
      nextAttemptAt: new Date(Date.now() - 1000 - i),
    };
  });
  const delivery = await measureDelivery(database, mails);

  const results = {
    database: database.description,
    employees: employeeCount,
    units: seeded.units,
    leaders: seeded.leaders,
    completions: seeded.completions,
    seedMs: Math.round(seedMs),
    evaluateAndEnqueue: {
      ms: Math.round(runMs),
      factsMs: Math.round(factsMs),
      planMs: Math.round(plan.ms),
      mailsEnqueued: result.enqueued,
      byKind,
      // People listed in the escalation mails, each logged under their own key.
      escalatedPeople: result.items.reduce((sum, i) => sum + (i.escalated?.length ?? 0), 0),
      targetMs: 5000,
      met: runMs <= 5000,
    },
    secondRunSameDay: { ms: Math.round(secondMs), enqueued: second.enqueued },
    delivery,
  };
  printTable([
    { måling: 'fylle database', verdi: `${results.seedMs} ms` },
    {
      måling: `vurdere + legge i kø (${employeeCount} ansatte)`,
      verdi: `${results.evaluateAndEnqueue.ms} ms (${result.enqueued} e-poster; mål ≤ 5000 ms)`,
    },
    {
      måling: 'herav eskaleringer',
      verdi: `${byKind.escalation ?? 0} e-poster med ${results.evaluateAndEnqueue.escalatedPeople} personer`,
    },
    {
      måling: 'herav lese fakta (første gang siden start)',
      verdi: `${results.evaluateAndEnqueue.factsMs} ms`,
    },
    { måling: 'herav lese fakta + planlegging', verdi: `${results.evaluateAndEnqueue.planMs} ms` },
    { måling: 'samme dag på nytt', verdi: `${results.secondRunSameDay.ms} ms (${second.enqueued} nye)` },
    ...deliveryRows(delivery),
  ]);
  const file = writeResults('reminders', database.kind, results);
  console.log(`Resultater skrevet til ${file}`);
}
