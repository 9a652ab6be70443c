import type { Request } from 'express';
import type { Db } from '../db/client';
import { readDataVersions, type DataVersions } from '../db/versions';

const perRequest = new WeakMap<Request, Promise<DataVersions>>();

/**
 * The data versions as read once in this request (one query for both): what the request's caches
 * are checked against – the logged-in user and the units missing a review (directory), the
 * compliance facts (compliance). Read after the request arrived, so every change committed before
 * it is seen.
 */
export function versionsOf(req: Request, db: Db): Promise<DataVersions> {
  let versions = perRequest.get(req);
  if (!versions) perRequest.set(req, (versions = readDataVersions(db)));
  return versions;
}
