/**
 * `npm run bench -- reminders [--employees N] [--mails N]`
 *
 * 1. Evaluate and enqueue: one run of a schedule with every kind over N employees (default 50,000)
 *    in ~100 units with leaders: compliance, selection, rendering, and the one transaction that
 *    writes reminder_log + mail_outbox. Target ≤ 5 s.
 * 2. Delivery: M mails (default 10,000) drained from the outbox to a local smtp-server sink, compared
 *    with a raw pooled nodemailer loop sending the same messages to the same sink. Target ≥ 0.7×.
 *
 * PGlite by default; DATABASE_URL=postgres://… runs on a server in schema bench_reminders (dropped after).
 */
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, type Database } from '../src/db/client';
import { courses, mailOutbox, orgUnits, requirements, unitLeaders, users } from '../src/db/schema';
import { addDays } from '../src/lib/dates';
import { recomputeUnitPaths } from '../src/modules/org/org.repo';
import { insertOutboxMails } from '../src/modules/mail/mail.repo';
import { drainOutbox } from '../src/modules/mail/sender';
import { createSmtpTransport } from '../src/modules/mail/transport';
import { findSchedule, insertSchedule } from '../src/modules/reminders/reminders.repo';
import { enqueuePlan, planSchedule } from '../src/modules/reminders/reminders.service';
import { scheduleOptionsSchema } from '../src/modules/reminders/reminders.schema';
import { printTable, writeResults } from './lib/results';

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
    options: { employees: { type: 'string', default: '50000' }, mails: { type: 'string', default: '10000' } },
    strict: true,
  });
  const employeeCount = Number(values.employees);
  const mailCount = Number(values.mails);
  const url = process.env.DATABASE_URL;
  const schema = 'bench_reminders';
  const database = await openDatabase(
    url ? { dataDir: '', databaseUrl: url, schema } : { dataDir: 'memory://' },
  );
  try {
    if (url) {
      await database.db.execute(sql.raw(`drop schema if exists ${schema} cascade`));
      await database.close();
    }
    const db0 = url ? await openDatabase({ dataDir: '', databaseUrl: url, schema }) : database;
    try {
      await measure(db0, employeeCount, mailCount);
    } finally {
      if (url) {
        await db0.db.execute(sql.raw(`drop schema if exists ${schema} cascade`));
        await db0.close();
      }
    }
  } finally {
    if (!url) await database.close();
  }
}

async function measure(database: Database, employeeCount: number, mailCount: number): Promise<void> {
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
  const t1 = performance.now();
  const { plan, result } = await db.transaction(async (tx) => {
    const p = await planSchedule(tx, schedule, AS_OF, env);
    const tPlan = performance.now();
    const r = await enqueuePlan(tx, p);
    return { plan: { mails: p.mails.length, ms: tPlan - t1 }, result: r };
  });
  const runMs = performance.now() - t1;
  const byKind: Record<string, number> = {};
  for (const item of result.items) byKind[item.kind] = (byKind[item.kind] ?? 0) + 1;

  const t2 = performance.now();
  const second = await db.transaction(async (tx) =>
    enqueuePlan(tx, await planSchedule(tx, schedule, AS_OF, env)),
  );
  const secondMs = performance.now() - t2;

  // Delivery: exactly mailCount pending mails (the run's own, topped up with rendered copies).
  const existing = await db.select().from(mailOutbox).limit(mailCount);
  await db.delete(mailOutbox);
  const template = existing[0]!;
  await chunked(
    Array.from({ length: mailCount }, (_, i) => existing[i] ?? { ...template, idempotencyKey: `bench|${i}` }),
    1000,
    (chunk) =>
      insertOutboxMails(
        db,
        chunk.map((m, i) => ({
          idempotencyKey: m.idempotencyKey,
          kind: m.kind,
          toAddress: m.toAddress,
          toName: m.toName,
          subject: m.subject,
          bodyText: m.bodyText,
          bodyHtml: m.bodyHtml,
          employeeId: null,
          recipientUserId: null,
          scheduleId: null,
          nextAttemptAt: new Date(Date.now() - 1000 - i),
        })),
      ),
  );
  const messages = await db.select().from(mailOutbox);

  const sink = await startSink();
  const smtpUrl = `smtp://127.0.0.1:${sink.port}`;
  // Raw: a pooled nodemailer transport, CONNECTIONS sends in flight, no database.
  const raw = nodemailer.createTransport(`${smtpUrl}?pool=true&maxConnections=${CONNECTIONS}`);
  const t3 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < messages.length) {
        const m = messages[next++]!;
        await raw.sendMail({
          from: FROM,
          to: { name: m.toName ?? '', address: m.toAddress },
          subject: m.subject,
          text: m.bodyText,
          html: m.bodyHtml ?? undefined,
        });
      }
    }),
  );
  const rawMs = performance.now() - t3;
  raw.close();

  const transport = createSmtpTransport(smtpUrl, { maxConnections: CONNECTIONS });
  const t4 = performance.now();
  const drained = await drainOutbox(db, transport, {
    from: FROM,
    ratePerSecond: 1_000_000,
    concurrency: CONNECTIONS,
    batchSize: 200,
  });
  const outboxMs = performance.now() - t4;
  await transport.close();
  const receivedTotal = sink.received();
  await sink.close();

  const rawRate = (messages.length / rawMs) * 1000;
  const outboxRate = (drained.sent / outboxMs) * 1000;
  const results = {
    database: database.description,
    employees: employeeCount,
    units: seeded.units,
    leaders: seeded.leaders,
    completions: seeded.completions,
    seedMs: Math.round(seedMs),
    evaluateAndEnqueue: {
      ms: Math.round(runMs),
      planMs: Math.round(plan.ms),
      mailsEnqueued: result.enqueued,
      byKind,
      targetMs: 5000,
      met: runMs <= 5000,
    },
    secondRunSameDay: { ms: Math.round(secondMs), enqueued: second.enqueued },
    delivery: {
      mails: messages.length,
      connections: CONNECTIONS,
      rawNodemailerMs: Math.round(rawMs),
      rawPerSecond: Math.round(rawRate),
      outboxMs: Math.round(outboxMs),
      outboxPerSecond: Math.round(outboxRate),
      outboxSent: drained.sent,
      sinkReceived: receivedTotal,
      ratio: Number((outboxRate / rawRate).toFixed(2)),
      targetRatio: 0.7,
      met: outboxRate / rawRate >= 0.7,
    },
  };
  printTable([
    { måling: 'fylle database', verdi: `${results.seedMs} ms` },
    {
      måling: `vurdere + legge i kø (${employeeCount} ansatte)`,
      verdi: `${results.evaluateAndEnqueue.ms} ms (${result.enqueued} e-poster; mål ≤ 5000 ms)`,
    },
    { måling: 'herav planlegging', verdi: `${results.evaluateAndEnqueue.planMs} ms` },
    { måling: 'samme dag på nytt', verdi: `${results.secondRunSameDay.ms} ms (${second.enqueued} nye)` },
    {
      måling: `rå nodemailer (${messages.length})`,
      verdi: `${results.delivery.rawNodemailerMs} ms (${results.delivery.rawPerSecond}/s)`,
    },
    {
      måling: `utboks (${messages.length})`,
      verdi: `${results.delivery.outboxMs} ms (${results.delivery.outboxPerSecond}/s)`,
    },
    { måling: 'forhold utboks/rå', verdi: `${results.delivery.ratio} (mål ≥ 0.7)` },
  ]);
  const file = writeResults('reminders', database.kind, results);
  console.log(`Resultater skrevet til ${file}`);
}
