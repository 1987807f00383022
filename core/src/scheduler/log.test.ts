import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLogEntry, type LogEntry } from './log';

const finished: LogEntry = {
  time: '2026-11-28T10:15:03.120Z',
  level: 'warn',
  event: 'run-finished',
  message: 'orders: run 20261128T101500Z-abc123 partial: read 10, synced 8, failed 2. Next run Sat 2026-11-28 11:30 CET (10:30 UTC).',
  file: '/srv/shop.brazesync.yaml',
  sync: 'orders',
  run_id: '20261128T101500Z-abc123',
  status: 'partial',
  rows_read: 10,
  rows_synced: 8,
  rows_failed: 2,
  next_run: '2026-11-28T10:30:00.000Z',
};

test('json: one object per line with the fields to filter on', () => {
  const line = formatLogEntry(finished, 'json');
  assert.ok(!line.includes('\n'));
  assert.deepEqual(JSON.parse(line), finished);
});

test('text: time, level and the sentence; file problems on their own indented lines', () => {
  assert.equal(formatLogEntry(finished, 'text'), `2026-11-28T10:15:03.120Z WARN  ${finished.message}`);
  const invalid: LogEntry = {
    time: '2026-11-28T10:16:00.000Z',
    level: 'error',
    event: 'file-invalid',
    message: '/srv/shop.brazesync.yaml: 1 error(s); its syncs keep their last good definition and schedule until it validates.',
    file: '/srv/shop.brazesync.yaml',
    problems: [{ line: 18, column: 15, severity: 'error', code: 'schedule-too-frequent', message: 'Schedules run at most every 15 minutes.' }],
  };
  assert.equal(
    formatLogEntry(invalid, 'text'),
    `2026-11-28T10:16:00.000Z ERROR ${invalid.message}\n    /srv/shop.brazesync.yaml:18:15 error schedule-too-frequent Schedules run at most every 15 minutes.`,
  );
});
