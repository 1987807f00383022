/**
 * The scheduler loop: follows the definition files, runs each active, tested sync at its schedule's
 * instants, and never more than one job per sync. One timer is armed for the earliest due sync;
 * when it fires every due sync starts, and each sync's next instant is computed from the schedule
 * and its zone alone (so restarts and Sync Now never shift the grid). A tick that finds the sync's
 * previous run still going is skipped and logged, not queued; after downtime a missed instant runs
 * once at start. Notifications go out beside the runs and never hold them up.
 */
import { formatRunTime, nextRunTimes } from '../schedule';
import { fileStateBackend, type StateBackend } from '../state/state-backend';
import type { TakenOver } from '../state/fleet';
import type { SyncTarget } from '../app/open-sync';
import { errorMessage } from '../sync/sync-errors';
import type { SchedulerClock } from './clock';
import { DefinitionSet, type Discovery, type SyncSlot } from './definition-set';
import type { JobRunner } from '../app/job-runner';
import type { Notifier } from '../notify/notifier';
import type { LogEntry, LogLevel, SchedulerLog } from './log';
import { syncTestStatus } from '../state/connection-fingerprint';
import { FleetMember } from './fleet-member';
import { runClaimed, type FleetJobContext } from './fleet-job';
import { logFileChange, logNotScheduled, logScheduled } from './log-lines';
import { Notices } from './notices';
import { nextText, runAndReport, skipRun } from './run-job';
import { ids, when, type Entry, type Fields, type Job } from './sync-entry';

export { NOTICE_GRACE_MS } from './notices';

export interface SchedulerOptions {
  discover(): Promise<Discovery>;
  stateDir?: string;
  env: NodeJS.ProcessEnv;
  clock: SchedulerClock;
  runJob: JobRunner;
  notifier: Notifier;
  log: SchedulerLog;
  /** Starts watching the definitions; calls `onChange` on edits; returns a function that stops it. */
  watch?: (onChange: () => void) => () => void;
  /** Where state lives (default: files). Shared state with a fleet makes this host one of several. */
  state?: StateBackend;
  /** With a fleet: how often to look for the unfinished runs of dead hosts (ms). */
  sweepMs?: number;
}

/** With a fleet, how often a host looks for the unfinished runs of dead hosts: a third of the default lease. */
export const DEFAULT_SWEEP_MS = 10_000;

export class Scheduler {
  private readonly definitions: DefinitionSet;
  private readonly entries = new Map<string, Entry>();
  private readonly jobs = new Map<string, Job>();
  private readonly notices: Notices;
  /** Each job from its claim until its end is recorded (the job leaves `jobs` as soon as its run is over). */
  private readonly executing = new Set<Promise<void>>();
  private cancelTimer: (() => void) | undefined;
  private stopWatching: (() => void) | undefined;
  private reloading: Promise<void> = Promise.resolve();
  private reloadQueued = false;
  private started: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;
  private stopping = false;
  private readonly backend: StateBackend;
  private readonly member: FleetMember | undefined;
  private joined = false;
  /** What a job needs of the scheduler (run-job.ts, fleet-job.ts). */
  private readonly jobContext: Omit<FleetJobContext, 'member'>;

  constructor(private readonly options: SchedulerOptions) {
    this.backend = options.state ?? fileStateBackend;
    this.member = this.backend.fleet ? new FleetMember(this.backend.fleet, options.sweepMs ?? DEFAULT_SWEEP_MS) : undefined;
    this.definitions = new DefinitionSet({ discover: options.discover, env: options.env, ...(options.stateDir ? { stateDir: options.stateDir } : {}), ...(options.state ? { state: options.state } : {}) });
    this.notices = new Notices(options.notifier, options.clock, this.emit);
    this.jobContext = {
      clock: options.clock,
      runJob: options.runJob,
      emit: this.emit,
      notices: this.notices,
      current: (key) => this.entries.get(key),
      release: (job) => this.release(job),
      stopping: () => this.stopping,
    };
  }

  /** Loads the files, runs missed instants once, arms the timer and starts watching. */
  start(): Promise<void> {
    this.started ??= this.startUp();
    return this.started;
  }

  private async startUp(): Promise<void> {
    await this.applyReload();
    const scheduled = [...this.entries.values()].filter((e) => e.nextRun);
    if (this.member) await this.joinFleet(this.member);
    const fleet = this.member ? ` as ${this.member.host} in the fleet on ${this.backend.description}` : '';
    this.emit('info', 'scheduler-started', `Scheduler started${fleet}: ${this.entries.size} sync(s), ${scheduled.length} scheduled.`, { syncs: this.entries.size });
    await this.catchUp(scheduled);
    this.stopWatching = this.options.watch?.(() => void this.reload());
    this.arm();
  }

