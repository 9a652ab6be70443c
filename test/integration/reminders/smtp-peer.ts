import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** A received message as the peer saw it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  messageId: string | null;
  key: string | null;
  raw: string;
}

export type PeerAnswer = 'accept' | { code: number; message: string };

/**
 * A real SMTP server (smtp-server) in the test process. `answer` decides, per recipient, whether to
 * accept or reply with an error code (421, 550 …).
 */
export async function startSmtpPeer(
  opts: {
    port?: number;
    answer?: (to: string, attempt: number) => PeerAnswer;
    /** Runs after a message's data arrived and before the 250 is sent. */
    beforeAccept?: (mail: ReceivedMail) => Promise<void>;
  } = {},
) {
  const received: ReceivedMail[] = [];
  const attempts = new Map<string, number>();
  const options: SMTPServerOptions = {
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      const n = (attempts.get(address.address) ?? 0) + 1;
      attempts.set(address.address, n);
      const answer = opts.answer?.(address.address, n) ?? 'accept';
      if (answer === 'accept') return callback();
      const error = new Error(answer.message) as Error & { responseCode: number };
      error.responseCode = answer.code;
      return callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          messageId: /^Message-ID:\s*(.+)$/im.exec(raw)?.[1]?.trim() ?? null,
          key: /^X-Kursvakt-Key:\s*(.+)$/im.exec(raw)?.[1]?.trim() ?? null,
          raw,
        };
        received.push(mail);
        if (!opts.beforeAccept) return callback();
        opts.beforeAccept(mail).then(
          () => callback(),
          (error: Error) => callback(error),
        );
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port that nothing listens on (taken and released at once). */
export async function freePort(): Promise<number> {
  const peer = await startSmtpPeer();
  await peer.close();
  return peer.port;
}
