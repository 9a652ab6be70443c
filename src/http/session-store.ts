import session from 'express-session';
import { eq, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { sessions } from '../db/schema';

const DEFAULT_TTL_MS = 8 * 60 * 60 * 1000;

/** express-session store on the sessions table, so any app instance can serve any session. */
export class DrizzleSessionStore extends session.Store {
  private pruneTimer: NodeJS.Timeout | undefined;

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
    this.db
      .select()
      .from(sessions)
      .where(eq(sessions.sid, sid))
      .then((rows) => {
        const row = rows[0];
        if (!row || row.expire.getTime() <= Date.now()) return callback(null, null);
        callback(null, row.sess as session.SessionData);
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
      .then(() => callback?.())
      .catch((error) => callback?.(error));
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.db
      .delete(sessions)
      .where(eq(sessions.sid, sid))
      .then(() => callback?.())
      .catch((error) => callback?.(error));
  }

  override touch(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    this.db
      .update(sessions)
      .set({ expire: this.expiryOf(sess) })
      .where(eq(sessions.sid, sid))
      .then(() => callback?.())
      .catch((error) => callback?.(error));
  }

  private expiryOf(sess: session.SessionData): Date {
    const expires = sess.cookie?.expires;
    return expires ? new Date(expires) : new Date(Date.now() + DEFAULT_TTL_MS);
  }
}
