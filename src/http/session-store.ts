import session from 'express-session';
import { eq, lt, sql } from 'drizzle-orm';
import { preparedPerDatabase, unchangedReader, type Db } from '../db/client';
import { sessions } from '../db/schema';

const DEFAULT_TTL_MS = 8 * 60 * 60 * 1000;
/** A rolling session's expiry is written again only when it would move by more than this. */
const TOUCH_AFTER_MS = 60 * 1000;
/** How many sessions' last written expiry are remembered; beyond it, touches simply write. */
const REMEMBERED_SESSIONS = 10_000;

// Every request with a session cookie reads it: built once per database (see preparedPerDatabase),
// and on PGlite answered from memory while nothing has been written since (see unchangedReader).
const sessionSelect = (db: Db) =>
  db
    .select()
    .from(sessions)
    .where(eq(sessions.sid, sql.placeholder('sid')));
const sessionQuery = preparedPerDatabase((db) => sessionSelect(db).prepare('kursvakt_session_get'));
interface StoredSession {
  sess: session.SessionData;
  expire: number;
}
// express-session changes the session it is given, so each answer from memory is a copy.
const unchangedSession = unchangedReader<string, StoredSession | null>(
  (db) => [sessionSelect(db).toSQL().sql],
  (stored) => (stored ? (JSON.parse(JSON.stringify(stored)) as StoredSession) : null),
);

async function readSession(db: Db, sid: string): Promise<StoredSession | null> {
  const row = (await sessionQuery(db).execute({ sid }))[0];
  return row ? { sess: row.sess as session.SessionData, expire: row.expire.getTime() } : null;
}

/** express-session store on the sessions table, so any app instance can serve any session. */
export class DrizzleSessionStore extends session.Store {
  private pruneTimer: NodeJS.Timeout | undefined;
  // The expiry last read or written per session, so that a rolling session is not written on every request.
  private readonly storedExpiry = new Map<string, number>();

  constructor(private readonly db: Db) {
    super();
  }

  /** Deletes expired sessions every interval; the timer does not keep the process alive. */
  startPruning(intervalMs = 15 * 60 * 1000): void {
    this.pruneTimer = setInterval(() => {
      this.db
        .delete(sessions)
        .where(lt(sessions.expire, new Date()))
        .catch(() => undefined);
    }, intervalMs);
    this.pruneTimer.unref();
  }

  stopPruning(): void {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    unchangedSession(this.db, sid, () => readSession(this.db, sid))
      .then((stored) => {
        if (!stored || stored.expire <= Date.now()) return callback(null, null);
        this.remember(sid, stored.expire);
        callback(null, stored.sess);
      })
      .catch((error) => callback(error));
  }

  override set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const expire = this.expiryOf(sess);
    this.db
      .insert(sessions)
      .values({ sid, sess: sess as unknown as Record<string, unknown>, expire })
      .onConflictDoUpdate({
        target: sessions.sid,
        set: { sess: sess as unknown as Record<string, unknown>, expire },
      })
      .then(() => {
        this.remember(sid, expire.getTime());
        callback?.();
      })
      .catch((error) => callback?.(error));
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.storedExpiry.delete(sid);
    this.db
      .delete(sessions)
      .where(eq(sessions.sid, sid))
      .then(() => callback?.())
      .catch((error) => callback?.(error));
  }

  /**
   * Extends a rolling session. The write is skipped while the stored expiry is less than a minute
   * behind, so a session lives at most a minute shorter than its cookie says, and a busy page does
   * not write the sessions table on every request.
   */
  override touch(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const expire = this.expiryOf(sess);
    const stored = this.storedExpiry.get(sid);
    if (stored !== undefined && expire.getTime() - stored < TOUCH_AFTER_MS) {
      callback?.();
      return;
    }
    this.db
      .update(sessions)
      .set({ expire })
      .where(eq(sessions.sid, sid))
      .then(() => {
        this.remember(sid, expire.getTime());
        callback?.();
      })
      .catch((error) => callback?.(error));
  }

  private remember(sid: string, expireMs: number): void {
    if (this.storedExpiry.size >= REMEMBERED_SESSIONS && !this.storedExpiry.has(sid))
      this.storedExpiry.clear();
    this.storedExpiry.set(sid, expireMs);
  }

  private expiryOf(sess: session.SessionData): Date {
    const expires = sess.cookie?.expires;
    return expires ? new Date(expires) : new Date(Date.now() + DEFAULT_TTL_MS);
  }
}
