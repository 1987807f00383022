/**
 * The 1,000-sync file of `npm run bench:lsp`: the diagnostics the server publishes when it is
 * opened are exactly what `brazesync validate` reports for the same file on disk, and both are
 * exactly the problems recorded before issue 14 made opening faster
 * (`test/fixtures/syncs-1000.problems.json`, the CLI's `--format json`). Speed-ups may skip work,
 * never problems. If a message changes on purpose, regenerate the fixture with the CLI: write
 * `generateSyncFile(1000).text` to `syncs-1000.brazesync.yaml` and run
 * `brazesync validate syncs-1000.brazesync.yaml --format json` in its folder. Run `npm run build` first.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-protocol/node';
import { generateSyncFile } from '../../bench/generate-syncs';
import { LspClient, messageText, REPO_ROOT } from './lsp-client';

const FILE = 'syncs-1000.brazesync.yaml';
const CLI = path.join(REPO_ROOT, 'dist/cli.js');
const dir = mkdtempSync(path.join(tmpdir(), 'brazesync-large-file-'));
/** An empty state directory: no recorded state, the same for the CLI and the server. */
const env = { PATH: process.env.PATH, BRAZESYNC_STATE_DIR: path.join(dir, 'state') };
after(() => rmSync(dir, { recursive: true, force: true }));

interface FileProblem {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
}

const SEVERITY: Record<number, string> = { [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning', [DiagnosticSeverity.Information]: 'info', [DiagnosticSeverity.Hint]: 'hint' };

/** A published diagnostic in the CLI's JSON shape (1-based lines and columns). */
function asFileProblem(d: Diagnostic): FileProblem {
  const { start, end } = d.range;
  return { file: FILE, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1, severity: SEVERITY[d.severity ?? 0] ?? '?', code: String(d.code), message: messageText(d) };
}

test('opening the 1,000-sync file publishes exactly the problems the CLI reports, the same as before issue 14', async () => {
  const text = generateSyncFile(1000).text;
  writeFileSync(path.join(dir, FILE), text);
  const recorded = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/syncs-1000.problems.json'), 'utf8')) as FileProblem[];

  const cli = spawnSync(process.execPath, [CLI, 'validate', FILE, '--format', 'json'], { cwd: dir, encoding: 'utf8', env });
  assert.equal(cli.status, 1, cli.stderr);
  assert.deepEqual(JSON.parse(cli.stdout), recorded);

  const client = await LspClient.start({ env: { ...process.env, ...env } });
  try {
    const published = await client.open(pathToFileURL(path.join(dir, FILE)).href, text);
    assert.equal(published.diagnostics.length, recorded.length);
    assert.deepEqual(published.diagnostics.map(asFileProblem), recorded);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});
