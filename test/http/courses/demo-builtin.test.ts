import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { DEFAULT_DIST_DIR } from '../../../src/modules/courses/courses.service';
import { runKursvakt, setUpCliEnvironment, type CliEnvironment } from '../../support/cli';

// Opening a database takes seconds on a busy machine; these tests do real I/O, not timed work.
jest.setTimeout(120_000);

/**
 * `kursvakt demo` installs the built-in courses from dist/courses (built by `npm run build:courses`,
 * which `npm test` runs first) after loading Eksempel kommune, and `courses list` shows them tied to
 * the demo's requirements.
 */
describe('kursvakt demo with the built-in courses', () => {
  let env: CliEnvironment;

  beforeAll(() => {
    env = setUpCliEnvironment('kv-demo-kurs-');
  });
  afterAll(() => env.close());

  test('when the demo is loaded, then each built course is installed as version 1 of its built-in course', async () => {
    const { code, out, err } = await runKursvakt(['demo']);
    expect(err).toEqual('');
    expect(code).toBe(0);
    const slugs = ['handlingsplan', 'meldeplikt', 'taushetsplikt'];
    const built = slugs.filter((s) => existsSync(path.join(DEFAULT_DIST_DIR, `${s}-scorm2004.zip`)));
    for (const slug of slugs) {
      expect(out.split('\n')).toContain(
        built.includes(slug)
          ? `Innebygd kurs ${slug}: versjon 1 er installert.`
          : `Innebygd kurs ${slug}: ikke bygget ennå (kjør «npm run build:courses»).`,
      );
    }
    // The packages are in DATA_DIR, one folder per installed course.
    const packages = existsSync(path.join(env.dataDir, 'packages'))
      ? (await fs.readdir(path.join(env.dataDir, 'packages'))).filter((f) => !f.startsWith('.'))
      : [];
    expect(packages).toHaveLength(built.length);
  }, 180_000);
});
