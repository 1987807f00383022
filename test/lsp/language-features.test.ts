/**
 * The language server driven as a real client drives it: `node dist/server.js --stdio`, LSP over
 * JSON-RPC. Run `npm run build` first.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import {
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  DocumentSymbolRequest,
  HoverRequest,
  TextDocumentSyncKind,
  type CodeAction,
  type CompletionItem,
  type Diagnostic,
  type DocumentSymbol,
  type MarkupContent,
  type Position,
} from 'vscode-languageserver-protocol/node';
import { applyEdits, withCursor } from '../../core/src/lang/test-cursor';
import { LspClient, messageText, REPO_ROOT } from './lsp-client';

const EXAMPLE = readFileSync(path.join(REPO_ROOT, 'test/fixtures/example.brazesync.yaml'), 'utf8');
/** The draft sync's connection (an active sync's missing connection is a different problem). */
const PURCHASES_CONNECTION = 'connection: warehouse\n    table: INGESTION.PURCHASES_SYNC';
let client: LspClient;
let nextId = 0;
/** A fresh `untitled:` document per test, so tests do not share state (no file, so no recorded state). */
const newUri = (): string => `untitled:features-${++nextId}.brazesync.yaml`;

before(async () => {
  client = await LspClient.start();
});

after(async () => {
  assert.equal(await client.stop(), 0, 'the server exits cleanly after shutdown/exit');
});

function positionOf(text: string, needle: string, offsetInNeedle = 0): Position {
  const offset = text.indexOf(needle);
  assert.notEqual(offset, -1, `test text contains ${needle}`);
  const before = text.slice(0, offset + offsetInNeedle).split('\n');
  return { line: before.length - 1, character: (before[before.length - 1] as string).length };
}

const codes = (diagnostics: Diagnostic[]): string[] => diagnostics.map((d) => String(d.code)).sort();

test('initialize advertises incremental sync and every language feature', () => {
  const { capabilities, serverInfo } = client.initializeResult;
  assert.equal(serverInfo?.name, 'brazesync-ls');
  assert.deepEqual(capabilities.textDocumentSync, { openClose: true, change: TextDocumentSyncKind.Incremental });
  assert.deepEqual(capabilities.completionProvider?.triggerCharacters, [':', ' ']);
  assert.ok(capabilities.hoverProvider);
  assert.ok(capabilities.codeActionProvider);
  assert.ok(capabilities.documentSymbolProvider);
  assert.ok(capabilities.codeLensProvider);
});

test('a valid file gets empty diagnostics for its version', async () => {
  const published = await client.open(newUri(), EXAMPLE, 7);
  assert.equal(published.version, 7);
  assert.deepEqual(published.diagnostics, []);
});

test('didOpen publishes diagnostics with code, range, severity, source and docs link', async () => {
  const text = EXAMPLE.replace('every 15 minutes', 'every 5 minutes');
  const { diagnostics } = await client.open(newUri(), text);
  assert.deepEqual(codes(diagnostics), ['schedule-too-frequent']);
  const [d] = diagnostics as [Diagnostic];
  const start = positionOf(text, 'every 5 minutes');
  assert.equal(d.range.start.line, start.line);
  assert.ok(d.range.start.character >= start.character && d.range.end.character <= start.character + 'every 5 minutes'.length, 'range lies on the schedule value');
  assert.equal(d.severity, 1);
  assert.equal(d.source, 'brazesync');
  assert.equal(d.codeDescription?.href, 'https://github.com/brazesync/brazesync#schedule-too-frequent');
  assert.match(messageText(d), /15 minutes/);
});

test('incremental edits: each version gets its own diagnostics', async () => {
  const uri = newUri();
  let text = EXAMPLE;
  await client.open(uri, text);

  // Break the data type of the second sync with a one-character insertion.
  const at = positionOf(text, 'data_type: purchases', 'data_type: purchases'.length);
  const broken = await client.change(uri, 2, [{ range: { start: at, end: at }, text: 'x' }]);
  text = applyEdits(text, [{ range: { start: at, end: at }, newText: 'x' }]);
  assert.deepEqual(codes(broken.diagnostics), ['invalid-value']);
  assert.equal(broken.diagnostics[0]?.range.start.line, at.line);

  // Repair it and break the (draft) sync's connection in one notification with two changes.
  const conn = positionOf(text, PURCHASES_CONNECTION, 'connection: '.length);
  const end = { line: at.line, character: at.character + 1 };
  const changes = [
    { range: { start: at, end }, text: '' },
    { range: { start: conn, end: { line: conn.line, character: conn.character + 'warehouse'.length } }, text: 'warehose' },
  ];
  const next = await client.change(uri, 3, changes);
  assert.deepEqual(codes(next.diagnostics), ['unknown-connection']);
  assert.equal(next.diagnostics[0]?.range.start.line, conn.line);
});

