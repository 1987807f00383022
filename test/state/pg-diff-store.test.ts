/**
 * The PostgreSQL diff store on its own, against a real PostgreSQL: batches take their place in the
 * order they were asked for (whichever query answers first), a commit made while a batch loads is
 * never undone by that batch's older answer, rollback restores only records still as the commit
 * wrote them, and a run whose lease passed to another run records nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeaseLostError } from '../../core/src/adapters/pg-state/pg-lease';
import type { DiffStore } from '../../core/src/diff/diff-store';
import { useStateDatabase } from '../support/state-db';

const fx = useStateDatabase('diff_store_test');
let seq = 0;

const key = (n: number) => Buffer.alloc(16, n);
/** Keys enough to make a batch's query the slower one. */
const MANY = Array.from({ length: 60_000 }, (_, i) => Buffer.from(i.toString(16).padStart(32, '0'), 'hex'));
const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString() : undefined);

function ref() {
  return { filePath: '/x/crm.brazesync.yaml', stateRoot: '/unused', syncName: `s${++seq}` };
}

async function openFresh(r = ref()): Promise<DiffStore> {
  const factory = fx.backend.diffStoreFor?.(r);
  assert.ok(factory);
  const store = await factory.open();
  await store.reset('fp', 0);
  return store;
}

test('batches serve the page being planned and the next, in the order asked for, whichever query answers first', async () => {
  const store = await openFresh();
  await store.commit(1, [1, 2, 3].map((n) => ({ key: key(n), value: Buffer.from(`r${n}`) })));
  // The first batch asks for many keys (a slower query), the second for one: it answers first.
  await Promise.all([store.prefetch?.([key(1), ...MANY]), store.prefetch?.([key(2)])]);
  assert.deepEqual([text(store.get(key(1))), text(store.get(key(2)))], ['r1', 'r2'], 'both batches are served');
  await store.prefetch?.([key(3)]);
  assert.deepEqual([text(store.get(key(1))), text(store.get(key(2))), text(store.get(key(3)))], [undefined, 'r2', 'r3'], 'the older batch is let go, the newer kept');
  await store.close();
});

test('a commit made while a batch loads is what get answers, never the batch\'s older answer', async () => {
  const store = await openFresh();
  await store.commit(1, [{ key: key(1), value: Buffer.from('old') }]);
  // Which finishes first (and whether the batch's snapshot predates the commit) is up to the
  // database; whatever the order, the batch must not bring the old record back.
  await Promise.all([store.prefetch?.([key(1), ...MANY]), store.commit(2, [{ key: key(1), value: Buffer.from('new') }])]);
  assert.equal(text(store.get(key(1))), 'new');
  await store.prefetch?.([key(1)]);
  assert.equal(text(store.get(key(1))), 'new');
  await store.close();
});

test('rollback undoes the last commit only where the record is still what it wrote; a second has nothing to undo', async () => {
  const r = ref();
  const store = await openFresh(r);
  await store.commit(1, [{ key: key(1), value: Buffer.from('a1') }]);
  await store.commit(2, [
    { key: key(1), value: Buffer.from('a2') },
    { key: key(2), value: Buffer.from('b2') },
    { key: key(3), value: null },
  ]);
  await store.forget([key(2)]);
  await store.rollback();
  assert.deepEqual(store.meta(), { seq: 1, fingerprint: 'fp' });
  const reopened = await fx.backend.diffStoreFor?.(r).open();
  assert.ok(reopened);
  assert.deepEqual(reopened.meta(), { seq: 1, fingerprint: 'fp' }, 'durably');
  await reopened.prefetch?.([key(1), key(2), key(3)]);
  assert.deepEqual([1, 2, 3].map((n) => text(reopened.get(key(n)))), ['a1', undefined, undefined]);
  await assert.rejects(reopened.rollback(), /nothing to undo/);
  assert.ok((await reopened.sizeBytes()) > 0);
  await store.close();
  await reopened.close();
});

test('a run whose lease passed to another run records no hashes; discard removes them', async () => {
  const r = ref();
  const state = fx.backend.storeFor(r);
  const lock = await state.lock('scheduler');
  const factory = fx.backend.diffStoreFor?.(r);
  assert.ok(factory);
  const stale = await openFresh(r);
  await stale.commit(1, [{ key: key(1), value: Buffer.from('x') }]);
  // The holder stalls past its lease; another run takes the sync and opens the store.
  await fx.db.query(`UPDATE diff_store_test.sync_leases SET expires_at = now() - interval '1 second' WHERE sync_key = $1`, [`crm/${r.syncName}`]);
  const taken = await fx.backend.storeFor(r).lock('sync');
  const current = await factory.open();
  await assert.rejects(stale.commit(2, [{ key: key(1), value: Buffer.from('stale') }]), (err: unknown) => err instanceof LeaseLostError);
  await current.commit(2, [{ key: key(1), value: Buffer.from('y') }]);
  await current.prefetch?.([key(1)]);
  assert.equal(text(current.get(key(1))), 'y');
  assert.equal(await factory.exists(), true);
  await factory.discard();
  assert.equal(await factory.exists(), false);
  await taken.release();
  await lock.release();
});
