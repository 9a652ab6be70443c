import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import matter from 'gray-matter';
import { load as loadYaml } from 'js-yaml';
import yazl from 'yazl';
import { z } from 'zod';
import { AppError } from '../../lib/errors';
import { createScorm12Manifest, createScorm2004Manifest } from './manifest';
import {
  renderIndexHtml,
  renderInlineMarkdown,
  renderMarkdown,
  renderText,
  type KommuneConfig,
  type RenderContext,
  type RenderedCourse,
  type RenderedPage,
  type RenderedQuestion,
  type ScormVersion,
} from './render';

/** A course source that cannot be built; `problems` lists every problem found, each naming its file. */
export class CourseBuildError extends AppError {
  constructor(public readonly problems: string[]) {
    super('course_build', 422, `Kurset kunne ikke bygges:\n- ${problems.join('\n- ')}`, { problems });
    this.name = 'CourseBuildError';
  }
}

export interface CourseBuildResult {
  slug: string;
  version: number;
  title: string;
  /** Content pages, not counting the quiz. */
  pages: number;
  questions: number;
  passMark: number;
  zips: { scorm2004: string; scorm12: string };
  sizes: { scorm2004: number; scorm12: number };
  /**
   * sha256 over every file of both packages (path and bytes). The packages are a pure function of
   * the sources, the kommune config values they use, the runtime and this builder, so an unchanged
   * course gives the same hash while any change that a learner could see gives a new one.
   */
  contentHash: string;
}

/** A course read and rendered from its sources, before it is packaged. */
export interface LoadedCourse {
  course: RenderedCourse;
  /** Files from the course's `media/` folder, by file name. */
  media: Map<string, Buffer>;
}

const RUNTIME_DIR = path.join(__dirname, 'runtime');
const RUNTIME_FILES = ['course.css', 'course.js', 'scorm-api.js'] as const;
const LAUNCH_FILE = 'index.html';
// A fixed local-time date: DOS timestamps in a zip have no time zone, and a fixed one keeps the bytes stable.
const ZIP_MTIME = new Date(2020, 0, 1, 0, 0, 0);
const PAGE_FILE = /^\d+-[a-z0-9æøå-]+\.md$/i;
const MEDIA_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const courseSchema = z.object({
  slug: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kan bare ha små bokstaver a–z, tall og bindestrek'),
  title: z.string().trim().min(1),
  description: z.string().default(''),
  version: z.int().positive(),
  passMark: z.number().gt(0).max(1).default(0.8),
  estimatedMinutes: z.int().positive(),
  language: z.literal('nb').default('nb'),
});

const pageFrontMatterSchema = z.object({ title: z.string().trim().min(1) });

const quizSchema = z.object({
  title: z.string().trim().min(1).default('Test deg selv'),
  intro: z.string().default(''),
  passMark: z.number().gt(0).max(1).optional(),
  questions: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'kan bare ha bokstaver a–z, tall, - og _'),
        situation: z.string().default(''),
        question: z.string().trim().min(1),
        options: z
          .array(
            z.object({
              text: z.string().trim().min(1),
              correct: z.boolean(),
              feedback: z.string().default(''),
            }),
          )
          .min(2)
          .refine((options) => options.filter((o) => o.correct).length === 1, {
            message: 'må ha nøyaktig ett riktig svaralternativ (correct: true)',
          }),
        explanation: z.string().default(''),
      }),
    )
    .min(1)
    .refine((questions) => new Set(questions.map((q) => q.id)).size === questions.length, {
      message: 'hvert spørsmål må ha en egen id',
    }),
});

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}

