/**
 * One job of the scheduler from its start to its outcome: skipped while the sync is untested, else
 * run by the job runner, then logged (and recorded in the sync's history when skipped) and its
 * notice sent. What happens around it (claims in a fleet, the next tick) is the scheduler's.
 */
import { randomBytes } from 'node:crypto';
import type { JobOutcome, JobRunner } from '../app/job-runner';
import type { SyncTarget } from '../app/open-sync';
import { syncTestStatus } from '../state/connection-fingerprint';
import { skippedRun } from '../state/run-record';
import type { SchedulerClock } from './clock';
import { LEVEL, runFields, untestedReason } from './log-lines';
import type { Notices } from './notices';
import { ids, when, type Emit, type Entry, type Fields, type Job } from './sync-entry';

export interface JobContext {
  clock: SchedulerClock;
  runJob: JobRunner;
  emit: Emit;
  notices: Notices;
  /** The sync's entry now (a reload may have replaced it since the job began), for its next run. */
  current(key: string): Entry | undefined;
  /** The job is over: a tick from here on may start the sync's next run. */
  release(job: Job): void;
}

/** How a job ended, as the fleet records it. */
export interface Ended {
  outcome: string;
  runId?: string;
}

export async function runAndReport(ctx: JobContext, entry: Entry, target: SyncTarget, job: Job): Promise<Ended> {
  const { slot } = entry;
  const name = target.syncName;
  const state = job.tested ?? (await entry.store.readState().catch(() => undefined));
  const tested = syncTestStatus(target.file, name, state);
  if (!tested.tested) {
    ctx.emit('warn', 'run-skipped', `${name}: skipped the run of ${when(entry, job.scheduledFor)}: ${untestedReason(tested, target)}.${nextText(ctx, entry)}`, {
      ...ids(slot),
      reason: `untested-${tested.reason}`,
      scheduled_for: job.scheduledFor.toISOString(),
      next_run: entry.nextRun?.toISOString() ?? null,
    });
    return { outcome: 'skipped-untested' };
  }
  const outcome: JobOutcome = await ctx.runJob({
    target,
    signal: job.controller.signal,
    onStarted: (runId) => {
      job.runId = runId;
      job.started?.();
      ctx.emit('info', 'run-started', `${name}: run ${runId} started (scheduled for ${when(entry, job.scheduledFor)}).`, { ...ids(slot), run_id: runId, scheduled_for: job.scheduledFor.toISOString() });
    },
  });
  ctx.release(job);
  return report(ctx, entry, target, job, outcome);
}

function report(ctx: JobContext, entry: Entry, target: SyncTarget, job: Job, outcome: JobOutcome): Ended {
  const { slot } = entry;
  const name = target.syncName;
  const at = { ...ids(slot), scheduled_for: job.scheduledFor.toISOString(), next_run: ctx.current(slot.key)?.nextRun?.toISOString() ?? null };
  const next = nextText(ctx, entry);
  switch (outcome.kind) {
    case 'finished': {
      const { run } = outcome;
      ctx.emit(LEVEL[run.status], 'run-finished', `${name}: run ${run.id} ${run.status}: read ${run.rows_read}, synced ${run.rows_synced}, failed ${run.rows_failed}${run.error ? `; ${run.error}` : ''}.${next}`, {
        ...ids(slot),
        ...runFields(run),
        scheduled_for: at.scheduled_for,
        next_run: at.next_run,
      });
      ctx.notices.send(target, run);
      return { outcome: run.status, runId: run.id };
    }
    case 'busy':
      skipRun(ctx, entry, `${name}: skipped the run of ${when(entry, job.scheduledFor)}: ${outcome.message}${next}`, { ...ids(slot), reason: 'job-in-progress', scheduled_for: at.scheduled_for, next_run: at.next_run });
      return { outcome: 'skipped-busy' };
    case 'failed': {
      // After its start (the state database went away mid-run, say) it failed; before, it could not start.
      const what = job.runId ? `run ${job.runId} of ${when(entry, job.scheduledFor)} failed` : `the run of ${when(entry, job.scheduledFor)} could not start`;
      ctx.emit('error', 'run-failed', `${name}: ${what}: ${outcome.error}${next}`, { ...ids(slot), status: 'error', error: outcome.error, scheduled_for: at.scheduled_for, next_run: at.next_run });
      const startedAt = job.startedAt.toISOString();
      ctx.notices.send(target, { ...(job.runId ? { id: job.runId } : {}), status: 'error', started_at: startedAt, ended_at: ctx.clock.now().toISOString(), rows_read: 0, rows_synced: 0, rows_failed: 0, error: outcome.error });
      return { outcome: 'failed' };
    }
  }
}

/**
 * A run skipped because another was still going: recorded in the sync's history (so the gap
 * shows there, not only here), then logged, so whoever reads the log line finds the record. A
 * history that cannot be written loses only that copy. (Untested syncs are not recorded: they
 * would fill the history with one record a tick until tested; the log says it each tick.)
 */
export function skipRun(ctx: Pick<JobContext, 'clock' | 'emit'>, entry: Entry, message: string, fields: Fields): void {
  const run = skippedRun(entry.slot.target.syncName, ctx.clock.now(), message, randomBytes(3).toString('hex'));
  void entry.store
    .saveRun(run)
    .catch(() => undefined)
    .then(() => ctx.emit('warn', 'run-skipped', message, fields));
}

/** ` Next run …` of the sync as planned now, or nothing. */
export function nextText(ctx: Pick<JobContext, 'current'>, entry: Entry): string {
  const next = ctx.current(entry.slot.key)?.nextRun;
  return next ? ` Next run ${when(entry, next)}.` : '';
}
