/**
 * The scheduler loop with a manual clock, real definition files and state directories, and a
 * scripted job runner: what runs when, what is skipped and why, catch-up, edits, and stopping.
 * (test/scheduler/ runs the same loop against PostgreSQL, the local Braze server and SMTP.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import type { NotifiedRun } from '../../core/src/notify/notice';
import type { Notifier, NotifyResult } from '../../core/src/notify/notifier';
import { connectionFingerprint } from '../../core/src/state/connection-fingerprint';
import { createFileStateStore } from '../../core/src/state/file-state-store';
import type { RunRecord } from '../../core/src/state/run-record';
import { syncStateDir } from '../../core/src/state/state-location';
import type { JobOutcome, JobRequest } from '../../core/src/app/job-runner';
import { Scheduler, NOTICE_GRACE_MS } from '../../core/src/scheduler/scheduler';
import { LogRecorder, ManualClock } from '../support/scheduler-doubles';
import { watchDefinitions } from '../../core/src/scheduler/watch-files';

const CONNECTION = { type: 'redshift' as const, host: 'db.example.com', database: 'DB', user: 'braze_user', password: '${env:PG_PASSWORD}' };

interface SyncSpec {
  schedule: string;
  status?: 'draft' | 'active';
  table?: string;
}

function yaml(syncs: Record<string, SyncSpec>): string {
  const lines = [
    'version: 1',
    'braze:',
    '  endpoint: http://127.0.0.1:9',
    '  api_key: ${env:BRAZE_API_KEY}',
    '  timezone: Europe/Paris',
    'connections:',
    '  warehouse:',
    '    type: redshift',
    `    host: ${CONNECTION.host}`,
    `    database: ${CONNECTION.database}`,
    `    user: ${CONNECTION.user}`,
    `    password: ${CONNECTION.password}`,
    'syncs:',
  ];
  for (const [name, s] of Object.entries(syncs)) {
    lines.push(`  ${name}:`, '    connection: warehouse', `    table: ${s.table ?? `ingestion.${name}`}`, '    data_type: custom_attributes', `    schedule: ${s.schedule}`, `    status: ${s.status ?? 'active'}`, '    contacts: [data-eng@example.com]');
  }
  return lines.join('\n') + '\n';
}

const STANDARD: Record<string, SyncSpec> = {
  every15: { schedule: 'every 15 minutes' },
  daily: { schedule: 'daily at 09:00' },
  drafty: { schedule: 'every 15 minutes', status: 'draft' },
  by_hand: { schedule: 'manual' },
  untested: { schedule: 'every 15 minutes' },
};

const dirs: string[] = [];
const schedulers: Scheduler[] = [];
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A deferred outcome the test settles; `signal` is the job's. */
interface PendingJob {
  sync: string;
  signal: AbortSignal;
  settle(outcome: JobOutcome): void;
  run(status?: RunRecord['status'], counts?: Partial<RunRecord>): RunRecord;
}

