import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { AppContext } from '../../app';
import { requireAdmin } from '../../http/auth';
import { todayInOslo } from '../../lib/dates';
import { ValidationError } from '../../lib/errors';
import { deleteOldPreviews, savePreview, takePreview } from './import.repo';
import {
  formatIssue,
  IMPORT_COLUMNS,
  IMPORT_KIND_LABELS,
  IMPORT_KINDS,
  type ImportKind,
} from './import.parse';
import { hashContent, runImport } from './import.service';

/** Upload limit: a 50,000-employee file is about 5 MB. */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;
const PREVIEW_TTL_MS = 60 * 60 * 1000;
const ACCEPTED_EXTENSIONS = ['.csv', '.txt'];
const ACCEPTED_TYPES = [
  'text/csv',
  'text/plain',
  'application/vnd.ms-excel',
  'application/csv',
  'application/octet-stream',
];

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 10 },
}).single('fil');

const uploadFields = z.object({
  type: z.enum(IMPORT_KINDS as [ImportKind, ...ImportKind[]], { error: 'Velg hva filen inneholder.' }),
  full: z.string().optional(),
});

const confirmFields = z.object({
  token: z.string().regex(/^[a-f0-9]{48}$/),
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
});

/** Runs multer and turns its errors into bokmål form errors. */
function receiveUpload(req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    upload(req, res, (error: unknown) => {
      if (!error) return resolve();
      if (error instanceof multer.MulterError) {
        const message =
          error.code === 'LIMIT_FILE_SIZE'
            ? `Filen er for stor. Største tillatte størrelse er ${IMPORT_MAX_BYTES / 1024 / 1024} MB.`
            : 'Filen kunne ikke tas imot. Last opp én CSV-fil.';
        return reject(new ValidationError(message, { fil: message }));
      }
      reject(error as Error);
    });
  });
}

/** /admin/import: upload → preview → confirm → result, for HR only. */
export function createImportRouter(context: AppContext): Router {
  const router = Router();
  const db = context.database.db;
  const renderForm = (
    res: Response,
    status: number,
    errors: Record<string, string>,
    values: Record<string, unknown>,
  ) =>
    res.status(status).render('import/upload', {
      title: 'Import fra HR',
      errors,
      values,
      kinds: IMPORT_KINDS.map((k) => ({
        value: k,
        label: IMPORT_KIND_LABELS[k],
        columns: IMPORT_COLUMNS[k],
      })),
      maxMb: IMPORT_MAX_BYTES / 1024 / 1024,
    });

  router.get('/admin/import', requireAdmin, (_req, res) => renderForm(res, 200, {}, { type: 'employees' }));

  router.post('/admin/import', requireAdmin, async (req, res) => {
    try {
      await receiveUpload(req, res);
    } catch (error) {
      if (error instanceof ValidationError) return renderForm(res, 400, error.fieldErrors, req.body ?? {});
      throw error;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const errors: Record<string, string> = {};
    const fields = uploadFields.safeParse(body);
    if (!fields.success) errors.type = 'Velg hva filen inneholder.';
    const file = req.file;
    if (!file) errors.fil = 'Velg en CSV-fil å laste opp.';
    else if (file.size === 0)
      errors.fil = 'Filen er tom. Velg en CSV-fil med en overskriftsrad og minst én rad.';
    else if (
      !ACCEPTED_EXTENSIONS.includes(path.extname(file.originalname).toLowerCase()) ||
      !ACCEPTED_TYPES.includes(file.mimetype)
    )
      errors.fil = 'Filen må være en CSV- eller tekstfil (.csv eller .txt).';
    if (fields.success && fields.data.full && fields.data.type !== 'employees')
      errors.full = '«Full import» gjelder bare ansatte.';
    if (Object.keys(errors).length > 0 || !fields.success || !file) return renderForm(res, 400, errors, body);

    const kind = fields.data.type;
    const full = fields.data.full === 'on';
    const today = todayInOslo(context.now());
    const result = await runImport(db, {
      kind,
      content: file.buffer,
      full,
      dryRun: true,
      actorUserId: req.user!.id,
      today,
      fileName: file.originalname,
      via: 'web',
    });
    let token: string | null = null;
    if (result.issues.length === 0) {
      token = randomBytes(24).toString('hex');
      await deleteOldPreviews(db, new Date(context.now().getTime() - PREVIEW_TTL_MS));
      await savePreview(db, token, {
        userId: req.user!.id,
        kind,
        full,
        fileName: file.originalname,
        sha256: result.sha256,
        contentBase64: file.buffer.toString('base64'),
        createdAt: context.now().toISOString(),
      });
    }
    res.status(result.issues.length > 0 ? 422 : 200).render('import/preview', {
      title: 'Forhåndsvisning av import',
      result,
      kindLabel: IMPORT_KIND_LABELS[kind],
      fileName: file.originalname,
      issueLines: result.issues.map(formatIssue),
      token,
      today,
    });
  });

  router.post('/admin/import/bekreft', requireAdmin, async (req, res) => {
    const fields = confirmFields.safeParse(req.body);
    if (!fields.success) throw new ValidationError('Forhåndsvisningen mangler. Last opp filen på nytt.');
    const stored = await takePreview(db, fields.data.token);
    if (!stored || stored.userId !== req.user!.id)
      throw new ValidationError('Forhåndsvisningen er allerede brukt eller utløpt. Last opp filen på nytt.');
    const content = Buffer.from(stored.contentBase64, 'base64');
    if (stored.sha256 !== fields.data.sha256 || hashContent(content) !== stored.sha256)
      throw new ValidationError('Filen stemmer ikke med forhåndsvisningen. Last opp filen på nytt.');
    const kind = stored.kind as ImportKind;
    const result = await runImport(db, {
      kind,
      content,
      full: stored.full,
      dryRun: false,
      actorUserId: req.user!.id,
      today: todayInOslo(context.now()),
      fileName: stored.fileName,
      via: 'web',
    });
    res.status(result.applied ? 200 : 422).render('import/result', {
      title: result.applied ? 'Importen er lagret' : 'Importen ble ikke lagret',
      result,
      kindLabel: IMPORT_KIND_LABELS[kind],
      fileName: stored.fileName,
      issueLines: result.issues.map(formatIssue),
    });
  });

  return router;
}
