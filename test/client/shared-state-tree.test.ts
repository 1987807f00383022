/**
 * The VS Code tree and History panel on shared state, against a real PostgreSQL: a definition
 * whose `state.url` names the database shows the runs another host recorded there (with its host
 * name), follows a run while that host records its progress, and says so clearly (never the URL
 * or its password) when the database cannot be read or the URL cannot be resolved.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { RunRecord } from '../../core/src/state/run-record';
import type { SyncStateStore } from '../../core/src/state/state-store';
import { StateBackends } from '../../client/src/sync/state-backends';
import { readFileRecords, summarizeDefinition, type SummarizedFile } from '../../client/src/tree/sync-tree-data';
import { fileNode, type TreeNode } from '../../client/src/tree/sync-tree-model';
import { readHistory } from '../../client/src/webviews/history-data';
import { renderHistoryPage } from '../../client/src/webviews/history-page';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { openTestStateBackend, stateUrl } from '../support/state-db';

const PASSWORD = 'tree-state-pw-41c2';
const SCHEMA = 'tree';
let db: TestPostgres;
let url: string;
let dir: string;

before(async () => {
  db = await startTestPostgres();
  await db.query(`CREATE ROLE tree_user LOGIN PASSWORD '${PASSWORD}'`);
  await db.query(`GRANT CREATE ON DATABASE ${db.database} TO tree_user`);
  url = stateUrl(db, { user: 'tree_user', password: PASSWORD });
  dir = mkdtempSync(path.join(os.tmpdir(), 'shared-tree-'));
});
after(async () => {
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `extra` adds a sync with an error, so the file's typed model is absent and the state block is read tolerantly. */
function definition(extra = ''): string {
  return `version: 1
braze:
  instance: US-03
  api_key: \${env:BRAZE_API_KEY}
connections:
  warehouse:
    type: redshift
    host: example.abc123.us-east-1.redshift.amazonaws.com
    database: DB
    user: braze_user
    password: \${env:REDSHIFT_PASSWORD}
state:
  url: \${env:TREE_STATE_URL}
  schema: ${SCHEMA}
syncs:
  users:
    connection: warehouse
    table: ingestion.users
    data_type: custom_attributes
    schedule: every 15 minutes
    status: active
${extra}`;
}

function run(id: string, host: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id, sync: 'users', status: 'success', started_at: `2026-12-05T0${id.slice(-1)}:00:00.000Z`, ended_at: `2026-12-05T0${id.slice(-1)}:00:05.000Z`,
    rows_read: 10, rows_synced: 10, rows_failed: 0, rows_skipped: 0, rows_in_future: 0, watermark_before: null, watermark_after: null, warnings: [], host, ...overrides,
  };
}

async function tree(file: SummarizedFile, env: Record<string, string>): Promise<TreeNode> {
  const backends = new StateBackends((name) => env[name]);
  try {
    return fileNode(file.summary, await readFileRecords(file, backends, { now: new Date('2026-12-05T10:00:00Z'), recentRuns: 10 }), { now: new Date('2026-12-05T10:00:00Z'), host: 'my-laptop' });
  } finally {
    await backends.close();
  }
}

const child = (node: TreeNode | undefined, kind: string) => node?.children?.find((c) => c.kind === kind);

