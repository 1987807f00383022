/**
 * Data type immutability in the editor: the server follows recorded sync state while files are
 * open, because the CLI or the engine may run a sync at any time. Run `npm run build` first.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { CodeActionRequest, DidChangeWatchedFilesNotification, FileChangeType, type CodeAction, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { applyEdits } from '../../core/src/lang/test-cursor';
import { StateChangedNotification } from '../../core/src/protocol';
import { LspClient, messageText, REPO_ROOT } from './lsp-client';

const EXAMPLE = readFileSync(path.join(REPO_ROOT, 'test/fixtures/example.brazesync.yaml'), 'utf8');
const dir = mkdtempSync(path.join(tmpdir(), 'brazesync-lsp-state-'));
const env = { ...process.env };
delete env.BRAZESYNC_STATE_DIR;
let client: LspClient;

before(async () => {
  client = await LspClient.start({ env });
});

after(async () => {
  await client.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a sync's state the way the engine does: a temporary file renamed into place. */
function recordState(stateRoot: string, stem: string, sync: string, dataType: string, recordedAt = '2026-01-02T03:04:05.000Z'): void {
  const syncDir = path.join(stateRoot, stem, sync);
  mkdirSync(syncDir, { recursive: true });
  const tmp = path.join(syncDir, `state.json.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify({ version: 1, sync, data_type: dataType, data_type_recorded_at: recordedAt, watermark: null }));
  renameSync(tmp, path.join(syncDir, 'state.json'));
}

function definitionFile(folder: string, name: string, text = EXAMPLE): string {
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, name);
  writeFileSync(file, text);
  return pathToFileURL(file).href;
}

const immutable = (p: PublishDiagnosticsParams) => p.diagnostics.filter((d) => d.code === 'data-type-immutable');

test('a sync run recorded while the file is open flags the changed data type, and the revert fix clears it', async () => {
  const folder = path.join(dir, 'live');
  const uri = definitionFile(folder, 'orders.brazesync.yaml');
  const opened = await client.open(uri, EXAMPLE);
  assert.deepEqual(opened.diagnostics, [], 'no state yet: nothing to say');

  // `.brazesync/` does not exist yet: the first run creates it. No notification from the client.
  const flagged = client.nextDiagnostics(uri, (p) => immutable(p).length > 0);
  recordState(path.join(folder, '.brazesync'), 'orders', 'user_attributes', 'custom_events');
  const published = await flagged;
  const [d] = immutable(published);
  assert.ok(d);
  assert.match(messageText(d), /custom_events/);
  assert.match(messageText(d), /2026-01-02/);
  const line = EXAMPLE.split('\n').indexOf('    data_type: custom_attributes');
  assert.equal(d.range.start.line, line);

  const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: d.range,
    context: { diagnostics: published.diagnostics },
  })) as CodeAction[];
  const revert = actions.find((a) => /Revert/.test(a.title));
  assert.ok(revert, `offers a revert, got ${actions.map((a) => a.title).join(', ')}`);
  const edits = revert.edit?.changes?.[uri] ?? [];
  const reverted = applyEdits(EXAMPLE, edits);
  assert.match(reverted, /user_attributes:\n[\s\S]*?data_type: custom_events/);
  const after = await client.change(uri, 2, edits.map((e) => ({ range: e.range, text: e.newText })));
  assert.deepEqual(after.diagnostics, []);

  // A later run records yet another type (state rewritten in place): flagged again.
  const again = client.nextDiagnostics(uri, (p) => immutable(p).some((x) => /purchases/.test(messageText(x))));
  recordState(path.join(folder, '.brazesync'), 'orders', 'user_attributes', 'purchases');
  await again;

  // State removed (a reset): nothing is known any more, so nothing is said.
  const forgotten = client.nextDiagnostics(uri, (p) => immutable(p).length === 0);
  rmSync(path.join(folder, '.brazesync'), { recursive: true, force: true });
  await forgotten;

  // And recreated: the watch follows the directory back.
  const recreated = client.nextDiagnostics(uri, (p) => immutable(p).length > 0);
  recordState(path.join(folder, '.brazesync'), 'orders', 'user_attributes', 'user_deletes');
  await recreated;
  await client.close(uri);
});

// Nothing changes on disk here, so only the notifications can cause the re-published diagnostics.
test('brazeSync/stateChanged and watched-file events re-check open documents', async () => {
  const folder = path.join(dir, 'notified');
  const uri = definitionFile(folder, 'orders.brazesync.yaml');
  const opened = await client.open(uri, EXAMPLE);

  const republished = client.nextDiagnostics(uri, (p) => p.version === opened.version);
  await client.connection.sendNotification(StateChangedNotification, { uri });
  await republished;

  const afterFileEvent = client.nextDiagnostics(uri, (p) => p.version === opened.version);
  const stateFile = pathToFileURL(path.join(folder, '.brazesync/orders/purchases/state.json')).href;
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: stateFile, type: FileChangeType.Changed }] });
  await afterFileEvent;

  const afterBroadcast = client.nextDiagnostics(uri, (p) => p.version === opened.version);
  await client.connection.sendNotification(StateChangedNotification, {});
  await afterBroadcast;
  await client.close(uri);
});

test('the state directory comes from initializationOptions.stateDir, relative to the workspace', async () => {
  const workspace = path.join(dir, 'workspace');
  recordState(path.join(workspace, 'custom-state'), 'orders', 'purchases', 'custom_events');
  const uri = definitionFile(path.join(workspace, 'defs'), 'orders.brazesync.yaml');
  const configured = await LspClient.start({ env, rootUri: pathToFileURL(workspace).href, initializationOptions: { stateDir: 'custom-state' } });
  try {
    const { diagnostics } = await configured.open(uri, EXAMPLE);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range.start.line]),
      [['data-type-immutable', EXAMPLE.split('\n').indexOf('    data_type: purchases')]],
    );
  } finally {
    await configured.stop();
  }
});

test('BRAZESYNC_STATE_DIR moves the state directory', async () => {
  const stateRoot = path.join(dir, 'env-state');
  recordState(stateRoot, 'billing', 'user_attributes', 'user_deletes');
  const uri = definitionFile(path.join(dir, 'env-defs'), 'billing.brazesync.yaml');
  const withEnv = await LspClient.start({ env: { ...env, BRAZESYNC_STATE_DIR: stateRoot } });
  try {
    const { diagnostics } = await withEnv.open(uri, EXAMPLE);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, /user_deletes/.test(messageText(d))]),
      [['data-type-immutable', true]],
    );
  } finally {
    await withEnv.stop();
  }
});
