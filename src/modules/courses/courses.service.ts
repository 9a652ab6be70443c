import fsSync, { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Db, DbOrTx } from '../../db/client';
import { logger } from '../../lib/logger';
import { recordAudit } from '../audit/audit.repo';
import {
  findCourseById,
  findOrCreateCourse,
  findCourseVersion,
  findCourseWithLatestHash,
  insertCourse,
  insertCourseVersion,
  latestVersion,
  listCoursesWithLatest,
  listVersions,
  lockCourse,
  slugsStartingWith,
  updateCourse,
  type CourseRow,
  type CourseVersionRow,
} from './courses.repo';
import { parseManifest } from './manifest-parser';
import { PACKAGE_LIMITS, PackageError, formatBytes, type PackageLimits } from './package-limits';
import type { ParsedManifest } from './package.types';
import { extractPackageZip, type ZipSource } from './package-zip';

/** The three built-in courses, written in courses/ and built into dist/courses/. */
export const BUILTIN_COURSE_SLUGS = ['handlingsplan', 'meldeplikt', 'taushetsplikt'] as const;

/** The folder under DATA_DIR that holds every extracted package and its original zip. */
export const PACKAGES_DIR = 'packages';

export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export type ImportScormPackageInput = {
  dataDir: string;
  /** An existing course's slug (new version) or a new slug (new course); omitted: a new course. */
  courseSlug?: string;
  uploadedBy?: number | null;
  /** Marks the course as built-in and takes its title from the manifest (installBuiltinCourses). */
  builtin?: boolean;
  limits?: PackageLimits;
} & ZipSource;

export interface ImportScormPackageResult {
  courseId: number;
  courseSlug: string;
  courseVersionId: number;
  version: number;
  /** false when the package is identical to the course's newest version (nothing was added). */
  created: boolean;
  /** true when this import created the course itself (its first version). */
  newCourse: boolean;
  courseTitle: string;
  manifest: ParsedManifest;
  contentHash: string;
}

/** Turns a title into a slug: lower case a–z, digits and hyphens (æ → ae, ø → o, å → a). */
export function slugify(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/å/g, 'a')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'kurs';
}

