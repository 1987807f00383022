/**
 * A job on a host of a fleet: claim the run first (one host of the fleet runs it; a run this host
 * took over is claimed already), refuse it while live hosts follow another version of the sync,
 * run it, and record in the fleet how it ended.
 */
import type { SyncTarget } from '../app/open-sync';
import { errorMessage } from '../sync/sync-errors';
import { definitionHash, type FleetMember } from './fleet-member';
import { runAndReport, type JobContext } from './run-job';
import { ids, when, type Entry, type Job } from './sync-entry';

export interface FleetJobContext extends JobContext {
  member: FleetMember;
  stopping(): boolean;
}

export async function runClaimed(ctx: FleetJobContext, entry: Entry, target: SyncTarget, job: Job): Promise<void> {
  const { member } = ctx;
  if (!job.claimed && !(await claim(ctx, entry, target, job))) return ctx.release(job);
  // A run that started (or ended without starting) leaves the member's backlog of unstarted runs.
  const ended = await runAndReport(ctx, entry, target, job).finally(() => job.started?.());
  // A run cancelled because this host is stopping stays unfinished: a live host takes it over.
  if (ctx.stopping() && ended.outcome === 'cancelled') return;
  await member.finish(entry.slot, job.scheduledFor, ended.outcome, ended.runId).catch((err: unknown) =>
    ctx.emit('warn', 'fleet-unavailable', `${target.syncName}: could not record in the fleet how the run of ${when(entry, job.scheduledFor)} ended (${errorMessage(err)}); the next run of this sync on this host records it.`, {
      ...ids(entry.slot),
      scheduled_for: job.scheduledFor.toISOString(),
      error: errorMessage(err),
    }),
  );
}

/** Whether this host won the run; a version mismatch is logged. */
async function claim(ctx: FleetJobContext, entry: Entry, target: SyncTarget, job: Job): Promise<boolean> {
  const claim = await ctx.member.claim(entry.slot, job.scheduledFor);
  if (claim.kind === 'taken' || claim.kind === 'withdrawn') return false;
  if (claim.kind === 'mismatch') {
    const others = claim.others.map((o) => `${o.host} (version ${o.defHash})`).join(', ');
    ctx.emit('error', 'definition-mismatch', `${target.syncName}: not run at ${when(entry, job.scheduledFor)}: ${others} follow${claim.others.length === 1 ? 's' : ''} another version of this sync than this host (version ${definitionHash(entry.slot)}). No host runs it until every host has the same definition file.`, {
      ...ids(entry.slot),
      scheduled_for: job.scheduledFor.toISOString(),
      reason: 'definition-mismatch',
    });
    return false;
  }
  job.claimed = true;
  job.started = claim.started;
  job.tested = claim.tested;
  return true;
}
