import type { Request } from 'express';
import type { DbOrTx } from '../db/client';
import { readDataVersion } from '../db/versions';

const perRequest = new WeakMap<Request, Promise<number>>();

/**
 * The directory version as read once in this request: what the request's caches of the logged-in
 * user and of the units missing a review are checked against. Read after the request arrived, so
 * every change committed before it is seen.
 */
export function directoryVersionOf(req: Request, db: DbOrTx): Promise<number> {
  let version = perRequest.get(req);
  if (!version) perRequest.set(req, (version = readDataVersion(db, 'directory')));
  return version;
}