test('the tree and History show the runs other hosts record in the shared state, with their host, as they progress', async () => {
  const filePath = path.join(dir, 'crm.brazesync.yaml');
  const env: Record<string, string> = { TREE_STATE_URL: url };
  // Another host: its copy of crm.brazesync.yaml sits elsewhere; state is keyed by file name and sync.
  const elsewhere = path.join(dir, 'etl-2-checkout');
  mkdirSync(elsewhere);
  const other = openTestStateBackend(url, SCHEMA);
  let store: SyncStateStore;
  try {
    store = other.storeFor({ filePath: path.join(elsewhere, 'crm.brazesync.yaml'), stateRoot: elsewhere, syncName: 'users' });
    await store.writeState({ version: 1, sync: 'users', data_type: 'custom_attributes', watermark: { updated_at: '2026-12-05 08:00:00+00', boundary_keys: [] } });
    await store.saveRun(run('r1', 'etl-2', { rows_failed: 2, rows_synced: 8 }));
    const errorSink = await store.rowErrorSink('r1');
    errorSink.append([{ run_id: 'r1', identifier: 'external_id=u-7', updated_at: '2026-12-05T07:59:00Z', reason: 'bad email' }]);
    await errorSink.close();
    await store.saveRun(run('r2', 'etl-3', { status: 'running', rows_synced: 40, ended_at: undefined as unknown as string }));

    const file = summarizeDefinition(filePath, definition(), 'crm.brazesync.yaml', env);
    let node = await tree(file, env);
    assert.equal(file.summary.stateError, undefined);
    assert.match(node.description ?? '', /shared state/);
    assert.match(node.tooltip ?? '', /State: PostgreSQL 127\.0\.0\.1:\d+\/brazesync_test, schema tree \(runs of every host\)/);
    let users = node.children?.find((c) => c.kind === 'sync');
    assert.equal(users?.description, 'running on etl-3 · 40 rows synced');
    assert.equal(child(users, 'watermark')?.description, '2026-12-05T08:00:00.000000Z');
    const runs = child(users, 'runs')?.children ?? [];
    assert.deepEqual(runs.map((r) => r.description?.replace(/ \(.*\)/, '')), ['2026-12-05T02:00:00Z · on etl-3', '2026-12-05T01:00:00Z · on etl-2']);
    assert.match(runs[1]?.tooltip ?? '', /^Run r1: success on etl-2$/m);

    // The other host records its progress, then the end of the run: a re-read follows it.
    await store.saveRun(run('r2', 'etl-3', { status: 'running', rows_synced: 90, ended_at: undefined as unknown as string }));
    users = (await tree(file, env)).children?.find((c) => c.kind === 'sync');
    assert.equal(users?.description, 'running on etl-3 · 90 rows synced');
    await store.saveRun(run('r2', 'etl-3', { rows_synced: 120 }));
    users = (await tree(file, env)).children?.find((c) => c.kind === 'sync');
    assert.match(users?.description ?? '', /^success .* · active$/);

    // A file with an error elsewhere still reads its state block, so the tree keeps the shared runs.
    const broken = summarizeDefinition(filePath, definition('  oops: [unclosed\n'), 'crm.brazesync.yaml', env);
    assert.ok(broken.summary.errorCount > 0);
    node = await tree(broken, env);
    assert.equal(child(node.children?.find((c) => c.kind === 'sync'), 'runs')?.children?.length, 2);

    // History: every run with its host, the row errors the other host recorded.
    const backends = new StateBackends((name) => env[name]);
    const history = await readHistory(backends.for(file.stateBlock, filePath).storeFor({ filePath, stateRoot: file.stateRoot, syncName: 'users' }));
    await backends.close();
    assert.deepEqual(history.runs.map((r) => [r.id, r.host]), [['r2', 'etl-3'], ['r1', 'etl-2']]);
    assert.equal(history.rowErrors.get('r1')?.[0]?.identifier, 'external_id=u-7');
    const page = renderHistoryPage({ sync: 'users', fileLabel: 'crm.brazesync.yaml', ...history, nonce: 'n' });
    assert.match(page, /<th>Host<\/th>/);
    assert.match(page, /<td class="nowrap">etl-2<\/td>/);
    assert.match(page, /started 2026-12-05T01:00:00Z on etl-2/, 'the chart names the host too');
  } finally {
    await other.close();
  }
});

test('shared state that cannot be read is said so in the tree, never with the URL or its password', async () => {
  const filePath = path.join(dir, 'crm.brazesync.yaml');
  const unreachable = url.replace(`:${db.port}/`, ':1/');
  const cases: { env: Record<string, string>; message: RegExp }[] = [
    { env: { TREE_STATE_URL: unreachable }, message: /^Cannot reach the state database \(PostgreSQL 127\.0\.0\.1:1\/brazesync_test, schema tree\): connection refused/ },
    { env: { TREE_STATE_URL: url.replace(PASSWORD, 'wrong-pw-9') }, message: /refused the login of user "tree_user": wrong password/ },
    { env: {}, message: /TREE_STATE_URL/ },
  ];
  for (const c of cases) {
    const file = summarizeDefinition(filePath, definition(), 'crm.brazesync.yaml', c.env);
    const node = await tree(file, c.env);
    assert.match(file.summary.stateError ?? '', c.message);
    const note = node.children?.[0];
    assert.equal(note?.label, 'State unavailable');
    assert.equal(note?.icon?.id, 'error');
    const users = node.children?.find((n) => n.kind === 'sync');
    assert.equal(child(users, 'runs')?.description, 'none yet', 'the syncs still show, without records');
    const shown = JSON.stringify(node);
    for (const secret of [PASSWORD, 'wrong-pw-9', unreachable, url]) assert.ok(!shown.includes(secret), `no secret in the tree: ${shown}`);
  }
});
