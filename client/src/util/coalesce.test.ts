import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coalesce } from './coalesce';

test('a burst of calls runs once; a later call runs again', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let runs = 0;
  const call = coalesce(250, () => runs++);
  call();
  call();
  t.mock.timers.tick(249);
  call();
  assert.equal(runs, 0);
  t.mock.timers.tick(1);
  assert.equal(runs, 1);
  call();
  t.mock.timers.tick(250);
  assert.equal(runs, 2);
  call();
  call.cancel();
  t.mock.timers.tick(1000);
  assert.equal(runs, 2);
});
