import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ejs from 'ejs';
import { createTemplateRenderer, escapeHtml } from '../../src/http/views';

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

describe('createTemplateRenderer', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kursvakt-views-'));
    fs.mkdirSync(path.join(dir, 'partials'));
    const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
    write('page.ejs', "<h1><%= title %></h1><%- include('/partials/item', { label: 'b' }) %>|<%= label %>");
    write('partials/item.ejs', '<p><%= title %>:<%= label %></p>');
    write('shadow.ejs', '<% const title = "egen"; %><%= title %>');
    write('optional.ejs', "<%= typeof note !== 'undefined' ? note : 'ingen' %>");
    write('undeclared.ejs', '<%= nowhere %>');
    write('loop.ejs', '<% for (const n of items) { %><%= n %>,<% } %>');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([true, false])(
    'when a page includes a partial with data (cache %s), then the partial sees the page locals with the data on top, and the page keeps its own',
    (cache) => {
      const render = createTemplateRenderer(dir, cache);
      expect(render(path.join(dir, 'page.ejs'), { title: 'T', label: 'a' })).toBe('<h1>T</h1><p>T:b</p>|a');
    },
  );

  test('when values hold HTML characters, then they are escaped exactly as EJS escapes them', () => {
    const render = createTemplateRenderer(dir, true);
    const items = ['<script>', 'a & b', `"q" 'r'`, 42, 0, null, undefined, 'æøå – ok'];
    const ours = render(path.join(dir, 'loop.ejs'), { items });
    const theirs = ejs.render('<% for (const n of items) { %><%= n %>,<% } %>', { items });
    expect(ours).toBe(theirs);
    expect(ours).toContain('&lt;script&gt;,a &amp; b,&#34;q&#34; &#39;r&#39;,42,0,,,æøå – ok,');
    for (const value of items) expect(escapeHtml(value)).toBe(ejs.escapeXML(value as string));
  });

  test('when a template declares a constant with the name of a local, then its own value is used', () => {
    const render = createTemplateRenderer(dir, true);
    expect(render(path.join(dir, 'shadow.ejs'), { title: 'fra ruten' })).toBe('egen');
  });

  test('when the same template is rendered with different locals, then each render sees its own', () => {
    const render = createTemplateRenderer(dir, true);
    const file = path.join(dir, 'optional.ejs');
    expect(render(file, {})).toBe('ingen');
    expect(render(file, { note: 'notat' })).toBe('notat');
    expect(render(file, { note: 'annet', extra: 1 })).toBe('annet');
    expect(render(file, {})).toBe('ingen');
  });

  test('when a template reads a name that is neither a local nor its own, then rendering fails with the name', () => {
    const render = createTemplateRenderer(dir, true);
    expect(() => render(path.join(dir, 'undeclared.ejs'), { title: 'x' })).toThrow(/nowhere is not defined/);
  });
});
