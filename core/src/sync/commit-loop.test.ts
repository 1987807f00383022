import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommitLoop } from './commit-loop';
import { DeliveryTracker } from './delivery-tracker';
import type { SourceRow } from './ports';

/** A write that records each call and finishes when the test says so. */
function controlledWrite() {
  const calls: { finish: () => void }[] = [];
  let started: (() => void) | undefined;
  return {
    calls,
    write: () =>
      new Promise<void>((finish) => {
        calls.push({ finish });
        started?.();
      }),
    nextStart: () => new Promise<void>((resolve) => (started = resolve)),
  };
}

// An interval far longer than any test: only urgency and flush may cut it short.
const LONG = 60 * 60_000;

test('requests made while a write runs fold into one next write, which waits for the interval', async () => {
  const w = controlledWrite();
  const loop = new CommitLoop(w.write, LONG);
  const first = w.nextStart();
  loop.request();
  await first;
  loop.request();
  loop.request();
  w.calls[0]?.finish();
  // The follow-up write is due only after the interval; flush does not wait for it.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(w.calls.length, 1, 'the next write waits for the interval');
  const flushed = loop.flush();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(w.calls.length, 2, 'flush starts the pending write at once');
  w.calls[1]?.finish();
  await flushed;
  assert.equal(w.calls.length, 2, 'three requests, two writes');
});

test('an urgent request cuts the interval short', async () => {
  const w = controlledWrite();
  const loop = new CommitLoop(w.write, LONG);
  loop.request();
  w.calls[0]?.finish();
  await new Promise((resolve) => setImmediate(resolve));
  loop.request();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(w.calls.length, 1);
  const second = w.nextStart();
  loop.request(true);
  await second;
  assert.equal(w.calls.length, 2);
  w.calls[1]?.finish();
  await loop.flush();
});

test('a failed write is reported by flush, and nothing is written after it', async () => {
  let writes = 0;
  const loop = new CommitLoop(async () => {
    writes++;
    throw new Error('disk full');
  });
  loop.request();
  await assert.rejects(loop.flush(), /disk full/);
  loop.request();
  await assert.rejects(loop.flush(), /disk full/);
  assert.equal(writes, 1);
});

test('the tracker hands out the finished prefix only, and counts what a crash would resend', () => {
  const tracker = new DeliveryTracker();
  const rows = Array.from({ length: 5 }, (_, i): SourceRow => ({ updatedAt: `2026-01-01 00:00:0${i}+00`, ids: { external_id: `u${i}` }, payload: '{}' }));
  const tracked = rows.map((r) => tracker.add(r));
  assert.equal(tracker.unfinishedSpan, 5);
  (tracked[1] as { done: boolean }).done = true;
  (tracked[2] as { done: boolean }).done = true;
  assert.deepEqual(tracker.takeFinishedPrefix(), [], 'row 0 holds the prefix back');
  assert.equal(tracker.unfinishedSpan, 5, 'rows finished behind an unfinished one still count');
  (tracked[0] as { done: boolean }).done = true;
  assert.equal(tracker.unfinishedSpan, 2);
  assert.deepEqual(tracker.takeFinishedPrefix(), rows.slice(0, 3));
  assert.deepEqual(tracker.takeFinishedPrefix(), []);
  (tracked[4] as { done: boolean }).done = true;
  (tracked[3] as { done: boolean }).done = true;
  assert.deepEqual(tracker.takeFinishedPrefix(), rows.slice(3));
  assert.equal(tracker.unfinishedSpan, 0);
});
