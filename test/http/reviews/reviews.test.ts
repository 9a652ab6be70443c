import { count, eq } from 'drizzle-orm';
import { reviewTopics, unitReviews } from '../../../src/db/schema';
import { findUnitById } from '../../../src/modules/org/org.repo';
import {
  BUILTIN_REVIEW_TOPICS,
  buildReviewYear,
  ensureBuiltinTopics,
  listUnitsMissingReview,
} from '../../../src/modules/reviews/reviews.service';
import { createTestApp, csrfFrom, loginAs, type TestApp } from '../../support/app';
import { createUnit, createUser, TEST_PASSWORD } from '../../support/factories';

jest.setTimeout(120_000);

describe('yearly unit reviews (årshjul)', () => {
  let t: TestApp;
  let units: Record<'kommune' | 'sektor' | 'skole' | 'sfo' | 'barnehage', { id: number; path: string }>;
  let leaderEmail: string;
  let hrEmail: string;

  beforeAll(async () => {
    t = await createTestApp({ now: new Date('2026-11-22T10:00:00+01:00') });
    const db = t.database.db;
    const kommune = await createUnit(db, { code: 'K', name: 'Kommunen', kind: 'kommune' });
    const sektor = await createUnit(db, {
      code: 'S',
      name: 'Oppvekst',
      parentId: kommune.id,
      kind: 'sektor',
    });
    const skole = await createUnit(db, { code: 'SK', name: 'Bakken skole', parentId: sektor.id });
    const sfo = await createUnit(db, {
      code: 'SFO',
      name: 'Bakken SFO',
      parentId: skole.id,
      kind: 'avdeling',
    });
    const barnehage = await createUnit(db, { code: 'BH', name: 'Lia barnehage', parentId: sektor.id });
    const reload = async (id: number) => (await findUnitById(db, id))!;
    units = {
      kommune: await reload(kommune.id),
      sektor: await reload(sektor.id),
      skole: await reload(skole.id),
      sfo: await reload(sfo.id),
      barnehage: await reload(barnehage.id),
    };
    leaderEmail = (await createUser(db, { leads: [skole.id] })).email;
    hrEmail = (await createUser(db, { isAdmin: true })).email;
  });
  afterAll(() => t.close());

  async function topicIds() {
    await ensureBuiltinTopics(t.database.db);
    return (await t.database.db.select({ id: reviewTopics.id }).from(reviewTopics)).map((r) => r.id);
  }

  test('when topics are first needed, then the two built-in topics exist once, even when asked for in parallel', async () => {
    await Promise.all([ensureBuiltinTopics(t.database.db), ensureBuiltinTopics(t.database.db)]);
    await ensureBuiltinTopics(t.database.db);
    const topics = await t.database.db.select().from(reviewTopics);
    expect(topics.map((x) => x.title).sort()).toEqual([...BUILTIN_REVIEW_TOPICS].sort());
    expect(topics.every((x) => x.builtin && x.timesPerYear === 1 && x.active)).toBe(true);
  });

  test('when a leader records a review for a unit below their own, then it is saved and the unit is no longer missing', async () => {
    const [first] = await topicIds();
    const agent = await loginAs(t.app, leaderEmail, TEST_PASSWORD);
    const page = await agent.get('/leder/gjennomganger').expect(200);
    expect(page.text).toContain('Bakken SFO');
    expect(page.text).not.toContain('Lia barnehage');
    const res = await agent
      .post('/leder/gjennomganger')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        unitId: units.sfo.id,
        topicId: first,
        reviewedOn: '2026-09-15',
        participants: '9',
        note: 'Personalmøte',
      })
      .expect(303);
    expect(res.headers.location).toBe('/leder/gjennomganger?ar=2026&lagret=1');
    const saved = await t.database.db.select().from(unitReviews).where(eq(unitReviews.unitId, units.sfo.id));
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ reviewedOn: '2026-09-15', participants: 9, note: 'Personalmøte' });
    const missing = await listUnitsMissingReview(
      t.database.db,
      { kind: 'units', rootUnitIds: [units.skole.id], paths: [units.skole.path] },
      2026,
    );
    expect(missing.map((m) => `${m.unit.code}:${m.topic.id}`).sort()).toEqual(
      [`SK:${first}`, `SK:${(await topicIds())[1]}`, `SFO:${(await topicIds())[1]}`].sort(),
    );
    const after = await agent.get('/leder/gjennomganger?ar=2026&lagret=1').expect(200);
    expect(after.text).toContain('Gjennomgangen er registrert.');
  });

  test('when a leader records a review for a unit outside their units, then it is refused with 403 and nothing is saved', async () => {
    const [first] = await topicIds();
    const agent = await loginAs(t.app, leaderEmail, TEST_PASSWORD);
    const page = await agent.get('/leder/gjennomganger').expect(200);
    const [before] = await t.database.db.select({ n: count() }).from(unitReviews);
    for (const unitId of [units.barnehage.id, units.sektor.id]) {
      await agent
        .post('/leder/gjennomganger')
        .type('form')
        .send({
          _csrf: csrfFrom(page.text),
          unitId,
          topicId: first,
          reviewedOn: '2026-09-15',
          participants: '5',
        })
        .expect(403);
    }
    const [after] = await t.database.db.select({ n: count() }).from(unitReviews);
    expect(after!.n).toBe(before!.n);
  });

  test('when the form has bad values, then the page explains each in bokmål and nothing is saved', async () => {
    const [first] = await topicIds();
    const agent = await loginAs(t.app, leaderEmail, TEST_PASSWORD);
    const page = await agent.get('/leder/gjennomganger').expect(200);
    const [before] = await t.database.db.select({ n: count() }).from(unitReviews);
    const bad = await agent
      .post('/leder/gjennomganger')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        unitId: units.skole.id,
        topicId: first,
        reviewedOn: '31.02.2026',
        participants: '0',
      })
      .expect(400);
    expect(bad.text).toContain('Datoen må være en gyldig dato');
    expect(bad.text).toContain('Antall deltakere må være minst 1.');
    const future = await agent
      .post('/leder/gjennomganger')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        unitId: units.skole.id,
        topicId: first,
        reviewedOn: '2026-12-01',
        participants: '4',
      })
      .expect(400);
    expect(future.text).toContain('Datoen kan ikke være fram i tid.');
    const [after] = await t.database.db.select({ n: count() }).from(unitReviews);
    expect(after!.n).toBe(before!.n);
  });

  test('when a leader records a review dated before 2000, then the date field says so in bokmål and nothing is saved', async () => {
    const [first] = await topicIds();
    const agent = await loginAs(t.app, leaderEmail, TEST_PASSWORD);
    const page = await agent.get('/leder/gjennomganger').expect(200);
    expect(page.text).toMatch(/id="reviewedOn" name="reviewedOn" required min="2000-01-01"/);
    const [before] = await t.database.db.select({ n: count() }).from(unitReviews);
    for (const reviewedOn of ['01.01.1901', '1999-12-31']) {
      const res = await agent
        .post('/leder/gjennomganger')
        .type('form')
        .send({
          _csrf: csrfFrom(page.text),
          unitId: units.sfo.id,
          topicId: first,
          reviewedOn,
          participants: '3',
        })
        .expect(400);
      expect(res.text).toContain(
        '<p class="ds-validation-message" data-color="danger" id="reviewedOn-feil">Datoen kan ikke være før 01.01.2000.</p>',
      );
      expect(res.text).toMatch(/id="reviewedOn"[^>]*aria-invalid="true"/);
    }
    const [after] = await t.database.db.select({ n: count() }).from(unitReviews);
    expect(after!.n).toBe(before!.n);
    // The earliest date the form takes is a year the page can show.
    await agent.get('/leder/gjennomganger?ar=2000').expect(200);
  });

  test('when HR saves a topic with an empty title and 0 times a year, then that topic’s form marks both fields and keeps what was typed', async () => {
    const [first, second] = await topicIds();
    const [stored] = await t.database.db.select().from(reviewTopics).where(eq(reviewTopics.id, first!));
    const hr = await loginAs(t.app, hrEmail, TEST_PASSWORD);
    const page = await hr.get('/admin/gjennomganger/temaer').expect(200);
    const res = await hr
      .post(`/admin/gjennomganger/temaer/${first}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), title: '', timesPerYear: '0' })
      .expect(400);
    const formOf = (id: number) => {
      const start = res.text.indexOf(`id="tema-${id}"`);
      return res.text.slice(start, res.text.indexOf('</form>', start));
    };
    const edited = formOf(first!);
    expect(res.text).toContain(`Endringen av temaet «${stored!.title}» er ikke lagret.`);
    expect(edited).toMatch(
      /id="title-\d+" name="title" required value="" aria-invalid="true" aria-describedby="title-\d+-feil"/,
    );
    expect(edited).toContain(`id="title-${first}-feil">Temaet må ha minst 3 tegn.</p>`);
    expect(edited).toMatch(/name="timesPerYear" required value="0" aria-invalid="true"/);
    expect(edited).toContain(`id="times-${first}-feil">Antall ganger i året må være minst 1.</p>`);
    expect(edited).not.toMatch(/name="active" value="on"\s+checked/);
    // The other topic and the new-topic form are untouched.
    expect(formOf(second!)).not.toContain('aria-invalid');
    const newForm = res.text.slice(res.text.indexOf('id="nytt-tema"'));
    expect(newForm).not.toContain('aria-invalid');
    expect(newForm).toContain('id="timesPerYear" name="timesPerYear" required value="1"');
    const [after] = await t.database.db.select().from(reviewTopics).where(eq(reviewTopics.id, first!));
    expect(after).toEqual(stored);
  });

  test('when HR adds a topic that is due twice a year, then leaders see it and a unit needs two reviews of it', async () => {
    const hr = await loginAs(t.app, hrEmail, TEST_PASSWORD);
    const page = await hr.get('/admin/gjennomganger/temaer').expect(200);
    expect(page.text).toContain('Meldeplikt og opplysningsplikt gjennomgått');
    const empty = await hr
      .post('/admin/gjennomganger/temaer')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), title: '', timesPerYear: '1' })
      .expect(400);
    expect(empty.text).toContain('Temaet må ha minst 3 tegn.');
    await hr
      .post('/admin/gjennomganger/temaer')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), title: 'Taushetsplikt i praksis', timesPerYear: '2' })
      .expect(303);
    const [topic] = await t.database.db
      .select()
      .from(reviewTopics)
      .where(eq(reviewTopics.title, 'Taushetsplikt i praksis'));
    expect(topic).toMatchObject({ timesPerYear: 2, active: true, builtin: false });
    const scope = { kind: 'units' as const, rootUnitIds: [units.sfo.id], paths: [units.sfo.path] };
    await t.database.db.insert(unitReviews).values({
      unitId: units.sfo.id,
      topicId: topic!.id,
      reviewedOn: '2026-02-01',
      participants: 5,
    });
    const missing = await listUnitsMissingReview(t.database.db, scope, 2026);
    expect(missing.find((m) => m.topic.id === topic!.id)).toMatchObject({ done: 1, required: 2 });

    // Deactivated: no longer required.
    const again = await hr.get('/admin/gjennomganger/temaer').expect(200);
    await hr
      .post(`/admin/gjennomganger/temaer/${topic!.id}`)
      .type('form')
      .send({ _csrf: csrfFrom(again.text), title: 'Taushetsplikt i praksis', timesPerYear: '2' })
      .expect(303);
    expect(
      (await listUnitsMissingReview(t.database.db, scope, 2026)).some((m) => m.topic.id === topic!.id),
    ).toBe(false);
  });

  test('when HR reads where leaders register reviews, then the page names the menu item leaders have', async () => {
    const hr = await loginAs(t.app, hrEmail, TEST_PASSWORD);
    const overview = await hr.get('/admin/gjennomganger').expect(200);
    const item = /registrerer gjennomgangene under «([^»]+)» i menyen/.exec(overview.text)?.[1];
    expect(item).toBe('Årlige gjennomganger');
    const leader = await loginAs(t.app, leaderEmail, TEST_PASSWORD);
    const menu = (await leader.get('/leder').expect(200)).text;
    expect(menu).toMatch(new RegExp(`href="/leder/gjennomganger"[^>]*>${item}</a>`));
  });

  test('when HR opens the overview, then every reviewed unit is listed and sectors are not; leaders cannot open it', async () => {
    const hr = await loginAs(t.app, hrEmail, TEST_PASSWORD);
    const page = await hr.get('/admin/gjennomganger?ar=2026').expect(200);
    expect(page.text).toContain('Enheter uten årets gjennomgang (2026)');
    for (const name of ['Bakken skole', 'Bakken SFO', 'Lia barnehage']) expect(page.text).toContain(name);
    expect(page.text).not.toMatch(/<th scope="row">Oppvekst<\/th>/);
    expect(page.text).toMatch(/<strong>0<\/strong> av <strong>3<\/strong> enheter/);
    const leader = await loginAs(t.app, leaderEmail, TEST_PASSWORD);
    await leader.get('/admin/gjennomganger').expect(403);
    await leader.get('/admin/gjennomganger/temaer').expect(403);
    await hr.get('/admin/gjennomganger?ar=tjue').expect(400);
  });

  test('when a leader opens the dashboard, then it lists only their units still missing this year’s review', async () => {
    const agent = await loginAs(t.app, leaderEmail, TEST_PASSWORD);
    const page = await agent.get('/leder').expect(200);
    const section = /<section class="kv-reviews-missing"[\s\S]*?<\/section>/.exec(page.text)?.[0] ?? '';
    expect(section).toContain('Enheter uten årets gjennomgang (2026)');
    expect(section).toContain('Bakken skole');
    expect(section).not.toContain('Lia barnehage');
    expect(section).toContain('href="/leder/gjennomganger"');
    const hr = await loginAs(t.app, hrEmail, TEST_PASSWORD);
    const admin = await hr.get('/admin').expect(200);
    expect(admin.text).toContain('Lia barnehage');
    expect(admin.text).toContain('href="/admin/gjennomganger"');
  });

  test('when the missing reviews are counted in one query, then they are what the year’s review statuses say, for every scope, year and topic', async () => {
    const db = t.database.db;
    const [first, second] = await topicIds();
    const [twice] = await db
      .insert(reviewTopics)
      .values({ title: 'Samtale om bekymring', timesPerYear: 2 })
      .returning({ id: reviewTopics.id });
    const [inactive] = await db
      .insert(reviewTopics)
      .values({ title: 'Gammelt tema', timesPerYear: 1, active: false })
      .returning({ id: reviewTopics.id });
    const review = (unitId: number, topicId: number, reviewedOn: string) => ({
      unitId,
      topicId,
      reviewedOn,
      participants: 4,
    });
    await db
      .insert(unitReviews)
      .values([
        review(units.barnehage.id, first!, '2025-12-31'),
        review(units.barnehage.id, first!, '2027-01-01'),
        review(units.barnehage.id, second!, '2026-01-01'),
        review(units.skole.id, twice!.id, '2026-03-01'),
        review(units.skole.id, twice!.id, '2026-12-31'),
        review(units.skole.id, inactive!.id, '2026-05-01'),
        review(units.sfo.id, twice!.id, '2026-06-01'),
        review(units.sektor.id, first!, '2026-06-01'),
      ]);
    const scopes = [
      { kind: 'all' as const },
      { kind: 'units' as const, rootUnitIds: [units.skole.id], paths: [units.skole.path] },
      {
        kind: 'units' as const,
        rootUnitIds: [units.sfo.id, units.barnehage.id],
        paths: [units.sfo.path, units.barnehage.path],
      },
      { kind: 'units' as const, rootUnitIds: [units.sektor.id], paths: [units.sektor.path] },
    ];
    for (const scope of scopes) {
      for (const year of [2025, 2026, 2027]) {
        const statuses = await buildReviewYear(db, scope, year);
        const expected = statuses.units.flatMap((u) =>
          u.topics
            .filter((x) => x.done < x.required)
            .map((x) => ({
              unit: { id: u.unit.id, code: u.unit.code, name: u.unit.name, path: u.unit.path },
              topic: { id: x.topic.id, title: x.topic.title },
              done: x.done,
              required: x.required,
            })),
        );
        expect(await listUnitsMissingReview(db, scope, year)).toEqual(expected);
      }
    }
    // The cases above are all there: a unit needing a second review, a unit done with a topic.
    const missing2026 = await listUnitsMissingReview(db, { kind: 'all' }, 2026);
    const twiceMissing = missing2026
      .filter((m) => m.topic.id === twice!.id)
      .map((m) => [m.unit.code, m.done]);
    expect(twiceMissing.sort()).toEqual([
      ['BH', 0],
      ['SFO', 1],
    ]);
    expect(missing2026.some((m) => m.unit.code === 'BH' && m.topic.id === second)).toBe(false);
    expect(missing2026.some((m) => m.topic.id === inactive!.id)).toBe(false);
    expect(missing2026.some((m) => m.unit.code === 'S')).toBe(false);
  });
});
