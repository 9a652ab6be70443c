import fs from 'node:fs';
import path from 'node:path';
import { count, eq } from 'drizzle-orm';
import request, { type Agent } from 'supertest';
import { auditLog, completions, employees, orgUnits, unitLeaders, users } from '../../../src/db/schema';
import { IMPORT_COLUMNS, parseImportFile } from '../../../src/modules/import/import.parse';
import { createTestApp, csrfFrom, loginAs, type TestApp } from '../../support/app';
import {
  createCourseWithRequirement,
  createEmployee,
  createUnit,
  createUser,
  TEST_PASSWORD,
} from '../../support/factories';

jest.setTimeout(180_000);

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '../../fixtures/import', name));

async function upload(
  agent: Agent,
  type: string,
  content: Buffer | string,
  opts: { full?: boolean; filename?: string; contentType?: string } = {},
) {
  const form = await agent.get('/admin/import').expect(200);
  const token = csrfFrom(form.text);
  let req = agent.post(`/admin/import?_csrf=${encodeURIComponent(token)}`).field('type', type);
  if (opts.full) req = req.field('full', 'on');
  return req.attach('fil', Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), {
    filename: opts.filename ?? 'fil.csv',
    contentType: opts.contentType ?? 'text/csv',
  });
}

function confirmFields(html: string) {
  const token = /name="token" value="([a-f0-9]+)"/.exec(html)?.[1];
  const sha256 = /name="sha256" value="([a-f0-9]+)"/.exec(html)?.[1];
  return { token, sha256, _csrf: csrfFrom(html) };
}

async function uploadAndConfirm(
  agent: Agent,
  type: string,
  content: Buffer | string,
  opts: { full?: boolean } = {},
) {
  const preview = await upload(agent, type, content, opts);
  expect(preview.status).toBe(200);
  return agent.post('/admin/import/bekreft').type('form').send(confirmFields(preview.text));
}

const count_ = (html: string, name: string) =>
  Number(new RegExp(`data-tall="${name}">(\\d+)<`).exec(html)?.[1]);

