/**
 * The scheduler loop: follows the definition files, runs each active, tested sync at its schedule's
 * instants, and never more than one job per sync. One timer is armed for the earliest due sync;
 * when it fires every due sync starts, and each sync's next instant is computed from the schedule
 * and its zone alone (so restarts and Sync Now never shift the grid). A tick that finds the sync's
 * previous run still going is skipped and logged, not queued; after downtime a missed instant runs
 * once at start. Notifications go out beside the runs and never hold them up.
 */
import { randomBytes } from 'node:crypto';
import type { FileProblem } from '../lang/load-definition';
import type { Notifier, NotifyResult } from '../notify/notifier';
import type { NotifiedRun } from '../notify/notice';
import { formatRunTime, nextRunTimes } from '../schedule';
import { skippedRun, type RunRecord } from '../state/run-record';
import { fileStateBackend, type StateBackend } from '../state/state-backend';
import type { SyncStateStore } from '../state/state-store';
import type { TakenOver } from '../state/fleet';
import type { SyncTarget } from '../app/open-sync';
import { errorMessage } from '../sync/sync-errors';
import type { SchedulerClock } from './clock';
import { DefinitionSet, type Discovery, type FileChange, type SyncSlot } from './definition-set';
import type { JobOutcome, JobRunner } from '../app/job-runner';
import type { LogEntry, LogLevel, LogProblem, SchedulerLog } from './log';
import { syncTestStatus } from '../state/connection-fingerprint';
import { NOT_SCHEDULED_REASONS } from './plan';
import { definitionHash, FleetMember } from './fleet-member';

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

interface Entry {
  slot: SyncSlot;
  store: SyncStateStore;
  /** Absent for syncs that are not scheduled. */
  nextRun?: Date;
}

interface Job {
  key: string;
  scheduledFor: Date;
  startedAt: Date;
  runId?: string;
  controller: AbortController;
  /** With a fleet: this host holds the claim on the run (won it, or took it over). */
  claimed: boolean;
}

type Fields = Omit<LogEntry, 'time' | 'level' | 'event' | 'message'>;

/** How long a stop waits for emails in flight (the mailer's own timeouts usually end them sooner). */
export const NOTICE_GRACE_MS = 30_000;
/** With a fleet, how often a host looks for the unfinished runs of dead hosts: a third of the default lease. */
export const DEFAULT_SWEEP_MS = 10_000;

export class Scheduler {
  private readonly definitions: DefinitionSet;
  private readonly entries = new Map<string, Entry>();
  private readonly jobs = new Map<string, Job>();
  private readonly notices = new Set<Promise<void>>();
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

  constructor(private readonly options: SchedulerOptions) {
    this.backend = options.state ?? fileStateBackend;
    this.member = this.backend.fleet ? new FleetMember(this.backend.fleet, options.sweepMs ?? DEFAULT_SWEEP_MS) : undefined;
    this.definitions = new DefinitionSet({ discover: options.discover, env: options.env, ...(options.stateDir ? { stateDir: options.stateDir } : {}), ...(options.state ? { state: options.state } : {}) });
  }

  /** Loads the files, runs missed instants once, arms the timer and starts watching. */
  start(): Promise<void> {
    this.started ??= this.startUp();
    return this.started;
  }

  private async startUp(): Promise<void> {
    await this.applyReload();
    const scheduled = [...this.entries.values()].filter((e) => e.nextRun);
    if (this.member) {
      await this.member.join([...this.entries.values()].map((e) => e.slot));
      this.joined = true;
      this.member.sweep(
        () => [...this.entries.values()].filter((e) => e.nextRun).map((e) => e.slot),
        (slot, orphan) => this.takeOver(slot.key, orphan),
        (err) => this.emit('warn', 'fleet-unavailable', `Looking for the runs of stopped hosts failed (${errorMessage(err)}); trying again.`, { error: errorMessage(err) }),
      );
    }
    const fleet = this.member ? ` as ${this.member.host} in the fleet on ${this.backend.description}` : '';
    this.emit('info', 'scheduler-started', `Scheduler started${fleet}: ${this.entries.size} sync(s), ${scheduled.length} scheduled.`, { syncs: this.entries.size });
    await this.catchUp(scheduled);
    this.stopWatching = this.options.watch?.(() => void this.reload());
    this.arm();
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
    const abandoned = await this.settleNotices();
    this.emit('info', 'stopped', `Scheduler stopped${abandoned ? `; ${abandoned} email(s) still being sent were abandoned` : ''}.`, {});
  }

