/**
 * Builds every course in `courses/` into SCORM 2004 and SCORM 1.2 zips in `dist/courses/` and prints
 * a summary. Usage: `tsx scripts/build-courses.ts [coursesRoot] [outDir]`.
 */
import path from 'node:path';
import { buildAllCourses, CourseBuildError, type CourseBuildResult } from '../src/modules/course-build/build';

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

// TODO(lead): when src/modules/course-build/lix.ts lands, import computeLix and its text helper and
// fill this in; until then the LIX column shows a dash.
function lixOf(_result: CourseBuildResult): string {
  return '–';
}

async function main(): Promise<void> {
  const coursesRoot = process.argv[2] ?? 'courses';
  const outDir = process.argv[3] ?? path.join('dist', 'courses');
  const results = await buildAllCourses(coursesRoot, outDir);
  if (results.length === 0) {
    console.log(`Fant ingen kurs i ${coursesRoot}/ (ingen mapper med course.yaml).`);
    return;
  }
  const header = ['kurs', 'versjon', 'sider', 'spørsmål', 'LIX', 'SCORM 2004', 'SCORM 1.2'];
  const rows = results.map((r) => [
    r.slug,
    String(r.version),
    String(r.pages),
    String(r.questions),
    lixOf(r),
    kib(r.sizes.scorm2004),
    kib(r.sizes.scorm12),
  ]);
  console.log(table([header, ...rows]));
  console.log(`\n${results.length} kurs bygget til ${outDir}/.`);
}

main().catch((error: unknown) => {
  if (error instanceof CourseBuildError) console.error(error.message);
  else console.error(error);
  process.exitCode = 1;
});
