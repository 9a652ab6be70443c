import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { createContentApp, resolveInside } from '../../../src/modules/scorm/content-app';
import { scorm12Zip, scorm2004MultiZip } from '../../fixtures/scorm/packages';
import { createTestApp, loginAs, type TestApp } from '../../support/app';
import {
  createCourseWithRequirement,
  createEmployee,
  createUnit,
  createUser,
  TEST_PASSWORD,
} from '../../support/factories';
import { installPackage, makeDataDir, sequenceBaseOf, tokenFromLaunchPage } from './scorm-fixture';

jest.setTimeout(120_000);

type Agent = Awaited<ReturnType<typeof loginAs>>;

interface PlayerConfig {
  scormVersion: string;
  mode: string;
  sequenceBase: number;
  launchUrl: string;
  commitUrl: string;
  masteryOverride: boolean;
  cmi: Record<string, unknown> & { core?: Record<string, string>; student_data?: Record<string, string> };
}

function configOf(html: string): PlayerConfig {
  const match = /<script type="application\/json" id="kv-player-config">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('no player config');
  return JSON.parse(match[1]!) as PlayerConfig;
}

describe('the content origin', () => {
  let t: TestApp;
  let content: Express;
  let dataDir: string;
  let learner: Agent;
  let other: Agent;
  let admin: Agent;
  const employeeIds: Record<string, number> = {};
  const employeeNumbers: Record<string, string> = {};

  beforeAll(async () => {
    dataDir = await makeDataDir();
    t = await createTestApp({ env: { DATA_DIR: dataDir } });
    content = createContentApp(t.context);
    const db = t.database.db;
    const unit = await createUnit(db);
    const anna = await createEmployee(db, {
      unitId: unit.id,
      firstName: 'Anna',
      lastName: 'Ask',
      employeeNumber: 'A-100',
    });
    const bjorn = await createEmployee(db, { unitId: unit.id });
    employeeIds.anna = anna.id;
    employeeIds.bjorn = bjorn.id;
    employeeNumbers.anna = anna.employeeNumber;
    employeeNumbers.bjorn = bjorn.employeeNumber;
    await createUser(db, { email: 'anna@test.no', employeeId: anna.id });
    await createUser(db, { email: 'bjorn@test.no', employeeId: bjorn.id });
    await createUser(db, { email: 'hr@test.no', isAdmin: true });
    await createCourseWithRequirement(db, { slug: 'brannvern', firstDeadline: '2027-06-30' });
    await installPackage(
      db,
      dataDir,
      'brannvern',
      await scorm12Zip([{ name: 'media/bilde.svg', data: '<svg xmlns="http://www.w3.org/2000/svg"/>' }]),
    );
    await createCourseWithRequirement(db, { slug: 'personvern', firstDeadline: '2027-06-30' });
    await installPackage(db, dataDir, 'personvern', await scorm2004MultiZip());
    learner = await loginAs(t.app, 'anna@test.no', TEST_PASSWORD);
    other = await loginAs(t.app, 'bjorn@test.no', TEST_PASSWORD);
    admin = await loginAs(t.app, 'hr@test.no', TEST_PASSWORD);
  });
  afterAll(async () => {
    await t?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  async function launchToken(agent: Agent, url: string) {
    return tokenFromLaunchPage((await agent.get(url).expect(200)).text);
  }

  test('when the player page is opened, then it loads scorm-again with the saved CMI and LMS-owned values', async () => {
    const token = await launchToken(learner, '/kurs/brannvern/start');
    const res = await request(content).get(`/spiller/${token}`).expect(200);
    expect(res.headers['content-security-policy']).toContain(
      `frame-ancestors ${new URL(t.config.baseUrl).origin}`,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.text).toContain('src="/vendor/scorm-again/scorm-again.min.js"');
    const config = configOf(res.text);
    expect(config.scormVersion).toBe('1.2');
    expect(config.mode).toBe('normal');
    expect(config.sequenceBase).toBe(sequenceBaseOf(token));
    expect(config.commitUrl).toBe(`${t.config.baseUrl}/api/scorm/commit/${token}`);
    expect(config.launchUrl).toBe(`/innhold/${token}/index.html`);
    expect(config.masteryOverride).toBe(true);
    expect(config.cmi.core).toMatchObject({
      student_id: 'A-100',
      student_name: 'Ask, Anna',
      entry: 'ab-initio',
      credit: 'credit',
      lesson_mode: 'normal',
      total_time: '00:00:00',
    });
    expect(config.cmi.student_data?.mastery_score).toBe('80');
    expect(config.cmi.launch_data).toBe('start=1');
  });

  test('when an attempt was suspended, then the next launch resumes it with location, suspend_data and total_time', async () => {
    const token = await launchToken(learner, '/kurs/brannvern/start');
    await request(t.app)
      .post(`/api/scorm/commit/${token}`)
      .set('Content-Type', 'text/plain')
      .send(
        JSON.stringify({
          sequence: sequenceBaseOf(token) + 1,
          final: true,
          cmi: {
            core: {
              exit: 'suspend',
              lesson_location: '3',
              lesson_status: 'incomplete',
              session_time: '00:04:00',
            },
            suspend_data: 'svar=1,2',
          },
        }),
      )
      .expect(200);
    const again = await launchToken(learner, '/kurs/brannvern/start');
    const config = configOf((await request(content).get(`/spiller/${again}`).expect(200)).text);
    expect(config.cmi.core).toMatchObject({ entry: 'resume', lesson_location: '3', total_time: '00:04:00' });
    expect(config.cmi.core!.exit).toBeUndefined();
    expect(config.cmi.suspend_data).toBe('svar=1,2');
  });

  test('when a package file is requested, then it comes with an explicit type, nosniff and frame-ancestors', async () => {
    const token = await launchToken(learner, '/kurs/brannvern/start');
    const html = await request(content).get(`/innhold/${token}/index.html`).expect(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['x-content-type-options']).toBe('nosniff');
    expect(html.headers['content-security-policy']).toBe(
      `frame-ancestors 'self' ${new URL(t.config.baseUrl).origin}`,
    );
    const svg = await request(content).get(`/innhold/${token}/media/bilde.svg`).expect(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    const manifest = await request(content).get(`/innhold/${token}/imsmanifest.xml`).expect(200);
    expect(manifest.headers['content-type']).toBe('application/xml; charset=utf-8');
  });

  test('when a path tries to leave the package folder, then it is not found', async () => {
    const token = await launchToken(learner, '/kurs/brannvern/start');
    for (const bad of [
      '..%2F..%2Fpglite',
      '%2e%2e/%2e%2e/etc/passwd',
      'media%5C..%5Cindex.html',
      'index.html%00.png',
    ]) {
      const res = await request(content).get(`/innhold/${token}/${bad}`);
      expect([bad, res.status]).toEqual([bad, 404]);
    }
    expect(await resolveInside(dataDir, ['..', 'etc'])).toBeNull();
    const outside = path.join(dataDir, 'utenfor.txt');
    await fs.writeFile(outside, 'hemmelig');
    const root = path.join(dataDir, 'lenke-test');
    await fs.mkdir(root, { recursive: true });
    await fs.symlink(outside, path.join(root, 'lenke.txt'));
    expect(await resolveInside(root, ['lenke.txt'])).toBeNull();
  });

  test('when the token is forged or belongs to someone else, then no file is served', async () => {
    const token = await launchToken(learner, '/kurs/brannvern/start');
    const [payload, mac] = token.split('.');
    const forged = `${payload}x.${mac}`;
    expect((await request(content).get(`/innhold/${forged}/index.html`)).status).toBe(403);
    expect((await request(content).get(`/spiller/${forged}`)).status).toBe(403);
    // The app origin itself never serves package files.
    expect((await request(t.app).get(`/innhold/${token}/index.html`)).status).toBe(404);
    const bjorns = await launchToken(other, '/kurs/brannvern/start');
    expect((await request(content).get(`/innhold/${bjorns}/index.html`)).status).toBe(200);
  });

  test('when a package has several SCOs, then the start page lists them and each SCO launches with its parameters', async () => {
    const list = await learner.get('/kurs/personvern/start').expect(200);
    for (const title of ['Del A', 'Del B', 'Del C']) expect(list.text).toContain(title);
    expect(list.text).not.toContain('Vedlegg');
    expect(list.text).toContain('/kurs/personvern/start?del=sco-b');
    const token = await launchToken(learner, '/kurs/personvern/start?del=sco-b');
    const config = configOf((await request(content).get(`/spiller/${token}`).expect(200)).text);
    expect(config.scormVersion).toBe('2004');
    expect(config.launchUrl).toBe(`/innhold/${token}/innhold/pakke/b/index.html?modus=prove#start`);
    expect(config.cmi).toMatchObject({
      entry: 'ab-initio',
      mode: 'normal',
      credit: 'credit',
      completion_threshold: '0.6',
    });
    const file = await request(content).get(`/innhold/${token}/innhold/pakke/vedlegg.pdf`).expect(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect((await learner.get('/kurs/personvern/start?del=finnes-ikke')).status).toBe(404);
  });

  test('when SCORM 2004 SCOs finish, then exit other than suspend ends the attempt and all SCOs completed record one completion', async () => {
    const commitAs = async (sco: string, cmi: Record<string, unknown>) => {
      const token = await launchToken(learner, `/kurs/personvern/start?del=${sco}`);
      const res = await request(t.app)
        .post(`/api/scorm/commit/${token}`)
        .set('Content-Type', 'application/json')
        .send({ sequence: sequenceBaseOf(token) + 1, final: true, cmi })
        .expect(200);
      return res.body as { completed: boolean };
    };
    // Del A: progress 0.7 is below its threshold 0.75, and the exit is normal: the attempt ends unfinished.
    expect(
      (await commitAs('sco-a', { completion_status: 'completed', progress_measure: '0.7', exit: 'normal' }))
        .completed,
    ).toBe(false);
    const relaunch = await launchToken(learner, '/kurs/personvern/start?del=sco-a');
    const fresh = configOf((await request(content).get(`/spiller/${relaunch}`).expect(200)).text);
    expect(fresh.cmi.entry).toBe('ab-initio');
    expect(fresh.cmi.completion_threshold).toBe('0.75');
    expect(fresh.cmi.scaled_passing_score).toBe('0.8');

    // A score below the passing score fails even if the SCO says passed.
    expect(
      (
        await commitAs('sco-a', {
          progress_measure: '0.9',
          success_status: 'passed',
          score: { scaled: '0.5' },
          exit: 'suspend',
        })
      ).completed,
    ).toBe(false);
    expect(
      (await commitAs('sco-a', { progress_measure: '0.9', score: { scaled: '0.85' }, exit: 'suspend' }))
        .completed,
    ).toBe(true);
    expect((await commitAs('sco-b', { completion_status: 'completed', exit: 'normal' })).completed).toBe(
      true,
    );
    let mine = await learner.get('/mine-kurs').expect(200);
    expect(mine.text).not.toContain('Sist fullført');
    expect(
      (await commitAs('sco-c', { completion_status: 'completed', success_status: 'passed', exit: '' }))
        .completed,
    ).toBe(true);
    mine = await learner.get('/mine-kurs').expect(200);
    expect(mine.text).toContain('Sist fullført');
    const list = await learner.get('/kurs/personvern/start').expect(200);
    expect(list.text.match(/Fullført/g)?.length).toBeGreaterThanOrEqual(3);
  });

  test('when an admin opens the diagnostics, then the raw CMI and commit history show; others get 403', async () => {
    // Admins reach the diagnostics from the main menu; the menu marks the page, and only admins see it.
    expect((await admin.get('/').expect(200)).text).toContain(
      '<a class="ds-link" href="/admin/scorm" >Kursforsøk</a>',
    );
    expect((await learner.get('/mine-kurs').expect(200)).text).not.toContain('href="/admin/scorm"');
    const listPage = await admin.get('/admin/scorm').expect(200);
    expect(listPage.text).toContain('href="/admin/scorm" aria-current=page>Kursforsøk</a>');
    expect(listPage.text).not.toContain('href="/admin" aria-current=page');
    const id = /\/admin\/scorm\/forsok\/(\d+)/.exec(listPage.text)![1];
    const detail = await admin.get(`/admin/scorm/forsok/${id}`).expect(200);
    expect(detail.text).toContain('Lagrede data (CMI)');
    expect(detail.text).toContain('Lagringer fra kurset');
    expect(detail.text).toMatch(/data-outcome="applied"/);
    expect((await learner.get(`/admin/scorm/forsok/${id}`)).status).toBe(403);
    expect((await learner.get('/admin/scorm')).status).toBe(403);
    const filtered = await admin.get('/admin/scorm?kurs=999999').expect(200);
    expect(filtered.text).toContain('Ingen kursforsøk funnet.');
    // Per employee, by the ansattnummer the table shows: Bjørn has one attempt (brannvern), Anna
    // several; neither list shows the other.
    expect(listPage.text).toContain('<label class="ds-label" for="ansatt">Ansattnummer (valgfritt)</label>');
    expect(listPage.text).toContain(`(${employeeNumbers.anna})</td>`);
    const bjorns = await admin.get(`/admin/scorm?ansatt=${employeeNumbers.bjorn}`).expect(200);
    expect(bjorns.text.match(/\/admin\/scorm\/forsok\/\d+/g)).toHaveLength(1);
    expect(bjorns.text).toContain(`id="ansatt" name="ansatt" value="${employeeNumbers.bjorn}"`);
    const annas = await admin
      .get(`/admin/scorm?ansatt=${encodeURIComponent(` ${employeeNumbers.anna} `)}`)
      .expect(200);
    expect(annas.text.match(/\/admin\/scorm\/forsok\/\d+/g)!.length).toBeGreaterThan(3);
    expect(annas.text).not.toContain(bjorns.text.match(/\/admin\/scorm\/forsok\/\d+"/)![0]);
    expect(annas.text).not.toContain('Ingen ansatt har ansattnummer');
  });

  test('when the ansattnummer in the filter matches nobody, then the list is empty and says so', async () => {
    const all = await admin.get('/admin/scorm?ansatt=').expect(200);
    expect(all.text.match(/\/admin\/scorm\/forsok\/\d+/g)!.length).toBeGreaterThan(4);
    expect(all.text).not.toContain('Ingen ansatt har ansattnummer');
    // The database id is not the ansattnummer, and a typo is not ignored.
    for (const value of [String(employeeIds.anna), 'abc']) {
      const page = await admin.get(`/admin/scorm?ansatt=${value}`).expect(200);
      expect(page.text).not.toMatch(/\/admin\/scorm\/forsok\/\d+/);
      expect(page.text).toContain(
        `Ingen ansatt har ansattnummer «${value}». Sjekk nummeret, eller tøm feltet for å se kursforsøkene til alle.`,
      );
      expect(page.text).toMatch(/id="ansatt"[^>]*aria-invalid="true" aria-describedby="ansatt-feil"/);
    }
    // An employee without attempts is found, and has none.
    const unit = await createUnit(t.database.db);
    const idle = await createEmployee(t.database.db, { unitId: unit.id });
    const idlePage = await admin.get(`/admin/scorm?ansatt=${idle.employeeNumber}`).expect(200);
    expect(idlePage.text).toContain('Ingen kursforsøk funnet.');
    expect(idlePage.text).not.toContain('Ingen ansatt har ansattnummer');
  });
});
