/**
 * `npm run bench:lsp`: our language server against yaml-language-server 1.25 (given our JSON
 * Schema), both driven over stdio by the same LSP client, on generated files of 10, 100 and 1,000
 * syncs. Each size gets a fresh pair of servers, warmed up on a small file, measured one after the
 * other (never at the same time):
 *   (a) didOpen → the first diagnostics that reflect the content;
 *   (b) a one-character edit inside one sync in the middle of the file → the diagnostics of that
 *       version (edits alternately break and repair a `data_type`; median of 20);
 *   (c) a completion on a value in the middle of the file (median of 20);
 *   peak memory: VmHWM of each server process.
 * Then a workspace of 200 files (bench/workspace-bench.ts): all opened at once → diagnostics of
 * every file, per server, and the sidebar tree's data.
 * Prints a table with ratios (yaml-ls / ours) and the number of problems each reported, and each
 * target as PASS or FAIL.
 * yaml-ls waits a fixed 200 ms before validating; ours validates an opened file at once and an
 * edited one after 2 ms. Both are part of what a user feels, so the ratios include them; rows
 * "minus yaml-ls's debounce" show the work alone. No timed assertions: this prints, it never fails
 * on speed. `--profile` also writes CPU profiles of our server (open them in Chrome DevTools).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CompletionRequest, DidChangeConfigurationNotification, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { LspClient, REPO_ROOT, SERVER_BUNDLE, type StartOptions } from '../test/lsp/lsp-client';
import { generateSyncFile, type GeneratedFile } from './generate-syncs';
import { SERVER_NODE_FLAGS } from '../core/src/lang/server-node-flags';
import { buildTree, openWorkspace, recordSomeState, WORKSPACE_FILES, writeWorkspace, type WorkspaceMeasures } from './workspace-bench';

const SIZES = [10, 100, 1000];
const EDITS = 20;
const COMPLETIONS = 20;
const OPENS = 3;
/** yaml-language-server waits this long before validating (its `validationDelayMs`, not a setting). */
const YAML_LS_DELAY_MS = 200;
/** Our peak memory at 1,000 syncs before issue 14's work (docs/benchmarks.md): it must not grow. */
const PEAK_MEMORY_BEFORE_MB = 139;

const profile = process.argv.includes('--profile');
/** Documents live here (in name only: they are sent, never written). No dot folders: yaml-ls's globs skip them. */
const WORK_DIR = mkdtempSync(path.join(tmpdir(), 'brazesync-lsp-bench-'));
const PROFILE_DIR = path.join(tmpdir(), `brazesync-lsp-profiles-${process.pid}`);

interface ServerUnderTest {
  name: string;
  languageId: string;
  start(): Promise<LspClient>;
}

const ours: ServerUnderTest = {
  name: 'brazesync',
  languageId: 'brazesync',
  start: () =>
    LspClient.start({
      command: [process.execPath, ...SERVER_NODE_FLAGS, ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []), SERVER_BUNDLE, '--stdio'],
      // An empty state directory: the benchmark measures editing, not the immutability rule.
      env: { ...process.env, BRAZESYNC_STATE_DIR: path.join(WORK_DIR, 'state') },
    }),
};

const yamlSettings = {
  schemas: { [pathToFileURL(path.join(REPO_ROOT, 'schemas/brazesync.schema.json')).href]: '*.brazesync.yaml' },
  validate: true,
  completion: true,
  hover: true,
  schemaStore: { enable: false },
};

const yamlLs: ServerUnderTest = {
  name: 'yaml-language-server',
  languageId: 'yaml',
  async start() {
    const options: StartOptions = {
      command: [process.execPath, path.join(REPO_ROOT, 'node_modules/yaml-language-server/bin/yaml-language-server'), '--stdio'],
      configuration: (section) => (section === 'yaml' ? yamlSettings : null),
    };
    const client = await LspClient.start(options);
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { yaml: yamlSettings } });
    return client;
  },
};

interface Measures {
  openMs: number;
  editMs: number;
  completionMs: number;
  completionItems: number;
  peakBytes: number;
  problems: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

let uriCounter = 0;
const freshUri = (size: number): string => pathToFileURL(path.join(WORK_DIR, `file${++uriCounter}-${size}.brazesync.yaml`)).href;

/** Sends didOpen and waits for diagnostics with content (planted problems guarantee some). */
async function openAndWait(client: LspClient, server: ServerUnderTest, uri: string, text: string): Promise<{ ms: number; published: PublishDiagnosticsParams }> {
  const waiting = client.nextDiagnostics(uri, (p) => p.diagnostics.length > 0 && (p.version === undefined || p.version === 1));
  const start = performance.now();
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: server.languageId, version: 1, text } });
  const published = await waiting;
  return { ms: performance.now() - start, published };
}