async function readFileOrNull(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function parseYaml(text: string, file: string, problems: string[]): unknown {
  try {
    return loadYaml(text);
  } catch (error) {
    problems.push(`${displayPath(file)} er ikke gyldig YAML: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

function validate<S extends z.ZodType>(
  schema: S,
  data: unknown,
  file: string,
  problems: string[],
): z.infer<S> | null {
  const result = schema.safeParse(data ?? {}, { error: z.locales.no().localeError });
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const where = issue.path.length > 0 ? ` (${issue.path.join('.')})` : '';
    problems.push(`${displayPath(file)}${where}: ${issue.message}`);
  }
  return null;
}

/** Reads `kommune.yaml`, the values that placeholders in every course point into. */
export async function loadKommuneConfig(file: string): Promise<KommuneConfig> {
  const problems: string[] = [];
  const text = await readFileOrNull(file);
  if (text === null) throw new CourseBuildError([`Fant ikke kommunefilen ${displayPath(file)}.`]);
  const data = parseYaml(text.toString('utf8'), file, problems);
  if (problems.length === 0 && (data === null || typeof data !== 'object' || Array.isArray(data))) {
    problems.push(`${displayPath(file)} må inneholde nøkler og verdier, for eksempel kommune: {navn: …}.`);
  }
  if (problems.length > 0) throw new CourseBuildError(problems);
  return data as KommuneConfig;
}

async function loadMedia(dir: string, problems: string[]): Promise<Map<string, Buffer>> {
  const media = new Map<string, Buffer>();
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return media;
    throw error;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isFile()) continue;
    if (!MEDIA_FILE.test(entry.name)) {
      problems.push(
        `${displayPath(path.join(dir, entry.name))}: filnavnet kan bare ha a–z, tall, punktum, - og _.`,
      );
      continue;
    }
    media.set(entry.name, await fs.readFile(path.join(dir, entry.name)));
  }
  return media;
}

async function loadPages(dir: string, base: Omit<RenderContext, 'file'>): Promise<RenderedPage[]> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((name) => name.endsWith('.md'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    names = [];
  }
  names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const pages: RenderedPage[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const ctx: RenderContext = { ...base, file: displayPath(file) };
    if (!PAGE_FILE.test(name)) {
      base.problems.push(`${ctx.file}: sidefiler må hete NN-navn.md, for eksempel 01-innledning.md.`);
      continue;
    }
    const source = await fs.readFile(file, 'utf8');
    let parsed: { data: unknown; content: string };
    try {
      parsed = matter(source, { engines: { yaml: (text: string) => (loadYaml(text) ?? {}) as object } });
    } catch (error) {
      base.problems.push(`${ctx.file}: ugyldig front matter: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    const front = validate(pageFrontMatterSchema, parsed.data, file, base.problems);
    if (!front) continue;
    pages.push({
      title: renderText(front.title, ctx),
      html: renderMarkdown(parsed.content, ctx, 2),
      file: ctx.file,
    });
  }
  if (names.length === 0) base.problems.push(`${displayPath(dir)}: kurset har ingen sider (NN-navn.md).`);
  return pages;
}

function renderQuestions(quiz: z.infer<typeof quizSchema>, ctx: RenderContext): RenderedQuestion[] {
  return quiz.questions.map((q) => ({
    id: q.id,
    situationHtml: renderMarkdown(q.situation, ctx, 3),
    questionHtml: renderInlineMarkdown(q.question, ctx),
    options: q.options.map((o) => ({
      html: renderInlineMarkdown(o.text, ctx),
      correct: o.correct,
      feedbackHtml: renderInlineMarkdown(o.feedback, ctx),
    })),
    explanationHtml: renderMarkdown(q.explanation, ctx, 3),
  }));
}

/** Reads, validates and renders a course folder; throws a CourseBuildError listing every problem. */
export async function loadCourse(sourceDir: string, kommuneConfigPath: string): Promise<LoadedCourse> {
  const kommune = await loadKommuneConfig(kommuneConfigPath);
  const problems: string[] = [];
  const courseFile = path.join(sourceDir, 'course.yaml');
  const quizFile = path.join(sourceDir, 'quiz.yaml');

  const courseText = await readFileOrNull(courseFile);
  if (courseText === null) throw new CourseBuildError([`Fant ikke ${displayPath(courseFile)}.`]);
  const meta = validate(
    courseSchema,
    parseYaml(courseText.toString('utf8'), courseFile, problems),
    courseFile,
    problems,
  );
  const folder = path.basename(path.resolve(sourceDir));
  if (meta && meta.slug !== folder) {
    problems.push(`${displayPath(courseFile)}: slug «${meta.slug}» må være lik mappenavnet «${folder}».`);
  }

  const media = await loadMedia(path.join(sourceDir, 'media'), problems);
  const base = { kommune, media: new Set(media.keys()), problems };
  const pages = await loadPages(path.join(sourceDir, 'pages'), base);

  const quizText = await readFileOrNull(quizFile);
  let quiz: z.infer<typeof quizSchema> | null = null;
  if (quizText === null) problems.push(`Fant ikke ${displayPath(quizFile)}.`);
  else
    quiz = validate(quizSchema, parseYaml(quizText.toString('utf8'), quizFile, problems), quizFile, problems);

  const courseCtx: RenderContext = { ...base, file: displayPath(courseFile) };
  const quizCtx: RenderContext = { ...base, file: displayPath(quizFile) };
  const title = meta ? renderText(meta.title, courseCtx) : '';
  const description = meta ? renderText(meta.description, courseCtx) : '';
  const questions = quiz ? renderQuestions(quiz, quizCtx) : [];
  const quizTitle = quiz ? renderText(quiz.title, quizCtx) : '';
  const introHtml = quiz ? renderMarkdown(quiz.intro, quizCtx, 2) : '';

  if (problems.length > 0 || !meta || !quiz) throw new CourseBuildError(problems);
  return {
    course: {
      slug: meta.slug,
      title,
      description,
      version: meta.version,
      passMark: quiz.passMark ?? meta.passMark,
      estimatedMinutes: meta.estimatedMinutes,
      pages,
      quiz: { title: quizTitle, introHtml, questions },
    },
    media,
  };
}

async function readRuntime(): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of RUNTIME_FILES) files.set(name, await fs.readFile(path.join(RUNTIME_DIR, name)));
  return files;
}

