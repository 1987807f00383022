import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NotificationSettings } from '../model/sync-file';
import { failedPercent, noticeFor, noticePolicy, type NotifiedRun } from './notice';

const smtp = { host: 'smtp.example.com', from: 'bot@example.com' };
const run = (status: NotifiedRun['status'], read: number, failed: number): NotifiedRun => ({
  status,
  started_at: '2026-11-28T10:00:00.000Z',
  rows_read: read,
  rows_synced: read - failed,
  rows_failed: failed,
});

const cases: { name: string; settings?: Omit<NotificationSettings, 'smtp'>; run: NotifiedRun; expect: ReturnType<typeof noticeFor> }[] = [
  { name: 'errors are told by default', settings: {}, run: run('error', 0, 0), expect: 'error' },
  { name: 'errors are told even without a notifications block (so the log can say nobody was emailed)', run: run('error', 0, 0), expect: 'error' },
  { name: 'on_error: false silences errors', settings: { on_error: false }, run: run('error', 0, 0), expect: undefined },
  { name: 'row errors are off by default', settings: {}, run: run('partial', 100, 60), expect: undefined },
  { name: 'row errors at the threshold are told (Braze: at least N %)', settings: { row_error_threshold: 5 }, run: run('partial', 100, 5), expect: 'row-errors' },
  { name: 'row errors under the threshold are not', settings: { row_error_threshold: 5 }, run: run('partial', 100, 4), expect: undefined },
  { name: 'threshold 0 tells any failed row', settings: { row_error_threshold: 0 }, run: run('partial', 1000, 1), expect: 'row-errors' },
  { name: 'threshold 0 says nothing when no row failed', settings: { row_error_threshold: 0, on_success: false }, run: run('success', 10, 0), expect: undefined },
  { name: 'success is silent by default', settings: {}, run: run('success', 10, 0), expect: undefined },
  { name: 'on_success tells successes', settings: { on_success: true }, run: run('success', 10, 0), expect: 'success' },
  { name: 'on_success does not count a partial run as a success', settings: { on_success: true }, run: run('partial', 10, 1), expect: undefined },
  { name: 'a cancelled run (shutdown) is never told', settings: { on_success: true, row_error_threshold: 0 }, run: run('cancelled', 10, 5), expect: undefined },
];

for (const c of cases) {
  test(`noticeFor: ${c.name}`, () => {
    assert.equal(noticeFor(noticePolicy(c.settings ? { smtp, ...c.settings } : undefined), c.run), c.expect);
  });
}

test('failedPercent is the share of the rows read that failed, 0 for an empty run', () => {
  assert.equal(failedPercent({ rows_read: 8, rows_failed: 2 }), 25);
  assert.equal(failedPercent({ rows_read: 0, rows_failed: 0 }), 0);
});
