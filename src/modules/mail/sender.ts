import { EventEmitter } from 'node:events';
import type { DbOrTx } from '../../db/client';
import { errorFields, logger } from '../../lib/logger';
import {
  claimDueMails,
  markMailFailed,
  markMailForRetry,
  markMailsSent,
  releaseClaimedMails,
  type OutboxMail,
  type SentMark,
} from './mail.repo';
import type { MailTransport } from './transport';
import { htmlDocument } from './templates';

/**
 * Drains the outbox. Mails are claimed in batches (FOR UPDATE SKIP LOCKED + a lease; the next
 * batch is claimed while the current one is sent), sent over `concurrency` pooled connections, and
 * marked 'sent' only after the server's 250, by a group commit: while one UPDATE of accepted mails
 * runs, the next acceptances collect and go in the following one. No send starts while
 * `maxUnmarked` mails are handed to SMTP without a committed mark (in flight or accepted), so a
 * crash can send at most that many again; their Message-ID is derived from the idempotency key so
 * the receiver can recognise them.
 */

export interface SenderOptions {
  from: string;
  ratePerSecond: number;
  /** Parallel SMTP sends (the pool's connections). */
  concurrency?: number;
  batchSize?: number;
  /** How long a claim holds before another sender may take the mail over. */
  leaseMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** After this many attempts a temporary failure counts as permanent. */
  maxAttempts?: number;
  /**
   * The most mails handed to SMTP (in flight or accepted) whose 'sent' mark is not committed yet;
   * no send starts beyond it, so it bounds what a crash can send twice. Default 6 × concurrency,
   * at least `concurrency`.
   */
  maxUnmarked?: number;
  /**
   * How long an accepted mail may wait for more to share its 'sent' UPDATE. Default
   * `defaultMarkDelayMs(ratePerSecond)`: 20 ms when sends come faster than that, else none.
   */
  markDelayMs?: number;
  now?: () => Date;
  /** Called after a mail's new state is committed (tests and the CLI use it). */
  onResult?: (mail: OutboxMail, outcome: 'sent' | 'retry' | 'failed') => void;
  /** Stops the loop between mails when it returns true (graceful shutdown). */
  shouldStop?: () => boolean;
}

export interface DrainResult {
  sent: number;
  retried: number;
  failed: number;
}

export type FailureKind = 'temporary' | 'permanent';

/** 5xx replies are permanent; 4xx replies, refused or dropped connections and timeouts are temporary. */
export function classifySmtpError(error: unknown): {
  kind: FailureKind;
  message: string;
  response: string | null;
} {
  const e = error as { responseCode?: number; response?: string; code?: string; message?: string } | null;
  const response = e?.response ? String(e.response) : null;
  const message = (e?.message ?? String(error)).slice(0, 1000);
  if (e?.responseCode && e.responseCode >= 500 && e.responseCode < 600)
    return { kind: 'permanent', message, response };
  return { kind: 'temporary', message, response };
}

/** Exponential backoff: base · 2^(attempt−1), capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits between tries of a 'sent' mark that failed: a short database outage must not lose the mark. */
const MARK_RETRY_DELAYS_MS = [100, 500, 2000];

/**
 * How long an accepted mail waits for others to share its 'sent' UPDATE. Under a fast rate, 20 ms
 * gathers several marks per statement, which is what keeps the sender near raw nodemailer's
 * speed. When the rate limit puts 20 ms or more between sends (50 per second or less; production
 * runs at 10), nobody else arrives in that time: waiting would only widen the window in which a
 * crash finds a mail accepted by SMTP but not yet marked, and sends it again. Then each mark is
 * written at once.
 */
export function defaultMarkDelayMs(ratePerSecond: number): number {
  return 1000 / ratePerSecond >= 20 ? 0 : 20;
}

