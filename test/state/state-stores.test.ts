/**
 * The two state stores keep the same promises: state and its watermark journal, one job per sync,
 * run history newest first, row errors, housekeeping of runs a dead process left `running`. The
 * PostgreSQL store also refuses writes from a holder whose lease passed to another host.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { LeaseLostError } from '../../core/src/adapters/pg-state/pg-lease';
import { copySyncState } from '../../core/src/state/copy-state';
import { fileStateBackend } from '../../core/src/state/state-backend';
import { JobInProgressError } from '../../core/src/state/lock-file';
import type { RunRecord } from '../../core/src/state/run-record';
import { MAX_RUNS_WITH_ERRORS } from '../../core/src/state/retention';
import { recordingStatements } from '../support/recording-statements';
import { useStateDatabase } from '../support/state-db';

const T1 = '2026-01-01 00:00:00.000001+00';
const T2 = '2026-01-01 00:00:00.000002+00';

const fx = useStateDatabase('stores_test');
const dir = mkdtempSync(path.join(os.tmpdir(), 'brazesync-stores-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (id: string, status: RunRecord['status']): RunRecord => ({
  id, sync: 'users', status, started_at: new Date().toISOString(), rows_read: 0, rows_synced: 0, rows_failed: 0, rows_skipped: 0, rows_in_future: 0, watermark_before: null, watermark_after: null, warnings: [],
});

for (const kind of ['files', 'postgres'] as const) {
  test(`${kind}: state, journal, lock, history, row errors and housekeeping behave the same`, async () => {
    const backend = kind === 'files' ? fileStateBackend : fx.backend;
    const ref = { filePath: path.join(dir, 'crm.brazesync.yaml'), stateRoot: path.join(dir, 'state'), syncName: `users_${kind}` };
    const store = backend.storeFor(ref);
    assert.equal(await store.readState(), undefined);

    const lock = await store.lock('test');
    await assert.rejects(backend.storeFor(ref).lock('other'), (err: unknown) => err instanceof JobInProgressError);
    await store.writeState({ version: 1, sync: ref.syncName, data_type: 'custom_attributes', watermark: { updated_at: T1, boundary_keys: ['a'] } });
    await store.appendWatermark?.({ updated_at: T2, groups: [{ updated_at: T2, keys: ['b', 'c'] }], diff_seq: 7 });
    const read = await backend.storeFor(ref).readState();
    assert.deepEqual(read?.watermark, { updated_at: T2, boundary_keys: ['b', 'c'] }, 'a reader applies the journal');
    assert.equal(read?.diff_seq, 7, 'the diff checkpoint recorded with the watermark (send: changed) is read back');
    await store.writeState({ version: 1, sync: ref.syncName, watermark: { updated_at: T1, boundary_keys: [] } });
    assert.deepEqual((await store.readState())?.watermark, { updated_at: T1, boundary_keys: [] }, 'writeState starts the journal over');

    await store.saveRun(run('20260101T000000.000Z-aaaaaa', 'success'));
    await store.saveRun(run('20260102T000000.000Z-bbbbbb', 'running'));
    const sink = await store.rowErrorSink('20260102T000000.000Z-bbbbbb');
    sink.append([{ run_id: 'x', identifier: 'u1', updated_at: T1, reason: 'bad' }, { run_id: 'x', identifier: 'u2', updated_at: T2, reason: 'worse' }]);
    await sink.close();
    assert.deepEqual((await store.readRowErrors('20260102T000000.000Z-bbbbbb', 1)).map((e) => e.identifier), ['u1']);
    assert.deepEqual((await store.listRuns()).map((r) => r.id), ['20260102T000000.000Z-bbbbbb', '20260101T000000.000Z-aaaaaa']);
    await store.housekeeping(new Date());
    const [last] = await store.listRuns(1);
    assert.deepEqual([last?.status, last?.interrupted], ['error', true]);
    await lock.release();
    const again = await backend.storeFor(ref).lock('next');
    await again.release();
  });
}

for (const kind of ['files', 'postgres'] as const) {
  test(`${kind}: housekeeping drops the row errors of runs past the newest ${MAX_RUNS_WITH_ERRORS}, keeps the newer ones and every run`, async () => {
    const backend = kind === 'files' ? fileStateBackend : fx.backend;
    const store = backend.storeFor({ filePath: path.join(dir, 'crm.brazesync.yaml'), stateRoot: path.join(dir, 'state'), syncName: `history_${kind}` });
    const count = MAX_RUNS_WITH_ERRORS + 10;
    const ids = Array.from({ length: count }, (_, i) => `202601${String(1 + Math.floor(i / 24)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}0000.000Z-run${i}`);
    for (const id of ids) await store.saveRun({ ...run(id, 'success'), started_at: new Date().toISOString() });
    const [oldest, newest] = [ids[0] as string, ids[count - 1] as string];
    for (const id of [oldest, newest]) {
      const sink = await store.rowErrorSink(id);
      sink.append([{ run_id: id, identifier: 'u1', updated_at: T1, reason: 'bad' }]);
      await sink.close();
    }
    await store.housekeeping(new Date());
    assert.deepEqual(await store.readRowErrors(oldest), [], 'the oldest run is past the newest 50: its errors go');
    assert.equal((await store.readRowErrors(newest)).length, 1, 'the newest run keeps its errors');
    assert.equal((await store.listRuns()).length, count, 'every run is kept (fewer than MAX_RUNS)');
    await store.housekeeping(new Date()); // nothing left to prune: a no-op
    assert.equal((await store.readRowErrors(newest)).length, 1);
  });
}

test('postgres: a holder whose lease lapsed and passed to another host writes nothing more', async () => {
  const ref = { filePath: '/a/crm.brazesync.yaml', stateRoot: '/unused', syncName: 'fenced' };
  const first = fx.backend.storeFor(ref);
  const lock = await first.lock('scheduler');
  await first.writeState({ version: 1, sync: 'fenced', watermark: { updated_at: T1, boundary_keys: [] } });
  // The holder stalls past its lease (as if its host froze); another host takes the sync.
  await fx.db.query(`UPDATE stores_test.sync_leases SET expires_at = now() - interval '1 second' WHERE sync_key = 'crm/fenced'`);
  const second = fx.backend.storeFor(ref);
  const taken = await second.lock('sync');
  assert.equal(taken.tookOver?.command, 'scheduler');
  await assert.rejects(first.appendWatermark?.({ updated_at: T2, groups: [] }) ?? Promise.resolve(), (err: unknown) => err instanceof LeaseLostError);
  await assert.rejects(first.writeState({ version: 1, sync: 'fenced', watermark: null }), LeaseLostError);
  assert.deepEqual((await second.readState())?.watermark?.updated_at, T1, 'the stale holder moved nothing');
  await taken.release();
  await lock.release();
});

test('postgres: Sync Now while another host runs the sync says who runs it and since when', async () => {
  const ref = { filePath: '/b/crm.brazesync.yaml', stateRoot: '/unused', syncName: 'busy' };
  const held = await fx.backend.storeFor(ref).lock('scheduler');
  await assert.rejects(fx.backend.storeFor(ref).lock('sync'), (err: unknown) => {
    assert.ok(err instanceof JobInProgressError);
    assert.match(err.message, new RegExp(`^crm/busy is already running on host ${os.hostname()} \\(pid ${process.pid}, scheduler\\) since \\d{4}-\\d\\d-\\d\\dT`));
    return true;
  });
  await held.release();
});

test('state import records no diff checkpoint: send: changed\'s hashes stay where they were, so the next run starts them over', async () => {
  const ref = { filePath: path.join(dir, 'moved.brazesync.yaml'), stateRoot: path.join(dir, 'state'), syncName: 'users' };
  const files = fileStateBackend.storeFor(ref);
  await files.writeState({ version: 1, sync: 'users', data_type: 'custom_attributes', watermark: { updated_at: T1, boundary_keys: [] }, diff_seq: 3, diff_stale: true });
  const result = await copySyncState(files, fx.backend.storeFor(ref), { replace: false, what: 'users' });
  assert.equal(result.copied, true);
  const copied = await fx.backend.storeFor(ref).readState();
  assert.deepEqual([copied?.watermark?.updated_at, copied?.diff_seq, copied?.diff_stale], [T1, undefined, undefined]);
});

test('postgres: a run starts in one statement (lease, housekeeping, state), and what it writes under the lease is read back, not the grant\'s copy', async () => {
  const ref = { filePath: '/c/crm.brazesync.yaml', stateRoot: '/unused', syncName: 'start' };
  const earlier = fx.backend.storeFor(ref);
  const first = await earlier.lock('scheduler');
  await earlier.writeState({ version: 1, sync: 'start', watermark: { updated_at: T1, boundary_keys: [] } });
  await earlier.appendWatermark?.({ updated_at: T2, groups: [{ updated_at: T2, keys: ['k'] }] });
  await earlier.saveRun(run('20260103T000000.000Z-cccccc', 'running')); // its host dies mid-run
  await first.release();

  const store = fx.backend.storeFor(ref);
  let lock: Awaited<ReturnType<typeof store.lock>> | undefined;
  const statements = (
    await recordingStatements(async () => {
      lock = await store.lock('scheduler');
      await store.housekeeping(new Date());
      assert.deepEqual((await store.readState())?.watermark, { updated_at: T2, boundary_keys: ['k'] }, 'the grant read the state with its journal');
    })
  ).map((sent) => sent.text);
  assert.match(statements[0] ?? '', /AS state_rows/, 'the lease is taken first, reading the state with it');
  assert.deepEqual(statements.slice(1).filter((s) => /^\s*SELECT/.test(s)), [], `no read after the lease, only the interrupted run's repair:\n${statements.join('\n')}`);
  assert.deepEqual((await store.listRuns(1)).map((r) => [r.status, r.interrupted]), [['error', true]], 'housekeeping used the history read with the lease');

  await store.writeState({ version: 1, sync: 'start', watermark: { updated_at: T1, boundary_keys: [] } });
  assert.deepEqual((await store.readState())?.watermark, { updated_at: T1, boundary_keys: [] }, 'after a write the state is read again');
  assert.ok(lock);
  await lock.release();
});
