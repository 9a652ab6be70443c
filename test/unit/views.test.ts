import fs from 'node:fs';
import path from 'node:path';

const viewsDir = path.resolve(__dirname, '../../views');

function viewFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? viewFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
    )
    .filter((file) => file.endsWith('.ejs'));
}

describe('the views', () => {
  // EJS resolves a relative include with a file-system lookup on every render; a path from the
  // views folder ('/partials/x') is resolved without one. Pages render per request, so it matters.
  test('when a view includes another, then it names it from the views folder, and that file exists', () => {
    const includes = viewFiles(viewsDir).flatMap((file) =>
      [...fs.readFileSync(file, 'utf8').matchAll(/include\('([^']+)'/g)].map((m) => ({
        file: path.relative(viewsDir, file),
        target: m[1]!,
      })),
    );
    expect(includes.length).toBeGreaterThan(50);
    expect(includes.filter((i) => !i.target.startsWith('/'))).toEqual([]);
    const missing = includes.filter((i) => !fs.existsSync(path.join(viewsDir, `${i.target}.ejs`)));
    expect(missing).toEqual([]);
  });
});
