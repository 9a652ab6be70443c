import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

/**
 * Where mail goes: a pooled SMTP connection from SMTP_URL, or – without SMTP_URL – .eml files in
 * DATA_DIR/mail, so the demo shows real reminders without a mail server.
 */

export interface OutgoingMail {
  idempotencyKey: string;
  from: string;
  toAddress: string;
  toName: string | null;
  subject: string;
  text: string;
  html: string | null;
}

export interface DeliveryReceipt {
  messageId: string;
  response: string;
}

export interface MailTransport {
  /** 'smtp' or 'file', for the UI and logs. */
  kind: 'smtp' | 'file';
  description: string;
  send(mail: OutgoingMail): Promise<DeliveryReceipt>;
  close(): Promise<void>;
}

/** A Message-ID derived from the idempotency key, so a receiver can recognise a mail sent twice after a crash. */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'kursvakt.local';
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
}

function toMessage(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: mail.toName ? { name: mail.toName, address: mail.toAddress } : mail.toAddress,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html ? { html: mail.html } : {}),
    messageId: messageIdFor(mail.idempotencyKey, mail.from),
    headers: { 'X-Kursvakt-Key': mail.idempotencyKey },
  };
}

/** A pooled nodemailer SMTP transport; options in the URL's query (e.g. ?maxConnections=3) win over the defaults. */
export function createSmtpTransport(smtpUrl: string, opts: { maxConnections?: number } = {}): MailTransport {
  const url = new URL(smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  if (!url.searchParams.has('maxConnections'))
    url.searchParams.set('maxConnections', String(opts.maxConnections ?? 5));
  const transporter = nodemailer.createTransport(url.toString());
  const safe = new URL(smtpUrl);
  safe.password = safe.password ? '***' : '';
  return {
    kind: 'smtp',
    description: `SMTP ${safe.host}`,
    async send(mail) {
      const info = await transporter.sendMail(toMessage(mail));
      return { messageId: info.messageId, response: String(info.response ?? '') };
    },
    async close() {
      transporter.close();
    },
  };
}

/** Writes each mail as an .eml file into a folder (named by the idempotency key, so a resend overwrites). */
export function createFileTransport(folder: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'file',
    description: `filer i ${folder}`,
    async send(mail) {
      const info = (await composer.sendMail(toMessage(mail))) as unknown as {
        messageId: string;
        message: Buffer;
      };
      await fs.mkdir(folder, { recursive: true });
      const name = `${mail.idempotencyKey.replace(/[^A-Za-z0-9._-]+/g, '_')}.eml`;
      const file = path.join(folder, name);
      await fs.writeFile(`${file}.tmp`, info.message);
      await fs.rename(`${file}.tmp`, file);
      return { messageId: info.messageId, response: `Lagret som fil: ${file}` };
    },
    async close() {
      composer.close();
    },
  };
}

/** SMTP when SMTP_URL is set, otherwise files in DATA_DIR/mail. */
export function createMailTransport(config: { smtpUrl: string | undefined; dataDir: string }): MailTransport {
  return config.smtpUrl
    ? createSmtpTransport(config.smtpUrl)
    : createFileTransport(path.join(config.dataDir, 'mail'));
}
