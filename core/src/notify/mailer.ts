/**
 * Sending mail through the file's SMTP server with nodemailer. Every network step has a timeout,
 * so a mail server that hangs cannot hold a notification (or a shutdown) for long. A password
 * never travels in clear to another machine: with credentials, a non-loopback server must offer
 * STARTTLS (or `secure: true` is used).
 */
import type { Transporter } from 'nodemailer';
import { isLoopbackHost } from '../model/loopback';
import type { SmtpSettings } from '../model/sync-file';

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  /** Connect, greeting and idle-socket timeout; default 15 s. */
  timeoutMs?: number;
}

export const DEFAULT_SMTP_PORT = 587;
export const DEFAULT_SMTPS_PORT = 465;
const DEFAULT_TIMEOUT_MS = 15_000;

/** `password` is the resolved value (never the `${env:…}` reference). */
export function createSmtpMailer(smtp: SmtpSettings, password: string | undefined, options: MailerOptions = {}): Mailer {
  const secure = smtp.secure ?? false;
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Loaded on the first notice: most runs send none, and every CLI command would pay its loading.
  let transport: Promise<Transporter> | undefined;
  const open = (): Promise<Transporter> => (transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port ?? (secure ? DEFAULT_SMTPS_PORT : DEFAULT_SMTP_PORT),
    secure,
    requireTLS: !secure && smtp.user !== undefined && !isLoopbackHost(smtp.host),
    ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: password ?? '' } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // The message is built from text only; nothing may make nodemailer read files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  })));
  return {
    async send(message) {
      await (await open()).sendMail({ from: smtp.from, to: message.to, subject: message.subject, text: message.text });
    },
    // A transport that never loaded has nothing to close (and its failure was the send's to report).
    close: () => void transport?.then((t) => t.close(), () => undefined),
  };
}
