import { eq } from 'drizzle-orm';
import { auditLog, courses, requirementUnits, requirements } from '../../../src/db/schema';
import { runKursvakt, setUpCliEnvironment, type CliEnvironment } from '../../support/cli';
import { createCourseWithRequirement, createEmployee, createUnit } from '../../support/factories';

jest.setTimeout(180_000);

describe('kursvakt requirements on the command line', () => {
  let env: CliEnvironment;
  const withDb: CliEnvironment['withDb'] = (fn) => env.withDb(fn);
  const cli = (...args: string[]) => runKursvakt(args);

  beforeAll(async () => {
    env = setUpCliEnvironment('kursvakt-cli-');
    await withDb(async (db) => {
      const root = await createUnit(db, { code: 'K', name: 'Kommunen' });
      const school = await createUnit(db, { code: 'SKOLE', name: 'Skolen', parentId: root.id });
      await createUnit(db, { code: 'BHG', name: 'Barnehagen', parentId: root.id });
      await createEmployee(db, {
        unitId: school.id,
        employeeNumber: 'S1',
        firstName: 'Siri',
        lastName: 'Skole',
        roleTags: ['skole'],
      });
      await createEmployee(db, {
        unitId: root.id,
        employeeNumber: 'K1',
        firstName: 'Kjell',
        lastName: 'Kommune',
      });
      await createCourseWithRequirement(db, { slug: 'meldeplikt', title: 'Meldeplikt' });
      await db.insert(courses).values({ slug: 'taushetsplikt', title: 'Taushetsplikt' });
    });
  });

  afterAll(() => env.close());

  test('when requirements are listed, then each shows course, audience and rule', async () => {
    const res = await cli('requirements', 'list');
    expect(res.code).toBe(0);
    expect(res.out).toMatch(
      /^meldeplikt: Krav \d+ – alle ansatte; første frist 31\.12\.2023, fornyes syklus hver 24\. måned, nyansatte 12 mnd, forfaller snart 30 dager$/,
    );
  });

  test('when --dry-run changes the first deadline, then it tells who changes and saves nothing', async () => {
    const res = await cli('requirements', 'set', 'meldeplikt', '--first-deadline', '30.06.2027', '--dry-run');
    expect(res.code).toBe(0);
    expect(res.out).toContain('2 ansatte får ny status eller frist');
    expect(res.out).toContain('S1 Siri Skole: forfalt (frist 31.12.2023) → ikke fullført (frist 30.06.2027)');
    expect(res.out).toContain('Prøvekjøring (--dry-run): kravet er ikke lagret.');
    await withDb(async (db) => {
      const [r] = await db.select().from(requirements);
      expect(r!.firstDeadline).toBe('2023-12-31');
    });
  });

  test('when set narrows to units and roles with a rolling rule, then it is saved with an audit entry', async () => {
    const res = await cli(
      'requirements',
      'set',
      'meldeplikt',
      '--renewal',
      'rolling',
      '--months',
      '36',
      '--new-hire-months',
      '6',
      '--due-soon-days',
      '14',
      '--units',
      'SKOLE,BHG',
      '--roles',
      'skole,helse',
    );
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    expect(res.out).toContain('1 faller ut');
    expect(res.out).toContain('Kurskravet for «meldeplikt» er oppdatert.');
    await withDb(async (db) => {
      const [r] = await db.select().from(requirements);
      expect(r).toMatchObject({
        renewalMode: 'rolling',
        renewalMonths: 36,
        newHireMonths: 6,
        dueSoonDays: 14,
        audienceAll: false,
        audienceRoleTags: ['helse', 'skole'],
      });
      expect(
        await db.select().from(requirementUnits).where(eq(requirementUnits.requirementId, r!.id)),
      ).toHaveLength(2);
      const audit = await db.select().from(auditLog).where(eq(auditLog.action, 'requirement.update'));
      expect(audit).toHaveLength(1);
    });
  });

  test('when a new requirement is set for some units or roles, then its name does not say «Alle ansatte», and --name names it', async () => {
    await withDb(async (db) => {
      await db.insert(courses).values([
        { slug: 'handlingsplan', title: 'Handlingsplanen' },
        { slug: 'personvern', title: 'Personvern' },
      ]);
    });
    const some = await cli(
      'requirements',
      'set',
      'handlingsplan',
      '--first-deadline',
      '2027-12-31',
      '--roles',
      'skole',
    );
    expect(some.code).toBe(0);
    const named = await cli(
      'requirements',
      'set',
      'personvern',
      '--first-deadline',
      '2027-12-31',
      '--name',
      'Personvern for alle',
    );
    expect(named.code).toBe(0);
    const list = (await cli('requirements', 'list')).out;
    expect(list).toMatch(/^handlingsplan: Handlingsplanen – alle ansatte, roller skole;/m);
    expect(list).toMatch(/^personvern: Personvern for alle – alle ansatte;/m);
    expect((await cli('help')).out).toContain('[--name NAVN]');
  });

  test('when set names a course without a requirement, then it is created from --first-deadline', async () => {
    const missing = await cli('requirements', 'set', 'taushetsplikt', '--months', '12');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(
      'Kurset «taushetsplikt» har ikke noe kurskrav ennå. Oppgi minst --first-deadline.',
    );
    const res = await cli('requirements', 'set', 'taushetsplikt', '--first-deadline', '2027-12-31');
    expect(res.code).toBe(0);
    expect(res.out).toContain('Kurskravet for «taushetsplikt» er opprettet.');
    expect((await cli('requirements', 'list')).out).toContain(
      'taushetsplikt: Alle ansatte: Taushetsplikt – alle ansatte',
    );
  });

  test('when the input is wrong, then a bokmål message is printed and the exit code is 1', async () => {
    const cases: Array<[string[], string]> = [
      [['set', 'finnesikke', '--first-deadline', '2027-01-01'], 'Kurset «finnesikke» finnes ikke.'],
      [['set', 'meldeplikt', '--renewal', 'monthly'], 'Velg hvordan fristen fornyes.'],
      [['set', 'meldeplikt', '--months', '0'], 'Fornyelse må være et helt antall måneder fra 1 til 120.'],
      [['set', 'meldeplikt', '--first-deadline', '31.02.2027'], '31.02.2027 finnes ikke i kalenderen.'],
      [
        ['set', 'meldeplikt', '--first-deadline', 'neste år'],
        'Skriv første frist som dd.mm.åååå eller åååå-mm-dd.',
      ],
      [['set', 'meldeplikt', '--units', 'UKJENT'], 'Enheten finnes ikke: UKJENT.'],
      [['set', 'meldeplikt', '--bogus', '1'], 'Ukjent valg: «--bogus». Se kursvakt help.'],
      [['set', 'meldeplikt', '--months'], 'Valget «--months» mangler en verdi.'],
      [
        ['set', 'meldeplikt', '--due-soon-days', '-5'],
        'Verdien til «--due-soon-days» kan ikke begynne med «-». Skriv den som --due-soon-days=VERDI.',
      ],
      [['delete'], 'Bruk: kursvakt requirements list'],
    ];
    for (const [args, message] of cases) {
      const res = await cli('requirements', ...args);
      expect([args.join(' '), res.code]).toEqual([args.join(' '), 1]);
      expect(res.err).toContain(message);
    }
  });
});