/**
 * Schema loading and JIT on a small file, as in an editor that has been open a while. yaml-ls
 * applies its settings asynchronously and may first validate without the schema, so the file is
 * re-sent until its planted problems show.
 */
async function warmUp(client: LspClient, server: ServerUnderTest): Promise<void> {
  const uri = freshUri(10);
  const text = generateSyncFile(10).text;
  let published = client.nextDiagnostics(uri);
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: server.languageId, version: 1, text } });
  for (let version = 2; (await published).diagnostics.length === 0; version++) {
    if (version > 20) throw new Error(`${server.name} reports no problems in the warm-up file`);
    published = client.nextDiagnostics(uri);
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }
  await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
}

/** Where the middle sync's `data_type` value ends (the edited character is the one before). */
function dataTypeValueEnd(file: GeneratedFile): { line: number; character: number; valueStart: number } {
  const lines = file.text.split('\n');
  const at = lines.indexOf(`  ${file.middleSync}:`);
  const line = lines.findIndex((l, i) => i > at && l.startsWith('    data_type: '));
  const text = lines[line] as string;
  return { line, character: text.length, valueStart: '    data_type: '.length };
}

async function measure(server: ServerUnderTest, file: GeneratedFile): Promise<Measures> {
  const client = await server.start();
  try {
    await warmUp(client, server);

    const opens: number[] = [];
    let uri = '';
    let problems = 0;
    for (let i = 0; i < OPENS; i++) {
      if (uri) await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
      uri = freshUri(file.syncCount);
      const { ms, published } = await openAndWait(client, server, uri, file.text);
      opens.push(ms);
      problems = published.diagnostics.length;
    }

    // (b) One character at the end of the middle sync's data_type value, alternately broken and repaired.
    const at = dataTypeValueEnd(file);
    const original = (file.text.split('\n')[at.line] as string).slice(-1);
    const range = { start: { line: at.line, character: at.character - 1 }, end: { line: at.line, character: at.character } };
    let expected = { broken: -1, repaired: problems };
    const edits: number[] = [];
    for (let version = 2; version <= EDITS + 2; version++) {
      const breaking = version % 2 === 0;
      const want = breaking ? expected.broken : expected.repaired;
      const waiting = client.nextDiagnostics(uri, (p) => (p.version === undefined || p.version === version) && (want === -1 ? p.diagnostics.length !== problems : p.diagnostics.length === want));
      const start = performance.now();
      await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: breaking ? 'z' : original }] });
      const published = await waiting;
      const ms = performance.now() - start;
      if (want === -1) expected = { ...expected, broken: published.diagnostics.length };
      else edits.push(ms); // the first edit only learns what "broken" looks like
    }

    // (c) Completion at the start of the middle sync's data_type value.
    const completions: number[] = [];
    let completionItems = 0;
    for (let i = 0; i < COMPLETIONS; i++) {
      const start = performance.now();
      const result = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: at.line, character: at.valueStart } });
      completions.push(performance.now() - start);
      completionItems = Array.isArray(result) ? result.length : (result?.items.length ?? 0);
    }

    return { openMs: median(opens), editMs: median(edits), completionMs: median(completions), completionItems, peakBytes: client.peakMemory(), problems };
  } finally {
    await client.stop().catch(() => client.kill());
  }
}

/**
 * The workspace of 200 files: our server fresh (no warm-up: a user opening a repository), then the
 * tree. yaml-ls is warmed up first, or its first validations may run before its schema setting.
 */
async function measureWorkspace(): Promise<{ ours: WorkspaceMeasures; theirs: WorkspaceMeasures; tree: { ms: number; nodes: number } }> {
  const files = writeWorkspace(path.join(WORK_DIR, 'workspace'));
  const stateRoot = path.join(WORK_DIR, 'state');
  await recordSomeState(stateRoot, files);
  const run = async (server: ServerUnderTest): Promise<WorkspaceMeasures> => {
    const client = await server.start();
    try {
      if (server === yamlLs) await warmUp(client, server);
      return await openWorkspace(client, server.languageId, files);
    } finally {
      await client.stop().catch(() => client.kill());
    }
  };
  const ourMeasures = await run(ours);
  const theirs = await run(yamlLs);
  return { ours: ourMeasures, theirs, tree: await buildTree(files, { ...process.env, BRAZESYNC_STATE_DIR: stateRoot }) };
}

const ms = (x: number): string => `${x.toFixed(1)} ms`;
const mb = (x: number): string => `${(x / 2 ** 20).toFixed(0)} MB`;
const ratio = (theirs: number, our: number): string => `${(theirs / our).toFixed(1)}×`;

