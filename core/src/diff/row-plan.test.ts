import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonMembers } from '../sync/json-members';
import { scanJson } from '../sync/json-scan';
import type { DiffStore, DiffWrite } from './diff-store';
import { DiffSession } from './diff-session';
import { ItemRecord } from './item-record';
import { applyOps, planItem, planRow } from './row-plan';

const nested = new JsonMembers();
const scan = (text: string) => (scanJson(text, nested).ok ? nested : undefined);

function members(payload: string): JsonMembers {
  const m = new JsonMembers();
  assert.ok(scanJson(payload, m).ok);
  return m;
}

/** The record after `payload` was delivered whole. */
function recorded(payload: string): ItemRecord {
  const r = ItemRecord.empty();
  applyOps(r, planRow(members(payload), undefined, true, scan).ops, 1);
  return r;
}

test('only changed members go; control keys ride along; a later duplicate key wins', () => {
  const base = recorded('{"a":1,"b":"x","_update_existing_only":true}');
  const same = planRow(members('{"a":1,"b":"x","_update_existing_only":true}'), base, false, scan);
  assert.deepEqual([same.payload, same.sent, same.skipped], [undefined, 0, 2]);
  const changed = planRow(members('{"a":1,"b":"y","_update_existing_only":true}'), base, false, scan);
  assert.deepEqual(JSON.parse(changed.payload ?? ''), { b: 'y', _update_existing_only: true });
  const dup = planRow(members('{"a":1,"a":2,"b":"x"}'), base, false, scan);
  assert.deepEqual([JSON.parse(dup.payload ?? ''), dup.sent, dup.skipped], [{ a: 2 }, 1, 1]);
});

test('nested objects: per key only with _merge_objects; operators always go and are forgotten', () => {
  const base = recorded('{"pet":{"name":"Rex","age":3},"n":{"inc":1},"_merge_objects":true}');
  const merged = planRow(members('{"pet":{"name":"Rex","age":4},"n":{"inc":1},"_merge_objects":true}'), base, false, scan);
  assert.deepEqual(JSON.parse(merged.payload ?? ''), { pet: { age: 4 }, n: { inc: 1 }, _merge_objects: true });
  const wholeBase = recorded('{"pet":{"name":"Rex","age":3}}');
  const whole = planRow(members('{"pet":{"name":"Rex","age":4}}'), wholeBase, false, scan);
  assert.deepEqual(JSON.parse(whole.payload ?? ''), { pet: { name: 'Rex', age: 4 } });
  assert.equal(planRow(members('{"pet":{"name":"Rex","age":3}}'), wholeBase, false, scan).payload, undefined);
});

test('records round-trip; damaged bytes read as unknown (the row then goes whole)', () => {
  const r = recorded('{"a":1,"b":2}');
  const back = ItemRecord.decode(r.encode());
  assert.equal(back?.size, 2);
  assert.equal(back?.fullAtMinutes, 1);
  assert.equal(ItemRecord.decode(r.encode().subarray(0, 13)), undefined);
  assert.equal(ItemRecord.decode(new Uint8Array([9, 0, 0, 0, 0, 0, 0, 0])), undefined);
});

/** A diff store in memory: enough for the session's own rules. */
function memoryStore(): DiffStore & { records: Map<string, Uint8Array> } {
  const records = new Map<string, Uint8Array>();
  let seq = 0;
  return {
    records,
    location: 'memory',
    meta: () => ({ seq, fingerprint: 'f' }),
    get: (key) => records.get(Buffer.from(key).toString('hex')),
    async commit(next, writes: readonly DiffWrite[]) {
      for (const w of writes) {
        const k = Buffer.from(w.key).toString('hex');
        if (w.value) records.set(k, w.value);
        else records.delete(k);
      }
      seq = next;
    },
    rollback: async () => undefined,
    reset: async () => undefined,
    forget: async () => undefined,
    sizeBytes: async () => 0,
    close: async () => undefined,
  };
}

test('session: resend_every sends a profile whole again; two rows of one profile in flight are forgotten, not recorded', async () => {
  let now = 1000;
  const store = memoryStore();
  const session = new DiffSession(store, { resendEveryMinutes: 60, nowMinutes: () => now });
  const deliver = async (payload: string) => {
    const { plan, diff } = session.plan('external_id\u0001u1', members(payload), scan);
    if (diff) {
      session.delivered(diff);
      session.stage(diff);
    }
    await session.take()();
    return plan;
  };
  assert.equal((await deliver('{"a":1}')).sent, 1);
  assert.equal((await deliver('{"a":1}')).payload, undefined);
  now += 61;
  assert.equal((await deliver('{"a":1}')).sent, 1, 'due: sent whole');
  assert.equal((await deliver('{"a":1}')).payload, undefined, 'and recorded as sent whole');

  const first = session.plan('external_id\u0001u1', members('{"a":2}'), scan).diff;
  const second = session.plan('external_id\u0001u1', members('{"a":3}'), scan).diff;
  assert.ok(first && second, 'racing rows go whole');
  session.delivered(second);
  session.delivered(first);
  session.stage(first);
  session.stage(second);
  await session.take()();
  assert.equal((await deliver('{"a":3}')).sent, 1, 'the order Braze applied them in is unknown: sent again');
});

