/**
 * The server never crashes and keeps answering: garbage and binary text, pathological YAML, huge
 * files, malformed messages and random edit sequences. Run `npm run build` first.
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
  type Diagnostic,
  type Position,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { generateSyncFile } from '../../bench/generate-syncs';
import { LspClient, REPO_ROOT } from './lsp-client';

const EXAMPLE = readFileSync(path.join(REPO_ROOT, 'test/fixtures/example.brazesync.yaml'), 'utf8');
let client: LspClient;
let nextId = 0;
const newUri = (name: string): string => `untitled:robust-${++nextId}-${name}.brazesync.yaml`;

before(async () => {
  client = await LspClient.start();
});

after(async () => {
  assert.equal(await client.stop(), 0);
});

/** Deterministic pseudo-random numbers (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Handler failures the server logged since log entry `from`. */
const failuresSince = (from: number): string[] =>
  client.logs
    .slice(from)
    .map((l) => l.message)
    .filter((m) => / failed: /.test(m));

/** Every request the server offers, at a few positions: all must answer (no error response). */
async function exerciseRequests(uri: string, positions: Position[]): Promise<void> {
  const textDocument = { uri };
  for (const position of positions) {
    await client.connection.sendRequest(CompletionRequest.type, { textDocument, position });
    await client.connection.sendRequest(HoverRequest.type, { textDocument, position });
    await client.connection.sendRequest(CodeActionRequest.type, { textDocument, range: { start: position, end: position }, context: { diagnostics: [] } });
  }
  await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument });
  await client.connection.sendRequest(CodeLensRequest.type, { textDocument });
}

const PATHOLOGICAL: Record<string, () => string> = {
  'random bytes': () => {
    const next = random(1);
    return Buffer.from(Array.from({ length: 20_000 }, () => Math.floor(next() * 256))).toString('latin1');
  },
  'binary-ish text': () => EXAMPLE.replace(/a/g, '\u0000').replace(/e/g, '\ud800').replace(/s/g, '\u0007\uffff'),
  'deeply nested flow collections': () => `syncs: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
  'deeply nested block mappings': () => Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n'),
  // The parser recursed once per `- ` and overflowed; completion's re-parse did too.
  '5,000-deep compact block sequence': () => `${EXAMPLE}extra:\n  ${'- '.repeat(5_000)}x\n`,
  'alias expansion bomb': () =>
    'a: &a [x, x, x, x, x, x, x, x, x]\n' +
    Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`).join('\n') +
    '\nsyncs: *j\n',
  'BOM, CRLF and tabs': () => '\ufeff' + EXAMPLE.replace(/\n/g, '\r\n').replace(/ {4}status/g, '\tstatus'),
  'only a comment': () => '# nothing here',
  'empty document': () => '',
  'several documents': () => `${EXAMPLE}---\n${EXAMPLE}...\n%YAML 1.2\n`,
  'a sequence at the top': () => '- version: 1\n- syncs: []\n',
};

for (const [name, make] of Object.entries(PATHOLOGICAL)) {
  test(`survives ${name}: diagnostics published, every request answered`, async () => {
    const uri = newUri(name.replace(/\W+/g, '-'));
    const logged = client.logs.length;
    const text = make();
    const published = await client.open(uri, text);
    assert.ok(Array.isArray(published.diagnostics));
    await exerciseRequests(uri, [
      { line: 0, character: 0 },
      { line: 0, character: 5 },
      { line: 3, character: 4 },
      { line: 1_000_000, character: 1_000_000 },
    ]);
    assert.ok(client.alive);
    assert.deepEqual(failuresSince(logged), [], 'no handler failed');
    await client.close(uri);
  });
}

test('huge files: 10,000 syncs and a 2 MB line are validated, edited and answered', async () => {
  const logged = client.logs.length;
  const big = generateSyncFile(10_000);
  const uri = newUri('huge');
  const opened = await client.open(uri, big.text);
  assert.ok(opened.diagnostics.length > 500, `planted problems reported (${opened.diagnostics.length})`);
  const line = big.text.split('\n').indexOf(`  ${big.middleSync}:`) + 1;
  const edited = await client.change(uri, 2, [{ range: { start: { line, character: 4 }, end: { line, character: 4 } }, text: 'x' }]);
  assert.ok(edited.diagnostics.some((d) => d.code === 'unknown-field' && d.range.start.line === line));
  await exerciseRequests(uri, [{ line, character: 6 }]);
  await client.close(uri);

  const longLine = newUri('long-line');
  await client.open(longLine, `version: 1\nsyncs:\n  x:\n    table: ${'A'.repeat(2_000_000)}\n`);
  await exerciseRequests(longLine, [{ line: 3, character: 1_000_000 }]);
  await client.close(longLine);
  assert.deepEqual(failuresSince(logged), []);
});

