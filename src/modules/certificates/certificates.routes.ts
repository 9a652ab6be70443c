import { Router } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { dbId } from '../../lib/validation';
import type { AppContext } from '../../app';
import { requireLogin } from '../../http/auth';
import { rateLimiter } from '../../http/rate-limit';
import { todayInOslo } from '../../lib/dates';
import { NotFoundError } from '../../lib/errors';
import { renderCertificatePdf } from './certificate-pdf';
import { issueCertificate, verifyCertificate, type CertificateSettings } from './certificates.service';

const completionIdSchema = dbId();

/** Requests per IP and window on the public verification page; enough for people, too few to guess codes. */
export const VERIFY_RATE_LIMIT = { windowMs: 10 * 60 * 1000, limit: 60 };

/** Kursbevis: the PDF download for the employee (and admins), and the public verification page. */
export function createCertificatesRouter(context: AppContext): Router {
  const router = Router();
  const db = context.database.db;
  const settings: CertificateSettings = {
    baseUrl: context.config.baseUrl,
    municipalityName: context.config.municipalityName,
  };

  router.get('/kursbevis/:completionId', requireLogin, async (req, res) => {
    const parsed = completionIdSchema.safeParse(req.params.completionId);
    if (!parsed.success) throw new NotFoundError('Fant ikke kursbeviset.');
    const user = req.user!;
    const certificate = await issueCertificate(
      db,
      { userId: user.id, employeeId: user.employeeId, isAdmin: user.isAdmin },
      parsed.data,
      settings,
    );
    const pdf = await renderCertificatePdf(certificate);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader(
      'Content-Disposition',
      // Slugs of uploaded courses are not ours to trust inside a header.
      `attachment; filename="kursbevis-${certificate.courseSlug.replace(/[^a-z0-9-]/gi, '-')}-${certificate.completedOn}.pdf"`,
    );
    res.setHeader('Cache-Control', 'private, no-store');
    res.send(pdf);
  });

  const verifyLimiter = rateLimiter({
    ...VERIFY_RATE_LIMIT,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    handler: (_req, res) => {
      res.status(429).render('certificates/verify', {
        title: 'For mange forsøk',
        verification: null,
        limited: true,
      });
    },
  });

  router.get('/bevis/:code', verifyLimiter, async (req, res) => {
    const verification = await verifyCertificate(
      db,
      String(req.params.code),
      settings,
      todayInOslo(context.now()),
    );
    // The page names a person: keep it out of search engines and shared caches.
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    res.setHeader('Cache-Control', 'no-store');
    if (!verification.found) {
      res.status(404).render('certificates/verify', {
        title: 'Fant ikke beviset',
        verification: null,
        limited: false,
      });
      return;
    }
    res.render('certificates/verify', {
      title: verification.withdrawn ? 'Beviset er trukket tilbake' : 'Beviset er ekte',
      verification,
      limited: false,
    });
  });

  return router;
}
