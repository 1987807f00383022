/**
 * The emails about runs: sent beside the runs, never holding them up, each result logged. A stop
 * waits for the emails in flight at most NOTICE_GRACE_MS.
 */
import type { SyncTarget } from '../app/open-sync';
import type { Notifier, NotifyResult } from '../notify/notifier';
import type { NotifiedRun } from '../notify/notice';
import { errorMessage } from '../sync/sync-errors';
import type { SchedulerClock } from './clock';
import type { Emit, Fields } from './sync-entry';

/** How long a stop waits for emails in flight (the mailer's own timeouts usually end them sooner). */
export const NOTICE_GRACE_MS = 30_000;

export class Notices {
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly notifier: Notifier,
    private readonly clock: SchedulerClock,
    private readonly emit: Emit,
  ) {}

  send(target: SyncTarget, run: NotifiedRun): void {
    const ids = { file: target.filePath, sync: target.syncName, ...(run.id ? { run_id: run.id } : {}) };
    const p: Promise<void> = this.notifier
      .notify(target, run)
      .then((r) => this.logNotice(r, ids))
      .catch((err: unknown) => this.emit('error', 'notification-failed', `${target.syncName}: ${errorMessage(err)}`, { ...ids, error: errorMessage(err) }))
      .finally(() => this.sending.delete(p));
    this.sending.add(p);
  }

  /** Waits for emails being sent, at most NOTICE_GRACE_MS; returns how many were left behind. */
  async settle(): Promise<number> {
    if (this.sending.size === 0) return 0;
    let cancel: (() => void) | undefined;
    const grace = new Promise<void>((resolve) => {
      cancel = this.clock.setTimer(new Date(this.clock.now().getTime() + NOTICE_GRACE_MS), resolve);
    });
    await Promise.race([Promise.all([...this.sending]), grace]);
    cancel?.();
    return this.sending.size;
  }

  private logNotice(r: NotifyResult, ids: Fields): void {
    const name = ids.sync ?? '';
    switch (r.outcome) {
      case 'none':
        return;
      case 'sent':
        this.emit('info', 'notification-sent', `${name}: emailed the ${r.kind} notice to ${r.to.join(', ')}.`, { ...ids, notice: r.kind, to: r.to });
        return;
      case 'skipped':
        this.emit('warn', 'notification-skipped', `${name}: no ${r.kind} email sent: ${r.reason}.`, { ...ids, notice: r.kind, reason: r.reason });
        return;
      case 'failed':
        this.emit('error', 'notification-failed', `${name}: the ${r.kind} email failed (the sync is not affected): ${r.error}`, { ...ids, notice: r.kind, to: r.to, error: r.error });
    }
  }
}
