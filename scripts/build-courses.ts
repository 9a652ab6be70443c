/**
 * Builds every course in `courses/` into SCORM 2004 and SCORM 1.2 zips in `dist/courses/` and prints
 * a summary with the LIX readability index of each course. Usage: `tsx scripts/build-courses.ts [coursesRoot] [outDir]`.
 */
import path from 'node:path';
import {
  buildAllCourses,
  CourseBuildError,
  loadCourse,
  type CourseBuildResult,
} from '../src/modules/course-build/build';
import { courseLix, courseText, computeLix } from '../src/modules/course-build/lix';

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1).replace('.', ',')} KiB`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The plain-language target for the built-in courses (docs/courses.md, «Klarspråk»). */
const LIX_TARGET = 40;

interface Readability {
  lix: number;
  /** Words on the content pages, which set the reading time. */
  pageWords: number;
  /** Words in the quiz (situations, questions, options, feedback and explanations). */
  quizWords: number;
  /** The reading time the course states (course.yaml `estimatedMinutes`). */
  minutes: number;
}

/** LIX over what the learner reads (pages and quiz), from the same sources the package was built from. */
async function readability(result: CourseBuildResult, coursesRoot: string): Promise<Readability> {
  const { course } = await loadCourse(
    path.join(coursesRoot, result.slug),
    path.join(coursesRoot, 'kommune.yaml'),
  );
  const text = courseText(course);
  return {
    lix: courseLix(course).lix,
    pageWords: computeLix(text.pages).words,
    quizWords: computeLix(text.quiz).words,
    minutes: course.estimatedMinutes,
  };
}

function decimal(value: number): string {
  return value.toFixed(1).replace('.', ',');
}

async function main(): Promise<void> {
  const coursesRoot = process.argv[2] ?? 'courses';
  const outDir = process.argv[3] ?? path.join('dist', 'courses');
  const results = await buildAllCourses(coursesRoot, outDir);
  if (results.length === 0) {
    console.log(`Fant ingen kurs i ${coursesRoot}/ (ingen mapper med course.yaml).`);
    return;
  }
  const header = [
    'kurs',
    'versjon',
    'sider',
    'spørsmål',
    'ord (sider + test)',
    'minutter',
    'LIX',
    'SCORM 2004',
    'SCORM 1.2',
  ];
  const rows: string[][] = [];
  const hardToRead: string[] = [];
  for (const r of results) {
    const read = await readability(r, coursesRoot);
    if (read.lix > LIX_TARGET) hardToRead.push(`${r.slug} (LIX ${decimal(read.lix)})`);
    rows.push([
      r.slug,
      String(r.version),
      String(r.pages),
      String(r.questions),
      `${read.pageWords} + ${read.quizWords}`,
      String(read.minutes),
      decimal(read.lix),
      kib(r.sizes.scorm2004),
      kib(r.sizes.scorm12),
    ]);
  }
  console.log(table([header, ...rows]));
  console.log(`\n${results.length} kurs bygget til ${outDir}/.`);
  if (hardToRead.length > 0) {
    // A warning, not a failure: a municipality that edits a course should still get its packages.
    console.log(
      `Merk: LIX over ${LIX_TARGET} gir tung tekst for mange lesere: ${hardToRead.join(', ')}. ` +
        'Skriv kortere setninger og bruk kortere ord.',
    );
  }
}

main().catch((error: unknown) => {
  if (error instanceof CourseBuildError) console.error(error.message);
  else console.error(error);
  process.exitCode = 1;
});