function setup(options: { syncs?: Record<string, SyncSpec>; start?: string; tested?: string[]; watch?: boolean } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'brazesync-scheduler-'));
  dirs.push(dir);
  const filePath = path.join(dir, 'shop.brazesync.yaml');
  const syncs = options.syncs ?? STANDARD;
  writeFileSync(filePath, yaml(syncs));
  const stateRoot = path.join(dir, 'state');
  const store = (sync: string) => createFileStateStore(syncStateDir(stateRoot, filePath, sync));
  const clock = new ManualClock(new Date(options.start ?? '2026-11-28T10:07:00Z'));
  const log = new LogRecorder();
  const jobs: PendingJob[] = [];
  let jobWaiters: { i: number; resolve: (j: PendingJob) => void }[] = [];
  const notices: { sync: string; run: NotifiedRun }[] = [];
  let notifyResult: (run: NotifiedRun) => Promise<NotifyResult> = async () => ({ outcome: 'none' });
  const notifier: Notifier = {
    notify(target, run) {
      notices.push({ sync: target.syncName, run });
      return notifyResult(run);
    },
  };
  const runJob = (request: JobRequest) =>
    new Promise<JobOutcome>((settle) => {
      const sync = request.target.syncName;
      let record: RunRecord | undefined;
      const job: PendingJob = {
        sync,
        signal: request.signal,
        settle,
        run: (status = 'success', counts = {}) => {
          if (!record) {
            const started = clock.now().toISOString();
            record = {
              id: `run-${sync}-${jobs.indexOf(job)}`,
              sync,
              status: 'running',
              started_at: started,
              rows_read: 0,
              rows_synced: 0,
              rows_failed: 0,
              rows_skipped: 0,
              rows_in_future: 0,
              watermark_before: null,
              watermark_after: null,
              warnings: [],
            };
            request.onStarted?.(record.id);
          }
          return { ...record, status, ended_at: clock.now().toISOString(), ...counts };
        },
      };
      // Like the engine: a cancelled run ends with what it had done.
      request.signal.addEventListener('abort', () => settle({ kind: 'finished', run: job.run('cancelled') }));
      jobs.push(job);
      for (const w of jobWaiters.filter((x) => jobs[x.i])) w.resolve(jobs[w.i] as PendingJob);
      jobWaiters = jobWaiters.filter((x) => !jobs[x.i]);
    });
  const scheduler = new Scheduler({
    discover: async () => ({ files: [filePath], unreadable: [] }),
    env: {},
    stateDir: stateRoot,
    clock,
    runJob,
    notifier,
    log: log.log,
    ...(options.watch ? { watch: (onChange: () => void) => watchDefinitions([{ path: filePath, isDirectory: false }], () => true, onChange, (e) => assert.fail(e)) } : {}),
  });
  schedulers.push(scheduler);
  return {
    dir,
    filePath,
    clock,
    log,
    jobs,
    notices,
    scheduler,
    store,
    setNotifyResult: (f: typeof notifyResult) => (notifyResult = f),
    write: (s: Record<string, SyncSpec>) => writeFileSync(filePath, yaml(s)),
    async test(...names: string[]) {
      for (const name of names) {
        const table = syncs[name]?.table ?? `ingestion.${name}`;
        await store(name).writeState({ version: 1, sync: name, last_test: { at: '2026-11-01T00:00:00.000Z', fingerprint: connectionFingerprint(CONNECTION, table, 'custom_attributes') } });
      }
    },
    /** Resolves with the runner's `i`-th job (0-based) once it has been asked for. */
    nextJob(i: number): Promise<PendingJob> {
      const seen = jobs[i];
      return seen ? Promise.resolve(seen) : new Promise((resolve) => jobWaiters.push({ i, resolve }));
    },
    /** Finishes a job with a run record and waits until the scheduler has logged it. */
    async finish(job: PendingJob, status: RunRecord['status'] = 'success', counts: Partial<RunRecord> = {}) {
      const mark = log.entries.length;
      const record = job.run(status, counts);
      job.settle({ kind: 'finished', run: record });
      return log.waitFor((e) => e.event === 'run-finished' && e.run_id === record.id, mark);
    },
  };
}

const at = (iso: string) => new Date(iso);

