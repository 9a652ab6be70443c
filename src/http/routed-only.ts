import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';

/** What this module reads of a layer of Express's router (router 2.x). */
interface MatchingLayer {
  match(path: string): unknown;
  handle: { length: number };
}

/**
 * A feature router mounted at the root that is entered only when one of its layers can answer the
 * path. Express's router leaves a router that answered nothing through `setImmediate`, so a page
 * request that passed eight such routers (`GET /leder`) waited eight turns of the event loop, and
 * every request in flight was held in memory while the others took their turns: under load, many
 * of them at once (decision 0009). Skipping a router here is what the router would have done itself, one turn later.
 * Error handlers of the router are not counted: they act only on errors raised inside it.
 */
export function routedOnly(router: Router): RequestHandler {
  const layers = router.stack as unknown as MatchingLayer[];
  // Fails at start, not on a request, should Express's router ever change shape.
  if (!Array.isArray(layers) || layers.some((layer) => typeof layer.match !== 'function'))
    throw new Error('routedOnly: the router has no layers that can match a path');
  const answers = (path: string) =>
    layers.some((layer) => layer.handle.length !== 4 && layer.match(path) !== false);
  return (req: Request, res: Response, next: NextFunction) => {
    if (!answers(req.path)) {
      next();
      return;
    }
    router(req, res, next);
  };
}
