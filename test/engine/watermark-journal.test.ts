/**
 * The watermark journal of the file state store: checkpoints appended as deltas, applied by
 * `readState`, started over by `writeState`, and safe against a crash at any point (a torn last
 * record, a journal left behind by the previous snapshot).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFileStateStore, JOURNAL_FILE_NAME } from '../../core/src/state/file-state-store';
import type { SyncStateStore, WatermarkDelta } from '../../core/src/state/state-store';
import { STATE_FILE_NAME, type SyncState } from '../../core/src/state/sync-state';
import { DeliveryRecord } from '../../core/src/sync/delivery-record';
import { applyWatermarkDeltas } from '../../core/src/state/watermark-journal';

const T1 = '2026-01-01 00:00:00.000001+00';
const T2 = '2026-01-01 00:00:00.000002+00';
const T3 = '2026-01-01 00:00:00.000003+00';

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'brazesync-journal-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Appends under the sync's lock, as the engine does (releasing the lock closes the journal). */
async function append(store: SyncStateStore, ...deltas: WatermarkDelta[]): Promise<void> {
  assert.ok(store.appendWatermark, 'the file store journals checkpoints');
  const lock = await store.lock('test');
  try {
    for (const d of deltas) await store.appendWatermark(d);
  } finally {
    await lock.release();
  }
}

const base: SyncState = { version: 1, sync: 's', data_type: 'custom_attributes' };
const delta = (updated_at: string, keys: string[], at = updated_at): WatermarkDelta => ({ updated_at, groups: keys.length ? [{ updated_at: at, keys }] : [] });

test(
  'deltas appended to the journal are applied by readState; writeState folds them in and starts over',
  withDir(async (dir) => {
    const store = createFileStateStore(dir);
    await store.writeState(base);
    await append(store, delta(T1, ['a', 'b']), delta(T1, ['c']));
    // A second store (another process) sees the same state.
    const reader = createFileStateStore(dir);
    assert.deepEqual((await reader.readState())?.watermark, { updated_at: T1, boundary_keys: ['a', 'b', 'c'] });
    await append(store, delta(T2, ['d']));
    assert.deepEqual((await reader.readState())?.watermark, { updated_at: T2, boundary_keys: ['d'] });
    // state.json alone still holds the snapshot; the journal holds the rest.
    assert.equal((JSON.parse(readFileSync(path.join(dir, STATE_FILE_NAME), 'utf8')) as SyncState).watermark, undefined);

    const state = await reader.readState();
    assert.ok(state);
    await reader.writeState(state);
    assert.deepEqual((JSON.parse(readFileSync(path.join(dir, STATE_FILE_NAME), 'utf8')) as SyncState).watermark, { updated_at: T2, boundary_keys: ['d'] });
    assert.deepEqual((await createFileStateStore(dir).readState())?.watermark, { updated_at: T2, boundary_keys: ['d'] });
    // What the old journal said does not come back after a rewrite, e.g. `watermark --reset`.
    await reader.writeState({ ...state, watermark: null });
    assert.equal((await createFileStateStore(dir).readState())?.watermark, null);
  }),
);

test(
  'a record torn by a crash is ignored, and records appended after it are not',
  withDir(async (dir) => {
    const store = createFileStateStore(dir);
    await store.writeState(base);
    await append(store, delta(T1, ['a']));
    appendFileSync(path.join(dir, JOURNAL_FILE_NAME), '\n{"updated_at":"2026-01-01 00:00:00.000002+00","groups":[{"updated_at":"2026-01');
    assert.deepEqual((await createFileStateStore(dir).readState())?.watermark, { updated_at: T1, boundary_keys: ['a'] });
    // The next run reads the state and carries on appending to the same journal.
    const next = createFileStateStore(dir);
    await next.readState();
    await append(next, delta(T1, ['b']));
    assert.deepEqual((await createFileStateStore(dir).readState())?.watermark, { updated_at: T1, boundary_keys: ['a', 'b'] });
  }),
);

test(
  'a journal left behind by the previous snapshot (crash between writing state.json and removing it) is ignored',
  withDir(async (dir) => {
    const store = createFileStateStore(dir);
    await store.writeState(base);
    await append(store, delta(T3, ['x']));
    const stale = path.join(dir, 'stale');
    copyFileSync(path.join(dir, JOURNAL_FILE_NAME), stale);
    await store.writeState({ ...base, watermark: { updated_at: T1, boundary_keys: [] } });
    copyFileSync(stale, path.join(dir, JOURNAL_FILE_NAME));
    assert.deepEqual((await createFileStateStore(dir).readState())?.watermark, { updated_at: T1, boundary_keys: [] });
    // Appending starts a fresh journal for the current snapshot.
    const next = createFileStateStore(dir);
    await next.readState();
    await append(next, delta(T2, ['y']));
    assert.deepEqual((await createFileStateStore(dir).readState())?.watermark, { updated_at: T2, boundary_keys: ['y'] });
  }),
);

test(
  'a state.json written before journals existed is upgraded on the first append',
  withDir(async (dir) => {
    writeFileSync(path.join(dir, STATE_FILE_NAME), JSON.stringify({ ...base, watermark: { updated_at: T1, boundary_keys: ['a'] } }));
    const store = createFileStateStore(dir);
    await append(store, delta(T1, ['b']));
    assert.deepEqual((await createFileStateStore(dir).readState())?.watermark, { updated_at: T1, boundary_keys: ['a', 'b'] });
  }),
);

test('deltas applied to a snapshot give what the delivery record would write whole, with and without lookback', () => {
  for (const lookback of [0, 2]) {
    const record = new DeliveryRecord(lookback, { updated_at: T1, boundary_keys: ['a'], ...(lookback ? { recent: { from: '2026-01-01 00:00:00+00', groups: [] } } : {}) });
    const snapshot = record.toWatermark();
    const deltas: WatermarkDelta[] = [];
    record.add(T1, 1_767_225_600_000_001, 'b');
    deltas.push(record.takeDelta() as WatermarkDelta);
    record.add('2026-01-01 00:00:00.000002+00', 1_767_225_600_000_002, 'c');
    record.add('2026-01-01 00:00:00.000003+00', 1_767_225_600_000_003, 'd');
    deltas.push(record.takeDelta() as WatermarkDelta);
    assert.equal(record.takeDelta(), undefined, 'nothing changed since the last delta');
    assert.deepEqual(applyWatermarkDeltas(snapshot, deltas), record.toWatermark(), `lookback ${lookback} µs`);
  }
});
