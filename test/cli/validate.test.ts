import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';

const ROOT = path.join(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const EXAMPLE = readFileSync(path.join(ROOT, 'test/fixtures/example.brazesync.yaml'), 'utf8');
const dir = mkdtempSync(path.join(tmpdir(), 'brazesync-validate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, 'validate', ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

write('good/ok.brazesync.yaml', EXAMPLE);
write('bad/schedule.brazesync.yaml', EXAMPLE.replace('every 15 minutes', 'every 5 minutes'));
write('warn/secret.brazesync.yaml', EXAMPLE.replace('${env:REDSHIFT_PASSWORD}', 'hunter2'));
write('bad/notes.txt', 'not a definition');

test('a clean file exits 0 and prints nothing on stdout', () => {
  const r = run(['good']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
});

test('text format: file:line:col severity code message; exit 1 on errors', () => {
  const r = run(['bad']);
  assert.equal(r.code, 1);
  assert.equal(
    r.stdout.trim(),
    'bad/schedule.brazesync.yaml:21:21 error schedule-too-frequent ' +
      r.stdout.trim().split(' schedule-too-frequent ')[1],
  );
  assert.match(r.stdout, /at most every 15 minutes|15 minutes/);
});

test('json format carries 1-based positions and every field', () => {
  const r = run(['bad/schedule.brazesync.yaml', '--format', 'json']);
  assert.equal(r.code, 1);
  const problems = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.equal(problems.length, 1);
  assert.deepEqual(Object.keys(problems[0] ?? {}).sort(), ['code', 'column', 'endColumn', 'endLine', 'file', 'line', 'message', 'severity']);
  assert.deepEqual({ ...problems[0], message: undefined }, {
    file: 'bad/schedule.brazesync.yaml',
    line: 21,
    column: 21,
    endLine: 21,
    endColumn: 22,
    severity: 'error',
    code: 'schedule-too-frequent',
    message: undefined,
  });
});

test('warnings alone exit 0', () => {
  const r = run(['warn', '--format', 'json']);
  assert.equal(r.code, 0);
  const problems = JSON.parse(r.stdout) as { severity: string; code: string }[];
  assert.deepEqual(problems.map((p) => [p.severity, p.code]), [['warning', 'plaintext-secret']]);
  assert.doesNotMatch(r.stdout, /hunter2.*hunter2/s, 'the secret is not repeated in the message');
});

test('directories are searched recursively', () => {
  const r = run([]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /bad\/schedule\.brazesync\.yaml/);
  assert.match(r.stdout, /warn\/secret\.brazesync\.yaml/);
});

test('unreadable files exit 2 and name the file', () => {
  const r = run(['missing.brazesync.yaml']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read missing\.brazesync\.yaml: no such file/);
});

test('bad usage exits 2', () => {
  assert.equal(run(['good', '--format', 'xml']).code, 2);
  assert.equal(run(['good', '--nope']).code, 2);
});

test('--state-dir and BRAZESYNC_STATE_DIR feed the immutability rule', () => {
  const file = write('state/s.brazesync.yaml', EXAMPLE.replace('    data_type: purchases', '    data_type: custom_events'));
  const stateDir = path.join(dir, 'state-root');
  mkdirSync(path.join(stateDir, 's', 'purchases'), { recursive: true });
  writeFileSync(path.join(stateDir, 's', 'purchases', 'state.json'), JSON.stringify({ version: 1, sync: 'purchases', data_type: 'purchases', data_type_recorded_at: '2026-11-01T09:00:00.000Z' }));
  assert.equal(run([file]).code, 0, 'without state nothing is known');
  const flag = run([file, '--state-dir', stateDir]);
  assert.equal(flag.code, 1);
  assert.match(flag.stdout, /data-type-immutable .*`purchases` \(recorded 2026-11-01T09:00:00.000Z\)/);
  const env = run([file], { BRAZESYNC_STATE_DIR: stateDir });
  assert.equal(env.stdout, flag.stdout);
});
