import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunRecord } from '../../../core/src/state/run-record';
import { deliveredPercent, progressText, RunRegistry, runSummary } from './run-registry';

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
  assert.equal(progressText({ total: 5000, read: 1200, skipped: 0, synced: 1190, failed: 3, watermark: null }, 0, 2000), '1,190 of 5,000 rows sent · 1,200 read · 3 failed · 597 rows/s');
  // Before the count beside the read has answered, there is no total to show.
  assert.equal(progressText({ read: 1200, skipped: 0, synced: 1190, failed: 0, watermark: null }, 0, 2000), '1,190 rows sent · 1,200 read · 595 rows/s');
  const run = { sync: 'users', status: 'partial', rows_synced: 10, rows_failed: 2, started_at: '2026-01-01T00:00:00Z', ended_at: '2026-01-01T00:00:01.5Z' } as RunRecord;
  assert.equal(runSummary(run), "users: partly synced, 10 rows synced, 2 failed in 1.5 s. The failed rows are in the run's history.");
  assert.equal(runSummary({ ...run, status: 'error', error: 'Braze answered 401.' }), 'users: failed after 10 rows synced, 2 failed in 1.5 s. Braze answered 401.');
});

test('the bar follows delivered rows: all read and none sent is 0%, and 100% only when the last row is done', () => {
  assert.equal(deliveredPercent({ total: 500, read: 500, skipped: 0, synced: 0, failed: 0, watermark: null }), 0);
  assert.equal(deliveredPercent({ total: 500, read: 500, skipped: 0, synced: 499, failed: 0, watermark: null }), 99.8);
  assert.equal(deliveredPercent({ total: 1000, read: 1000, skipped: 0, synced: 999, failed: 0, watermark: null }), 99.9);
  assert.equal(deliveredPercent({ total: 500, read: 498, skipped: 2, synced: 497, failed: 1, watermark: null }), 100);
  assert.equal(deliveredPercent({ read: 10, skipped: 0, synced: 10, failed: 0, watermark: null }), 0);
});
