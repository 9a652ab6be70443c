import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

function runServer(env: Record<string, string>) {
  const child = spawn(tsx, ['src/server.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('the server process', () => {
  jest.setTimeout(60_000);

  test('when the database cannot be reached at start, then it prints one clear line and exits non-zero', async () => {
    const server = runServer({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/ingen', PORT: '0' });
    const code = await server.exited;
    expect(code).not.toBe(0);
    const lines = server.output().stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Kursvakt kan ikke starte: databasen svarer ikke/);
  });

  test('when a variable is invalid, then it names the variable and exits non-zero', async () => {
    const server = runServer({ PORT: 'abc' });
    expect(await server.exited).not.toBe(0);
    expect(server.output().stderr).toContain('PORT');
  });

  test('when it gets SIGTERM, then it finishes, closes the database and exits 0', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kursvakt-'));
    const server = runServer({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
    const deadline = Date.now() + 45_000;
    while (!server.output().stdout.includes('Kursvakt kjører') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(server.output().stdout).toContain('Kursvakt kjører');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
