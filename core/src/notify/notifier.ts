/**
 * Decides, writes and sends the email for a run, and reports what happened instead of throwing:
 * a failing or missing mail server must never fail or hold up a sync, only be logged.
 */
import type { SmtpSettings, SyncFile } from '../model/sync-file';
import { resolveSecretRefs } from '../secrets/secret-refs';
import { errorMessage, redactorFor } from '../sync/sync-errors';
import { createSmtpMailer, type Mailer, type MailerOptions } from './mailer';
import { composeNotice } from './message';
import { noticeFor, noticePolicy, type NoticeKind, type NotifiedRun } from './notice';

export interface NoticeTarget {
  file: SyncFile;
  filePath: string;
  syncName: string;
}

export type NotifyResult =
  | { outcome: 'none' }
  | { outcome: 'sent'; kind: NoticeKind; to: string[] }
  | { outcome: 'skipped'; kind: NoticeKind; reason: string }
  | { outcome: 'failed'; kind: NoticeKind; to: string[]; error: string };

export interface Notifier {
  /** Never rejects. */
  notify(target: NoticeTarget, run: NotifiedRun): Promise<NotifyResult>;
}

export interface NotifierOptions extends MailerOptions {
  env: (name: string) => string | undefined;
  /** Builds the transport; the default is SMTP through nodemailer. */
  createMailer?: (smtp: SmtpSettings, password: string | undefined, options: MailerOptions) => Mailer;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const createMailer = options.createMailer ?? createSmtpMailer;
  return {
    async notify(target, run) {
      const settings = target.file.notifications;
      const kind = noticeFor(noticePolicy(settings), run);
      if (!kind) return { outcome: 'none' };
      const to = target.file.syncs[target.syncName]?.contacts ?? [];
      if (to.length === 0) return { outcome: 'skipped', kind, reason: `sync ${target.syncName} has no contacts; add contacts: [team@example.com] to email them` };
      if (!settings) return { outcome: 'skipped', kind, reason: 'the file has no notifications block; add notifications.smtp to email the contacts' };
      let password: string | undefined;
      let redact = (t: string) => t;
      try {
        password = settings.smtp.password === undefined ? undefined : resolveSecretRefs(settings.smtp.password, 'notifications.smtp.password', options.env);
        if (password) redact = redactorFor([password]);
        const message = composeNotice(kind, target, run, settings.row_error_threshold);
        const mailer = createMailer(settings.smtp, password, options);
        try {
          await mailer.send({ to, ...message });
        } finally {
          mailer.close();
        }
        return { outcome: 'sent', kind, to };
      } catch (err) {
        return { outcome: 'failed', kind, to, error: `Could not email ${to.join(', ')} through ${settings.smtp.host}: ${redact(errorMessage(err))}` };
      }
    },
  };
}
