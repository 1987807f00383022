import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { Poller } from './poller';

test('ticks only while wanted, never two at a time', async () => {
  const events = new EventEmitter();
  let wanted = false;
  let ticks = 0;
  let inFlight = 0;
  let release: (() => void) | undefined;
  const poller = new Poller(5, () => wanted, async () => {
    ticks++;
    inFlight++;
    assert.equal(inFlight, 1, 'no overlapping ticks');
    events.emit('tick');
    await new Promise<void>((resolve) => (release = resolve));
    inFlight--;
  });
  // The poller's timer does not hold the process open (an editor closing must not wait on it).
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    // Not wanted: many intervals pass without a tick (waited on the poller's own timer, 10 rounds).
    for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(ticks, 0);
    wanted = true;
    await once(events, 'tick');
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(ticks, 1, 'a slow tick holds the next one back');
    release?.();
    await once(events, 'tick');
    assert.equal(ticks, 2);
    wanted = false;
    release?.();
  } finally {
    poller.dispose();
    clearInterval(keepAlive);
  }
});
