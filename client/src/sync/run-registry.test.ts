import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunRecord } from '../../../core/src/state/run-record';
import { progressText, RunRegistry, runSummary } from './run-registry';

const k = { file: '/ws/a.brazesync.yaml', sync: 'users' };

test('one run per sync at a time; listeners hear start, progress and finish', () => {
  const reg = new RunRegistry();
  const events: string[] = [];
  reg.onDidChange((e) => events.push(e));
  assert.equal(reg.start(k, 0), true);
  assert.equal(reg.start(k, 0), false);
  reg.progress(k, { total: 10, read: 5, skipped: 0, synced: 4, failed: 1, watermark: null });
  assert.equal(reg.get(k)?.progress?.synced, 4);
  reg.finish(k);
  assert.equal(reg.get(k), undefined);
  assert.deepEqual(events, ['start', 'progress', 'finish']);
});

test('progress and summaries read well', () => {
  assert.equal(progressText({ total: 5000, read: 1200, skipped: 0, synced: 1190, failed: 3, watermark: null }, 0, 2000), '1,200 of 5,000 rows read · 1,190 sent · 3 failed · 597 rows/s');
  // Before the count beside the read has answered, there is no total to show.
  assert.equal(progressText({ read: 1200, skipped: 0, synced: 1190, failed: 0, watermark: null }, 0, 2000), '1,200 rows read · 1,190 sent · 595 rows/s');
  const run = { sync: 'users', status: 'partial', rows_synced: 10, rows_failed: 2, started_at: '2026-01-01T00:00:00Z', ended_at: '2026-01-01T00:00:01.5Z' } as RunRecord;
  assert.equal(runSummary(run), "users: partly synced, 10 rows synced, 2 failed in 1.5 s. The failed rows are in the run's history.");
  assert.equal(runSummary({ ...run, status: 'error', error: 'Braze answered 401.' }), 'users: failed after 10 rows synced, 2 failed in 1.5 s. Braze answered 401.');
});
