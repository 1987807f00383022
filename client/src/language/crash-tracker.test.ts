import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrashTracker, crashMessage } from './crash-tracker';

test('restarts until the fifth crash inside the window, then gives up', () => {
  let now = 0;
  const tracker = new CrashTracker(5, 180_000, () => now);
  const decisions = [1, 2, 3, 4, 5].map(() => {
    now += 1_000;
    return tracker.recordCrash();
  });
  assert.deepEqual(decisions.map((d) => d.restart), [true, true, true, true, false]);
  assert.equal(decisions[4]?.recentCrashes, 5);
  assert.match(crashMessage(decisions[4]!), /stopped 5 times in 3 minutes and was not restarted/);
  assert.match(crashMessage(decisions[0]!), /restarted \(1 of 5/);
});

test('crashes older than the window are forgotten', () => {
  let now = 0;
  const tracker = new CrashTracker(2, 60_000, () => now);
  assert.equal(tracker.recordCrash().restart, true);
  now = 61_000;
  const d = tracker.recordCrash();
  assert.equal(d.restart, true);
  assert.equal(d.recentCrashes, 1);
});

test('reset gives a fresh allowance after a manual restart', () => {
  const tracker = new CrashTracker(1, 60_000, () => 0);
  assert.equal(tracker.recordCrash().restart, false);
  tracker.reset();
  assert.equal(tracker.recordCrash().recentCrashes, 1);
});
