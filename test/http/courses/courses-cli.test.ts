import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../../src/config';
import type { Database } from '../../../src/db/client';
import { coursesCommands } from '../../../src/modules/courses/courses.cli';
import { captureIo, runKursvakt, setUpCliEnvironment, type CliEnvironment } from '../../support/cli';
import { createTestDatabase } from '../../support/db';
import { makeZip, patchName, scorm12Zip, scorm2004MultiZip } from '../../fixtures/scorm/packages';

// Opening a database takes seconds on a busy machine; these tests do real I/O, not timed work.
jest.setTimeout(120_000);

async function writeFileIn(dir: string, name: string, data: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, data);
  return file;
}

/**
 * `kursvakt courses …`. One test goes through runCli end to end (config from the environment, PGlite
 * in DATA_DIR or a fresh PostgreSQL schema); opening a PGlite folder takes seconds, so the others call
 * the registered command set on the test database directly, with the same arguments and output.
 */
describe('kursvakt courses (runCli)', () => {
  let env: CliEnvironment;

  beforeAll(() => {
    env = setUpCliEnvironment('kv-courses-cli-');
  });
  afterAll(() => env.close());

  const writeZip = (name: string, data: Buffer) => writeFileIn(env.root, name, data);

  test('when a package is imported through runCli, then the command is registered and the package lands in DATA_DIR', async () => {
    const imported = await runKursvakt(['courses', 'import', await writeZip('a.zip', await scorm12Zip())]);
    expect(imported).toEqual({
      code: 0,
      out: 'Nytt kurs «Brannvern & rømning» (brannvern-romning) er opprettet med versjon 1 (SCORM 1.2, 1 SCO).',
      err: '',
    });
    // One runCli call: opening a PGlite folder costs seconds; `list` is the same registered command.
    expect(await fs.readdir(path.join(env.dataDir, 'packages', '1'))).toEqual(['1', '1.zip']);
  }, 90_000);
});

describe('kursvakt courses (command set)', () => {
  let database: Database;
  let root: string;
  const config = () => parseConfig({ NODE_ENV: 'test', PORT: '3999', DATA_DIR: path.join(root, 'data') });

  beforeAll(async () => {
    database = await createTestDatabase();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kv-courses-cmd-'));
  });
  afterAll(async () => {
    await database.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  async function cli(...argv: string[]) {
    const { io, result } = captureIo();
    const [name, ...args] = argv;
    expect(name).toBe('courses');
    try {
      await coursesCommands.commands.courses!(args, { config: config(), database, io });
      return result(0);
    } catch (error) {
      // runCli prints expected errors (CliError, AppError, bad options) the same way, with exit code 1.
      return result(1, (error as Error).message);
    }
  }

  const writeZip = (name: string, data: Buffer) => writeFileIn(root, name, data);

  test('when packages are imported and listed, then new courses, new versions and unchanged uploads are reported', async () => {
    const empty = await cli('courses', 'list');
    expect(empty).toMatchObject({ code: 0 });
    expect(empty.out).toContain('Ingen kurs ennå');

    const first = await cli('courses', 'import', await writeZip('a.zip', await scorm12Zip()));
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toBe(
      'Nytt kurs «Brannvern & rømning» (brannvern-romning) er opprettet med versjon 1 (SCORM 1.2, 1 SCO).',
    );

    const same = await cli('courses', 'import', path.join(root, 'a.zip'), '--course', 'brannvern-romning');
    expect(same.out).toBe(
      'Pakken er lik den nyeste versjonen (versjon 1) av «Brannvern & rømning» (brannvern-romning). Ingen ny versjon er laget.',
    );

    const changed = await writeZip('b.zip', await scorm12Zip([{ name: 'ny.css', data: 'p{}' }]));
    const second = await cli('courses', 'import', changed, '--course', 'brannvern-romning');
    expect(second.out).toBe(
      '«Brannvern & rømning» (brannvern-romning) har fått versjon 2 (SCORM 1.2, 1 SCO).',
    );

    const multi = await cli(
      'courses',
      'import',
      await writeZip('c.zip', await scorm2004MultiZip()),
      '--course',
      'personvern',
    );
    expect(multi.out).toContain('(personvern) er opprettet med versjon 1 (SCORM 2004, 3 SCO-er)');

    const json = await cli('courses', 'list', '--format', 'json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual([
      {
        slug: 'brannvern-romning',
        title: 'Brannvern & rømning',
        versions: 2,
        latestVersion: 2,
        scormVersion: '1.2',
        scoCount: 1,
        builtin: false,
      },
      {
        slug: 'personvern',
        title: 'Personvern i praksis',
        versions: 1,
        latestVersion: 1,
        scormVersion: '2004',
        scoCount: 3,
        builtin: false,
      },
    ]);

    const table = await cli('courses', 'list');
    const lines = table.out.split('\n');
    expect(lines[0]).toMatch(/^kurs\s+tittel\s+versjoner\s+SCORM\s+SCO-er\s+innebygd$/);
    expect(lines[1]).toMatch(/^brannvern-romning\s+Brannvern & rømning\s+2\s+1\.2\s+1\s+nei$/);
    expect(lines[2]).toMatch(/^personvern\s+Personvern i praksis\s+1\s+2004\s+3\s+nei$/);
  });

  test('when a hostile zip is imported, then the same bokmål message as the upload is printed and the exit code is 1', async () => {
    const zip = patchName(
      await scorm12Zip([{ name: 'zz/evil.txt', data: 'x' }]),
      'zz/evil.txt',
      '../evil.txt',
    );
    const result = await cli('courses', 'import', await writeZip('ond.zip', zip));
    expect(result).toEqual({ code: 1, out: '', err: 'Stien «../evil.txt» peker ut av pakken (..).' });
    const noManifest = await cli(
      'courses',
      'import',
      await writeZip('tom.zip', await makeZip([{ name: 'a.html', data: 'x' }])),
    );
    expect(noManifest.err).toBe('Zip-filen mangler imsmanifest.xml øverst i filen. Er dette en SCORM-pakke?');
    const entries = await fs.readdir(path.join(root, 'data', 'packages'));
    expect(entries.filter((e) => e.startsWith('.import-'))).toEqual([]);
  });

  test('when arguments are wrong, then usage or a clear message is printed', async () => {
    expect(await cli('courses', 'import')).toMatchObject({
      code: 1,
      err: expect.stringContaining('Oppgi én zip-fil.'),
    });
    expect(await cli('courses', 'import', path.join(root, 'finnes-ikke.zip'))).toMatchObject({
      code: 1,
      err: 'Fant ikke zip-filen.',
    });
    expect(await cli('courses', 'list', '--format', 'xml')).toMatchObject({
      code: 1,
      err: '--format kan være «table» eller «json».',
    });
    expect(await cli('courses', 'slett')).toMatchObject({
      code: 1,
      err: expect.stringContaining('kursvakt courses import FIL.zip'),
    });
    expect(await cli('courses', 'import', 'a.zip', '--course', 'Ugyldig Slug')).toMatchObject({
      code: 1,
      err: expect.stringContaining('Kortnavnet «Ugyldig Slug» er ugyldig'),
    });
  });
});
