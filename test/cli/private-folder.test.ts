/**
 * The README's quick start where users often are: a fresh clone inside a private folder (0700, as
 * `mktemp -d` makes; a path with a space), `npm ci`, then `npm start`. As root, embedded PostgreSQL
 * runs as the `postgres` user, which cannot enter that folder; as an ordinary user it runs as that
 * user. Both must work without touching the folder's permissions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../..');
const OTHER_USER = 'brazesync-tester';
const isRoot = process.getuid?.() === 0;

interface Result {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (c: Buffer) => (output = (output + c.toString()).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** A clone of this repository, dependencies installed, at `<private folder>/with space/p`. */
async function privateClone(): Promise<{ dir: string; clone: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brazesync-private-'));
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const clone = path.join(dir, 'with space', 'p');
  execFileSync('git', ['clone', '-q', REPO, clone]);
  const install = await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: clone });
  assert.equal(install.code, 0, install.output);
  // npm 11 skips (and lists) dependency install scripts the project has not approved or declined.
  assert.doesNotMatch(install.output, /not yet covered by allowScripts/);
  return { dir, clone };
}

function assertDemoRan(result: Result): void {
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /the server now holds 5040 profiles/);
  assert.match(result.output, /Catalog restaurants holds 2 item\(s\)[^\n]*\n[^\n]*"id":"r1"[^\n]*"Rating":4\}\n[^\n]*"id":"r2"/);
  assert.match(result.output, /Done\. Everything \(database, server, files\) is cleaned up now\./);
}

/** An ordinary user to run as (created once, with no login and no home). */
function otherUser(): void {
  try {
    execFileSync('id', ['-u', OTHER_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER_USER], { stdio: 'ignore' });
  }
}

test('npm start works in a fresh clone inside a private folder, as root and as an ordinary user', { timeout: 300_000 }, async () => {
  const { dir, clone } = await privateClone();
  try {
    if (isRoot) {
      assertDemoRan(await run('npm', ['start'], { cwd: clone }));
      // The same folder handed to an ordinary user, still 0700: their own private folder.
      otherUser();
      execFileSync('chown', ['-R', `${OTHER_USER}:${OTHER_USER}`, dir]);
      chmodSync(dir, 0o700);
      const env = { ...process.env, HOME: dir, npm_config_cache: path.join(dir, '.npm') };
      assertDemoRan(await run('runuser', ['-u', OTHER_USER, '--', 'npm', 'start'], { cwd: clone, env }));
    } else {
      assertDemoRan(await run('npm', ['start'], { cwd: clone }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