/** Sends every mail that is due now, once; returns counts. Safe to run in several processes at the same time. */
export async function drainOutbox(
  db: DbOrTx,
  transport: MailTransport,
  opts: SenderOptions,
): Promise<DrainResult> {
  const now = opts.now ?? (() => new Date());
  const concurrency = Math.max(1, opts.concurrency ?? 5);
  const batchSize = Math.max(1, opts.batchSize ?? 50);
  const intervalMs = 1000 / opts.ratePerSecond;
  // The lease covers the batch being sent and the one claimed ahead of it, four times over.
  const leaseMs = opts.leaseMs ?? Math.max(120_000, (batchSize / opts.ratePerSecond) * 1000 * 4);
  const backoffBaseMs = opts.backoffBaseMs ?? 60_000;
  const backoffMaxMs = opts.backoffMaxMs ?? 6 * 60 * 60 * 1000;
  const maxAttempts = opts.maxAttempts ?? 10;
  const maxUnmarked = Math.max(concurrency, opts.maxUnmarked ?? 6 * concurrency);
  // An UPDATE starts once this many are accepted, leaving room for two rounds of sends while it runs.
  const markAt = Math.max(1, maxUnmarked - 2 * concurrency);
  const markDelayMs = opts.markDelayMs ?? defaultMarkDelayMs(opts.ratePerSecond);
  const result: DrainResult = { sent: 0, retried: 0, failed: 0 };
  // Only what is due when the drain starts, so a retried mail waits for its backoff.
  const dueBy = now();
  let nextSlot = Date.now();
  /** The first database error; the drain stops taking mails and rethrows it at the end. */
  let fatal = null as { error: unknown } | null;
  const stopping = () => fatal !== null || (opts.shouldStop?.() ?? false);

  // Claimed mails not yet handed to SMTP; the next batch is claimed when this runs low.
  const queue: OutboxMail[] = [];
  let claiming: Promise<void> | null = null;
  let exhausted = false;
  const claimMore = (): Promise<void> => {
    if (claiming) return claiming;
    if (exhausted || stopping()) return Promise.resolve();
    claiming = claimDueMails(db, { dueBy, now: now(), limit: batchSize, leaseMs })
      .then(
        (rows) => {
          if (rows.length === 0) exhausted = true;
          queue.push(...rows);
        },
        (error: unknown) => {
          fatal ??= { error };
        },
      )
      .finally(() => {
        claiming = null;
      });
    return claiming;
  };
  const takeMail = async (): Promise<OutboxMail | null> => {
    for (;;) {
      if (stopping()) return null;
      if (queue.length <= Math.max(concurrency, batchSize >> 1)) void claimMore();
      const mail = queue.shift();
      if (mail) {
        // A mail whose lease ran out while it waited may already belong to another sender.
        if (mail.lockedUntil && mail.lockedUntil.getTime() <= now().getTime()) continue;
        return mail;
      }
      if (exhausted) return null;
      await claimMore();
    }
  };

  // Group commit of 'sent' marks: one UPDATE in flight at a time, carrying every mail accepted since
  // the last – as soon as markAt have collected, or markDelayMs after the first one (at once when
  // markDelayMs is 0).
  let accepted: Array<{ mail: OutboxMail; mark: SentMark }> = [];
  let marking: Promise<void> | null = null;
  let markingCount = 0;
  let inFlight = 0;
  let markTimer: NodeJS.Timeout | undefined;
  const scheduleMarks = () => {
    if (marking || accepted.length === 0) return;
    if (accepted.length >= markAt || markDelayMs <= 0) void commitMarks();
    else markTimer ??= setTimeout(() => void commitMarks(), markDelayMs);
  };
  const commitMarks = (): Promise<void> => {
    if (marking) return marking;
    clearTimeout(markTimer);
    markTimer = undefined;
    if (accepted.length === 0) return Promise.resolve();
    const batch = accepted;
    accepted = [];
    markingCount = batch.length;
    marking = (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await markMailsSent(
            db,
            batch.map((a) => a.mark),
          );
          break;
        } catch (error) {
          const delay = MARK_RETRY_DELAYS_MS[attempt];
          if (delay === undefined) {
            fatal ??= { error };
            logger.error('E-post ble sendt, men kunne ikke merkes som sendt', {
              ids: batch.map((a) => a.mail.id),
              ...errorFields(error),
            });
            return;
          }
          await sleep(delay);
        }
      }
      result.sent += batch.length;
      for (const a of batch) opts.onResult?.(a.mail, 'sent');
    })().finally(() => {
      marking = null;
      markingCount = 0;
      scheduleMarks();
    });
    return marking;
  };

  const deliver = async (mail: OutboxMail) => {
    // Rate limit: each send starts no earlier than its slot.
    const slot = nextSlot;
    nextSlot = Math.max(nextSlot, Date.now()) + intervalMs;
    const wait = slot - Date.now();
    if (wait > 0) await sleep(wait);
    // Back-pressure: no send while maxUnmarked mails lack a committed mark. Other workers hold at
    // most concurrency − 1 in flight, so some mark is pending and waiting for it makes progress.
    while (inFlight + accepted.length + markingCount >= maxUnmarked) await commitMarks();
    inFlight++;
    let receipt: Awaited<ReturnType<MailTransport['send']>>;
    try {
      receipt = await transport.send({
        idempotencyKey: mail.idempotencyKey,
        from: opts.from,
        toAddress: mail.toAddress,
        toName: mail.toName,
        subject: mail.subject,
        text: mail.bodyText,
        html: mail.bodyHtml === null ? null : htmlDocument(mail.subject, mail.bodyHtml),
      });
    } catch (error) {
      inFlight--;
      const failure = classifySmtpError(error);
      if (failure.kind === 'permanent' || mail.attempts >= maxAttempts) {
        await markMailFailed(db, mail.id, { lastError: failure.message, smtpResponse: failure.response });
        result.failed++;
        logger.warn('E-post kunne ikke leveres', { id: mail.id, to: mail.toAddress, error: failure.message });
        opts.onResult?.(mail, 'failed');
      } else {
        const delay = backoffDelay(mail.attempts, backoffBaseMs, backoffMaxMs);
        await markMailForRetry(db, mail.id, {
          nextAttemptAt: new Date(now().getTime() + Math.max(1, delay)),
          lastError: failure.message,
          smtpResponse: failure.response,
        });
        result.retried++;
        opts.onResult?.(mail, 'retry');
      }
      return;
    }
    inFlight--;
    accepted.push({
      mail,
      mark: { id: mail.id, smtpResponse: receipt.response, messageId: receipt.messageId, sentAt: now() },
    });
    scheduleMarks();
  };

  const worker = async () => {
    for (;;) {
      const mail = await takeMail();
      if (!mail) return;
      try {
        await deliver(mail);
      } catch (error) {
        fatal ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await claiming;
  while (marking || accepted.length > 0) await commitMarks();
  if (queue.length > 0) {
    // Stopped early: what was claimed but never sent goes back to the queue at once.
    await releaseClaimedMails(db, queue.splice(0)).catch((error: unknown) =>
      logger.warn('Krav på e-post ble ikke frigitt; de tas over når leietiden går ut', errorFields(error)),
    );
  }
  if (fatal) throw fatal.error;
  return result;
}

const outboxEvents = new EventEmitter();

/** Tells this process's sender that new mail is waiting (after «Kjør nå»), so it need not wait for its next tick. */
export function notifyOutboxChanged(): void {
  outboxEvents.emit('changed');
}

/** Runs drainOutbox every few seconds until stopped; one drain at a time. */
export class OutboxSender {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private readonly onChanged = () => this.poke();

  constructor(
    private readonly db: DbOrTx,
    private readonly transport: MailTransport,
    private readonly options: SenderOptions,
    private readonly intervalMs = 5000,
  ) {}

  start(): void {
    this.stopped = false;
    outboxEvents.off('changed', this.onChanged);
    outboxEvents.on('changed', this.onChanged);
    const tick = () => {
      if (this.stopped) return;
      this.running = drainOutbox(this.db, this.transport, { ...this.options, shouldStop: () => this.stopped })
        .catch((error) => logger.error('Utsending av e-post feilet', errorFields(error)))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Drains now (after a «Kjør nå») instead of waiting for the next tick. */
  poke(): void {
    if (this.stopped || this.running) return;
    clearTimeout(this.timer);
    this.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    outboxEvents.off('changed', this.onChanged);
    clearTimeout(this.timer);
    await this.running;
    await this.transport.close();
  }
}
