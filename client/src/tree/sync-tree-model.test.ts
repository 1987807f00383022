import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunRecord } from '../../../core/src/state/run-record';
import { fileNode, rowErrorNodes, type FileSummary, type SyncRecord, type TreeNode } from './sync-tree-model';
import { formatDuration, relativeTime } from './format';

const now = new Date('2026-11-28T10:00:00Z');
const file: FileSummary = {
  path: '/ws/users.brazesync.yaml',
  label: 'users.brazesync.yaml',
  timezone: 'Europe/Paris',
  errorCount: 0,
  syncs: [
    { name: 'attrs', line: 17, dataType: 'custom_attributes', schedule: 'daily at 09:30', status: 'active' },
    { name: 'deletes', line: 25, dataType: 'user_deletes', schedule: 'manual', status: 'draft' },
  ],
};

function run(overrides: Partial<RunRecord>): RunRecord {
  return {
    id: '20261128T095500Z-abcd',
    sync: 'attrs',
    status: 'success',
    started_at: '2026-11-28T09:55:00.000Z',
    ended_at: '2026-11-28T09:55:04.200Z',
    rows_read: 12,
    rows_synced: 10,
    rows_failed: 2,
    rows_skipped: 0,
    rows_in_future: 0,
    watermark_before: null,
    watermark_after: '2026-11-28 09:50:00.123456+00',
    warnings: [],
    ...overrides,
  };
}

function records(attrs: SyncRecord): Map<string, SyncRecord> {
  return new Map([['attrs', attrs]]);
}

function find(node: TreeNode, id: string): TreeNode | undefined {
  if (node.id === id) return node;
  for (const c of node.children ?? []) {
    const hit = find(c, id);
    if (hit) return hit;
  }
  return undefined;
}

function ids(node: TreeNode): string[] {
  return [node.id, ...(node.children ?? []).flatMap(ids)];
}

test('files hold syncs, syncs hold data type, schedule, watermark and recent runs', () => {
  const root = fileNode(
    file,
    records({
      state: { version: 1, sync: 'attrs', data_type: 'custom_attributes', watermark: { updated_at: '2026-11-28 09:50:00.123456+00', boundary_keys: ['a'] } },
      runs: [run({})],
      nextRun: new Date('2026-11-29T08:30:00Z'),
    }),
    { now },
  );
  assert.equal(root.description, '2 syncs');
  const attrs = find(root, 'sync:/ws/users.brazesync.yaml#attrs')!;
  assert.equal(attrs.description, 'success 5 min ago · active');
  assert.deepEqual(attrs.icon, { id: 'pass', color: 'testing.iconPassed' });
  assert.equal(attrs.line, 17);
  assert.deepEqual(
    attrs.children?.map((c) => [c.kind, c.label, c.description]),
    [
      ['dataType', 'Data type', 'custom_attributes'],
      ['schedule', 'daily at 09:30', 'next 2026-11-29 09:30 (Europe/Paris)'],
      ['watermark', 'Watermark', '2026-11-28T09:50:00.123456Z'],
      ['runs', 'Recent runs', undefined],
    ],
  );
  assert.equal(find(root, 'sync:/ws/users.brazesync.yaml#attrs/watermark')?.contextValue, 'watermark');
  const runNode = find(root, 'sync:/ws/users.brazesync.yaml#attrs/run:20261128T095500Z-abcd')!;
  assert.equal(runNode.label, 'success · 10 synced · 2 failed · 4.2 s');
  assert.equal(runNode.description, '2026-11-28T09:55:00Z (5 min ago)');
  assert.equal(runNode.collapsible, 'collapsed');
  assert.equal(runNode.children, undefined, 'row errors load on expand');

  const saving = fileNode(file, records({ runs: [run({ rows_failed: 0, objects_sent: 1, attributes_sent: 1, attributes_unchanged: 29, data_points_saved: 29 })] }), { now });
  const savingRun = find(saving, 'sync:/ws/users.brazesync.yaml#attrs/run:20261128T095500Z-abcd');
  assert.equal(savingRun?.label, 'success · 10 synced · 29 data points saved · 4.2 s');
  assert.match(savingRun?.tooltip ?? '', /Sent 1 objects, 1 attributes; 29 unchanged attributes left out \(29 data points saved\)/);
});

test('a sync that never ran, and a manual schedule', () => {
  const root = fileNode(file, new Map([['deletes', { runs: [], nextRun: 'manual' }]]), { now });
  const deletes = find(root, 'sync:/ws/users.brazesync.yaml#deletes')!;
  assert.equal(deletes.description, 'never run · draft');
  assert.equal(deletes.children?.[1]?.description, 'runs only on Sync Now');
  assert.equal(deletes.children?.[2]?.contextValue, 'watermark none');
  assert.equal(deletes.children?.[3]?.description, 'none yet');
});

