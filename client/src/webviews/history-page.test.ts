import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunRecord } from '../../../core/src/state/run-record';
import { durationUnit, historyChartSvg, niceMax } from './history-chart';
import { renderHistoryPage } from './history-page';
import { escapeHtml } from './html';

function run(id: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    sync: 's',
    status: 'success',
    started_at: '2026-11-28T09:00:00.000Z',
    ended_at: '2026-11-28T09:00:02.000Z',
    rows_read: 5,
    rows_synced: 4,
    rows_failed: 1,
    rows_skipped: 0,
    rows_in_future: 0,
    watermark_before: null,
    watermark_after: '2026-11-28 08:59:00+00',
    warnings: [],
    ...overrides,
  };
}

test('escapes every kind of markup-significant character', () => {
  assert.equal(escapeHtml(`<script>alert("x") & 'y'</script>`), '&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;');
});

test('niceMax rounds axis maxima up to 1, 2 or 5 times a power of ten', () => {
  assert.deepEqual([0, 1, 3, 7, 12, 180, 5000].map(niceMax), [1, 1, 5, 10, 20, 200, 5000]);
});

test('the page has a strict CSP, no script, a chart bar per run and the focused run open', () => {
  const out = renderHistoryPage({
    sync: 'users',
    fileLabel: 'users.brazesync.yaml',
    runs: [run('r2', { started_at: '2026-11-28T10:00:00.000Z', ended_at: '2026-11-28T10:00:01.000Z' }), run('r1')],
    rowErrors: new Map([['r2', [{ run_id: 'r2', identifier: 'external_id=<b>x</b>', updated_at: 't', reason: 'bad', payload: '<img src=x onerror=alert(1)>' }]]]),
    focusRunId: 'r2',
    nonce: 'abc',
  });
  assert.match(out, /Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;nonce-abc&#39;;.*script-src &#39;none&#39;/);
  assert.doesNotMatch(out, /<script/i);
  assert.doesNotMatch(out, /<img/i);
  assert.match(out, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(out, /external_id=&lt;b&gt;x&lt;\/b&gt;/);
  assert.equal(out.match(/class="bar-synced"/g)?.length, 2);
  assert.match(out, /<tbody id="run-r2" class="focus">[\s\S]*<details open>/);
  assert.match(out, /<polyline class="duration" points="[\d.]+,[\d.]+ [\d.]+,[\d.]+"/);
  assert.match(out, /2 runs · 8 rows synced · 2 failed/);
});

test('a sync without runs gets an explanation instead of an empty chart', () => {
  const out = renderHistoryPage({ sync: 'users', fileLabel: 'f', runs: [], rowErrors: new Map(), nonce: 'n' });
  assert.match(out, /has not run yet/);
  assert.doesNotMatch(out, /<svg/);
});

test('runs in the same minute get distinct labels; the time axis uses one unit', () => {
  const runs = [0, 1, 2].map((i) => run(`r${i}`, { started_at: `2026-11-28T10:00:0${i * 2}.000Z`, ended_at: `2026-11-28T10:00:0${i * 2 + 1}.${i}00Z` })).reverse();
  const out = historyChartSvg(runs).text;
  const numbers = [...out.matchAll(/<text class="x-label" [^>]*>(#\d+)<\/text>/g)].map((m) => m[1]);
  const times = [...out.matchAll(/<text class="x-label x-time" [^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(numbers, ['#1', '#2', '#3']);
  assert.deepEqual(times, ['10:00:00', '10:00:02', '10:00:04']);
  const durationTicks = [...out.matchAll(/<text class="y-label duration-label" [^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(durationTicks, ['0', '1', '2']);
  assert.match(out, />duration \(s\)</);
  assert.deepEqual([durationUnit(800).unit, durationUnit(5000).unit, durationUnit(600_000).unit], ['ms', 's', 'min']);
});

test('6 failed rows next to 120 synced still show: a bar at least 3 px tall and a marker with the count', () => {
  const out = historyChartSvg([run('a', { rows_synced: 120, rows_failed: 6 }), run('b', { rows_synced: 100, rows_failed: 0 })]).text;
  const failed = /<rect class="bar-failed" [^>]*height="([\d.]+)"/.exec(out);
  assert.ok(failed && Number(failed[1]) >= 3, out);
  assert.match(out, /class="fail-mark"[^>]*>▲6</);
});

test('a single run gets a summary (rows/s, where the time went) instead of a lone bar', () => {
  const out = historyChartSvg([run('only', { rows_synced: 100, rows_failed: 0, read: { first_row_ms: 300, wait_ms: 500 } })]).text;
  assert.doesNotMatch(out, /bar-synced/);
  assert.match(out, /<b>50<\/b> rows\/s/);
  assert.match(out, /Waited 500 ms on the warehouse \(first rows after 300 ms\)/);
});

test('send: changed runs show the data points they saved above each column, in the tooltip and the single-run view', () => {
  const out = historyChartSvg([run('b', { data_points_saved: 12_400, attributes_sent: 80 }), run('a', { data_points_saved: 0, attributes_sent: 900 })]).text;
  assert.deepEqual([...out.matchAll(/<text class="saved-mark" [^>]*>([^<]+)<\/text>/g)].map((m) => m[1]), ['0', '12.4K']);
  assert.match(out, /12,400 data points saved<\/title>|12,400 data points saved/);
  assert.match(out, /data points saved by send: changed/);
  const plain = historyChartSvg([run('b'), run('a')]).text;
  assert.doesNotMatch(plain, /saved-mark|data points saved/);
  const single = historyChartSvg([run('only', { data_points_saved: 29, attributes_sent: 1 })]).text;
  assert.match(single, /<b>29<\/b> data points saved/);
});