  private async joinFleet(member: FleetMember): Promise<void> {
    await member.join([...this.entries.values()].map((e) => e.slot));
    this.joined = true;
    member.sweep(
      () => [...this.entries.values()].filter((e) => e.nextRun).map((e) => e.slot),
      (slot, orphan) => this.takeOver(slot.key, orphan),
      (err) => this.emit('warn', 'fleet-unavailable', `Looking for the runs of stopped hosts failed (${errorMessage(err)}); trying again.`, { error: errorMessage(err) }),
    );
  }

  /** Re-reads the files (the watcher calls this); a reload asked for during one runs once after it. */
  reload(): Promise<void> {
    if (this.stopping) return this.reloading;
    if (this.reloadQueued) return this.reloading;
    this.reloadQueued = true;
    this.reloading = this.reloading.then(async () => {
      this.reloadQueued = false;
      if (this.stopping) return;
      await this.applyReload();
      this.arm();
    });
    return this.reloading;
  }

  /** Cancels in-flight runs (the engine commits what was delivered), waits for them and for emails. */
  stop(reason = 'stop requested'): Promise<void> {
    this.stopped ??= this.shutDown(reason);
    return this.stopped;
  }

  private async shutDown(reason: string): Promise<void> {
    this.stopping = true;
    this.member?.withdrawClaims();
    await this.started?.catch(() => undefined);
    this.stopWatching?.();
    this.cancelTimer?.();
    await this.reloading.catch(() => undefined);
    const jobs = [...this.jobs.values()];
    this.emit('info', 'stopping', `Stopping (${reason}): ${jobs.length ? `cancelling ${jobs.length} run(s) in flight; delivered rows are committed` : 'no run in flight'}.`, { reason, in_flight: jobs.length });
    for (const job of jobs) job.controller.abort(new Error(`The scheduler is stopping (${reason}).`));
    // Also the runs already over that are still recording their end in the fleet.
    await Promise.all([...this.executing]);
    await this.member?.leave().catch(() => undefined);
    const abandoned = await this.notices.settle();
    this.emit('info', 'stopped', `Scheduler stopped${abandoned ? `; ${abandoned} email(s) still being sent were abandoned` : ''}.`, {});
  }

  private async applyReload(): Promise<void> {
    let result;
    try {
      result = await this.definitions.reload();
    } catch (err) {
      this.emit('error', 'file-invalid', `Reading the definitions failed: ${errorMessage(err)}; the syncs keep their last good schedules.`, { error: errorMessage(err) });
      return;
    }
    for (const change of result.files) logFileChange(this.emit, change);
    for (const slot of result.removed) {
      this.entries.delete(slot.key);
      this.emit('info', 'sync-removed', `${slot.target.syncName}: no longer in ${slot.target.filePath}; not scheduled any more.`, { ...ids(slot), next_run: null });
    }
    const planned = new Set(result.planned.map((s) => s.key));
    const now = this.options.clock.now();
    for (const slot of result.all) {
      const entry = this.entries.get(slot.key);
      // Same plan: keep the next instant; the new definition is used from the next run on.
      if (entry && !planned.has(slot.key)) entry.slot = slot;
      else await this.plan(slot, now);
    }
    if (this.joined) await this.member?.publish(result.all).catch((err: unknown) => this.emit('warn', 'fleet-unavailable', `Publishing this host's definitions to the fleet failed (${errorMessage(err)}); the next reload tries again.`, { error: errorMessage(err) }));
  }

  private async plan(slot: SyncSlot, now: Date): Promise<void> {
    const store = this.backend.storeFor(slot.target);
    const entry: Entry = { slot, store };
    this.entries.set(slot.key, entry);
    const { plan } = slot;
    if (plan.kind === 'not-scheduled') return logNotScheduled(this.emit, slot, plan);
    entry.nextRun = this.nextAfter(entry, now);
    const tested = syncTestStatus(slot.target.file, slot.target.syncName, await store.readState().catch(() => undefined));
    logScheduled(this.emit, entry, plan, tested);
  }

  private nextAfter(entry: Entry, after: Date): Date | undefined {
    const { plan } = entry.slot;
    return plan.kind === 'scheduled' ? nextRunTimes(plan.schedule, plan.timeZone, after, 1)[0] : undefined;
  }