test('a running sync shows progress and a spinning icon', () => {
  const root = fileNode(file, records({ runs: [run({ status: 'running' })], running: { rowsRead: 100, rowsSynced: 75 } }), { now });
  const attrs = find(root, 'sync:/ws/users.brazesync.yaml#attrs')!;
  assert.equal(attrs.description, 'running · 75 rows synced');
  assert.equal(attrs.icon?.id, 'sync~spin');
  assert.equal(attrs.contextValue, 'sync running');
});

test('node ids stay the same across refreshes with new runs and state', () => {
  const before = fileNode(file, records({ runs: [run({})] }), { now });
  const after = fileNode(
    file,
    records({ runs: [run({ id: '20261128T100000Z-ffff' }), run({})], state: { version: 1, sync: 'attrs', watermark: { updated_at: 'x', boundary_keys: [] } } }),
    { now: new Date(now.getTime() + 60_000) },
  );
  const afterIds = new Set(ids(after));
  for (const id of ids(before)) assert.ok(afterIds.has(id), `${id} kept`);
  assert.equal(new Set(ids(after)).size, ids(after).length, 'ids are unique');
});

test('a file with errors says so; a file without syncs gets a hint', () => {
  const root = fileNode({ ...file, errorCount: 3, syncs: [] }, new Map(), { now });
  assert.equal(root.description, '3 errors · 0 syncs');
  assert.deepEqual(root.icon, { id: 'error', color: 'list.errorForeground' });
  assert.deepEqual(root.children?.map((c) => c.label), ['No syncs in this file yet']);
  const warned = fileNode({ ...file, warningCount: 1 }, new Map(), { now });
  assert.equal(warned.description, '1 warning · 2 syncs');
  assert.deepEqual(warned.icon, { id: 'warning', color: 'list.warningForeground' });
});

test('a sync in a file with errors is shown blocked in red, never with a green dot, the word first', () => {
  const root = fileNode({ ...file, errorCount: 2 }, records({ runs: [run({})] }), { now });
  const attrs = find(root, 'sync:/ws/users.brazesync.yaml#attrs')!;
  assert.equal(attrs.description, 'blocked: 2 errors · active');
  assert.deepEqual(attrs.icon, { id: 'error', color: 'list.errorForeground' });
  assert.match(attrs.tooltip ?? '', /^Blocked: users\.brazesync\.yaml has 2 errors; it does not run until they are fixed/);
  const deletes = find(root, 'sync:/ws/users.brazesync.yaml#deletes')!;
  assert.equal(deletes.icon?.id, 'error');
});

test('row errors under a run, with a note when more were recorded than shown', () => {
  const root = fileNode(file, records({ runs: [run({ rows_failed: 3 })] }), { now });
  const runNode = find(root, 'sync:/ws/users.brazesync.yaml#attrs/run:20261128T095500Z-abcd')!;
  const children = rowErrorNodes(runNode, [
    { run_id: runNode.runId!, identifier: 'external_id=u-1', updated_at: '2026-11-28 09:00:00+00', reason: 'PAYLOAD is not valid JSON', payload: '{oops' },
  ], 3);
  assert.deepEqual(children.map((c) => [c.label, c.description]), [
    ['external_id=u-1', 'PAYLOAD is not valid JSON'],
    ['… and 2 more row errors (Show History)', undefined],
  ]);
  assert.match(children[0]!.tooltip!, /\{oops/);
  assert.ok(children[0]!.id.startsWith(runNode.id));
});

test('formats', () => {
  assert.equal(formatDuration(850), '850 ms');
  assert.equal(formatDuration(185_000), '3 min 5 s');
  assert.equal(relativeTime(new Date(now.getTime() - 10_000), now), 'just now');
  assert.equal(relativeTime(new Date(now.getTime() + 3 * 3_600_000), now), 'in 3 h');
});

test('a catalog sync names its catalog beside the data type', () => {
  const catalogFile: FileSummary = { ...file, syncs: [{ name: 'restaurants', line: 3, dataType: 'catalog_items', catalog: 'restaurants', schedule: 'manual' }] };
  const root = fileNode(catalogFile, new Map([['restaurants', { runs: [], nextRun: 'manual' }]]), { now });
  assert.equal(find(root, 'sync:/ws/users.brazesync.yaml#restaurants/dataType')?.description, 'catalog_items → catalog restaurants');
});

test('a scheduled run that was skipped shows as skipped, with why in its tooltip', () => {
  const skipped = run({ id: '20261128T094500Z-skip', status: 'skipped', rows_read: 0, rows_synced: 0, rows_failed: 0, warnings: ['attrs: skipped the run of 10:45: the previous run is still going.'] });
  const root = fileNode(file, records({ runs: [skipped] }), { now });
  const node = find(root, 'sync:/ws/users.brazesync.yaml#attrs/run:20261128T094500Z-skip')!;
  assert.equal(node.label, 'skipped · the scheduled run did not start');
  assert.deepEqual(node.icon, { id: 'debug-step-over', color: 'list.warningForeground' });
  assert.match(node.tooltip ?? '', /the previous run is still going/);
});
