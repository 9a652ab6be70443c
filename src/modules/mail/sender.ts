import { EventEmitter } from 'node:events';
import type { DbOrTx } from '../../db/client';
import { errorFields, logger } from '../../lib/logger';
import { claimDueMails, markMailFailed, markMailForRetry, markMailSent, type OutboxMail } from './mail.repo';
import type { MailTransport } from './transport';

/**
 * Drains the outbox. Each mail is claimed (FOR UPDATE SKIP LOCKED + a lease), sent, and marked
 * right after the server's answer, so a crash can repeat at most the one mail that was in flight;
 * its Message-ID is derived from the idempotency key so the receiver can recognise it.
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

/** Sends every mail that is due now, once; returns counts. Safe to run in several processes at the same time. */
export async function drainOutbox(
  db: DbOrTx,
  transport: MailTransport,
  opts: SenderOptions,
): Promise<DrainResult> {
  const now = opts.now ?? (() => new Date());
  const concurrency = Math.max(1, opts.concurrency ?? 5);
  const batchSize = opts.batchSize ?? 50;
  const intervalMs = 1000 / opts.ratePerSecond;
  const leaseMs = opts.leaseMs ?? Math.max(120_000, (batchSize / opts.ratePerSecond) * 1000 * 4);
  const backoffBaseMs = opts.backoffBaseMs ?? 60_000;
  const backoffMaxMs = opts.backoffMaxMs ?? 6 * 60 * 60 * 1000;
  const maxAttempts = opts.maxAttempts ?? 10;
  const result: DrainResult = { sent: 0, retried: 0, failed: 0 };
  // Only what is due when the drain starts, so a retried mail waits for its backoff.
  const startedAt = now();
  let nextSlot = Date.now();
  const pendingMarks: Array<Promise<void>> = [];

  const deliver = async (mail: OutboxMail) => {
    // Rate limit: each send starts no earlier than its slot.
    const slot = nextSlot;
    nextSlot = Math.max(nextSlot, Date.now()) + intervalMs;
    const wait = slot - Date.now();
    if (wait > 0) await sleep(wait);
    let receipt: Awaited<ReturnType<MailTransport['send']>>;
    try {
      receipt = await transport.send({
        idempotencyKey: mail.idempotencyKey,
        from: opts.from,
        toAddress: mail.toAddress,
        toName: mail.toName,
        subject: mail.subject,
        text: mail.bodyText,
        html: mail.bodyHtml,
      });
    } catch (error) {
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
    // Marked at once but not awaited here: the worker starts its next send while the update runs;
    // the batch waits for every mark before it claims more.
    pendingMarks.push(
      markMailSent(db, mail.id, {
        smtpResponse: receipt.response,
        messageId: receipt.messageId,
        sentAt: now(),
      }).then(() => {
        result.sent++;
        opts.onResult?.(mail, 'sent');
      }),
    );
  };

  for (;;) {
    if (opts.shouldStop?.()) break;
    const batch = await claimDueMails(db, startedAt, batchSize, leaseMs);
    if (batch.length === 0) break;
    let index = 0;
    const workers = Array.from({ length: Math.min(concurrency, batch.length) }, async () => {
      while (index < batch.length && !opts.shouldStop?.()) {
        const mail = batch[index++]!;
        await deliver(mail);
      }
    });
    await Promise.all(workers);
    await Promise.all(pendingMarks.splice(0));
    // Claimed mails left behind by a stop keep their lease and are taken over when it runs out.
  }
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