async function main(): Promise<void> {
  if (profile) mkdirSync(PROFILE_DIR, { recursive: true });
  console.log(`Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)} at start (other work on the machine skews timings).\n`);
  const rows: string[][] = [];
  const results = new Map<number, { ours: Measures; theirs: Measures }>();
  for (const size of SIZES) {
    const file = generateSyncFile(size);
    const o = await measure(ours, file);
    const t = await measure(yamlLs, file);
    results.set(size, { ours: o, theirs: t });
    const undelayed = (x: number): number => x - YAML_LS_DELAY_MS;
    rows.push(
      [`${size} syncs (${file.text.split('\n').length} lines)`, '', '', ''],
      ['  (a) open → diagnostics', ms(o.openMs), ms(t.openMs), ratio(t.openMs, o.openMs)],
      [`      minus yaml-ls's ${YAML_LS_DELAY_MS} ms debounce`, ms(o.openMs), ms(undelayed(t.openMs)), ratio(undelayed(t.openMs), o.openMs)],
      ['  (b) edit → diagnostics (median)', ms(o.editMs), ms(t.editMs), ratio(t.editMs, o.editMs)],
      [`      minus yaml-ls's ${YAML_LS_DELAY_MS} ms debounce`, ms(o.editMs), ms(undelayed(t.editMs)), ratio(undelayed(t.editMs), o.editMs)],
      ['  (c) completion (median)', `${ms(o.completionMs)} (${o.completionItems} items)`, `${ms(t.completionMs)} (${t.completionItems} items)`, ratio(t.completionMs, o.completionMs)],
      ['  peak memory (VmHWM)', mb(o.peakBytes), mb(t.peakBytes), ratio(t.peakBytes, o.peakBytes)],
      ['  problems reported', String(o.problems), String(t.problems), ''],
    );
  }
  const header = ['', 'brazesync', 'yaml-ls 1.25', 'yaml-ls / ours'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));

  const workspace = await measureWorkspace();
  console.log(`\nWorkspace of ${WORKSPACE_FILES} files (${workspace.ours.syncs} syncs), all opened at once:`);
  console.log(`  (w1) → diagnostics of every file: brazesync ${ms(workspace.ours.allDiagnosticsMs)} (${workspace.ours.problems} problems), yaml-ls ${ms(workspace.theirs.allDiagnosticsMs)} (${workspace.theirs.problems} problems), ${ratio(workspace.theirs.allDiagnosticsMs, workspace.ours.allDiagnosticsMs)}`);
  console.log(`  (w2) sidebar tree's data (${workspace.tree.nodes} nodes): ${ms(workspace.tree.ms)}`);

  const big = results.get(1000);
  const mid = results.get(100);
  if (big && mid) {
    const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
    const peakMb = big.ours.peakBytes / 2 ** 20;
    console.log('\nTargets (1,000-sync file unless said):');
    console.log(`  (b) edit → diagnostics ≤ 16 ms (one frame): ${ms(big.ours.editMs)} → ${verdict(big.ours.editMs <= 16)}`);
    console.log(`  (a) open → diagnostics < 100 ms: ${ms(big.ours.openMs)} → ${verdict(big.ours.openMs < 100)}`);
    console.log(`  peak memory not above ${PEAK_MEMORY_BEFORE_MB} MB (before issue 14): ${mb(big.ours.peakBytes)} → ${verdict(peakMb <= PEAK_MEMORY_BEFORE_MB)}`);
    console.log(`  (w1) ${WORKSPACE_FILES} files: diagnostics of every file < 2 s: ${ms(workspace.ours.allDiagnosticsMs)} → ${verdict(workspace.ours.allDiagnosticsMs < 2000)}`);
    console.log(`  (w2) ${WORKSPACE_FILES} files: the sidebar tree's data < 2 s: ${ms(workspace.tree.ms)} → ${verdict(workspace.tree.ms < 2000)}`);
    console.log(`  (b) ≥ 10× faster than yaml-ls: ${ratio(big.theirs.editMs, big.ours.editMs)} → ${verdict(big.theirs.editMs >= 10 * big.ours.editMs)}`);
    console.log(`  (a) no slower than yaml-ls: ${ratio(big.theirs.openMs, big.ours.openMs)} → ${verdict(big.ours.openMs <= big.theirs.openMs)}`);
    console.log(`  strictly more problems: ${big.ours.problems} vs ${big.theirs.problems} → ${verdict(big.ours.problems > big.theirs.problems)}`);
    console.log(`  peak memory ≤ half of yaml-ls's: ${ratio(big.theirs.peakBytes, big.ours.peakBytes)} → ${verdict(2 * big.ours.peakBytes <= big.theirs.peakBytes)}`);
    console.log(`  (b) from 100 to 1,000 syncs (for information): ${ms(mid.ours.editMs)} → ${ms(big.ours.editMs)} (${(big.ours.editMs / mid.ours.editMs).toFixed(2)}×)`);
  }
  if (profile) console.log(`\nCPU profiles of our server: ${PROFILE_DIR}`);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(WORK_DIR, { recursive: true, force: true }));
