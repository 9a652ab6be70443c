import { promises as fs } from 'node:fs';
import path from 'node:path';
import express, { type ErrorRequestHandler, type Express, type Response } from 'express';
import type { AppContext } from '../../app';
import { createViewEngine } from '../../http/views';
import { AppError, NotFoundError } from '../../lib/errors';
import { errorFields, logger } from '../../lib/logger';
import { verifyLaunchToken } from './launch-token';
import { findAttempt, findVersion } from './scorm.repo';
import { loadPlayerSetup } from './scorm.service';

const rootDir = path.resolve(__dirname, '../../..');

/**
 * The content types we serve package files with. Anything else is an octet stream, and with
 * nosniff the browser will not guess otherwise.
 */
export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.xhtml': 'application/xhtml+xml; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.xsd': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.vtt': 'text/vtt; charset=utf-8',
  '.srt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.bmp': 'image/bmp',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.webm': 'video/webm',
  '.ogv': 'video/ogg',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.eot': 'application/vnd.ms-fontobject',
  '.pdf': 'application/pdf',
  '.swf': 'application/x-shockwave-flash',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Resolves a requested path inside a package folder, or null: no `..`, no absolute paths, no
 * backslashes or NUL, and no symlink that leads out of the folder.
 */
export async function resolveInside(root: string, segments: string[]): Promise<string | null> {
  if (segments.length === 0) return null;
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') return null;
    if (/[\\\0]/.test(segment) || segment.includes('/')) return null;
  }
  const base = path.resolve(root);
  const candidate = path.resolve(base, ...segments);
  if (!candidate.startsWith(base + path.sep)) return null;
  try {
    const [realBase, realFile] = await Promise.all([fs.realpath(base), fs.realpath(candidate)]);
    if (!realFile.startsWith(realBase + path.sep)) return null;
    const stat = await fs.stat(realFile);
    return stat.isFile() ? realFile : null;
  } catch {
    return null;
  }
}

const SCORM_AGAIN_FILES = new Set(['scorm-again.min.js', 'scorm12.min.js', 'scorm2004.min.js']);

/** A manifest item's `parameters` as a URL suffix ('?a=1', '#x', or 'a=1' → '?a=1'). */
export function launchQuery(parameters: string): string {
  const p = parameters.trim();
  if (p === '') return '';
  return p.startsWith('?') || p.startsWith('#') ? p : `?${p}`;
}

function htmlJson(value: unknown): string {
  // Inside <script type="application/json">, "<" must not open a tag.
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The content origin: a second Express app (its own listener) that serves package files and the
 * player host page, never the app's pages or cookies. A SCO's script therefore runs on another
 * origin than the learner's session.
 */
export function createContentApp(context: AppContext): Express {
  const { config } = context;
  const db = context.database.db;
  const appOrigin = new URL(config.baseUrl).origin;
  const packageCsp = `frame-ancestors 'self' ${appOrigin}`;
  const hostCsp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ${appOrigin}`,
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${appOrigin}`,
  ].join('; ');
  // Versions never change once imported, so an attempt's package folder can be remembered.
  const packageRoots = new Map<number, { userId: number; root: string }>();

  async function packageRootOf(attemptId: number, userId: number): Promise<string> {
    let entry = packageRoots.get(attemptId);
    if (!entry) {
      const attempt = await findAttempt(db, attemptId);
      const version = attempt ? await findVersion(db, attempt.courseVersionId) : null;
      if (!attempt || !version) throw new NotFoundError('Filen finnes ikke.');
      entry = { userId: attempt.userId, root: path.resolve(config.dataDir, version.storagePath) };
      if (packageRoots.size > 5000) packageRoots.clear();
      packageRoots.set(attemptId, entry);
    }
    if (entry.userId !== userId) throw new NotFoundError('Filen finnes ikke.');
    return entry.root;
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', 'strong');
  app.engine('ejs', createViewEngine(path.join(rootDir, 'views'), config.isProduction));
  app.set('view engine', 'ejs');
  app.set('views', path.join(rootDir, 'views'));
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Content-Security-Policy', packageCsp);
    next();
  });

  app.get('/spiller/:token', async (req, res) => {
    const token = verifyLaunchToken(config.sessionSecret, String(req.params.token), context.now());
    const setup = await loadPlayerSetup(db, token);
    const tokenPath = encodeURIComponent(String(req.params.token));
    const playerConfig = {
      scormVersion: setup.scormVersion,
      mode: setup.mode,
      sequenceBase: setup.sequenceBase,
      cmi: setup.cmi,
      masteryOverride: setup.masteryOverride,
      launchUrl: `/innhold/${tokenPath}/${setup.launchHref.split('/').map(encodeURIComponent).join('/')}${launchQuery(setup.launchParameters)}`,
      commitUrl: `${config.baseUrl}/api/scorm/commit/${tokenPath}`,
      waitUrl: `${config.baseUrl}/api/scorm/commit/${tokenPath}/vent`,
      appOrigin,
    };
    res.setHeader('Content-Security-Policy', hostCsp);
    res.setHeader('Cache-Control', 'no-store');
    res.render('scorm/player-host', {
      layout: false,
      title: setup.title,
      configJson: htmlJson(playerConfig),
    });
  });

  app.get('/innhold/:token/*path', async (req, res: Response) => {
    const token = verifyLaunchToken(config.sessionSecret, String(req.params.token), context.now());
    const root = await packageRootOf(token.a, token.u);
    const segments = (req.params as unknown as { path: string[] }).path;
    const file = await resolveInside(root, segments);
    if (!file) throw new NotFoundError('Filen finnes ikke i kurspakken.');
    res.setHeader('Content-Type', contentTypeOf(file));
    res.setHeader('Cache-Control', 'private, max-age=300');
    await new Promise<void>((resolve, reject) =>
      res.sendFile(file, { dotfiles: 'allow', cacheControl: false }, (error) =>
        error && !res.headersSent ? reject(error) : resolve(),
      ),
    );
  });

  app.get('/vendor/scorm-again/:file', (req, res, next) => {
    const file = String(req.params.file);
    if (!SCORM_AGAIN_FILES.has(file)) return next();
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.sendFile(path.join(rootDir, 'node_modules/scorm-again/dist', file), {
      maxAge: config.isProduction ? '1d' : 0,
    });
  });
  app.get('/js/player-host.js', (_req, res) => {
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.sendFile(path.join(rootDir, 'public/js/player-host.js'), { maxAge: config.isProduction ? '1h' : 0 });
  });

  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Fant ikke filen.');
  });
  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    const status = error instanceof AppError ? error.status : 500;
    if (status >= 500)
      logger.error('content request failed', { path: req.path.slice(0, 80), ...errorFields(error) });
    if (res.headersSent) return;
    res
      .status(status)
      .type('text/plain')
      .send(error instanceof AppError ? error.message : 'Noe gikk galt. Prøv igjen senere.');
  };
  app.use(onError);
  return app;
}
