import { promises as fs } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import request from 'supertest';
import { completions, scormCommits } from '../../../src/db/schema';
import { signLaunchToken, verifyLaunchToken } from '../../../src/modules/scorm/launch-token';
import { scorm12Zip } from '../../fixtures/scorm/packages';
import { createTestApp, loginAs, type TestApp } from '../../support/app';
import {
  createCourseWithRequirement,
  createEmployee,
  createUnit,
  createUser,
  TEST_PASSWORD,
} from '../../support/factories';
import {
  attemptIdOf,
  installPackage,
  makeDataDir,
  readAttempt,
  readCommitLog,
  sequenceBaseOf,
  tokenFromLaunchPage,
} from './scorm-fixture';

jest.setTimeout(120_000);

type Agent = Awaited<ReturnType<typeof loginAs>>;

describe('SCORM commits from the player', () => {
  let t: TestApp;
  let dataDir: string;
  let learner: Agent;
  let other: Agent;
  const ids: Record<string, number> = {};
  const now = new Date('2026-11-22T10:00:00+01:00');

  beforeAll(async () => {
    dataDir = await makeDataDir();
    t = await createTestApp({ now, env: { DATA_DIR: dataDir } });
    const db = t.database.db;
    const unit = await createUnit(db, { name: 'Brannstasjonen' });
    const anna = await createEmployee(db, { unitId: unit.id, firstName: 'Anna', lastName: 'Ask' });
    const bjorn = await createEmployee(db, { unitId: unit.id, firstName: 'Bjørn', lastName: 'Bø' });
    await createUser(db, { email: 'anna@test.no', employeeId: anna.id });
    await createUser(db, { email: 'bjorn@test.no', employeeId: bjorn.id });
    await createUser(db, { email: 'hr@test.no', isAdmin: true });
    ids.anna = anna.id;
    for (const slug of ['brannvern', 'rutiner', 'tidsbruk', 'storrelse']) {
      const { course } = await createCourseWithRequirement(db, { slug, firstDeadline: '2027-06-30' });
      ids[slug] = course.id;
      await installPackage(db, dataDir, slug, await scorm12Zip());
    }
    // Renewed every month and "due soon" 60 days ahead: a fresh completion is due for renewal at once.
    const { course: renewal } = await createCourseWithRequirement(db, {
      slug: 'fornyelse',
      firstDeadline: '2023-12-31',
      renewalMode: 'rolling',
      renewalMonths: 1,
      dueSoonDays: 60,
    });
    ids.fornyelse = renewal.id;
    await createCourseWithRequirement(db, { slug: 'uten-pakke', firstDeadline: '2027-06-30' });
    await installPackage(db, dataDir, 'fornyelse', await scorm12Zip());
    learner = await loginAs(t.app, 'anna@test.no', TEST_PASSWORD);
    other = await loginAs(t.app, 'bjorn@test.no', TEST_PASSWORD);
  });
  afterAll(async () => {
    await t?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  async function launch(agent: Agent, slug: string) {
    const page = await agent.get(`/kurs/${slug}/start`).expect(200);
    const token = tokenFromLaunchPage(page.text);
    return { token, base: sequenceBaseOf(token), attemptId: attemptIdOf(token), html: page.text };
  }

  function cmi12(core: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return { core: { lesson_status: 'incomplete', exit: '', session_time: '00:00:00', ...core }, ...extra };
  }

  /** The player action on a course's card in Mine kurs: "entry: label", or null without one. */
  function playerActionOn(html: string, slug: string): string | null {
    const card = html.split('<li class="ds-card kv-course">').find((c) => c.includes(`href="/kurs/${slug}"`));
    if (!card) throw new Error(`no card for ${slug}`);
    const match = new RegExp(`data-player-entry="(\\w+)" href="/kurs/${slug}/start">([^<]+)<`).exec(card);
    return match ? `${match[1]}: ${match[2]}` : null;
  }

  function commit(token: string, body: unknown, type = 'application/json') {
    return request(t.app)
      .post(`/api/scorm/commit/${token}`)
      .set('Origin', t.config.contentBaseUrl)
      .set('Content-Type', type)
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  }

  test('when an employee starts a course, then the launch page frames the player on the content origin with a signed token', async () => {
    const { html, token } = await launch(learner, 'brannvern');
    expect(html).toContain(`src="${t.config.contentBaseUrl}/spiller/`);
    expect(html).toContain('/static/js/player-launch.js');
    const decoded = verifyLaunchToken(t.config.sessionSecret, token, now);
    expect(decoded.m).toBe('normal');
    expect(decoded.e * 1000).toBeGreaterThan(now.getTime());
  });

  test('when commits arrive in order, repeated and out of order, then only newer ones apply and each is logged', async () => {
    const { token, base, attemptId } = await launch(learner, 'rutiner');
    const first = await commit(token, {
      sequence: base + 1,
      cmi: cmi12({ lesson_location: 'side-1' }),
    }).expect(200);
    expect(first.body).toMatchObject({ result: true, errorCode: 0, outcome: 'applied' });
    await commit(token, { sequence: base + 3, cmi: cmi12({ lesson_location: 'side-3' }) }).expect(200);
    const stale = await commit(token, { sequence: base + 2, cmi: cmi12({ lesson_location: 'side-2' }) });
    expect(stale.body.outcome).toBe('stale');
    const repeat = await commit(token, { sequence: base + 3, cmi: cmi12({ lesson_location: 'endret' }) });
    expect(repeat.body.outcome).toBe('duplicate');

    const attempt = await readAttempt(t.database.db, attemptId);
    expect((attempt.cmi as { core: { lesson_location: string } }).core.lesson_location).toBe('side-3');
    expect(attempt.lastSequence).toBe(base + 3);
    expect(await readCommitLog(t.database.db, attemptId)).toEqual([
      { sequence: base + 1, outcome: 'applied' },
      { sequence: base + 3, outcome: 'applied' },
      { sequence: base + 2, outcome: 'stale' },
      { sequence: base + 3, outcome: 'duplicate' },
    ]);
  });

  test('when the final commit arrives as a text/plain beacon, then it is applied like JSON', async () => {
    const { token, base, attemptId } = await launch(learner, 'rutiner');
    const res = await commit(
      token,
      JSON.stringify({
        sequence: base + 1,
        final: true,
        cmi: cmi12({ exit: 'suspend', lesson_location: 'b' }),
      }),
      'text/plain;charset=UTF-8',
    ).expect(200);
    expect(res.body.outcome).toBe('applied');
    const attempt = await readAttempt(t.database.db, attemptId);
    expect((attempt.cmi as { core: { exit: string } }).core.exit).toBe('suspend');
    expect(attempt.state).toBe('open');
  });

  test('when a commit from an earlier launch arrives after a relaunch, then it is stale and does not overwrite', async () => {
    const old = await launch(learner, 'rutiner');
    await commit(old.token, {
      sequence: old.base + 1,
      cmi: cmi12({ lesson_location: 'gammel', exit: 'suspend' }),
    }).expect(200);
    const fresh = await launch(learner, 'rutiner');
    expect(fresh.attemptId).toBe(old.attemptId);
    expect(fresh.base).toBeGreaterThan(old.base + 1);
    await commit(fresh.token, { sequence: fresh.base + 1, cmi: cmi12({ lesson_location: 'ny' }) }).expect(
      200,
    );
    const late = await commit(old.token, { sequence: old.base + 7, cmi: cmi12({ lesson_location: 'sen' }) });
    expect(late.body.outcome).toBe('stale');
    const attempt = await readAttempt(t.database.db, fresh.attemptId);
    expect((attempt.cmi as { core: { lesson_location: string } }).core.lesson_location).toBe('ny');
  });

  test('when a body is larger than 256 KB, then it is refused with 413 and a bokmål message, and nothing is stored', async () => {
    const { token, base, attemptId } = await launch(learner, 'storrelse');
    const before = await readAttempt(t.database.db, attemptId);
    const res = await commit(token, {
      sequence: base + 1,
      cmi: cmi12({}, { suspend_data: 'x'.repeat(257 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ result: false, error: 'too_large' });
    expect(res.body.message).toBe('Dataene fra kurset er for store (over 256 KB) og ble ikke lagret.');
    const after = await readAttempt(t.database.db, attemptId);
    expect(after.lastSequence).toBe(before.lastSequence);
    expect(await readCommitLog(t.database.db, attemptId)).toEqual([]);
  });

  test('when suspend_data, interactions and objectives are large, then the whole CMI is stored untruncated', async () => {
    const { token, base, attemptId } = await launch(learner, 'storrelse');
    const suspend = 'abc123'.repeat(30_000); // 180 KB
    const interactions = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [
        String(i),
        { id: `q${i}`, type: 'choice', student_response: 'a', result: 'correct' },
      ]),
    );
    const objectives = { '0': { id: 'mål-1', status: 'passed', score: { raw: '90' } } };
    await commit(token, {
      sequence: base + 1,
      cmi: cmi12({}, { suspend_data: suspend, interactions, objectives }),
    }).expect(200);
    const attempt = await readAttempt(t.database.db, attemptId);
    const saved = attempt.cmi as { suspend_data: string; interactions: object; objectives: object };
    expect(saved.suspend_data).toHaveLength(suspend.length);
    expect(saved.suspend_data).toBe(suspend);
    expect(saved.interactions).toEqual(interactions);
    expect(saved.objectives).toEqual(objectives);

    // The history keeps the commit without its bulky parts, and the diagnostics page says so.
    const [logged] = await t.database.db
      .select()
      .from(scormCommits)
      .where(eq(scormCommits.attemptId, attemptId));
    expect(logged!.body).toMatchObject({
      sequence: base + 1,
      omitted: { suspend_data: suspend.length, interactions: 40 },
      cmi: { objectives, core: { lesson_status: 'incomplete' } },
    });
    const hr = await loginAs(t.app, 'hr@test.no', TEST_PASSWORD);
    const page = await hr.get(`/admin/scorm/forsok/${attemptId}`).expect(200);
    expect(page.text).toContain('Ikke tatt med her: suspend_data (180000 tegn) og svar på 40 spørsmål');
  });

  test('when the client sends read-only fields, then the server keeps its own values', async () => {
    const { token, base, attemptId } = await launch(learner, 'rutiner');
    await commit(token, {
      sequence: base + 1,
      cmi: {
        core: {
          student_id: 'hacker',
          student_name: 'Noen, Andre',
          credit: 'no-credit',
          lesson_mode: 'review',
          entry: 'resume',
          total_time: '99:00:00',
          lesson_status: 'incomplete',
          session_time: '00:00:10',
        },
        student_data: { mastery_score: '0' },
        launch_data: 'endret',
      },
    }).expect(200);
    const saved = (await readAttempt(t.database.db, attemptId)).cmi as {
      core: Record<string, string>;
      student_data: Record<string, string>;
      launch_data: string;
    };
    expect(saved.core.student_id).not.toBe('hacker');
    expect(saved.core.student_name).toBe('Ask, Anna');
    expect(saved.core.credit).toBe('credit');
    expect(saved.core.lesson_mode).toBe('normal');
    expect(saved.core.total_time).not.toBe('99:00:00');
    expect(saved.student_data.mastery_score).toBe('80');
    expect(saved.launch_data).toBe('start=1');
  });

  test('when session_time is committed several times per launch and over two launches, then total_time adds each launch once', async () => {
    const s1 = await launch(learner, 'tidsbruk');
    await commit(s1.token, {
      sequence: s1.base + 1,
      cmi: cmi12({ session_time: '00:01:00', exit: 'suspend' }),
    }).expect(200);
    await commit(s1.token, {
      sequence: s1.base + 2,
      cmi: cmi12({ session_time: '00:02:00', exit: 'suspend' }),
    }).expect(200);
    await commit(s1.token, {
      sequence: s1.base + 2,
      cmi: cmi12({ session_time: '00:02:00', exit: 'suspend' }),
    }).expect(200);
    expect((await readAttempt(t.database.db, s1.attemptId)).totalTimeSeconds).toBe(120);

    const s2 = await launch(learner, 'tidsbruk');
    await commit(s2.token, { sequence: s2.base + 1, cmi: cmi12({ session_time: '00:00:30' }) }).expect(200);
    await commit(s2.token, {
      sequence: s2.base + 2,
      final: true,
      cmi: cmi12({ session_time: '00:00:45' }),
    }).expect(200);
    const attempt = await readAttempt(t.database.db, s2.attemptId);
    expect(attempt.totalTimeSeconds).toBe(165);
    expect((attempt.cmi as { core: { total_time: string } }).core.total_time).toBe('00:02:45');
  });

  test('when the token has expired, then the commit is refused with 401', async () => {
    const { token, base } = await launch(learner, 'rutiner');
    const decoded = verifyLaunchToken(t.config.sessionSecret, token, now);
    const expired = signLaunchToken(t.config.sessionSecret, {
      ...decoded,
      e: Math.floor(now.getTime() / 1000) - 1,
    });
    const res = await commit(expired, { sequence: base + 1, cmi: cmi12({}) });
    expect(res.status).toBe(401);
    expect(res.body.message).toContain('Kursøkten er utløpt');
  });

  test('when the token is tampered with, then the commit is refused with 403', async () => {
    const { token, base, attemptId } = await launch(learner, 'rutiner');
    const payload = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...payload, a: attemptId + 1 })).toString('base64url')}.${token.split('.')[1]}`;
    const res = await commit(forged, { sequence: base + 1, cmi: cmi12({}) });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe('Lenken til kurset er ugyldig.');
    expect((await commit('ikke-et-token', { sequence: 1, cmi: {} })).status).toBe(403);
  });

  test("when a token names another user's attempt, then the commit is refused and the attempt is unchanged", async () => {
    const annas = await launch(learner, 'rutiner');
    const bjorns = await launch(other, 'rutiner');
    const decoded = verifyLaunchToken(t.config.sessionSecret, bjorns.token, now);
    const crossed = signLaunchToken(t.config.sessionSecret, { ...decoded, a: annas.attemptId });
    const before = await readAttempt(t.database.db, annas.attemptId);
    const res = await commit(crossed, { sequence: decoded.b + 1, cmi: cmi12({ lesson_location: 'bjørn' }) });
    expect(res.status).toBe(403);
    const after = await readAttempt(t.database.db, annas.attemptId);
    expect(after.cmi).toEqual(before.cmi);
    expect(after.lastSequence).toBe(before.lastSequence);
  });

  test('when a sequence is outside the launch range or the body is not JSON, then it is refused with 400', async () => {
    const { token, base } = await launch(learner, 'rutiner');
    expect((await commit(token, { sequence: base, cmi: {} })).status).toBe(400);
    expect((await commit(token, { sequence: base + 100_000, cmi: {} })).status).toBe(400);
    const bad = await commit(token, '{ikke json', 'text/plain');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('Dataene fra kurset kunne ikke leses.');
  });

  test('when the content origin asks for CORS, then only it is allowed', async () => {
    const { token, base } = await launch(learner, 'rutiner');
    const ok = await request(t.app)
      .options(`/api/scorm/commit/${token}`)
      .set('Origin', t.config.contentBaseUrl)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type')
      .expect(204);
    expect(ok.headers['access-control-allow-origin']).toBe(t.config.contentBaseUrl);
    expect(ok.headers['access-control-allow-headers']).toMatch(/content-type/i);
    const answer = await commit(token, {
      sequence: base + 100,
      cmi: cmi12({ lesson_location: 'side-1' }),
    }).expect(200);
    expect(answer.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    const evil = await request(t.app)
      .options(`/api/scorm/commit/${token}`)
      .set('Origin', 'https://ondsinnet.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('when the score reaches the mastery score, then exactly one completion is recorded and Mine kurs shows it at once', async () => {
    const before = await learner.get('/mine-kurs').expect(200);
    expect(before.text).not.toContain('Sist fullført');
    // Mine kurs opens the player directly: started earlier → resume; never started → start; no package → none.
    expect(playerActionOn(before.text, 'brannvern')).toBe('resume: Fortsett kurset');
    expect(playerActionOn(before.text, 'fornyelse')).toBe('start: Start kurset');
    expect(playerActionOn(before.text, 'uten-pakke')).toBeNull();
    expect(before.text).toContain('href="/kurs/uten-pakke">Om kurset');
    // The course's own page offers the same action as its card.
    const coursePage = await learner.get('/kurs/brannvern').expect(200);
    // It also shows her own status and due date for the course, as her card does.
    const card = before.text
      .split('<li class="ds-card kv-course">')
      .find((c) => c.includes('href="/kurs/brannvern"'))!;
    const dueOnCard = /Frist: <strong>([\d.]+)<\/strong>/.exec(card)![1];
    expect(coursePage.text).toMatch(
      new RegExp(
        `data-testid="min-status">[\\s\\S]*Frist: <strong>${dueOnCard!.replace(/\./g, '\\.')}</strong>`,
      ),
    );
    expect(coursePage.text).toMatch(
      /data-player-entry="resume" href="\/kurs\/brannvern\/start">Fortsett kurset</,
    );
    expect((await learner.get('/kurs/fornyelse').expect(200)).text).toMatch(
      /data-player-entry="start"[^>]*>Start kurset</,
    );
    const { token, base, attemptId } = await launch(learner, 'brannvern');
    // lesson_status "passed" with a score below the mastery score is not a pass: the server decides.
    const low = await commit(token, {
      sequence: base + 1,
      cmi: cmi12({ lesson_status: 'passed', score: { raw: '70' } }),
    });
    expect(low.body.completed).toBe(false);
    const pass = await commit(token, {
      sequence: base + 2,
      cmi: cmi12({ lesson_status: 'incomplete', score: { raw: '90' } }),
    });
    expect(pass.body.completed).toBe(true);
    await commit(token, {
      sequence: base + 3,
      final: true,
      cmi: cmi12({ lesson_status: 'passed', score: { raw: '95' } }),
    }).expect(200);
    await commit(token, {
      sequence: base + 3,
      final: true,
      cmi: cmi12({ lesson_status: 'passed', score: { raw: '95' } }),
    }).expect(200);

    const rows = await t.database.db
      .select()
      .from(completions)
      .where(and(eq(completions.employeeId, ids.anna!), eq(completions.courseId, ids.brannvern!)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'scorm', attemptId, completedOn: '2026-11-22' });
    expect(rows[0]!.courseVersionId).not.toBeNull();
    expect((await readAttempt(t.database.db, attemptId)).state).toBe('closed');

    const after = await learner.get('/mine-kurs').expect(200);
    expect(after.text).toContain('Sist fullført 22.11.2026');
    expect(playerActionOn(after.text, 'brannvern')).toBe('review: Se kurset igjen');
    expect((await learner.get('/kurs/brannvern').expect(200)).text).toMatch(
      /data-player-entry="review"[^>]*>Se kurset igjen</,
    );
  });

  test('when a completed course is started again and renewal is not due, then it opens in review mode and commits are refused', async () => {
    const { html, token, base } = await launch(learner, 'brannvern');
    expect(verifyLaunchToken(t.config.sessionSecret, token, now).m).toBe('review');
    expect(html).toContain('åpnes for gjennomsyn');
    const res = await commit(token, { sequence: base + 1, cmi: cmi12({}) });
    expect(res.status).toBe(409);
  });

  test('when the waiting endpoint is asked for a sequence the server has, then it answers saved', async () => {
    const { token, base } = await launch(learner, 'rutiner');
    await commit(token, { sequence: base + 1, cmi: cmi12({}) }).expect(200);
    const res = await request(t.app)
      .get(`/api/scorm/commit/${token}/vent?sekvens=${base + 1}`)
      .set('Origin', t.config.contentBaseUrl)
      .expect(200);
    expect(res.body).toEqual({ saved: true });
    expect(res.headers['access-control-allow-origin']).toBe(t.config.contentBaseUrl);
  });

  test('when a completed course is due for renewal, then starting it opens a new attempt in normal mode', async () => {
    const first = await launch(learner, 'fornyelse');
    const done = await commit(first.token, {
      sequence: first.base + 1,
      cmi: cmi12({ lesson_status: 'passed', score: { raw: '100' }, exit: 'suspend' }),
    }).expect(200);
    expect(done.body.completed).toBe(true);
    const mine = await learner.get('/mine-kurs').expect(200);
    expect(mine.text).toContain('Sist fullført 22.11.2026');
    // Due again at once: Mine kurs offers a new round, not a review.
    expect(playerActionOn(mine.text, 'fornyelse')).toBe('start: Start kurset');

    const again = await launch(learner, 'fornyelse');
    expect(verifyLaunchToken(t.config.sessionSecret, again.token, now).m).toBe('normal');
    expect(again.attemptId).not.toBe(first.attemptId);
    const fresh = await readAttempt(t.database.db, again.attemptId);
    expect(fresh.attemptNumber).toBe(2);
    expect((fresh.cmi as { core: { entry: string } }).core.entry).toBe('ab-initio');
    // The completed attempt that was left suspended is over.
    expect((await readAttempt(t.database.db, first.attemptId)).state).toBe('closed');
    // A late commit from the first launch finds it closed, although the server last saw it open.
    const late = await commit(first.token, {
      sequence: first.base + 2,
      cmi: cmi12({ lesson_location: 'sen', exit: 'suspend' }),
    }).expect(200);
    expect(late.body.outcome).toBe('stale');
    const closed = await readAttempt(t.database.db, first.attemptId);
    expect(closed.lastSequence).toBe(first.base + 1);
    expect((closed.cmi as { core: { lesson_location?: string } }).core.lesson_location).toBeUndefined();
  });

  test('when many commits of one attempt arrive at once, then the newest wins, each is logged once and one completion is recorded', async () => {
    const { token, base, attemptId } = await launch(other, 'tidsbruk');
    const sequences = Array.from({ length: 12 }, (_, i) => base + 1 + i).reverse();
    const results = await Promise.all(
      sequences.map((sequence) =>
        commit(token, {
          sequence,
          cmi: cmi12({ lesson_location: String(sequence), lesson_status: 'completed' }),
        }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const attempt = await readAttempt(t.database.db, attemptId);
    expect(attempt.lastSequence).toBe(base + 12);
    expect((attempt.cmi as { core: { lesson_location: string } }).core.lesson_location).toBe(
      String(base + 12),
    );
    const log = await readCommitLog(t.database.db, attemptId);
    expect(log).toHaveLength(12);
    expect(log.filter((l) => l.sequence === base + 12)).toEqual([
      { sequence: base + 12, outcome: 'applied' },
    ]);
    const rows = await t.database.db.select().from(completions).where(eq(completions.attemptId, attemptId));
    expect(rows).toHaveLength(1);
  });

  test('when commits of several learners arrive at once, then each attempt keeps its own newest CMI, every commit is logged once and a malformed one is refused alone', async () => {
    const unit = await createUnit(t.database.db, { name: 'Hjemmetjenesten' });
    const launches = [];
    for (const name of ['karin', 'lars', 'mia', 'nils']) {
      const employee = await createEmployee(t.database.db, { unitId: unit.id, firstName: name });
      await createUser(t.database.db, { email: `${name}@test.no`, employeeId: employee.id });
      const agent = await loginAs(t.app, `${name}@test.no`, TEST_PASSWORD);
      launches.push({ name, ...(await launch(agent, 'storrelse')) });
    }
    const requests = launches.flatMap(({ name, token, base }) =>
      [3, 1, 2].map((n) =>
        commit(token, { sequence: base + n, cmi: cmi12({ lesson_location: `${name}-${n}` }) }),
      ),
    );
    const bad = commit(launches[0]!.token, '{ikke json', 'text/plain');
    const results = await Promise.all([...requests, bad]);
    expect(results.slice(0, -1).every((r) => r.status === 200)).toBe(true);
    expect(results.at(-1)!.status).toBe(400);
    for (const { name, base, attemptId } of launches) {
      const attempt = await readAttempt(t.database.db, attemptId);
      expect(attempt.lastSequence).toBe(base + 3);
      expect((attempt.cmi as { core: { lesson_location: string } }).core.lesson_location).toBe(`${name}-3`);
      const log = await readCommitLog(t.database.db, attemptId);
      expect(log.map((l) => l.sequence).sort((a, b) => a - b)).toEqual([base + 1, base + 2, base + 3]);
      expect(log.filter((l) => l.outcome === 'applied').map((l) => l.sequence)).toContain(base + 3);
    }
  });
});