  /** Waits for emails being sent, at most NOTICE_GRACE_MS; returns how many were left behind. */
  private async settleNotices(): Promise<number> {
    if (this.notices.size === 0) return 0;
    let cancel: (() => void) | undefined;
    const grace = new Promise<void>((resolve) => {
      cancel = this.options.clock.setTimer(new Date(this.options.clock.now().getTime() + NOTICE_GRACE_MS), resolve);
    });
    await Promise.race([Promise.all([...this.notices]), grace]);
    cancel?.();
    return this.notices.size;
  }

  private async applyReload(): Promise<void> {
    let result;
    try {
      result = await this.definitions.reload();
    } catch (err) {
      this.emit('error', 'file-invalid', `Reading the definitions failed: ${errorMessage(err)}; the syncs keep their last good schedules.`, { error: errorMessage(err) });
      return;
    }
    for (const change of result.files) this.logFileChange(change);
    for (const slot of result.removed) {
      this.entries.delete(slot.key);
      this.emit('info', 'sync-removed', `${slot.target.syncName}: no longer in ${slot.target.filePath}; not scheduled any more.`, { ...this.ids(slot), next_run: null });
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
    const name = slot.target.syncName;
    if (plan.kind === 'not-scheduled') {
      this.emit('info', 'sync-not-scheduled', `${name}: not scheduled: ${NOT_SCHEDULED_REASONS[plan.reason]}.`, { ...this.ids(slot), reason: plan.reason, schedule: plan.text, next_run: null });
      return;
    }
    entry.nextRun = this.nextAfter(entry, now);
    const tested = syncTestStatus(slot.target.file, name, await store.readState().catch(() => undefined));
    const next = entry.nextRun ? formatRunTime(entry.nextRun, plan.timeZone) : 'never';
    const fields = { ...this.ids(slot), schedule: plan.text, time_zone: plan.timeZone, next_run: entry.nextRun?.toISOString() ?? null };
    if (tested.tested) this.emit('info', 'sync-scheduled', `${name}: scheduled ${plan.text} (${plan.timeZone}); next run ${next}.`, fields);
    else this.emit('warn', 'sync-scheduled', `${name}: scheduled ${plan.text} (${plan.timeZone}), but ${untestedReason(tested, slot.target)}; its runs are skipped until then. Next run ${next}.`, { ...fields, reason: `untested-${tested.reason}` });
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
        ...this.ids(entry.slot),
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
    this.emit('warn', 'run-taken-over', `${entry.slot.target.syncName}: took over the run of ${this.when(entry, orphan.scheduledFor)} from ${orphan.fromHost}, which stopped before finishing it; it resumes from the last recorded watermark.`, {
      ...this.ids(entry.slot),
      scheduled_for: orphan.scheduledFor.toISOString(),
      reason: orphan.fromHost,
    });
    this.fire(entry, orphan.scheduledFor, true);
  }

  private fire(entry: Entry, scheduledFor: Date, claimed = false): void {
    if (this.stopping) return;
    const { slot } = entry;
    const running = this.jobs.get(slot.key);
    if (running) {
      if (claimed) void this.member?.finish(slot, scheduledFor, 'skipped').catch(() => undefined);
      this.skip(entry, `${slot.target.syncName}: skipped the run of ${this.when(entry, scheduledFor)}: the previous run${running.runId ? ` ${running.runId}` : ''} (started ${running.startedAt.toISOString()}) is still going.${this.nextText(entry)}`, {
        ...this.ids(slot),
        reason: 'previous-run-still-going',
        scheduled_for: scheduledFor.toISOString(),
        ...(running.runId ? { run_id: running.runId } : {}),
        next_run: entry.nextRun?.toISOString() ?? null,
      });
      return;
    }
    const job: Job = { key: slot.key, scheduledFor, startedAt: this.options.clock.now(), controller: new AbortController(), claimed };
    this.jobs.set(slot.key, job);
    const done: Promise<void> = this.execute(entry, slot.target, job)
      .catch((err: unknown) => this.emit('error', 'run-failed', `${slot.target.syncName}: ${errorMessage(err)}`, { ...this.ids(slot), error: errorMessage(err) }))
      .finally(() => {
        this.release(job);
        this.executing.delete(done);
      });
    this.executing.add(done);
  }

  /**
   * A run skipped because another was still going: recorded in the sync's history (so the gap
   * shows there, not only here), then logged, so whoever reads the log line finds the record. A
   * history that cannot be written loses only that copy. (Untested syncs are not recorded: they
   * would fill the history with one record a tick until tested; the log says it each tick.)
   */
  private skip(entry: Entry, message: string, fields: Fields): void {
    const run = skippedRun(entry.slot.target.syncName, this.options.clock.now(), message, randomBytes(3).toString('hex'));
    void entry.store
      .saveRun(run)
      .catch(() => undefined)
      .then(() => this.emit('warn', 'run-skipped', message, fields));
  }

  private release(job: Job): void {
    if (this.jobs.get(job.key) === job) this.jobs.delete(job.key);
  }

  /** With a fleet, claims the run first (one host runs it) and records how it ended. */
  private async execute(entry: Entry, target: SyncTarget, job: Job): Promise<void> {
    const member = this.member;
    if (!member) return void (await this.runAndReport(entry, target, job));
    if (!job.claimed) {
      const claim = await member.claim(entry.slot, job.scheduledFor);
      if (claim.kind === 'taken') return this.release(job);
      if (claim.kind === 'mismatch') {
        const others = claim.others.map((o) => `${o.host} (version ${o.defHash})`).join(', ');
        this.emit('error', 'definition-mismatch', `${target.syncName}: not run at ${this.when(entry, job.scheduledFor)}: ${others} follow${claim.others.length === 1 ? 's' : ''} another version of this sync than this host (${definitionHashText(entry)}). No host runs it until every host has the same definition file.`, {
          ...this.ids(entry.slot),
          scheduled_for: job.scheduledFor.toISOString(),
          reason: 'definition-mismatch',
        });
        return this.release(job);
      }
      job.claimed = true;
    }
    const ended = await this.runAndReport(entry, target, job);
    // A run cancelled because this host is stopping stays unfinished: a live host takes it over.
    if (this.stopping && ended.outcome === 'cancelled') return;
    await member.finish(entry.slot, job.scheduledFor, ended.outcome, ended.runId).catch((err: unknown) =>
      this.emit('warn', 'fleet-unavailable', `${target.syncName}: could not record in the fleet how the run of ${this.when(entry, job.scheduledFor)} ended (${errorMessage(err)}); the next run of this sync on this host records it.`, {
        ...this.ids(entry.slot),
        scheduled_for: job.scheduledFor.toISOString(),
        error: errorMessage(err),
      }),
    );
  }

  private async runAndReport(entry: Entry, target: SyncTarget, job: Job): Promise<{ outcome: string; runId?: string }> {
    const { slot } = entry;
    const name = target.syncName;
    const state = await entry.store.readState().catch(() => undefined);
    const tested = syncTestStatus(target.file, name, state);
    if (!tested.tested) {
      this.emit('warn', 'run-skipped', `${name}: skipped the run of ${this.when(entry, job.scheduledFor)}: ${untestedReason(tested, target)}.${this.nextText(entry)}`, {
        ...this.ids(slot),
        reason: `untested-${tested.reason}`,
        scheduled_for: job.scheduledFor.toISOString(),
        next_run: entry.nextRun?.toISOString() ?? null,
      });
      return { outcome: 'skipped-untested' };
    }
    const outcome: JobOutcome = await this.options.runJob({
      target,
      signal: job.controller.signal,
      onStarted: (runId) => {
        job.runId = runId;
        this.emit('info', 'run-started', `${name}: run ${runId} started (scheduled for ${this.when(entry, job.scheduledFor)}).`, { ...this.ids(slot), run_id: runId, scheduled_for: job.scheduledFor.toISOString() });
      },
    });
    // The job is over once its outcome is known: a tick from here on may start the next run.
    this.release(job);
    const next = () => ({ next_run: this.entries.get(slot.key)?.nextRun?.toISOString() ?? null });
    switch (outcome.kind) {
      case 'finished': {
        const { run } = outcome;
        this.emit(LEVEL[run.status], 'run-finished', `${name}: run ${run.id} ${run.status}: read ${run.rows_read}, synced ${run.rows_synced}, failed ${run.rows_failed}${run.error ? `; ${run.error}` : ''}.${this.nextText(entry)}`, {
          ...this.ids(slot),
          ...runFields(run),
          scheduled_for: job.scheduledFor.toISOString(),
          ...next(),
        });
        this.notify(target, run);
        return { outcome: run.status, runId: run.id };
      }
      case 'busy':
        this.skip(entry, `${name}: skipped the run of ${this.when(entry, job.scheduledFor)}: ${outcome.message}${this.nextText(entry)}`, {
          ...this.ids(slot),
          reason: 'job-in-progress',
          scheduled_for: job.scheduledFor.toISOString(),
          ...next(),
        });
        return { outcome: 'skipped-busy' };
      case 'failed': {
        // After its start (the state database went away mid-run, say) it failed; before, it could not start.
        const what = job.runId ? `run ${job.runId} of ${this.when(entry, job.scheduledFor)} failed` : `the run of ${this.when(entry, job.scheduledFor)} could not start`;
        this.emit('error', 'run-failed', `${name}: ${what}: ${outcome.error}${this.nextText(entry)}`, {
          ...this.ids(slot),
          status: 'error',
          error: outcome.error,
          scheduled_for: job.scheduledFor.toISOString(),
          ...next(),
        });
        const at = job.startedAt.toISOString();
        this.notify(target, { ...(job.runId ? { id: job.runId } : {}), status: 'error', started_at: at, ended_at: this.options.clock.now().toISOString(), rows_read: 0, rows_synced: 0, rows_failed: 0, error: outcome.error });
        return { outcome: 'failed' };
      }
    }
  }

  private notify(target: SyncTarget, run: NotifiedRun): void {
    const ids = { file: target.filePath, sync: target.syncName, ...(run.id ? { run_id: run.id } : {}) };
    const p: Promise<void> = this.options.notifier
      .notify(target, run)
      .then((r) => this.logNotice(r, ids))
      .catch((err: unknown) => this.emit('error', 'notification-failed', `${target.syncName}: ${errorMessage(err)}`, { ...ids, error: errorMessage(err) }))
      .finally(() => this.notices.delete(p));
    this.notices.add(p);
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

  private logFileChange(change: FileChange): void {
    const file = change.filePath;
    switch (change.kind) {
      case 'loaded':
        this.emit(change.warnings.length ? 'warn' : 'info', 'file-loaded', `${file}: loaded ${change.syncs} sync(s)${change.warnings.length ? ` with ${change.warnings.length} warning(s)` : ''}.`, {
          file,
          syncs: change.syncs,
          ...(change.warnings.length ? { problems: change.warnings.map(logProblem) } : {}),
        });
        return;
      case 'invalid':
        this.emit('error', 'file-invalid', `${file}: ${change.problems.length} error(s); ${change.keptLastGood ? 'its syncs keep their last good definition and schedule' : 'none of its syncs is scheduled'} until it validates (see \`brazesync validate ${file}\`).`, {
          file,
          problems: change.problems.map(logProblem),
        });
        return;
      case 'removed':
        this.emit('info', 'file-removed', `${file}: gone; its syncs are not scheduled any more.`, { file });
    }
  }

  private ids(slot: SyncSlot): Fields {
    return { file: slot.target.filePath, sync: slot.target.syncName };
  }

  private when(entry: Entry, at: Date): string {
    return formatRunTime(at, entry.slot.plan.timeZone);
  }

  private nextText(entry: Entry): string {
    const next = this.entries.get(entry.slot.key)?.nextRun;
    return next ? ` Next run ${this.when(entry, next)}.` : '';
  }

  private emit(level: LogLevel, event: LogEntry['event'], message: string, fields: Fields): void {
    this.options.log({ time: this.options.clock.now().toISOString(), level, event, message, ...fields });
  }
}

const LEVEL: Record<RunRecord['status'], LogLevel> = { success: 'info', partial: 'warn', cancelled: 'warn', error: 'error', running: 'warn', skipped: 'warn' };

function runFields(run: RunRecord): Fields {
  return {
    run_id: run.id,
    status: run.status,
    rows_read: run.rows_read,
    rows_synced: run.rows_synced,
    rows_failed: run.rows_failed,
    rows_skipped: run.rows_skipped,
    watermark: run.watermark_after,
    ...(run.ended_at ? { duration_ms: Date.parse(run.ended_at) - Date.parse(run.started_at) } : {}),
    ...(run.error ? { error: run.error } : {}),
    ...(run.warnings.length ? { warnings: run.warnings } : {}),
  };
}

function definitionHashText(entry: Entry): string {
  return `version ${definitionHash(entry.slot)}`;
}

function untestedReason(tested: { tested: false; reason: 'never' | 'stale'; lastAt?: string }, target: SyncTarget): string {
  const command = `\`brazesync test-connection ${target.filePath} --sync ${target.syncName}\``;
  return tested.reason === 'never'
    ? `it is active but its connection was never tested; run ${command}`
    : `its connection settings or table changed since the last passing Test Connection (${tested.lastAt ?? 'earlier'}); run ${command} again`;
}

function logProblem(p: FileProblem): LogProblem {
  return { line: p.line, column: p.column, severity: p.severity, code: p.code, message: p.message };
}