async function uniqueSlug(db: DbOrTx, base: string): Promise<string> {
  const taken = new Set(await slugsStartingWith(db, base));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

function zipNotFound(): PackageError {
  return new PackageError('Fant ikke zip-filen.');
}

/** Checks the zip's own size before it is opened. */
async function checkZipSize(source: ZipSource, limits: PackageLimits): Promise<void> {
  let size: number;
  if ('buffer' in source) size = source.buffer.length;
  else {
    try {
      const stat = await fs.stat(source.zipPath);
      if (!stat.isFile()) throw zipNotFound();
      size = stat.size;
    } catch (error) {
      if (error instanceof PackageError) throw error;
      throw zipNotFound();
    }
  }
  if (size > limits.maxZipBytes)
    throw new PackageError(
      `Zip-filen er for stor (${formatBytes(size)}); grensen er ${formatBytes(limits.maxZipBytes)}.`,
    );
  if (size === 0) throw new PackageError('Zip-filen er tom.');
}

/** A hint when the manifest sits one folder down (the folder was zipped instead of its contents). */
function missingManifestError(files: Set<string>): PackageError {
  const nested = [...files].find((f) => f.endsWith('/imsmanifest.xml'));
  if (nested)
    return new PackageError(
      `imsmanifest.xml må ligge øverst i zip-filen, men ligger i «${nested.slice(0, -'/imsmanifest.xml'.length)}/». Pakk innholdet i mappen, ikke selve mappen.`,
    );
  return new PackageError('Zip-filen mangler imsmanifest.xml øverst i filen. Er dette en SCORM-pakke?');
}

/**
 * Imports a SCORM zip as a new version of a course. The zip is checked and extracted into a fresh
 * temporary folder under DATA_DIR/packages; only when everything is valid is the folder renamed to
 * packages/<courseId>/<version>/ (with the original zip beside it as <version>.zip), and the version
 * row is written in the same transaction. A refused package leaves nothing behind.
 */
export async function importScormPackage(
  db: Db,
  input: ImportScormPackageInput,
): Promise<ImportScormPackageResult> {
  const limits = input.limits ?? PACKAGE_LIMITS;
  const source: ZipSource = 'buffer' in input ? { buffer: input.buffer } : { zipPath: input.zipPath };
  const slug = input.courseSlug?.trim();
  if (slug !== undefined && !SLUG_PATTERN.test(slug))
    throw new PackageError(
      `Kortnavnet «${slug}» er ugyldig. Bruk små bokstaver a–z, tall og bindestrek, f.eks. «taushetsplikt».`,
    );
  await checkZipSize(source, limits);

  const packagesRoot = path.resolve(input.dataDir, PACKAGES_DIR);
  await fs.mkdir(packagesRoot, { recursive: true });
  const work = await fs.mkdtemp(path.join(packagesRoot, '.import-'));
  try {
    const contentDir = path.join(work, 'content');
    await fs.mkdir(contentDir);
    const extracted = await extractPackageZip(source, contentDir, limits);
    if (!extracted.manifest) throw missingManifestError(extracted.files);
    const manifest = parseManifest(extracted.manifest);
    for (const sco of manifest.scos) {
      if (!extracted.files.has(sco.href))
        throw new PackageError(`Startfilen «${sco.href}» for «${sco.title}» finnes ikke i zip-filen.`);
    }
    const originalZip = path.join(work, 'original.zip');
    if ('buffer' in source) await fs.writeFile(originalZip, source.buffer);
    else await fs.copyFile(source.zipPath, originalZip);

    return await db.transaction(async (tx) => {
      let course: CourseRow | null;
      let newCourse = false;
      if (slug) {
        ({ course, created: newCourse } = await findOrCreateCourse(tx, {
          slug,
          title: manifest.title,
          builtin: input.builtin ?? false,
        }));
      } else {
        const same = await findCourseWithLatestHash(tx, extracted.contentHash);
        course = same ? await findCourseById(tx, same.courseId) : null;
        if (!course) {
          course = await insertCourse(tx, {
            slug: await uniqueSlug(tx, slugify(manifest.title)),
            title: manifest.title,
          });
          newCourse = true;
        }
      }
      await lockCourse(tx, course!.id);
      const latest = await latestVersion(tx, course!.id);
      if (latest && latest.contentHash === extracted.contentHash) {
        return {
          courseId: course!.id,
          courseSlug: course!.slug,
          courseVersionId: latest.id,
          version: latest.version,
          created: false,
          newCourse: false,
          courseTitle: course!.title,
          manifest: latest.manifest as ParsedManifest,
          contentHash: extracted.contentHash,
        };
      }
      const version = (latest?.version ?? 0) + 1;
      const storagePath = `${PACKAGES_DIR}/${course!.id}/${version}`;
      const finalDir = path.join(input.dataDir, storagePath);
      const finalZip = `${finalDir}.zip`;
      // A folder left by a crash between rename and commit has no row; it is safe to replace.
      await fs.rm(finalDir, { recursive: true, force: true });
      await fs.rm(finalZip, { force: true });
      await fs.mkdir(path.dirname(finalDir), { recursive: true });
      await fs.rename(contentDir, finalDir);
      try {
        await fs.rename(originalZip, finalZip);
        const row = await insertCourseVersion(tx, {
          courseId: course!.id,
          version,
          scormVersion: manifest.scormVersion,
          title: manifest.title,
          manifest,
          storagePath,
          contentHash: extracted.contentHash,
          uploadedBy: input.uploadedBy ?? null,
        });
        if (input.builtin) await updateCourse(tx, course!.id, { title: manifest.title, builtin: true });
        await recordAudit(tx, {
          actorUserId: input.uploadedBy ?? null,
          action: 'course.version_imported',
          entity: 'course',
          entityId: course!.id,
          details: {
            version,
            scormVersion: manifest.scormVersion,
            scos: manifest.scos.length,
            contentHash: extracted.contentHash,
            bytes: extracted.totalBytes,
          },
        });
        return {
          courseId: course!.id,
          courseSlug: course!.slug,
          courseVersionId: row.id,
          version,
          created: true,
          newCourse,
          courseTitle: input.builtin ? manifest.title : course!.title,
          manifest,
          contentHash: extracted.contentHash,
        };
      } catch (error) {
        await fs.rm(finalDir, { recursive: true, force: true }).catch(() => undefined);
        await fs.rm(finalZip, { force: true }).catch(() => undefined);
        throw error;
      }
    });
  } finally {
    await fs.rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * The absolute path of a file inside an extracted package, or null when the path is unsafe
 * (`..`, absolute, backslash, NUL), leaves the package (also through a symlink), or is not a file.
 */
export function resolvePackageFile(
  dataDir: string,
  storagePath: string,
  relativePath: string,
): string | null {
  if (!storagePath || !relativePath) return null;
  if (relativePath.includes('\\') || relativePath.includes('\u0000') || storagePath.includes('\u0000'))
    return null;
  if (relativePath.startsWith('/') || /^[A-Za-z]:/.test(relativePath)) return null;
  if (relativePath.split('/').includes('..')) return null;
  const packagesRoot = path.resolve(dataDir, PACKAGES_DIR);
  const base = path.resolve(dataDir, storagePath);
  if (!base.startsWith(packagesRoot + path.sep)) return null;
  const target = path.resolve(base, relativePath);
  if (!target.startsWith(base + path.sep)) return null;
  try {
    const stat = fsSync.lstatSync(target);
    if (!stat.isFile()) return null;
    const real = fsSync.realpathSync(target);
    const realBase = fsSync.realpathSync(base);
    if (!real.startsWith(realBase + path.sep)) return null;
    return target;
  } catch {
    return null;
  }
}

export interface CourseSummary {
  id: number;
  slug: string;
  title: string;
  builtin: boolean;
  versions: number;
  latestVersion: number | null;
  scormVersion: string | null;
  scoCount: number;
}

/** Every course with its version count, SCORM version and number of SCOs (newest version). */
export async function listCourses(db: Db): Promise<CourseSummary[]> {
  const rows = await listCoursesWithLatest(db);
  return rows.map((r) => ({
    id: r.id,
    slug: r.slug,
    title: r.title,
    builtin: r.builtin,
    versions: r.versions,
    latestVersion: r.latestVersion,
    scormVersion: r.scormVersion,
    scoCount: Array.isArray((r.manifest as ParsedManifest | null)?.scos)
      ? (r.manifest as ParsedManifest).scos.length
      : 0,
  }));
}

/** One course with all its versions (newest first); null when there is no such course. */
export async function getCourseWithVersions(
  db: Db,
  courseId: number,
): Promise<{ course: CourseRow; versions: CourseVersionRow[] } | null> {
  const course = await findCourseById(db, courseId);
  if (!course) return null;
  return { course, versions: await listVersions(db, courseId) };
}

export type VersionDownloadKind = 'package' | 'scorm12';

/**
 * A version's zip for download: `package` is the uploaded zip (for a built-in course, its SCORM 2004
 * build); `scorm12` is the SCORM 1.2 build kept beside a built-in course's version. Null when absent.
 */
export async function findVersionDownload(
  db: Db,
  dataDir: string,
  courseId: number,
  version: number,
  kind: VersionDownloadKind,
): Promise<{ file: string; downloadName: string } | null> {
  const course = await findCourseById(db, courseId);
  const row = course ? await findCourseVersion(db, courseId, version) : null;
  if (!course || !row?.storagePath) return null;
  if (kind === 'scorm12' && !course.builtin) return null;
  const file = path.resolve(dataDir, `${row.storagePath}${kind === 'scorm12' ? '-scorm12' : ''}.zip`);
  if (!file.startsWith(path.resolve(dataDir, PACKAGES_DIR) + path.sep)) return null;
  try {
    if (!(await fs.stat(file)).isFile()) return null;
  } catch {
    return null;
  }
  const scorm = kind === 'scorm12' || row.scormVersion === '1.2' ? 'scorm12' : 'scorm2004';
  return { file, downloadName: `${course.slug}-v${version}-${scorm}.zip` };
}

/** Whether a version has the SCORM 1.2 twin beside it (built-in courses). */
export function hasScorm12Twin(dataDir: string, storagePath: string | null): boolean {
  return !!storagePath && fsSync.existsSync(path.resolve(dataDir, `${storagePath}-scorm12.zip`));
}

export interface BuiltinInstallResult {
  slug: string;
  /** installed: a new version; unchanged: same content as the newest version; missing: not built. */
  outcome: 'installed' | 'unchanged' | 'missing';
  version: number | null;
}

/**
 * Installs the built-in courses from `distDir` (<slug>-scorm2004.zip): a course whose package has
 * changed gets a new version, an unchanged one is left alone. Requirements point at the course,
 * not a version, so they and every earlier completion stay valid across versions.
 */
export async function installBuiltinCourses(
  db: Db,
  dataDir: string,
  distDir: string,
): Promise<BuiltinInstallResult[]> {
  const results: BuiltinInstallResult[] = [];
  for (const slug of BUILTIN_COURSE_SLUGS) {
    const zipPath = path.join(distDir, `${slug}-scorm2004.zip`);
    if (!fsSync.existsSync(zipPath)) {
      results.push({ slug, outcome: 'missing', version: null });
      continue;
    }
    const result = await importScormPackage(db, { dataDir, zipPath, courseSlug: slug, builtin: true });
    // The SCORM 1.2 build of the same sources is kept beside the version, for export to other LMSs.
    const twinSource = path.join(distDir, `${slug}-scorm12.zip`);
    if (fsSync.existsSync(twinSource)) {
      const twin = path.join(dataDir, PACKAGES_DIR, String(result.courseId), `${result.version}-scorm12.zip`);
      const bytes = await fs.readFile(twinSource);
      const current = fsSync.existsSync(twin) ? await fs.readFile(twin) : null;
      if (!current || !current.equals(bytes)) await fs.writeFile(twin, bytes);
    }
    results.push({ slug, outcome: result.created ? 'installed' : 'unchanged', version: result.version });
    if (result.created) logger.info('Innebygd kurs installert', { slug, version: result.version });
  }
  return results;
}

/** The default folder of the built course zips (`npm run build:courses`). */
export const DEFAULT_DIST_DIR = path.resolve(__dirname, '../../../dist/courses');
