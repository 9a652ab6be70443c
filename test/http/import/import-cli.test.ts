import fs from 'node:fs';
import path from 'node:path';
import { count, eq } from 'drizzle-orm';
import { auditLog, completions, employees, orgUnits, users } from '../../../src/db/schema';
import { runKursvakt, setUpCliEnvironment, type CliEnvironment } from '../../support/cli';
import { createCourseWithRequirement } from '../../support/factories';

jest.setTimeout(180_000);

const fixtures = path.join(__dirname, '../../fixtures/import');

/** The CLI opens the database named by the environment: a PGlite folder, or a schema on TEST_DATABASE_URL. */
describe('kursvakt import on the command line', () => {
  let env: CliEnvironment;
  const withDb: CliEnvironment['withDb'] = (fn) => env.withDb(fn);
  const cli = (...args: string[]) => runKursvakt(args);

  beforeAll(async () => {
    env = setUpCliEnvironment('kursvakt-cli-');
    await withDb((db) =>
      createCourseWithRequirement(db, { slug: 'handlingsplan', title: 'Handlingsplanen' }).then(
        () => undefined,
      ),
    );
    await withDb((db) =>
      createCourseWithRequirement(db, { slug: 'meldeplikt', title: 'Meldeplikt' }).then(() => undefined),
    );
  });

  afterAll(() => env.close());

  const total = (table: typeof employees | typeof orgUnits | typeof completions) =>
    withDb(async (db) => Number((await db.select({ n: count() }).from(table))[0]!.n));

  test('when the arguments are wrong, then the usage is printed and the exit code is not 0', async () => {
    const none = await cli('import');
    expect(none.code).toBe(1);
    expect(none.err).toContain('Bruk: kursvakt import units|employees|completions FIL [--dry-run] [--full]');
    const missing = await cli('import', 'units', path.join(fixtures, 'finnes-ikke.csv'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('Fant ikke filen');
  });

  test('when --dry-run is given, then the counts are printed and nothing is written', async () => {
    const res = await cli('import', 'units', path.join(fixtures, 'enheter.csv'), '--dry-run');
    expect(res).toMatchObject({ code: 0, err: '' });
    expect(res.out).toContain('4 nye, 0 endret, 0 avsluttet, 0 uendret.');
    expect(res.out).toContain('Prøvekjøring (--dry-run): ingenting er lagret.');
    expect(await total(orgUnits)).toBe(0);
  });

  test('when units, employees and completions are imported, then they are stored and logged as CLI imports', async () => {
    expect((await cli('import', 'units', path.join(fixtures, 'enheter.csv'))).code).toBe(0);
    // A dry run speaks of accounts that would be created, not of accounts created.
    const dryRun = await cli('import', 'employees', path.join(fixtures, 'ansatte.csv'), '--dry-run');
    expect(dryRun.out).toContain('Brukerkontoer: 2 opprettes, 0 kobles til ansatt.');
    const employeesRun = await cli('import', 'employees', path.join(fixtures, 'ansatte.csv'));
    expect(employeesRun.code).toBe(0);
    expect(employeesRun.out).toContain('3 nye, 0 endret, 0 avsluttet, 0 uendret.');
    expect(employeesRun.out).toContain('Brukerkontoer: 2 opprettet, 0 koblet til ansatt.');
    expect((await cli('import', 'completions', path.join(fixtures, 'fullforinger.csv'))).code).toBe(0);
    expect(await total(completions)).toBe(3);
    await withDb(async (db) => {
      const audit = await db.select().from(auditLog).where(eq(auditLog.action, 'import'));
      expect(audit.map((a) => (a.details as { kind: string }).kind)).toEqual([
        'units',
        'employees',
        'completions',
      ]);
      expect(audit.every((a) => a.actorUserId === null && (a.details as { via: string }).via === 'cli')).toBe(
        true,
      );
      const account = await db.select().from(users).where(eq(users.email, 'ase@k.no'));
      expect(account[0]!.passwordHash).toBeNull();
    });
  });

  test('when the same files are imported again, then 0 rows are written', async () => {
    for (const [kind, file] of [
      ['units', 'enheter.csv'],
      ['employees', 'ansatte.csv'],
      ['completions', 'fullforinger.csv'],
    ]) {
      const res = await cli('import', kind!, path.join(fixtures, file!));
      expect([kind, res.code]).toEqual([kind, 0]);
      expect(res.out).toContain('Importen er lagret: 0 rader skrevet.');
    }
  });

  test('when a file has errors, then each is printed with line and column, the exit code is 1 and nothing is written', async () => {
    const file = path.join(env.root, 'feil.csv');
    fs.writeFileSync(
      file,
      'ansattnummer;kurs;fullfort_dato\n1001;taushetsplikt;01.01.2024\n9999;meldeplikt;2024-13-01\n1002;meldeplikt;2024-01-05\n',
    );
    const before = await total(completions);
    const res = await cli('import', 'completions', file);
    expect(res.code).toBe(1);
    expect(res.err.split('\n')).toEqual([
      'Linje 2, kolonne «kurs»: kurset «taushetsplikt» finnes ikke. Gyldige kurs er handlingsplan, meldeplikt.',
      'Linje 3, kolonne «fullfort_dato»: «2024-13-01» finnes ikke i kalenderen.',
      'Filen har 2 feil. Ingenting er lagret.',
    ]);
    expect(await total(completions)).toBe(before);
  });

  test('when --full leaves out an employee, then that employee is ended, not deleted', async () => {
    const file = path.join(env.root, 'ansatte-full.csv');
    fs.writeFileSync(
      file,
      fs
        .readFileSync(path.join(fixtures, 'ansatte.csv'), 'utf8')
        .split('\n')
        .filter((l) => !l.startsWith('1002'))
        .join('\n'),
    );
    const res = await cli('import', 'employees', file, '--full');
    expect(res.code).toBe(0);
    expect(res.out).toContain('0 nye, 0 endret, 1 avsluttet, 2 uendret.');
    const units = await cli('import', 'units', path.join(fixtures, 'enheter.csv'), '--full');
    expect(units.code).toBe(1);
    expect(units.err).toContain('«Full import» (--full) gjelder bare ansatte.');
    await withDb(async (db) => {
      const [per] = await db.select().from(employees).where(eq(employees.employeeNumber, '1002'));
      expect(per!.endDate).not.toBeNull();
    });
  });
});