/** Every file of one package (manifest included), sorted by path so that zips and hashes are stable. */
function packageFiles(
  loaded: LoadedCourse,
  runtime: Map<string, Buffer>,
  version: ScormVersion,
): Array<[string, Buffer]> {
  const files = new Map<string, Buffer>(runtime);
  files.set(LAUNCH_FILE, Buffer.from(renderIndexHtml(loaded.course, version), 'utf8'));
  for (const [name, bytes] of loaded.media) files.set(`media/${name}`, bytes);
  const { course } = loaded;
  const input = {
    slug: course.slug,
    title: course.title,
    version: course.version,
    passMark: course.passMark,
    launch: LAUNCH_FILE,
    files: [...files.keys()],
  };
  const manifest = version === '2004' ? createScorm2004Manifest(input) : createScorm12Manifest(input);
  files.set('imsmanifest.xml', Buffer.from(manifest, 'utf8'));
  return [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

async function writeZip(files: Array<[string, Buffer]>, target: string): Promise<number> {
  const zip = new yazl.ZipFile();
  for (const [name, bytes] of files) {
    zip.addBuffer(bytes, name, {
      mtime: ZIP_MTIME,
      mode: 0o100644,
      forceDosTimestamp: true,
      compressionLevel: 9,
    });
  }
  zip.end();
  // Write beside the target and rename, so that a server never picks up a half-written package.
  const partial = `${target}.${process.pid}.tmp`;
  await pipeline(zip.outputStream, createWriteStream(partial));
  await fs.rename(partial, target);
  return (await fs.stat(target)).size;
}

function hashPackages(...packages: Array<Array<[string, Buffer]>>): string {
  const hash = createHash('sha256');
  for (const files of packages) {
    for (const [name, bytes] of files) {
      hash.update(`${name}\0${bytes.length}\0`);
      hash.update(bytes);
    }
  }
  return hash.digest('hex');
}

/** Builds one course folder into `<slug>-scorm2004.zip` and `<slug>-scorm12.zip` in `outDir`. */
export async function buildCourse(
  sourceDir: string,
  kommuneConfigPath: string,
  outDir: string,
): Promise<CourseBuildResult> {
  const loaded = await loadCourse(sourceDir, kommuneConfigPath);
  const runtime = await readRuntime();
  const scorm2004Files = packageFiles(loaded, runtime, '2004');
  const scorm12Files = packageFiles(loaded, runtime, '1.2');
  const { course } = loaded;
  await fs.mkdir(outDir, { recursive: true });
  const zips = {
    scorm2004: path.join(outDir, `${course.slug}-scorm2004.zip`),
    scorm12: path.join(outDir, `${course.slug}-scorm12.zip`),
  };
  const sizes = {
    scorm2004: await writeZip(scorm2004Files, zips.scorm2004),
    scorm12: await writeZip(scorm12Files, zips.scorm12),
  };
  return {
    slug: course.slug,
    version: course.version,
    title: course.title,
    pages: course.pages.length,
    questions: course.quiz.questions.length,
    passMark: course.passMark,
    zips,
    sizes,
    contentHash: hashPackages(scorm2004Files, scorm12Files),
  };
}

/** The course folders under `coursesRoot`: every folder with a `course.yaml`, sorted by name. */
export async function findCourseDirs(coursesRoot: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(coursesRoot, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new CourseBuildError([`Fant ikke kursmappen ${displayPath(coursesRoot)}.`]);
  }
  const dirs: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(coursesRoot, entry.name);
    if ((await readFileOrNull(path.join(dir, 'course.yaml'))) !== null) dirs.push(dir);
  }
  return dirs.sort();
}

/**
 * Builds every course under `coursesRoot` with `coursesRoot/kommune.yaml`; if any fails, the others
 * are still tried and one CourseBuildError reports the problems of all of them.
 */
export async function buildAllCourses(
  coursesRoot = 'courses',
  outDir = path.join('dist', 'courses'),
): Promise<CourseBuildResult[]> {
  const kommuneConfigPath = path.join(coursesRoot, 'kommune.yaml');
  const results: CourseBuildResult[] = [];
  const problems: string[] = [];
  for (const dir of await findCourseDirs(coursesRoot)) {
    try {
      results.push(await buildCourse(dir, kommuneConfigPath, outDir));
    } catch (error) {
      if (!(error instanceof CourseBuildError)) throw error;
      problems.push(...error.problems);
    }
  }
  // A broken kommune.yaml is reported by every course; once is enough.
  if (problems.length > 0) throw new CourseBuildError([...new Set(problems)]);
  return results;
}
