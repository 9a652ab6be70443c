import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DataDirInUseError, openDatabase } from '../../../src/db/client';

jest.setTimeout(120_000);

const run = promisify(execFile);
const bin = path.resolve(__dirname, '../../../bin/kursvakt.cjs');

describe('one process per PGlite folder', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kursvakt-lock-'));
  });
  afterEach(() => fs.rm(dataDir, { recursive: true, force: true }));

  test('when the folder is open, then a CLI command on it is refused in bokmål and changes nothing; once closed, it runs', async () => {
    const database = await openDatabase({ dataDir });
    const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' };
    const refused = await run(process.execPath, [bin, 'admin', 'create', '--email', 'hr@k.no'], {
      env,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toContain(
      `Databasen i ${dataDir} er i bruk av en annen Kursvakt-prosess (pid ${process.pid}).`,
    );
    // A second open in this very process is refused too.
    await expect(openDatabase({ dataDir })).rejects.toBeInstanceOf(DataDirInUseError);
    await database.close();

    const created = await run(process.execPath, [bin, 'admin', 'create', '--email', 'hr@k.no'], { env });
    expect(created.stdout).toContain('hr@k.no');
    const again = await openDatabase({ dataDir });
    try {
      const users = await again.db.execute('select email from users' as never);
      expect((users as unknown as { rows: Array<{ email: string }> }).rows.map((r) => r.email)).toEqual([
        'hr@k.no',
      ]);
    } finally {
      await again.close();
    }
  });

  test('when the pid file was left by a process that is gone (kill -9), then the folder is taken over', async () => {
    const first = await openDatabase({ dataDir });
    await first.close();
    // A pid that no process has: what a killed server leaves behind.
    await fs.writeFile(path.join(dataDir, 'pglite', 'kursvakt.pid'), '2147483646\n');
    const second = await openDatabase({ dataDir });
    expect(await second.ping()).toBe(true);
    expect((await fs.readFile(path.join(dataDir, 'pglite', 'kursvakt.pid'), 'utf8')).trim()).toBe(
      String(process.pid),
    );
    await second.close();
    await expect(fs.stat(path.join(dataDir, 'pglite', 'kursvakt.pid'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
