/**
 * The file store's housekeeping reads only the run files it may act on: runs newer than the last
 * housekeeping (one may have been left `running`) and runs whose id puts them near an age limit.
 * Everything else it decides from one directory listing.
 */
import assert from 'node:assert/strict';
import { promises as fsp, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { createFileStateStore } from '../../core/src/state/file-state-store';
import { DAY_MS, MAX_RUNS } from '../../core/src/state/retention';
import { newRunId, type RunRecord } from '../../core/src/state/run-record';
import type { SyncStateStore } from '../../core/src/state/state-store';

const root = mkdtempSync(path.join(os.tmpdir(), 'brazesync-housekeeping-'));
after(() => rmSync(root, { recursive: true, force: true }));

const NOW = new Date('2026-12-01T00:00:00.000Z');
let stores = 0;
let runs = 0;

function runAt(started: Date, status: RunRecord['status'] = 'success', idTime = started): RunRecord {
  return {
    id: newRunId(idTime, String(++runs).padStart(6, '0')), sync: 'users', status, started_at: started.toISOString(),
    rows_read: 0, rows_synced: 0, rows_failed: 0, rows_skipped: 0, rows_in_future: 0, watermark_before: null, watermark_after: null, warnings: [],
  };
}

const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

async function withErrors(store: SyncStateStore, run: RunRecord): Promise<RunRecord> {
  await store.saveRun(run);
  const sink = await store.rowErrorSink(run.id);
  sink.append([{ run_id: run.id, identifier: 'u1', updated_at: run.started_at, reason: 'bad' }]);
  await sink.close();
  return run;
}

/** The run files (`runs/*.json`) `body` read. */
async function runFilesRead(body: () => Promise<void>): Promise<string[]> {
  const read: string[] = [];
  const original = fsp.readFile;
  fsp.readFile = (async (file: Parameters<typeof fsp.readFile>[0], ...rest: unknown[]) => {
    if (typeof file === 'string' && /[/\\]runs[/\\][^/\\]+\.json$/.test(file)) read.push(path.basename(file));
    return (original as (...args: unknown[]) => Promise<unknown>)(file, ...rest);
  }) as typeof fsp.readFile;
  try {
    await body();
  } finally {
    fsp.readFile = original;
  }
  return read;
}

test('after a first full pass, a start reads only the runs newer than the last housekeeping, and marks a crashed one', async () => {
  const store = createFileStateStore(path.join(root, `s${++stores}`));
  const history = Array.from({ length: MAX_RUNS + 5 }, (_, i) => runAt(new Date(NOW.getTime() - (MAX_RUNS + 5 - i) * 15 * 60_000)));
  for (const run of history) await store.saveRun(run);
  const first = await runFilesRead(() => store.housekeeping(NOW));
  assert.equal(first.length, MAX_RUNS, 'no marker yet: every run kept is read once');
  assert.equal((await store.listRuns()).length, MAX_RUNS, 'the 5 oldest runs went without being read');

  const crashed = runAt(NOW, 'running');
  await store.saveRun(crashed);
  const second = await runFilesRead(() => store.housekeeping(new Date(NOW.getTime() + 60_000)));
  assert.deepEqual(second, [`${crashed.id}.json`]);
  const [newest] = await store.listRuns(1);
  assert.deepEqual([newest?.id, newest?.status, newest?.interrupted], [crashed.id, 'error', true]);

  assert.deepEqual(await runFilesRead(() => store.housekeeping(new Date(NOW.getTime() + 120_000))), [], 'nothing new: nothing read');
});

test('a running record saved at or before the last housekeeping (an import, a clock set back) is still marked', async () => {
  const store = createFileStateStore(path.join(root, `s${++stores}`));
  await store.saveRun(runAt(daysAgo(1)));
  await store.housekeeping(NOW);
  const imported = runAt(daysAgo(2), 'running');
  await store.saveRun(imported);
  await store.housekeeping(NOW);
  const found = (await store.listRuns()).find((r) => r.id === imported.id);
  assert.deepEqual([found?.status, found?.interrupted], ['error', true]);
});

test('age limits: a run is read only near one, then judged by its own start time; row errors past 30 days go', async () => {
  const store = createFileStateStore(path.join(root, `s${++stores}`));
  const expired = runAt(daysAgo(401));
  const otherClock = runAt(daysAgo(10), 'success', daysAgo(401)); // its id says 401 days, its record 10
  const recent = runAt(daysAgo(100));
  const oldErrors = await withErrors(store, runAt(daysAgo(31)));
  const newErrors = await withErrors(store, runAt(daysAgo(29.5)));
  for (const run of [expired, otherClock, recent]) await store.saveRun(run);
  await store.housekeeping(daysAgo(2)); // every run read once, all within the limits two days ago
  const latest = runAt(daysAgo(0.5));
  await store.saveRun(latest);
  const read = await runFilesRead(() => store.housekeeping(NOW));
  assert.deepEqual(read.sort(), [latest, expired, otherClock, oldErrors, newErrors].map((r) => `${r.id}.json`).sort(), 'the new run and those whose id is near an age limit, not the 100-day one');
  const ids = (await store.listRuns()).map((r) => r.id);
  assert.ok(!ids.includes(expired.id), 'past 400 days: dropped');
  assert.ok(ids.includes(otherClock.id) && ids.includes(recent.id), 'kept: the record says 10 and 100 days');
  assert.deepEqual(await store.readRowErrors(oldErrors.id), [], 'row errors past 30 days: dropped');
  assert.equal((await store.readRowErrors(newErrors.id)).length, 1, 'row errors at 29.5 days: kept');
});