test('malformed messages are answered or ignored, never fatal', async () => {
  const logged = client.logs.length;
  const frame = (body: string): string => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const raw = [
    '{{{{ not json',
    '[1, 2, 3]',
    '{"jsonrpc":"2.0","id":"h","method":"textDocument/hover","params":null}',
    '{"jsonrpc":"2.0","id":"c","method":"textDocument/completion","params":{"textDocument":5,"position":"x"}}',
    '{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":7}}}',
    '{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"untitled:never-opened","version":2},"contentChanges":[{"text":"x"}]}}',
    '{"jsonrpc":"2.0","method":"brazeSync/stateChanged","params":{"uri":42}}',
    '{"jsonrpc":"2.0","method":"workspace/didChangeWatchedFiles","params":{"changes":[{"uri":"file:///%zz","type":1}]}}',
  ];
  for (const body of raw) client.proc.stdin?.write(frame(body));

  // Code actions with diagnostics whose data is garbage, and out-of-range edits of an open document.
  const uri = newUri('malformed');
  await client.open(uri, EXAMPLE);
  const bogus = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'x', source: 'brazesync', data: { fixes: [{ title: 7, edits: 'no' }, null] } };
  assert.deepEqual(await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: bogus.range, context: { diagnostics: [bogus] } }), []);
  const edited = await client.change(uri, 2, [{ range: { start: { line: 500, character: 3 }, end: { line: -2, character: -9 } }, text: 'garbage: [' }]);
  assert.ok(Array.isArray(edited.diagnostics));
  await exerciseRequests(uri, [{ line: -1, character: -1 }]);
  assert.ok(client.alive);
  await client.close(uri);
  assert.ok(
    failuresSince(logged).some((m) => m.startsWith('didOpen failed: TypeError')),
    'the exception from the malformed didOpen was logged',
  );
});

/** `diagnostics` with related locations in document `from` moved to document `to`. */
function withUri(diagnostics: Diagnostic[], from: string, to: string): Diagnostic[] {
  return diagnostics.map((d) =>
    d.relatedInformation ? { ...d, relatedInformation: d.relatedInformation.map((r) => (r.location.uri === from ? { ...r, location: { ...r.location, uri: to } } : r)) } : d,
  );
}

test('200 random edits: incremental diagnostics equal those of the same text opened fresh', async () => {
  const next = random(7);
  const pieces = ['x', ' ', ':', '\n', '\n    ', '  ', '-', '#', '[', '"', 'every 5 minutes', 'data_type: ', 'syncs:', ''];
  const logged = client.logs.length;
  let text = generateSyncFile(40).text;
  const uri = newUri('random-edits');
  await client.open(uri, text);
  let version = 1;
  for (let round = 0; round < 10; round++) {
    const changes: TextDocumentContentChangeEvent[] = [];
    for (let i = 0; i < 20; i++) {
      const lines = text.split('\n');
      const line = Math.floor(next() * lines.length);
      const character = Math.floor(next() * ((lines[line] as string).length + 1));
      const deleted = next() < 0.4 ? Math.floor(next() * 4) : 0;
      const end = Math.min(character + deleted, (lines[line] as string).length);
      const inserted = pieces[Math.floor(next() * pieces.length)] as string;
      changes.push({ range: { start: { line, character }, end: { line, character: end } }, text: inserted });
      lines[line] = (lines[line] as string).slice(0, character) + inserted + (lines[line] as string).slice(end);
      text = lines.join('\n');
    }
    const incremental = await client.change(uri, ++version, changes);
    const freshUri = newUri('fresh');
    const fresh = await client.open(freshUri, text);
    assert.deepEqual(incremental.diagnostics, withUri(fresh.diagnostics, freshUri, uri), `round ${round}: same diagnostics as a fresh parse`);
    await client.close(freshUri);
  }
  assert.deepEqual(failuresSince(logged), []);
});
