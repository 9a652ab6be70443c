import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';

const layoutFile = 'layouts/main.ejs';
const identifier = /^[a-zA-Z_$][0-9a-zA-Z_$]*$/;
const htmlSpecial = /[&<>"']/;
const htmlSpecialGlobal = /[&<>"']/g;
const htmlEntities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
};

/**
 * EJS's escaping (the same entities as ejs's escapeXML), with a fast path for the common case:
 * numbers, and text without any character that needs escaping.
 */
export function escapeHtml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = String(value);
  return htmlSpecial.test(text) ? text.replace(htmlSpecialGlobal, (c) => htmlEntities[c]!) : text;
}

type Locals = Record<string, unknown>;
type Include = (includePath: string, data?: Locals) => string;
type TemplateFunction = (
  locals: Locals,
  escape: (value: unknown) => string,
  include: Include,
  rethrow: undefined,
) => string;

/**
 * Renders EJS templates without `with (locals)`.
 *
 * EJS by default wraps a template in `with (locals) { … }`, and every name the template reads –
 * its own constants and loop variables too – is then looked up on the locals object first, which
 * V8 cannot optimise (a dashboard page spent most of its render time there). Here each template is
 * compiled with its locals declared as variables instead (EJS's `destructuredLocals`), for the set
 * of names it is rendered with; a template is compiled once per file and set of names. The
 * template's own code runs in a block of its own, so its `const`s may shadow a local of the same
 * name. A name that is neither a local nor declared by the template is a ReferenceError, as
 * with `with`; `typeof name` works for both.
 *
 * `include(path, data)` works as in EJS: a path starting with `/` is relative to the views folder,
 * another relative to the including template, and the included template sees the includer's
 * locals with `data` on top.
 */
export function createTemplateRenderer(viewsDir: string, cache: boolean) {
  // Per file, the functions compiled for each set of names it was rendered with (a handful).
  const compiled = new Map<string, Array<{ names: string[]; fn: TemplateFunction }>>();
  const usable = new Map<string, boolean>();

  const namesOf = (locals: Locals): string[] => {
    const names: string[] = [];
    for (const name of Object.keys(locals)) {
      let ok = usable.get(name);
      if (ok === undefined) usable.set(name, (ok = identifier.test(name)));
      if (ok) names.push(name);
    }
    return names;
  };

  const compile = (filename: string, names: string[]): TemplateFunction => {
    const variants = cache ? compiled.get(filename) : undefined;
    const known = variants?.find((v) => sameNames(v.names, names));
    if (known) return known.fn;
    const text = fs.readFileSync(filename, 'utf8');
    const fn = ejs.compile(`<% { %>${text}<% } %>`, {
      client: true,
      _with: false,
      destructuredLocals: names,
      // Indentation and blank lines of the template text are not sent: a 100-row table is about a
      // sixth smaller. Values keep their whitespace (text in <pre> and <textarea> comes from values).
      rmWhitespace: true,
      filename,
      root: viewsDir,
    } as ejs.Options) as unknown as TemplateFunction;
    // Bounded, should a page ever be rendered with ever new names.
    if (cache) compiled.set(filename, [...(variants ?? []).slice(-31), { names, fn }]);
    return fn;
  };

  const resolve = (includePath: string, from: string): string => {
    const withExtension = path.extname(includePath) ? includePath : `${includePath}.ejs`;
    return withExtension.startsWith('/')
      ? path.join(viewsDir, withExtension)
      : path.resolve(path.dirname(from), withExtension);
  };

  const render = (filename: string, locals: Locals): string => {
    const include: Include = (includePath, data) =>
      render(resolve(includePath, filename), data ? { ...locals, ...data } : locals);
    return compile(filename, namesOf(locals))(locals, escapeHtml, include, undefined);
  };

  return render;
}

function sameNames(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The Express view engine: the view renders first, then the layout wraps its HTML as `body`. A
 * view can opt out with `layout: false` (e.g. the SCORM player frame).
 */
export function createViewEngine(viewsDir: string, cache: boolean) {
  const render = createTemplateRenderer(viewsDir, cache);
  const layout = path.join(viewsDir, layoutFile);
  return (filePath: string, options: object, callback: (e: unknown, html?: string) => void) => {
    let html: string;
    try {
      const locals = options as Locals;
      const body = render(filePath, locals);
      html = locals.layout === false ? body : render(layout, { ...locals, body });
    } catch (error) {
      callback(error);
      return;
    }
    callback(null, html);
  };
}
