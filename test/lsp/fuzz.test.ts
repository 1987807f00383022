/**
 * Hostile input, end to end (a short run; `npm run fuzz` runs a long one): the language server over
 * stdio lives through a seeded storm of hostile files, random edits and out-of-range requests, then
 * gives exact diagnostics for a good file again; `brazesync validate` judges every hostile kind
 * with a documented exit code, no stack trace, and the editor's problems at the editor's places.
 * Run `npm run build` first.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-protocol/node';
import { generateSyncFile } from '../../bench/generate-syncs';
import { seededRandom } from '../../core/testing/random';
import { toFileProblem, type FileProblem } from '../../core/src/lang/load-definition';
import { editorText, hostileCase, HOSTILE_KINDS } from './hostile-cases';
import { expectedDiagnostics, FUZZ_LIMITS, residentMemory, runLspFuzz } from './fuzz-session';
import { LspClient, REPO_ROOT } from './lsp-client';

const EXAMPLE = readFileSync(path.join(REPO_ROOT, 'test/fixtures/example.brazesync.yaml'), 'utf8');
const BASES = [EXAMPLE, generateSyncFile(12).text];
const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
let client: LspClient;
let dir: string;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'brazesync-fuzz-'));
  client = await LspClient.start({ env: { ...process.env, BRAZESYNC_STATE_DIR: path.join(dir, 'state') } });
});

after(async () => {
  assert.equal(await client.stop(), 0);
  rmSync(dir, { recursive: true, force: true });
});

test(`the server lives through a storm of hostile input and is exact again after it (seed ${SEED})`, async () => {
  const report = await runLspFuzz(client, { seed: SEED, steps: HOSTILE_KINDS.length + 15, bases: BASES, answerLimitMs: FUZZ_LIMITS.answerMs });
  assert.deepEqual(new Set(report.kinds.keys()), new Set(HOSTILE_KINDS), 'every hostile kind was sent');
  assert.ok(report.peakRss < FUZZ_LIMITS.residentBytes, `resident memory ${(report.peakRss / 2 ** 20).toFixed(0)} MB stays under ${FUZZ_LIMITS.residentBytes / 2 ** 20} MB`);

  // A good file, sent over the stormed document, gets exactly the problems a fresh check finds.
  const good = generateSyncFile(40).text;
  const after = await client.change(report.uri, report.version + 1, [{ text: good }]);
  assert.deepEqual(after.diagnostics, expectedDiagnostics(good, report.uri));
  assert.ok(after.diagnostics.length >= 7, 'the planted problems are there');
  // …and an edit of it is followed incrementally again.
  const line = good.split('\n').indexOf('    data_type: custom_events');
  const edited = await client.change(report.uri, report.version + 2, [{ range: { start: { line, character: 15 }, end: { line, character: 28 } }, text: 'custom_event' }]);
  const editedText = good.split('\n').map((l, i) => (i === line ? '    data_type: custom_event' : l)).join('\n');
  assert.deepEqual(edited.diagnostics, expectedDiagnostics(editedText, report.uri));
  assert.ok(residentMemory(client.pid) < FUZZ_LIMITS.residentBytes);
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/cli.js'), ...args], { cwd: dir, env: { ...process.env, BRAZESYNC_STATE_DIR: path.join(dir, 'state') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const SEVERITY: Record<number, FileProblem['severity']> = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'info',
  [DiagnosticSeverity.Hint]: 'hint',
};

/** An editor diagnostic as the CLI prints it (1-based). */
function asCliProblem(d: Diagnostic, file: string): FileProblem {
  const severity = SEVERITY[d.severity ?? DiagnosticSeverity.Error] as FileProblem['severity'];
  return toFileProblem(file, { range: d.range, severity, code: String(d.code), message: typeof d.message === 'string' ? d.message : d.message.value });
}

test('validate judges every hostile kind as the editor does: exit 0 or 1, no stack trace, same problems at the same places', async () => {
  const random = seededRandom(SEED);
  for (const kind of HOSTILE_KINDS) {
    const { bytes } = hostileCase(kind, BASES[Math.floor(random() * BASES.length)] as string, random);
    const name = `${kind.replace(/\W+/g, '-')}.brazesync.yaml`;
    writeFileSync(path.join(dir, name), bytes);
    const run = await runCli(['validate', '--format', 'json', name]);
    assert.doesNotMatch(run.stderr + run.stdout, /^\s+at .+:\d+:\d+\)?$/m, `${kind}: no stack trace`);
    const problems = JSON.parse(run.stdout) as FileProblem[];
    const errors = problems.filter((p) => p.severity === 'error').length;
    assert.equal(run.code, errors > 0 ? 1 : 0, `${kind}: exit 1 with errors, else 0 (${run.stderr})`);

    const uri = pathToFileURL(path.join(dir, name)).href;
    const inEditor = await client.open(uri, editorText(bytes));
    await client.close(uri);
    assert.deepEqual(problems, inEditor.diagnostics.map((d) => asCliProblem(d, name)), `${kind}: the CLI reports what the editor shows`);
  }
});
