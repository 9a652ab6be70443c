import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { runCli } from '../../../src/cli';
import { DEFAULT_DIST_DIR } from '../../../src/modules/courses/courses.service';

// Opening a database takes seconds on a busy machine; these tests do real I/O, not timed work.
jest.setTimeout(120_000);

/**
 * `kursvakt demo` installs the built-in courses from dist/courses (built by `npm run build:courses`,
 * which `npm test` runs first) after loading Eksempel kommune, and `courses list` shows them tied to
 * the demo's requirements.
 */
describe('kursvakt demo with the built-in courses', () => {
  let root: string;
  let schema: string | undefined;
  const saved = { ...process.env };

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kv-demo-kurs-'));
    process.env.DATA_DIR = path.join(root, 'data');
    process.env.LOG_LEVEL = 'silent';
    if (process.env.TEST_DATABASE_URL) {
      schema = `t_${randomBytes(6).toString('hex')}`;
      process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
      process.env.DATABASE_SCHEMA = schema;
    } else {
      delete process.env.DATABASE_URL;
      delete process.env.DATABASE_SCHEMA;
    }
  });
  afterAll(async () => {
    process.env = saved;
    if (schema) {
      const client = new Client({ connectionString: process.env.TEST_DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
    await fs.rm(root, { recursive: true, force: true });
  });

  test('when the demo is loaded, then each built course is installed as version 1 of its built-in course', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['demo'], { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const slugs = ['handlingsplan', 'meldeplikt', 'taushetsplikt'];
    const built = slugs.filter((s) => existsSync(path.join(DEFAULT_DIST_DIR, `${s}-scorm2004.zip`)));
    for (const slug of slugs) {
      expect(out).toContain(
        built.includes(slug)
          ? `Innebygd kurs ${slug}: versjon 1 er installert.`
          : `Innebygd kurs ${slug}: ikke bygget ennå (kjør «npm run build:courses»).`,
      );
    }
    // The packages are in DATA_DIR, one folder per installed course.
    const packages = existsSync(path.join(root, 'data', 'packages'))
      ? (await fs.readdir(path.join(root, 'data', 'packages'))).filter((f) => !f.startsWith('.'))
      : [];
    expect(packages).toHaveLength(built.length);
  }, 180_000);
});