test('runs active, tested syncs when due; draft, manual and untested syncs are skipped with a logged reason', async () => {
  const t = setup();
  await t.test('every15', 'daily');
  await t.scheduler.start();

  const scheduled = Object.fromEntries(t.log.events('sync-scheduled').map((e) => [e.sync, e]));
  assert.equal(scheduled.every15?.next_run, '2026-11-28T10:15:00.000Z');
  assert.equal(scheduled.every15?.level, 'info');
  assert.equal(scheduled.daily?.next_run, '2026-11-29T08:00:00.000Z', '09:00 in Paris');
  assert.equal(scheduled.untested?.level, 'warn');
  assert.equal(scheduled.untested?.reason, 'untested-never');
  const notScheduled = Object.fromEntries(t.log.events('sync-not-scheduled').map((e) => [e.sync, e.reason]));
  assert.deepEqual(notScheduled, { drafty: 'draft', by_hand: 'manual' });
  assert.equal(t.log.events('catch-up').length, 0, 'no history: nothing was missed');
  assert.deepEqual(t.clock.nextTimer, at('2026-11-28T10:15:00Z'));

  t.clock.advanceTo(at('2026-11-28T10:15:00Z'));
  const job = await t.nextJob(0);
  assert.equal(job.sync, 'every15');
  const skipped = await t.log.waitFor((e) => e.event === 'run-skipped' && e.sync === 'untested');
  assert.equal(skipped.reason, 'untested-never');
  assert.match(skipped.message, /never tested; run `brazesync test-connection .*shop\.brazesync\.yaml --sync untested`/);
  assert.equal(skipped.scheduled_for, '2026-11-28T10:15:00.000Z');

  const finished = await t.finish(job, 'success', { rows_read: 3, rows_synced: 3 });
  assert.deepEqual([finished.status, finished.rows_read, finished.rows_synced, finished.rows_failed, finished.next_run], ['success', 3, 3, 0, '2026-11-28T10:30:00.000Z']);
  assert.ok(t.log.events('run-started', 'every15').some((e) => e.run_id === finished.run_id), 'run-started carries the run id');
  assert.equal(t.jobs.length, 1, 'only every15 ran');

  // A test recorded while the scheduler runs counts from the next tick on.
  await t.test('untested');
  t.clock.advanceTo(at('2026-11-28T10:30:00Z'));
  await t.nextJob(2);
  assert.deepEqual(t.jobs.map((j) => j.sync).sort(), ['every15', 'every15', 'untested']);
  assert.equal(t.log.events('run-skipped').length, 1);
  for (const j of t.jobs.slice(1)) await t.finish(j);
});

test('a tick that finds the previous run still going is skipped and logged, not queued', async () => {
  const t = setup({ syncs: { every15: { schedule: 'every 15 minutes' } } });
  await t.test('every15');
  await t.scheduler.start();
  t.clock.advanceTo(at('2026-11-28T10:15:00Z'));
  const slow = await t.nextJob(0);
  const started = slow.run(); // announces the run id, keeps going
  t.clock.advanceTo(at('2026-11-28T10:30:00Z'));
  const skipped = await t.log.waitFor((e) => e.event === 'run-skipped');
  assert.deepEqual([skipped.reason, skipped.run_id, skipped.scheduled_for, skipped.next_run], ['previous-run-still-going', started.id, '2026-11-28T10:30:00.000Z', '2026-11-28T10:45:00.000Z']);
  // The history shows the skipped tick too, with why.
  const history = await t.store('every15').listRuns();
  assert.deepEqual(history.map((r) => [r.status, r.started_at]), [['skipped', '2026-11-28T10:30:00.000Z']]);
  assert.match(history[0]?.warnings[0] ?? '', /skipped the run of .*the previous run .* is still going/);
  slow.settle({ kind: 'finished', run: started });
  await t.log.waitFor((e) => e.event === 'run-finished');
  assert.equal(t.jobs.length, 1, 'the skipped tick did not run later');
  t.clock.advanceTo(at('2026-11-28T10:45:00Z'));
  await t.finish(await t.nextJob(1));
  assert.equal(t.jobs.length, 2);
});

