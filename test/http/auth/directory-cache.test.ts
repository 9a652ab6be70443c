import { eq } from 'drizzle-orm';
import { orgUnits, reviewTopics, unitLeaders, unitReviews, users } from '../../../src/db/schema';
import { readDataVersion } from '../../../src/db/versions';
import { ensureBuiltinTopics } from '../../../src/modules/reviews/reviews.service';
import { createTestApp, loginAs, type TestApp } from '../../support/app';
import { createUnit, createUser, TEST_PASSWORD } from '../../support/factories';

jest.setTimeout(120_000);

/**
 * The logged-in user and the units missing a review are cached per directory version (decision
 * 0007). Each change here is written straight to the database, as another app process or the CLI
 * would write it, and the very next request must see it.
 */
describe('the directory version and the caches it keeps current', () => {
  let t: TestApp;
  let unit: { id: number };
  let leader: { id: number; email: string };
  let admin: { id: number; email: string };

  beforeAll(async () => {
    t = await createTestApp({ now: new Date('2026-11-22T10:00:00+01:00') });
    const db = t.database.db;
    unit = await createUnit(db, { code: 'SK', name: 'Bakken skole' });
    leader = await createUser(db, { leads: [unit.id] });
    admin = await createUser(db, { isAdmin: true });
  });
  afterAll(() => t.close());

  const directoryVersion = () => readDataVersion(t.database.db, 'directory');

  test('when a leader loses and regains their unit in the database, then the next request is refused and then allowed again', async () => {
    const db = t.database.db;
    const agent = await loginAs(t.app, leader.email, TEST_PASSWORD);
    expect((await agent.get('/leder').expect(200)).text).toContain('Bakken skole');
    await db.delete(unitLeaders).where(eq(unitLeaders.userId, leader.id));
    await agent.get('/leder').expect(403);
    await db.insert(unitLeaders).values({ unitId: unit.id, userId: leader.id });
    expect((await agent.get('/leder').expect(200)).text).toContain('Bakken skole');
  });

  test('when the unit is renamed in the database, then the next dashboard shows the new name', async () => {
    const db = t.database.db;
    const agent = await loginAs(t.app, leader.email, TEST_PASSWORD);
    await agent.get('/leder').expect(200);
    await db.update(orgUnits).set({ name: 'Bakken oppvekstsenter' }).where(eq(orgUnits.id, unit.id));
    const page = await agent.get('/leder').expect(200);
    expect(page.text).toContain('Bakken oppvekstsenter');
    expect(page.text).not.toContain('Bakken skole');
  });

  test('when an administrator loses the right or the account is disabled, then the next request knows it', async () => {
    const db = t.database.db;
    const agent = await loginAs(t.app, admin.email, TEST_PASSWORD);
    await agent.get('/admin').expect(200);
    await db.update(users).set({ isAdmin: false }).where(eq(users.id, admin.id));
    await agent.get('/admin').expect(403);
    await db.update(users).set({ isAdmin: true }).where(eq(users.id, admin.id));
    await agent.get('/admin').expect(200);
    await db.update(users).set({ disabled: true }).where(eq(users.id, admin.id));
    const res = await agent.get('/admin').expect(302);
    expect(res.headers.location).toMatch(/^\/logg-inn/);
    await db.update(users).set({ disabled: false }).where(eq(users.id, admin.id));
  });

  test('when a review is recorded in the database, then the next dashboard no longer lists the unit as missing it', async () => {
    const db = t.database.db;
    const agent = await loginAs(t.app, leader.email, TEST_PASSWORD);
    const missingSection = async () =>
      /<section class="kv-reviews-missing"[\s\S]*?<\/section>/.exec(
        (await agent.get('/leder').expect(200)).text,
      )?.[0] ?? '';
    expect(await missingSection()).toContain('Bakken');
    await ensureBuiltinTopics(db);
    for (const topic of await db.select({ id: reviewTopics.id }).from(reviewTopics))
      await db
        .insert(unitReviews)
        .values({ unitId: unit.id, topicId: topic.id, reviewedOn: '2026-10-01', participants: 8 });
    const after = await missingSection();
    expect(after).toContain('Alle enhetene har registrert årets gjennomganger.');
    expect(after).not.toContain('Bakken');
  });

  test('when someone logs in, then the directory version stays; when a name changes, then it moves once per statement', async () => {
    const db = t.database.db;
    const before = await directoryVersion();
    const complianceBefore = await readDataVersion(db, 'compliance');
    await loginAs(t.app, leader.email, TEST_PASSWORD);
    expect(await directoryVersion()).toBe(before);
    await db.update(users).set({ displayName: 'Ny Visningsnavn' }).where(eq(users.id, leader.id));
    expect(await directoryVersion()).toBe(before + 1);
    // A statement that changes no row leaves it.
    await db.update(users).set({ displayName: 'Ny Visningsnavn' }).where(eq(users.id, leader.id));
    await db.delete(unitLeaders).where(eq(unitLeaders.userId, -1));
    expect(await directoryVersion()).toBe(before + 1);
    expect(await readDataVersion(db, 'compliance')).toBe(complianceBefore);
  });
});
