import { Router } from 'express';
import type { AppContext } from '../../app';

/** GET /healthz: JSON with the database status; 503 when the database cannot be reached. */
export function createHealthRouter(context: AppContext): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const ok = await context.database.ping();
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : 'unavailable',
      database: { ok, kind: context.database.kind },
      time: context.now().toISOString(),
    });
  });
  return router;
}
