import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DirectoryWatcher } from './directory-watcher';

/**
 * `changed()` resolves on the watcher's next notification. The watchers do not keep the process
 * alive (`persistent: false`), so the wait is bounded by a timer that does and fails the test.
 */
function nextChange(): { watcher: DirectoryWatcher; changed: () => Promise<void> } {
  let resolve: () => void = () => undefined;
  let pending = new Promise<void>((r) => (resolve = r));
  const watcher = new DirectoryWatcher(() => {
    resolve();
    pending = new Promise<void>((r) => (resolve = r));
  });
  const changed = () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no change notification within 5 s')), 5000)));
    return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
  };
  return { watcher, changed };
}

test('a missing directory is watched through its ancestor until it exists, then directly', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'dirwatch-'));
  const { watcher, changed } = nextChange();
  t.after(() => {
    watcher.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  const runs = path.join(root, '.brazesync', 'users', 'attrs', 'runs');
  watcher.watch([runs]);
  assert.deepEqual(watcher.watched(), [root]);

  let change = changed();
  mkdirSync(runs, { recursive: true });
  await change;
  watcher.watch([runs]);
  assert.deepEqual(watcher.watched(), [runs]);

  change = changed();
  writeFileSync(path.join(runs, 'r1.json'), '{}');
  await change;
});

test('directories no longer declared are released', (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'dirwatch-'));
  const watcher = new DirectoryWatcher(() => undefined);
  t.after(() => {
    watcher.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  const a = path.join(root, 'a');
  const b = path.join(root, 'b');
  mkdirSync(a);
  mkdirSync(b);
  watcher.watch([a, b]);
  assert.deepEqual(watcher.watched(), [a, b]);
  watcher.watch([b]);
  assert.deepEqual(watcher.watched(), [b]);
});