test('after downtime a missed schedule runs once at start; a recent run (Sync Now included) shifts nothing', async () => {
  const t = setup({ syncs: { every15: { schedule: 'every 15 minutes' }, daily: { schedule: 'daily at 09:00' }, fresh: { schedule: 'every 15 minutes' } } });
  await t.test('every15', 'daily', 'fresh');
  const record = (sync: string, started: string): RunRecord => ({
    id: `old-${sync}`, sync, status: 'success', started_at: started, ended_at: started, rows_read: 0, rows_synced: 0, rows_failed: 0, rows_skipped: 0, rows_in_future: 0, watermark_before: null, watermark_after: null, warnings: [],
  });
  await t.store('every15').saveRun(record('every15', '2026-11-26T07:00:00.000Z')); // two days of missed ticks
  await t.store('daily').saveRun(record('daily', '2026-11-28T08:00:02.000Z')); // today's 09:00 Paris ran
  await t.store('fresh').saveRun(record('fresh', '2026-11-28T10:03:00.000Z')); // a Sync Now at 11:03 Paris
  await t.scheduler.start();

  const catchUps = t.log.events('catch-up');
  assert.deepEqual(catchUps.map((e) => [e.sync, e.scheduled_for, e.run_id]), [['every15', '2026-11-26T07:15:00.000Z', 'old-every15']]);
  await t.finish(await t.nextJob(0));
  assert.equal(t.jobs.length, 1, 'one run, not one per missed tick');
  const next = Object.fromEntries(t.log.events('sync-scheduled').map((e) => [e.sync, e.next_run]));
  assert.deepEqual(next, { every15: '2026-11-28T10:15:00.000Z', daily: '2026-11-29T08:00:00.000Z', fresh: '2026-11-28T10:15:00.000Z' }, 'the grid ignores when runs happened');
  t.clock.advanceTo(at('2026-11-28T10:15:00Z'));
  await t.nextJob(2);
  // Both are due at 10:15; which one starts first is up to the event loop.
  assert.deepEqual([t.jobs[0]?.sync, ...t.jobs.slice(1).map((j) => j.sync).sort()], ['every15', 'every15', 'fresh']);
  for (const j of t.jobs.slice(1)) await t.finish(j);
});

test('a clock that jumps over several ticks (suspend) runs the sync once', async () => {
  const t = setup({ syncs: { every15: { schedule: 'every 15 minutes' } } });
  await t.test('every15');
  await t.scheduler.start();
  t.clock.advanceTo(at('2026-11-28T13:01:00Z'));
  const finished = await t.finish(await t.nextJob(0));
  assert.equal(finished.scheduled_for, '2026-11-28T10:15:00.000Z');
  assert.equal(finished.next_run, '2026-11-28T13:15:00.000Z');
  assert.equal(t.jobs.length, 1);
});

test('edits are picked up; a file that stops validating keeps its last good schedule and reports the errors', async () => {
  const t = setup({ syncs: { a: { schedule: 'every 15 minutes' }, b: { schedule: 'daily at 09:00' } }, watch: true });
  await t.test('a', 'b');
  await t.scheduler.start();
  assert.deepEqual(t.clock.nextTimer, at('2026-11-28T10:15:00Z'));

  // Through the real file watcher: `a` moves to every 30 minutes, `b` is unchanged.
  let mark = t.log.entries.length;
  t.write({ a: { schedule: 'every 30 minutes' }, b: { schedule: 'daily at 09:00' } });
  const rescheduled = await t.log.waitFor((e) => e.event === 'sync-scheduled', mark);
  assert.deepEqual([rescheduled.sync, rescheduled.schedule, rescheduled.next_run], ['a', 'every 30 minutes', '2026-11-28T10:30:00.000Z']);
  assert.deepEqual(t.log.entries.slice(mark).filter((e) => e.sync === 'b'), [], 'an unchanged sync is left alone');

  mark = t.log.entries.length;
  t.write({ a: { schedule: 'every 5 minutes' }, b: { schedule: 'daily at 09:00' } });
  const invalid = await t.log.waitFor((e) => e.event === 'file-invalid', mark);
  assert.equal(invalid.level, 'error');
  assert.match(invalid.message, /keep their last good definition and schedule/);
  assert.deepEqual(invalid.problems?.map((p) => [p.line, p.code]), [[18, 'schedule-too-frequent']]);
  t.clock.advanceTo(at('2026-11-28T10:30:00Z'));
  assert.equal((await t.nextJob(0)).sync, 'a', 'still runs on the last good schedule');
  await t.finish(t.jobs[0] as PendingJob);

  mark = t.log.entries.length;
  t.write({ a: { schedule: 'every 1 hour' } });
  const removed = await t.log.waitFor((e) => e.event === 'sync-removed', mark);
  assert.equal(removed.sync, 'b');
  assert.equal((await t.log.waitFor((e) => e.event === 'sync-scheduled', mark)).next_run, '2026-11-28T11:00:00.000Z');

  mark = t.log.entries.length;
  unlinkSync(t.filePath);
  await t.scheduler.reload(); // the test's discovery names the file even when it is gone
  assert.ok(t.log.entries.slice(mark).some((e) => e.event === 'file-invalid' && /Cannot read the file/.test(e.problems?.[0]?.message ?? '')));
  assert.deepEqual(t.clock.nextTimer, at('2026-11-28T11:00:00Z'), 'a vanished file keeps its last good schedule');
});

