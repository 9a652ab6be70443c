import path from 'node:path';
import { buildCourse, type CourseBuildResult } from '../../src/modules/course-build/build';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'courses');

/** The slug of the test fixture course in test/fixtures/courses. */
export const SAMPLE_COURSE_SLUG = 'sample';

/** Builds the fixture course, with the fixture municipality, into SCORM packages in `outDir`. */
export function buildSampleCourse(outDir: string): Promise<CourseBuildResult> {
  return buildCourse(path.join(FIXTURES, SAMPLE_COURSE_SLUG), path.join(FIXTURES, 'kommune.yaml'), outDir);
}
