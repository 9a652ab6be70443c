import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { dbId } from '../../lib/validation';
import type { AppContext } from '../../app';
import { requireAdmin } from '../../http/auth';
import { toLocalDate } from '../../lib/dates';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { describeImport } from './courses.cli';
import {
  findVersionDownload,
  getCourseWithVersions,
  hasScorm12Twin,
  importScormPackage,
  listCourses,
  type VersionDownloadKind,
} from './courses.service';
import { PACKAGE_LIMITS, PackageError, formatBytes } from './package-limits';
import type { ParsedManifest } from './package.types';

/** Uploads land in the system's temporary folder and are removed after the import, whatever happens. */
const UPLOAD_DIR = path.join(os.tmpdir(), 'kursvakt-opplasting');

const upload = multer({
  dest: UPLOAD_DIR,
  limits: { fileSize: PACKAGE_LIMITS.maxZipBytes, files: 1, fields: 5, fieldSize: 1024 },
}).single('pakke');

const uploadFields = z.object({
  kurs: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined)),
});

const idSchema = dbId();

/** Runs multer and turns its errors into bokmål messages. */
function receiveUpload(req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    upload(req, res, (error: unknown) => {
      if (!error) return resolve();
      if (error instanceof multer.MulterError) {
        const message =
          error.code === 'LIMIT_FILE_SIZE'
            ? `Zip-filen er for stor. Største tillatte størrelse er ${formatBytes(PACKAGE_LIMITS.maxZipBytes)}.`
            : 'Filen kunne ikke tas imot. Last opp én zip-fil.';
        return reject(new ValidationError(message, { pakke: message }));
      }
      reject(error as Error);
    });
  });
}

function parseId(value: unknown, what: string): number {
  const parsed = idSchema.safeParse(value);
  if (!parsed.success) throw new NotFoundError(`${what} finnes ikke.`);
  return parsed.data;
}

/** /admin/kurs: HR lists courses, uploads SCORM packages and downloads every version's zip. */
export function createCoursesRouter(context: AppContext): Router {
  const router = Router();
  const db = context.database.db;
  const dataDir = context.config.dataDir;

  const renderList = async (res: Response, status: number, error: string | null, selected = '') => {
    const list = await listCourses(db);
    const latestTwins = new Map<number, boolean>();
    for (const c of list.filter((c) => c.builtin && c.latestVersion)) {
      latestTwins.set(c.id, hasScorm12Twin(dataDir, `packages/${c.id}/${c.latestVersion}`));
    }
    res.status(status).render('courses/list', {
      title: 'Kurs',
      list,
      latestTwins,
      error,
      selected,
      maxZip: formatBytes(PACKAGE_LIMITS.maxZipBytes),
      maxUnpacked: formatBytes(PACKAGE_LIMITS.maxTotalBytes),
      maxFile: formatBytes(PACKAGE_LIMITS.maxFileBytes),
      maxEntries: PACKAGE_LIMITS.maxEntries.toLocaleString('nb-NO'),
    });
  };

  router.get('/admin/kurs', requireAdmin, async (_req, res) => {
    await renderList(res, 200, null);
  });

  router.post('/admin/kurs/last-opp', requireAdmin, async (req, res) => {
    let file: Express.Multer.File | undefined;
    let selected = '';
    try {
      await receiveUpload(req, res);
      file = req.file;
      const fields = uploadFields.parse(req.body ?? {});
      selected = fields.kurs ?? '';
      if (!file) throw new ValidationError('Velg en zip-fil med SCORM-pakken.');
      if (fields.kurs && !(await listCourses(db)).some((c) => c.slug === fields.kurs))
        throw new ValidationError('Kurset du valgte, finnes ikke. Last siden på nytt og prøv igjen.');
      const result = await importScormPackage(db, {
        dataDir,
        zipPath: file.path,
        ...(fields.kurs ? { courseSlug: fields.kurs } : {}),
        uploadedBy: req.user!.id,
      });
      const outcome = result.created ? 'importert' : 'uendret';
      res.redirect(303, `/admin/kurs/${result.courseId}?${outcome}=${result.version}`);
    } catch (error) {
      if (error instanceof PackageError || error instanceof ValidationError) {
        await renderList(res, error.status, error.message, selected);
        return;
      }
      throw error;
    } finally {
      if (file) await fs.rm(file.path, { force: true }).catch(() => undefined);
    }
  });

  router.get('/admin/kurs/:id', requireAdmin, async (req, res) => {
    const found = await getCourseWithVersions(db, parseId(req.params.id, 'Kurset'));
    if (!found) throw new NotFoundError('Kurset finnes ikke.');
    const { course, versions } = found;
    const imported = idSchema.safeParse(req.query.importert);
    const unchanged = idSchema.safeParse(req.query.uendret);
    let notice: string | null = null;
    const latest = versions[0];
    const scoCount = (m: unknown) => ((m as ParsedManifest | null)?.scos ?? []).length;
    if (imported.success && versions.some((v) => v.version === imported.data)) {
      const v = versions.find((x) => x.version === imported.data)!;
      notice = describeImport({
        courseId: course.id,
        courseSlug: course.slug,
        courseTitle: course.title,
        courseVersionId: v.id,
        version: v.version,
        created: true,
        newCourse: v.version === 1,
        manifest: v.manifest as ParsedManifest,
        contentHash: v.contentHash ?? '',
      });
    } else if (unchanged.success && latest?.version === unchanged.data) {
      notice = `Pakken er lik den nyeste versjonen (versjon ${latest.version}) av «${course.title}» (${course.slug}). Ingen ny versjon er laget.`;
    }
    res.render('courses/course', {
      title: course.title,
      course,
      notice,
      versions: versions.map((v) => ({
        version: v.version,
        title: v.title,
        scormVersion: v.scormVersion,
        schemaVersion: (v.manifest as ParsedManifest | null)?.schemaVersion ?? null,
        scos: ((v.manifest as ParsedManifest | null)?.scos ?? []).map((s) => s.title),
        scoCount: scoCount(v.manifest),
        installedOn: toLocalDate(v.createdAt),
        hasPackage: !!v.storagePath,
        hasScorm12: course.builtin && hasScorm12Twin(dataDir, v.storagePath),
      })),
    });
  });

  const download = (kind: VersionDownloadKind) => async (req: Request, res: Response) => {
    const courseId = parseId(req.params.id, 'Kurset');
    const version = parseId(req.params.version, 'Versjonen');
    const found = await findVersionDownload(db, dataDir, courseId, version, kind);
    if (!found) throw new NotFoundError('Zip-filen for denne versjonen finnes ikke.');
    res.type('application/zip');
    res.download(found.file, found.downloadName);
  };
  router.get('/admin/kurs/:id/versjoner/:version/pakke.zip', requireAdmin, download('package'));
  router.get('/admin/kurs/:id/versjoner/:version/scorm12.zip', requireAdmin, download('scorm12'));

  return router;
}