  /** A sync whose last recorded run started before its latest planned instant runs once now. */
  private async catchUp(entries: Entry[]): Promise<void> {
    const now = this.options.clock.now();
    for (const entry of entries) {
      const last = (await entry.store.listRuns(1).catch(() => []))[0];
      if (!last || entry.slot.plan.kind !== 'scheduled') continue;
      const missed = nextRunTimes(entry.slot.plan.schedule, entry.slot.plan.timeZone, new Date(last.started_at), 1)[0];
      if (!missed || missed > now) continue;
      const zone = entry.slot.plan.timeZone;
      this.emit('info', 'catch-up', `${entry.slot.target.syncName}: missed its run of ${formatRunTime(missed, zone)} (last run ${last.id}); running it once now.`, {
        ...ids(entry.slot),
        scheduled_for: missed.toISOString(),
        run_id: last.id,
      });
      this.fire(entry, missed);
    }
  }

  private arm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.stopping) return;
    let earliest: Date | undefined;
    for (const e of this.entries.values()) if (e.nextRun && (!earliest || e.nextRun < earliest)) earliest = e.nextRun;
    if (earliest) this.cancelTimer = this.options.clock.setTimer(earliest, () => this.tick());
  }

  private tick(): void {
    this.cancelTimer = undefined;
    if (this.stopping) return;
    const now = this.options.clock.now();
    for (const entry of this.entries.values()) {
      if (!entry.nextRun || entry.nextRun > now) continue;
      const due = entry.nextRun;
      // From now, not from `due`: after a stall, the instants missed meanwhile collapse into this one.
      entry.nextRun = this.nextAfter(entry, now);
      this.fire(entry, due);
    }
    this.arm();
  }

  /** A dead host's unfinished run, now claimed by this host: run it (from the committed watermark). */
  private takeOver(key: string, orphan: TakenOver): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.emit('warn', 'run-taken-over', `${entry.slot.target.syncName}: took over the run of ${when(entry, orphan.scheduledFor)} from ${orphan.fromHost}, which stopped before finishing it; it resumes from the last recorded watermark.`, {
      ...ids(entry.slot),
      scheduled_for: orphan.scheduledFor.toISOString(),
      reason: orphan.fromHost,
    });
    this.fire(entry, orphan.scheduledFor, true);
  }

  private fire(entry: Entry, scheduledFor: Date, claimed = false): void {
    if (this.stopping) return;
    const { slot } = entry;
    const running = this.jobs.get(slot.key);
    if (running) return this.skipStillGoing(entry, scheduledFor, running, claimed);
    const job: Job = { key: slot.key, scheduledFor, startedAt: this.options.clock.now(), controller: new AbortController(), claimed };
    this.jobs.set(slot.key, job);
    const done: Promise<void> = this.execute(entry, slot.target, job)
      .catch((err: unknown) => this.emit('error', 'run-failed', `${slot.target.syncName}: ${errorMessage(err)}`, { ...ids(slot), error: errorMessage(err) }))
      .finally(() => {
        this.release(job);
        this.executing.delete(done);
      });
    this.executing.add(done);
  }

  /** A tick while the sync's previous run is still going: skipped (a run taken over is closed as such). */
  private skipStillGoing(entry: Entry, scheduledFor: Date, running: Job, claimed: boolean): void {
    const { slot } = entry;
    if (claimed) void this.member?.finish(slot, scheduledFor, 'skipped').catch(() => undefined);
    skipRun(this.jobContext, entry, `${slot.target.syncName}: skipped the run of ${when(entry, scheduledFor)}: the previous run${running.runId ? ` ${running.runId}` : ''} (started ${running.startedAt.toISOString()}) is still going.${nextText(this.jobContext, entry)}`, {
      ...ids(slot),
      reason: 'previous-run-still-going',
      scheduled_for: scheduledFor.toISOString(),
      ...(running.runId ? { run_id: running.runId } : {}),
      next_run: entry.nextRun?.toISOString() ?? null,
    });
  }

  private release(job: Job): void {
    if (this.jobs.get(job.key) === job) this.jobs.delete(job.key);
  }

  /** Alone, runs the job; with a fleet, claims the run first (one host runs it) and records how it ended. */
  private async execute(entry: Entry, target: SyncTarget, job: Job): Promise<void> {
    if (this.member) return runClaimed({ ...this.jobContext, member: this.member }, entry, target, job);
    await runAndReport(this.jobContext, entry, target, job);
  }

  private readonly emit = (level: LogLevel, event: LogEntry['event'], message: string, fields: Fields): void => {
    this.options.log({ time: this.options.clock.now().toISOString(), level, event, message, ...fields });
  };
}
