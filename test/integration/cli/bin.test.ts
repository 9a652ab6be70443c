import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

jest.setTimeout(120_000);

const run = promisify(execFile);
const bin = path.resolve(__dirname, '../../../bin/kursvakt.cjs');

describe('the kursvakt command as npx and npm link install it', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kursvakt-bin-'));
    // npx runs node_modules/.bin/kursvakt: a link that is not named kursvakt.cjs.
    await fs.symlink(bin, path.join(dir, 'kursvakt'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  test('when it is started through a link named kursvakt, then it runs: help prints the commands, an unknown command exits 1 in bokmål', async () => {
    const env = { ...process.env, DATA_DIR: path.join(dir, 'data'), DATABASE_URL: '' };
    const help = await run(process.execPath, [path.join(dir, 'kursvakt'), 'help'], { env });
    expect(help.stdout).toContain('Bruk: kursvakt <kommando> [valg]');
    const unknown = await run(process.execPath, [path.join(dir, 'kursvakt'), 'finnes-ikke'], { env }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(unknown).toMatchObject({ code: 1 });
    expect((unknown as { stderr: string }).stderr).toContain('Ukjent kommando «finnes-ikke».');
  });
});