test('related information points at the sync that reads the table first', async () => {
  const uri = newUri();
  const text = EXAMPLE.replace('INGESTION.PURCHASES_SYNC', 'INGESTION.USERS_ATTRIBUTES_SYNC');
  const { diagnostics } = await client.open(uri, text);
  const d = diagnostics.find((x) => x.code === 'duplicate-table');
  assert.ok(d, 'duplicate-table reported');
  assert.equal(d.relatedInformation?.[0]?.location.uri, uri);
  assert.equal(d.relatedInformation?.[0]?.location.range.start.line, positionOf(text, 'INGESTION.USERS_ATTRIBUTES_SYNC').line);
});

test('completion offers the data types on a data_type value', async () => {
  const { text, position } = withCursor(EXAMPLE.replace('data_type: purchases', 'data_type: <|>'));
  const uri = newUri();
  await client.open(uri, text);
  const result = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
  const items = (Array.isArray(result) ? result : (result?.items ?? [])) as CompletionItem[];
  for (const label of ['custom_attributes', 'custom_events', 'purchases', 'user_deletes']) assert.ok(items.some((i) => i.label === label), `offers ${label}`);
});

test('completion offers missing keys of a sync', async () => {
  const { text, position } = withCursor(EXAMPLE.replace('    status: draft\n', '    status: draft\n    <|>\n'));
  const uri = newUri();
  await client.open(uri, text);
  const result = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
  const labels = ((Array.isArray(result) ? result : (result?.items ?? [])) as CompletionItem[]).map((i) => i.label);
  assert.ok(labels.includes('lookback') && labels.includes('batch_size'), `offers optional keys, got ${labels.join(', ')}`);
  assert.ok(!labels.includes('table'), 'does not offer a key the sync already has');
});

test('hover shows the schema documentation as markdown', async () => {
  const uri = newUri();
  await client.open(uri, EXAMPLE);
  const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(EXAMPLE, 'data_type: purchases', 2) });
  const contents = hover?.contents as MarkupContent;
  assert.equal(contents.kind, 'markdown');
  assert.match(contents.value, /Fixed once the sync has run/);
});

test('a quick fix from the diagnostics, applied, clears the problem', async () => {
  const uri = newUri();
  let text = EXAMPLE.replace(PURCHASES_CONNECTION, PURCHASES_CONNECTION.replace('warehouse', 'warehous'));
  const { diagnostics } = await client.open(uri, text);
  const problem = diagnostics.find((d) => d.code === 'unknown-connection');
  assert.ok(problem, 'unknown-connection reported');

  const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: { start: problem.range.start, end: problem.range.start },
    context: { diagnostics },
  })) as CodeAction[];
  const fix = actions.find((a) => a.title === 'Change to `warehouse`');
  assert.ok(fix, `offers the fix, got ${actions.map((a) => a.title).join(', ')}`);
  assert.equal(fix.kind, 'quickfix');
  assert.equal(fix.isPreferred, true);
  const edits = fix.edit?.changes?.[uri] ?? [];
  assert.ok(edits.length > 0);

  text = applyEdits(text, edits);
  assert.equal(text, EXAMPLE);
  const after = await client.change(uri, 2, edits.map((e) => ({ range: e.range, text: e.newText })));
  assert.deepEqual(after.diagnostics, []);
});