test('stop cancels the runs in flight through their signal and waits for them', async () => {
  const t = setup({ syncs: { every15: { schedule: 'every 15 minutes' } } });
  await t.test('every15');
  await t.scheduler.start();
  t.clock.advanceTo(at('2026-11-28T10:15:00Z'));
  (await t.nextJob(0)).run(); // started, and going until cancelled
  await t.scheduler.stop('SIGTERM');
  const events = t.log.entries.map((e) => e.event);
  assert.deepEqual(events.slice(events.indexOf('stopping')), ['stopping', 'run-finished', 'stopped']);
  assert.equal(t.log.events('stopping')[0]?.in_flight, 1);
  assert.equal(t.log.events('run-finished')[0]?.status, 'cancelled');
  assert.equal(t.clock.nextTimer, undefined, 'nothing armed after stop');
  assert.deepEqual(t.notices.map((n) => n.run.status), ['cancelled']);
});

test('outcomes: a run that cannot start is logged and notified; a busy sync is skipped; email results are logged and never hold up runs', async () => {
  const t = setup({ syncs: { every15: { schedule: 'every 15 minutes' } } });
  await t.test('every15');
  await t.scheduler.start();

  t.clock.advanceTo(at('2026-11-28T10:15:00Z'));
  (await t.nextJob(0)).settle({ kind: 'failed', error: 'connections.warehouse.password refers to ${env:PG_PASSWORD}, but the environment variable PG_PASSWORD is not set.', config: true });
  const failed = await t.log.waitFor((e) => e.event === 'run-failed');
  assert.deepEqual([failed.level, failed.status, failed.next_run], ['error', 'error', '2026-11-28T10:30:00.000Z']);
  assert.match(failed.error ?? '', /PG_PASSWORD is not set/);
  assert.deepEqual(t.notices[0]?.run.status, 'error');
  assert.equal(t.notices[0]?.run.id, undefined);

  t.clock.advanceTo(at('2026-11-28T10:30:00Z'));
  (await t.nextJob(1)).settle({ kind: 'busy', message: 'Another job is in progress for this sync (pid 42 on host, started 2026-11-28T10:29:00.000Z).' });
  const busy = await t.log.waitFor((e) => e.event === 'run-skipped');
  assert.equal(busy.reason, 'job-in-progress');

  // A mail server that hangs: the email stays pending, the next tick runs anyway.
  let release: (r: NotifyResult) => void = () => undefined;
  t.setNotifyResult(() => new Promise((resolve) => (release = resolve)));
  t.clock.advanceTo(at('2026-11-28T10:45:00Z'));
  await t.finish(await t.nextJob(2), 'error', { error: 'password authentication failed' });
  t.setNotifyResult(async () => ({ outcome: 'none' }));
  t.clock.advanceTo(at('2026-11-28T11:00:00Z'));
  await t.finish(await t.nextJob(3));
  release({ outcome: 'failed', kind: 'error', to: ['data-eng@example.com'], error: 'Could not email data-eng@example.com through smtp.example.com: ECONNREFUSED' });
  const notice = await t.log.waitFor((e) => e.event === 'notification-failed');
  assert.match(notice.message, /the sync is not affected/);

  // Stop waits for a hung email only for the grace period.
  t.setNotifyResult(() => new Promise(() => undefined));
  t.clock.advanceTo(at('2026-11-28T11:15:00Z'));
  await t.finish(await t.nextJob(4), 'error', { error: 'boom' });
  const graceArmed = t.clock.timerSet();
  const stopping = t.scheduler.stop();
  await graceArmed;
  t.clock.advanceTo(new Date(t.clock.now().getTime() + NOTICE_GRACE_MS));
  await stopping;
  assert.match(t.log.events('stopped')[0]?.message ?? '', /1 email\(s\) still being sent were abandoned/);
});