describe('HR import in the admin UI', () => {
  let t: TestApp;
  let hr: Agent;

  beforeAll(async () => {
    t = await createTestApp({ now: new Date('2026-11-22T10:00:00+01:00') });
    const db = t.database.db;
    await createUser(db, { email: 'hr@test.no', isAdmin: true });
    await createUser(db, { email: 'hr2@test.no', isAdmin: true });
    await createCourseWithRequirement(db, { slug: 'handlingsplan', title: 'Handlingsplanen' });
    await createCourseWithRequirement(db, { slug: 'meldeplikt', title: 'Meldeplikt' });
    hr = await loginAs(t.app, 'hr@test.no', TEST_PASSWORD);
  });
  afterAll(() => t.close());

  const rows = async (table: typeof employees | typeof orgUnits | typeof completions | typeof users) =>
    Number((await t.database.db.select({ n: count() }).from(table))[0]!.n);

  test('when HR opens the import page, then it shows each file’s columns itself, and the header rows it shows are accepted', async () => {
    const page = await hr.get('/admin/import').expect(200);
    expect(page.text).not.toMatch(/docs\/|\.md\b/);
    expect(page.text).toContain('href="#filformat"');
    expect(page.text).toContain('Datoer skrives som dd.mm.åååå eller åååå-mm-dd.');
    for (const kind of ['units', 'employees', 'completions'] as const) {
      const header = new RegExp(`id="kolonner-${kind}"[\\s\\S]*?Overskriftsrad: <code>([^<]+)</code>`).exec(
        page.text,
      )?.[1];
      expect(header).toBe(IMPORT_COLUMNS[kind].map((c) => c.name).join(';'));
      // A file with only the header row the page shows has no header errors.
      expect([kind, parseImportFile(kind, `${header}\n`).issues]).toEqual([kind, []]);
    }
    expect(page.text).toContain('<code>epost</code> (eller <code>e-post</code>)');
  });

  test('when units are uploaded, then the preview counts them and writes nothing until confirmed', async () => {
    const before = await rows(orgUnits);
    const preview = await upload(hr, 'units', fixture('enheter.csv'), { filename: 'enheter.csv' });
    expect(preview.status).toBe(200);
    expect(count_(preview.text, 'nye')).toBe(4);
    expect(count_(preview.text, 'feil')).toBe(0);
    expect(preview.text).toContain('Nordby skole under OPPV');
    expect(await rows(orgUnits)).toBe(before);

    const result = await hr
      .post('/admin/import/bekreft')
      .type('form')
      .send(confirmFields(preview.text))
      .expect(200);
    expect(result.text).toContain('Importen er lagret.');
    expect(result.text).not.toContain('ingen endringer');
    expect(result.text).not.toContain('rader skrevet');
    const db = t.database.db;
    const units = await db.select().from(orgUnits);
    const byCode = new Map(units.map((u) => [u.code, u]));
    expect(byCode.get('SFO')!.path).toBe(
      `/${byCode.get('K')!.id}/${byCode.get('OPPV')!.id}/${byCode.get('SKOLE')!.id}/${byCode.get('SFO')!.id}/`,
    );
    expect(byCode.get('K')!.kind).toBe('kommune');
    expect(byCode.get('SFO')!.kind).toBe('avdeling');
    const leaders = await db
      .select({ email: users.email, code: orgUnits.code, hash: users.passwordHash })
      .from(unitLeaders)
      .innerJoin(users, eq(users.id, unitLeaders.userId))
      .innerJoin(orgUnits, eq(orgUnits.id, unitLeaders.unitId));
    expect(leaders.map((l) => `${l.code}:${l.email}`).sort()).toEqual([
      'OPPV:nestleder@k.no',
      'OPPV:sjef.oppvekst@k.no',
      'SKOLE:rektor@nordby.no',
    ]);
    expect(leaders.every((l) => l.hash === null)).toBe(true);
    const audit = await db.select().from(auditLog).where(eq(auditLog.action, 'import'));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorUserId).not.toBeNull();
    expect(audit[0]!.details).toMatchObject({
      kind: 'units',
      counts: { new: 4, changed: 0 },
      fileName: 'enheter.csv',
    });
  });

  test('when the same preview is confirmed twice or by another admin or with another file hash, then nothing more is written', async () => {
    const preview = await upload(hr, 'units', 'enhetskode;enhetsnavn;overordnet_enhetskode\nNY;Ny enhet;K\n');
    const fields = confirmFields(preview.text);
    const other = await loginAs(t.app, 'hr2@test.no', TEST_PASSWORD);
    const otherPage = await other.get('/admin/import');
    const stolen = await other
      .post('/admin/import/bekreft')
      .type('form')
      .send({ ...fields, _csrf: csrfFrom(otherPage.text) })
      .expect(400);
    expect(stolen.text).toContain('Forhåndsvisningen er allerede brukt eller utløpt');

    const preview2 = await upload(
      hr,
      'units',
      'enhetskode;enhetsnavn;overordnet_enhetskode\nNY;Ny enhet;K\n',
    );
    const fields2 = confirmFields(preview2.text);
    const tampered = await hr
      .post('/admin/import/bekreft')
      .type('form')
      .send({ ...fields2, sha256: 'f'.repeat(64) })
      .expect(400);
    expect(tampered.text).toContain('Filen stemmer ikke med forhåndsvisningen');
    expect(await t.database.db.select().from(orgUnits).where(eq(orgUnits.code, 'NY'))).toHaveLength(0);

    const preview3 = await upload(
      hr,
      'units',
      'enhetskode;enhetsnavn;overordnet_enhetskode\nNY;Ny enhet;K\n',
    );
    const fields3 = confirmFields(preview3.text);
    await hr.post('/admin/import/bekreft').type('form').send(fields3).expect(200);
    const again = await hr.post('/admin/import/bekreft').type('form').send(fields3).expect(400);
    expect(again.text).toContain('allerede brukt eller utløpt');
    expect(await t.database.db.select().from(orgUnits).where(eq(orgUnits.code, 'NY'))).toHaveLength(1);
  });

  test('when employees are imported, then each gets a login account without password linked by e-mail', async () => {
    const result = await uploadAndConfirm(hr, 'employees', fixture('ansatte.csv'));
    expect(result.status).toBe(200);
    expect(count_(result.text, 'nye')).toBe(3);
    // Saved: the accounts were created (the preview said they would be).
    expect(result.text).toMatch(/Brukerkontoer: \d+ ble opprettet, \d+ ble koblet til en ansatt\./);
    const db = t.database.db;
    const list = await db.select().from(employees).where(eq(employees.employeeNumber, '1002'));
    expect(list[0]).toMatchObject({
      firstName: 'Per',
      title: 'Assistent, 60 %',
      roleTags: ['barnehage', 'skole'],
      hireDate: '2024-03-01',
      endDate: null,
    });
    const account = await db.select().from(users).where(eq(users.email, 'per@k.no'));
    expect(account[0]).toMatchObject({
      employeeId: list[0]!.id,
      passwordHash: null,
      displayName: 'Per Hansen',
    });
    expect(await db.select().from(users).where(eq(users.email, ''))).toHaveLength(0);
  });

  test('when the last line has an error, then every error is listed with line and column and nothing is written', async () => {
    const before = await rows(employees);
    const file =
      'ansattnummer;fornavn;etternavn;epost;enhetskode;ansattdato\n2001;Ny;Person;ny@k.no;SKOLE;01.01.2025\n2002;Feil;Enhet;feil@k.no;FINNES_IKKE;01.01.2025\n';
    const preview = await upload(hr, 'employees', file);
    expect(preview.status).toBe(422);
    expect(preview.text).toContain(
      'Linje 3, kolonne «enhetskode»: enheten «FINNES_IKKE» finnes ikke i Kursvakt. Importer enhetene først.',
    );
    expect(preview.text).not.toContain('name="token"');
    expect(await rows(employees)).toBe(before);
  });

  test('when a unit file makes a cycle or names an unknown parent, then the preview says where', async () => {
    const file = 'enhetskode;enhetsnavn;overordnet_enhetskode\nA1;A;B1\nB1;B;A1\nC1;C;UKJENT\n';
    const preview = await upload(hr, 'units', file);
    expect(preview.status).toBe(422);
    expect(preview.text).toContain(
      'Linje 2, kolonne «overordnet_enhetskode»: enhetene danner en sløyfe (A1 → B1 → A1)',
    );
    expect(preview.text).toContain(
      'Linje 3, kolonne «overordnet_enhetskode»: enhetene danner en sløyfe (B1 → A1 → B1)',
    );
    expect(preview.text).toContain(
      'Linje 4, kolonne «overordnet_enhetskode»: enheten «UKJENT» finnes verken i filen eller i Kursvakt.',
    );
  });

  test('when an empty file is uploaded, then the page says the file is empty rather than asking for a file', async () => {
    const res = await upload(hr, 'employees', '');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Filen er tom. Velg en CSV-fil med en overskriftsrad og minst én rad.');
  });

  test('when the same employee file is imported again, then nothing is written', async () => {
    const before = await t.database.db.select().from(employees);
    const result = await uploadAndConfirm(hr, 'employees', fixture('ansatte.csv'));
    expect(result.text).toContain('Importen er lagret. Filen ga ingen endringer.');
    expect(count_(result.text, 'uendret')).toBe(3);
    const after = await t.database.db.select().from(employees);
    expect(after).toEqual(before);
  });

  test('when an employee and a unit change, then only they are updated, leaders are replaced and paths follow the move', async () => {
    const employeesFile = fixture('ansatte.csv')
      .toString('utf8')
      .replace(
        '1001,Åse,Ødegård,ase@k.no,SKOLE,Lærer,skole,01.08.2015,',
        '1001,Åse,Ødegård,ase.ny@k.no,SFO,"Lektor ""senior""",skole|helse,01.08.2015,',
      );
    const employeesResult = await uploadAndConfirm(hr, 'employees', employeesFile);
    expect(count_(employeesResult.text, 'endret')).toBe(1);
    expect(count_(employeesResult.text, 'uendret')).toBe(2);
    const db = t.database.db;
    const [ase] = await db.select().from(employees).where(eq(employees.employeeNumber, '1001'));
    expect(ase).toMatchObject({
      email: 'ase.ny@k.no',
      title: 'Lektor "senior"',
      roleTags: ['helse', 'skole'],
    });
    const [account] = await db.select().from(users).where(eq(users.employeeId, ase!.id));
    expect(account!.email).toBe('ase.ny@k.no');

    const unitsFile =
      'enhetskode;enhetsnavn;overordnet_enhetskode;leder_epost\nSFO;Nordby SFO og leksehjelp;OPPV;ny.leder@k.no\n';
    const unitsResult = await uploadAndConfirm(hr, 'units', unitsFile);
    expect(count_(unitsResult.text, 'endret')).toBe(1);
    const units = new Map((await db.select().from(orgUnits)).map((u) => [u.code, u]));
    const sfo = units.get('SFO')!;
    expect(sfo.name).toBe('Nordby SFO og leksehjelp');
    expect(sfo.path).toBe(`/${units.get('K')!.id}/${units.get('OPPV')!.id}/${sfo.id}/`);
    const leaders = await db
      .select({ email: users.email })
      .from(unitLeaders)
      .innerJoin(users, eq(users.id, unitLeaders.userId))
      .where(eq(unitLeaders.unitId, sfo.id));
    expect(leaders.map((l) => l.email)).toEqual(['ny.leder@k.no']);
    const restore = await uploadAndConfirm(hr, 'employees', fixture('ansatte.csv'));
    expect(count_(restore.text, 'endret')).toBe(1);
  });

  test('when a full import leaves an employee out, then that employee gets today as end date and is kept', async () => {
    const file = fixture('ansatte.csv')
      .toString('utf8')
      .split('\n')
      .filter((l) => !l.startsWith('1003'))
      .join('\n');
    const preview = await upload(hr, 'employees', file, { full: true });
    expect(count_(preview.text, 'avsluttet')).toBe(1);
    expect(preview.text).toContain('Kari Lie: sluttdato 22.11.2026 (mangler i filen)');
    await hr.post('/admin/import/bekreft').type('form').send(confirmFields(preview.text)).expect(200);
    const kari = await t.database.db.select().from(employees).where(eq(employees.employeeNumber, '1003'));
    expect(kari[0]!.endDate).toBe('2026-11-22');
    const again = await upload(hr, 'employees', file, { full: true });
    expect(count_(again.text, 'avsluttet')).toBe(0);
  });

  test('when completions are imported twice, then the history is written once with source import and kilde as reason', async () => {
    const first = await uploadAndConfirm(hr, 'completions', fixture('fullforinger.csv'));
    expect(count_(first.text, 'nye')).toBe(3);
    const stored = await t.database.db.select().from(completions);
    expect(stored).toHaveLength(3);
    expect(stored.every((c) => c.source === 'import')).toBe(true);
    expect(stored.filter((c) => c.reason === 'KS Læring')).toHaveLength(2);
    const second = await uploadAndConfirm(hr, 'completions', fixture('fullforinger.csv'));
    expect(second.text).toContain('Filen ga ingen endringer.');
    expect(await rows(completions)).toBe(3);
  });

  test('when the file is not CSV, too big or full is chosen for units, then the form says so', async () => {
    const notCsv = await upload(hr, 'units', Buffer.from([0x89, 0x50, 0x4e, 0x47]), {
      filename: 'bilde.png',
      contentType: 'image/png',
    });
    expect(notCsv.status).toBe(400);
    expect(notCsv.text).toContain('Filen må være en CSV- eller tekstfil');
    const big = await upload(hr, 'units', Buffer.alloc(21 * 1024 * 1024, 'a'));
    expect(big.status).toBe(400);
    expect(big.text).toContain('Filen er for stor');
    const full = await upload(hr, 'units', fixture('enheter.csv'), { full: true });
    expect(full.status).toBe(400);
    expect(full.text).toContain('«Full import» gjelder bare ansatte.');
  });

  test('when a leader or an employee tries the import pages, then access is refused', async () => {
    const db = t.database.db;
    const unit = await createUnit(db, { code: 'TILGANG' });
    const worker = await createEmployee(db, { unitId: unit.id });
    await createUser(db, { email: 'leder@test.no', leads: [unit.id] });
    await createUser(db, { email: 'ansatt@test.no', employeeId: worker.id });
    for (const email of ['leder@test.no', 'ansatt@test.no']) {
      const agent = await loginAs(t.app, email, TEST_PASSWORD);
      const home = await agent.get('/mine-kurs');
      const token = csrfFrom(home.text);
      await agent.get('/admin/import').expect(403);
      await agent
        .post(`/admin/import?_csrf=${encodeURIComponent(token)}`)
        .field('type', 'units')
        .attach('fil', fixture('enheter.csv'), { filename: 'e.csv', contentType: 'text/csv' })
        .expect(403);
      await agent
        .post('/admin/import/bekreft')
        .type('form')
        .send({ _csrf: token, token: 'a'.repeat(48), sha256: 'b'.repeat(64) })
        .expect(403);
    }
    const anonymous = await request(t.app).get('/admin/import');
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toContain('/logg-inn');
  });
});
