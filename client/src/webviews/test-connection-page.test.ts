import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectionTestResult } from '../../../core/src/app/test-connection';
import type { SyncPreview } from '../../../core/src/sync/preview';
import { checklist, renderTestConnectionPage } from './test-connection-page';
import { renderPreviewPage } from './preview-page';

const preview: SyncPreview = {
  data_type: 'custom_attributes',
  watermark: null,
  window: { from: null, until: '2026-11-28T10:00:00.000000Z' },
  pending_rows: 3,
  rows_in_future: 0,
  estimated_requests: 1,
  scanned: 3,
  objects: [
    { updated_at: '2026-11-28T09:00:00.000001Z', identifier: 'external_id=u2', kind: 'attributes', object: { external_id: 'u2', first_name: '<script>document.title="pwned"</script>' } },
    { updated_at: '2026-11-28T08:00:00.000000Z', identifier: 'external_id=u1', kind: 'attributes', object: { external_id: 'u1', plan: 'gold' } },
  ],
  row_errors: [{ updated_at: '2026-11-28T08:30:00.000000Z', identifier: 'external_id=u3', reason: 'PAYLOAD is not valid JSON <b>' }],
  audit: { rows: 3, counts: { 'payload-not-json': 1 }, samples: [{ updated_at: '2026-11-28T08:30:00.000000Z', identifier: 'external_id=u3', problem: 'payload-not-json' }], notChecked: [] },
};

const passed: ConnectionTestResult = {
  ok: true,
  recorded: true,
  preview,
  checks: [
    { name: 'connect', status: 'ok', message: 'Connected to h:5439/db as u (ssl: require).' },
    { name: 'table', status: 'ok', message: 'Found "s"."t" (8 columns).' },
    { name: 'columns', status: 'ok', message: 'Columns fit custom_attributes.' },
    { name: 'privileges', status: 'ok', message: 'SELECT granted (read-only).' },
    { name: 'preview', status: 'warning', message: '1 of 3 pending row(s) would fail.' },
    { name: 'contents', status: 'warning', message: 'All 3 pending row(s) checked as the run will: 1 invalid.' },
  ],
};

function render(result: ConnectionTestResult, ssl: 'require' | 'disable' = 'require'): string {
  return renderTestConnectionPage({ sync: 'users', fileLabel: 'users.brazesync.yaml', table: 's.t', dataType: 'custom_attributes', ssl, result, nonce: 'n1' });
}

test('a passing test lists every check, the pending count, and the rows with failing ones first', () => {
  const out = render(passed);
  assert.deepEqual(
    checklist(passed, 'require').map((i) => `${i.label}:${i.status}`),
    ['Connected:ok', 'TLS:ok', 'Table found:ok', 'Required columns:ok', 'SELECT privilege:ok', 'Rows (all pending):warning', 'Payload fields:warning'],
  );
  assert.match(out, /<b>3 rows<\/b> pending since the watermark/);
  assert.match(out, /✗ 1 row would fail<\/span> of 3 pending rows \(all checked\)/);
  const grid = out.slice(out.indexOf('<table class="rows">'));
  const order = ['external_id=u3', 'external_id=u1', 'external_id=u2'].map((id) => grid.indexOf(id));
  assert.deepEqual([...order].sort((a, b) => a - b), order);
  assert.match(out, /✗ PAYLOAD is not valid JSON &lt;b&gt;/);
});

test('row data is text: a <script> payload is escaped and the page allows no script', () => {
  const out = render(passed);
  assert.equal(out.match(/<script/gi), null);
  assert.match(out, /&lt;script&gt;document.title=&quot;pwned&quot;&lt;\/script&gt;/);
  assert.match(out, /script-src &#39;none&#39;/);
});

test('a failure shows the fix and marks later checks as not checked', () => {
  const failed: ConnectionTestResult = {
    ok: false,
    recorded: false,
    checks: [
      { name: 'connect', status: 'ok', message: 'Connected.' },
      { name: 'table', status: 'ok', message: 'Found.' },
      { name: 'columns', status: 'ok', message: 'ok' },
      { name: 'privileges', status: 'failed', kind: 'permission', message: 'permission denied for table t', fix: 'GRANT SELECT ON "s"."t" TO "u";' },
    ],
  };
  const out = render(failed, 'disable');
  assert.match(out, /The connection test failed/);
  assert.match(out, /<pre class="fix">GRANT SELECT ON &quot;s&quot;.&quot;t&quot; TO &quot;u&quot;;<\/pre>/);
  assert.deepEqual(checklist(failed, 'disable').map((i) => i.status), ['ok', 'warning', 'ok', 'ok', 'failed', 'skipped', 'skipped']);
  assert.doesNotMatch(out, /<h2>Rows/);
});

test('the dry-run page says nothing was sent and counts the failing rows', () => {
  const out = renderPreviewPage({ sync: 'users', fileLabel: 'f', table: 's.t', preview, nonce: 'n' });
  assert.match(out, /dry run, nothing was sent/);
  assert.match(out, /1 row would fail/);
  assert.equal(out.match(/<script/gi), null);

  const changed: SyncPreview = {
    ...preview,
    objects: [
      { updated_at: '2026-11-28T09:00:00.000001Z', identifier: 'external_id=u2', kind: 'attributes', object: { external_id: 'u2', plan: 'gold' }, unchanged_attributes: ['city'] },
      { updated_at: '2026-11-28T09:00:00.000002Z', identifier: 'external_id=u4', kind: 'attributes', unchanged_attributes: ['plan', 'city'] },
    ],
  };
  const diffed = renderPreviewPage({ sync: 'users', fileLabel: 'f', table: 's.t', preview: changed, nonce: 'n' });
  assert.match(diffed, /✓ valid<\/span> <span class="muted">unchanged, left out: city<\/span>/);
  assert.match(diffed, /✓ nothing changed: not sent<\/span> <span class="muted">unchanged, left out: plan, city/);
});

test('the grid has a column per payload key, styles null, and has no check mark for rows it did not check', () => {
  const wide: SyncPreview = {
    ...preview,
    pending_rows: 30,
    scanned: 2,
    row_errors: [],
    audit: { rows: 30, counts: {}, samples: [], notChecked: [] },
    objects: [
      { updated_at: '2026-11-28T08:00:00.000000Z', identifier: 'external_id=u1', kind: 'attributes', object: { external_id: 'u1', plan: 'gold', coupon: null } },
      { updated_at: '2026-11-28T08:00:01.000000Z', identifier: 'external_id=u2', kind: 'attributes', object: { external_id: 'u2', visits: 3 } },
    ],
  };
  const out = renderPreviewPage({ sync: 'users', fileLabel: 'f', table: 's.t', preview: wide, nonce: 'n' });
  assert.match(out, /<th>plan<\/th><th>coupon<\/th><th>visits<\/th>/);
  assert.doesNotMatch(out, /<th>external_id<\/th>/);
  assert.match(out, /<span class="null">null<\/span>/);
  assert.match(out, /The first 2 rows, checked as the run will: all valid\. The payload fields of the other 28 rows/);
  assert.match(out, /href="command:brazeSync\.copyPreviewRow\?/);
});
