import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveStateDir } from './resolve-state-dir';

test('brazeSync.stateDir: empty is unset; variables, ~ and relative paths resolve like the CLI would be told', () => {
  assert.equal(resolveStateDir('  ', '/ws'), undefined);
  assert.equal(resolveStateDir('${workspaceFolder}/state', '/ws'), '/ws/state');
  assert.equal(resolveStateDir('~/brazesync', '/ws', '/home/ada'), '/home/ada/brazesync');
  assert.equal(resolveStateDir('shared/state', '/ws'), '/ws/shared/state');
  assert.equal(resolveStateDir('/var/lib/brazesync', '/ws'), '/var/lib/brazesync');
});
