import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { assertCliBuilt, CLI } from '../support/cli';

test('output to a pipe closed early (`brazesync … | head`) is dropped without a crash', async () => {
  assertCliBuilt();
  const child = spawn(process.execPath, [CLI, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Closed before the CLI has started, so its first write meets a pipe with no reader (EPIPE).
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(stderr, '');
  assert.equal(code, 0);
});
