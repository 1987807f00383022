import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFileStateStore } from '../../../core/src/state/file-state-store';
import { syncStateDir } from '../../../core/src/state/state-location';
import { fileStateBackend } from '../../../core/src/state/state-backend';
import { readSyncRecord, summarizeDefinition, syncStore } from './sync-tree-data';
import { fileNode } from './sync-tree-model';

const TEXT = `version: 1
braze:
  instance: US-03
  api_key: \${env:BRAZE_API_KEY}
  timezone: Europe/Paris
connections:
  warehouse:
    type: redshift
    host: example.abc123.us-east-1.redshift.amazonaws.com
    database: DB
    user: braze_user
    password: \${env:REDSHIFT_PASSWORD}
syncs:
  users:
    connection: warehouse
    table: ingestion.users
    data_type: custom_attributes
    schedule: daily at 09:30
    status: draft
  broken:
    connection: warehouse
    table: ingestion.other
    data_type: custom_events
    schedule: every 5 minutes
`;

test('reads syncs from the file and their state and runs from the state store', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tree-data-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const filePath = path.join(dir, 'users.brazesync.yaml');
  const file = summarizeDefinition(filePath, TEXT, 'users.brazesync.yaml', {});
  assert.equal(file.stateRoot, path.join(dir, '.brazesync'));
  assert.equal(file.summary.timezone, 'Europe/Paris');
  assert.ok(file.summary.errorCount >= 1, 'the 5-minute schedule is an error');
  assert.deepEqual(file.summary.syncs, [
    { name: 'users', line: 13, dataType: 'custom_attributes', schedule: 'daily at 09:30', status: 'draft' },
    { name: 'broken', line: 19, dataType: 'custom_events', schedule: 'every 5 minutes' },
  ]);

  const store = createFileStateStore(syncStateDir(file.stateRoot, filePath, 'users'));
  await store.writeState({ version: 1, sync: 'users', data_type: 'custom_attributes', watermark: { updated_at: '2026-11-28 09:00:00.5+00', boundary_keys: [] } });
  await store.saveRun({
    id: '20261128T090000Z-aaaa', sync: 'users', status: 'success', started_at: '2026-11-28T09:00:00.000Z', ended_at: '2026-11-28T09:00:01.000Z',
    rows_read: 3, rows_synced: 3, rows_failed: 0, rows_skipped: 0, rows_in_future: 0, watermark_before: null, watermark_after: 'x', warnings: [],
  });
  const now = new Date('2026-11-28T10:00:00Z');
  const [users, broken] = file.summary.syncs;
  const record = await readSyncRecord(file, users!, { store: syncStore(file, fileStateBackend, 'users'), shared: false }, { now, recentRuns: 5 });
  assert.equal(record.state?.watermark?.updated_at, '2026-11-28 09:00:00.5+00');
  assert.deepEqual(record.runs.map((r) => r.id), ['20261128T090000Z-aaaa']);
  assert.equal((record.nextRun as Date).toISOString(), '2026-11-29T08:30:00.000Z', '09:30 in Paris');
  assert.equal(syncStore(file, fileStateBackend, 'broken'), undefined, 'a sync that never ran on files: not even a store');
  const none = await readSyncRecord(file, broken!, { store: undefined, shared: false }, { now, recentRuns: 5 });
  assert.deepEqual(none, { runs: [] }, 'no state, and no next run for an invalid schedule');

  const node = fileNode(file.summary, new Map([['users', record]]), { now });
  assert.equal(node.children?.[0]?.children?.[2]?.description, '2026-11-28T09:00:00.500000Z');
});

test('a file that is not YAML still yields a node, with its error count', () => {
  const file = summarizeDefinition('/nowhere/x.brazesync.yaml', 'syncs: [unclosed', 'x.brazesync.yaml', {});
  assert.deepEqual(file.summary.syncs, []);
  assert.ok(file.summary.errorCount > 0);
});