/** The record after a catalog item with `payload` was accepted whole (`PUT`). */
function itemRecorded(payload: string): ItemRecord {
  const r = ItemRecord.empty();
  applyOps(r, planItem(members(payload), undefined, true).ops, 1);
  return r;
}

test('catalog items: unknown goes whole; unchanged sends nothing; changed fields alone go as an edit', () => {
  const first = planItem(members('{"Name":"Ada","Rating":5,"Tags":["a"]}'), undefined, false);
  assert.deepEqual([first.edit, first.sent, first.skipped, first.ops.replace], [false, 3, 0, true]);
  const base = itemRecorded('{"Name":"Ada","Rating":5,"Tags":["a"]}');
  const same = planItem(members('{"Name":"Ada","Rating":5,"Tags":["a"]}'), base, false);
  assert.deepEqual([same.payload, same.sent, same.skipped], [undefined, 0, 3]);
  const one = planItem(members('{"Name":"Ada","Rating":4,"Tags":["a"]}'), base, false);
  assert.deepEqual([one.edit, JSON.parse(one.payload ?? ''), one.sent, one.skipped, one.ops.replace], [true, { Rating: 4 }, 1, 2, false]);
  const added = planItem(members('{"Name":"Ada","Rating":5,"Tags":["a"],"City":"Oslo"}'), base, false);
  assert.deepEqual([added.edit, JSON.parse(added.payload ?? '')], [true, { City: 'Oslo' }]);
});

test('catalog items go whole when a field is dropped (only PUT clears it) or an object field changed', () => {
  const base = itemRecorded('{"Name":"Ada","Rating":5,"Where":{"lat":1,"lon":2}}');
  const dropped = planItem(members('{"Name":"Ada","Where":{"lat":1,"lon":2}}'), base, false);
  assert.deepEqual([dropped.edit, dropped.sent, dropped.skipped, dropped.ops.replace], [false, 2, 0, true]);
  const moved = planItem(members('{"Name":"Ada","Rating":5,"Where":{"lat":1}}'), base, false);
  assert.deepEqual([moved.edit, moved.sent], [false, 3]);
  // Control keys of user rows are plain fields of an item: compared, never ridden along.
  const control = planItem(members('{"Name":"Ada","Rating":5,"Where":{"lat":1,"lon":2},"_merge_objects":true}'), base, false);
  assert.deepEqual([control.edit, JSON.parse(control.payload ?? '')], [true, { _merge_objects: true }]);
  // A whole send replaces the record: a field it no longer has is gone from it.
  const record = itemRecorded('{"Name":"Ada","Rating":5}');
  applyOps(record, planItem(members('{"Name":"Bo"}'), record, false).ops, 2);
  assert.equal(record.size, 1);
});

test('session, catalog items: a delete drops the record in its checkpoint, in read order with the rows around it', async () => {
  const store = memoryStore();
  const session = new DiffSession(store, { nowMinutes: () => 5, items: true });
  const put = (payload: string, id = 'r1') => {
    const { plan, diff } = session.planItem(id, members(payload));
    if (diff) session.delivered(diff);
    return { plan, diff };
  };
  const a = put('{"Name":"Ada","Rating":5}');
  assert.equal(a.plan.edit, false);
  const gone = session.forgetting('r1');
  session.delivered(gone);
  const again = put('{"Name":"Ada","Rating":5}');
  assert.deepEqual([again.plan.edit, again.plan.sent], [false, 2], 'deleted in this run: the re-created item goes whole');
  for (const d of [a.diff, gone, again.diff]) if (d) session.stage(d);
  await session.take()();
  assert.equal(store.records.size, 1, 'the re-created item is recorded');
  assert.equal(put('{"Name":"Ada","Rating":5}').plan.payload, undefined);

  const last = session.forgetting('r1');
  session.delivered(last);
  session.stage(last);
  await session.take()();
  assert.equal(store.records.size, 0, 'a delete forgets the item');

  // Two rows of one item in flight: the later goes whole; sent one after the other, both are recorded in read order.
  const x = session.planItem('r2', members('{"Name":"X","Tags":["t"]}')).diff;
  const y = session.planItem('r2', members('{"Name":"Y","Rating":1}')).diff;
  assert.ok(x && y);
  assert.deepEqual([x.uncertain, y.uncertain, y.ops.replace], [false, false, true]);
  session.delivered(x);
  session.delivered(y);
  session.stage(x);
  session.stage(y);
  await session.take()();
  assert.equal(put('{"Name":"Y","Rating":1}', 'r2').plan.payload, undefined, 'the later row is what Braze holds');
  assert.equal(put('{"Name":"Y","Rating":1,"Tags":["t"]}', 'r2').plan.edit, true, "the earlier row's Tags were replaced");
});