test('a catalog sync without catalog: missing-catalog on data_type, and the quick fix adds the sync name', async () => {
  const uri = newUri();
  const text = EXAMPLE.replace('    data_type: purchases', '    data_type: catalog_items');
  const { diagnostics } = await client.open(uri, text);
  const problem = diagnostics.find((d) => d.code === 'missing-catalog');
  assert.ok(problem, `missing-catalog reported, got ${codes(diagnostics).join(', ')}`);
  assert.deepEqual(problem.range, { start: positionOf(text, 'catalog_items'), end: positionOf(text, 'catalog_items', 'catalog_items'.length) });
  const actions = (await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: problem.range, context: { diagnostics } })) as CodeAction[];
  const fix = actions.find((a) => a.title === 'Add `catalog: purchases`');
  assert.ok(fix, `offers the fix, got ${actions.map((a) => a.title).join(', ')}`);
  const edits = fix.edit?.changes?.[uri] ?? [];
  assert.ok(applyEdits(text, edits).includes('    data_type: catalog_items\n    catalog: purchases\n'));
  const after = await client.change(uri, 2, edits.map((e) => ({ range: e.range, text: e.newText })));
  assert.deepEqual(after.diagnostics, []);
});

test('document symbols outline braze, connections and syncs', async () => {
  const uri = newUri();
  await client.open(uri, EXAMPLE);
  const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
  assert.deepEqual(
    symbols.map((s) => [s.name, s.children?.map((c) => c.name)]),
    [
      ['braze', undefined],
      ['connections', ['warehouse']],
      ['syncs', ['user_attributes', 'purchases']],
    ],
  );
  const first = symbols.find((s) => s.name === 'syncs')?.children?.[0];
  assert.equal(first?.selectionRange.start.line, positionOf(EXAMPLE, '  user_attributes:').line);
  assert.match(first?.detail ?? '', /custom_attributes/);
});

test('code lenses offer Test Connection, Preview and Sync Now on each sync', async () => {
  const uri = newUri();
  await client.open(uri, EXAMPLE);
  const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
  assert.deepEqual(
    lenses.map((l) => [l.range.start.line, l.command?.command, l.command?.arguments]),
    ['  user_attributes:', '  purchases:'].flatMap((key) => {
      const line = positionOf(EXAMPLE, key).line;
      const name = key.trim().slice(0, -1);
      return ['brazeSync.testConnection', 'brazeSync.previewSync', 'brazeSync.syncNow'].map((command) => [line, command, [uri, name]]);
    }),
  );
});

test('closing a document clears its diagnostics; requests on it get empty answers', async () => {
  const uri = newUri();
  await client.open(uri, EXAMPLE.replace('every 15 minutes', 'every 5 minutes'));
  const cleared = await client.close(uri);
  assert.deepEqual(cleared.diagnostics, []);
  const position = { line: 0, character: 0 };
  assert.equal(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position }), null);
  assert.deepEqual(await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position }), []);
  assert.deepEqual(await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }), []);
});

test('a plain-text client gets plain-text hovers, flat symbols and no related information', async () => {
  const plain = await LspClient.start({ capabilities: { textDocument: { hover: { contentFormat: ['plaintext'] } } } });
  try {
    const uri = newUri();
    const text = EXAMPLE.replace('INGESTION.PURCHASES_SYNC', 'INGESTION.USERS_ATTRIBUTES_SYNC');
    const { diagnostics } = await plain.open(uri, text);
    const duplicate = diagnostics.find((d) => d.code === 'duplicate-table');
    assert.ok(duplicate);
    assert.equal(duplicate.relatedInformation, undefined);
    assert.equal(duplicate.codeDescription, undefined);

    const hover = await plain.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(text, 'data_type: purchases', 2) });
    const contents = hover?.contents as MarkupContent;
    assert.equal(contents.kind, 'plaintext');
    assert.doesNotMatch(contents.value, /\*\*|`/);
    assert.match(contents.value, /Fixed once the sync has run/);

    const symbols = await plain.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
    const purchases = symbols?.find((s) => s.name === 'purchases');
    assert.ok(purchases && 'location' in purchases, 'SymbolInformation with a location');
    assert.equal(purchases.containerName, 'syncs');
  } finally {
    await plain.stop();
  }
});

test('the server also runs over node-ipc', async () => {
  const ipc = await LspClient.start({ transport: 'node-ipc' });
  try {
    assert.equal(ipc.initializeResult.serverInfo?.name, 'brazesync-ls');
    const { diagnostics } = await ipc.open(newUri(), EXAMPLE.replace('every 15 minutes', 'every 5 minutes'));
    assert.deepEqual(codes(diagnostics), ['schedule-too-frequent']);
  } finally {
    assert.equal(await ipc.stop(), 0);
  }
});
