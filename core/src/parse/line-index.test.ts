import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from './line-index';

test('lines end at CRLF, LF or a lone CR, as LSP counts them', () => {
  const text = 'a: 1\r\nb: 2\nc: 3\rd: 4';
  const lines = new LineIndex(text);
  assert.equal(lines.lineCount, 4);
  assert.deepEqual([0, 1, 2, 3].map((l) => lines.lineText(l)), ['a: 1', 'b: 2', 'c: 3', 'd: 4']);
  assert.deepEqual(lines.positionAt(text.indexOf('d')), { line: 3, character: 0 });
  assert.equal(lines.offsetAt({ line: 2, character: 99 }), text.indexOf('\r', 12), 'a position past the end of a line stops at its end');
});

test('a CR-only file: every range stays inside its line', () => {
  const text = 'version: 1\rbraze:\r  instance: US-03\r  api_key: x\r';
  const lines = new LineIndex(text);
  for (let o = 0; o <= text.length; o++) {
    const p = lines.positionAt(o);
    assert.ok(p.character <= lines.lineText(p.line).length + 1, `offset ${o} → ${JSON.stringify(p)}`);
  }
});

test('diagnostics of a CR-only file point inside their lines', async () => {
  const { parseSyncFile } = await import('./sync-document');
  const { validate } = await import('../lang/validate');
  const text = 'version: 1\rbraze:\r  instanse: US-03\r  api_key: ${env:K}\rconnections: {}\rsyncs: {}\r';
  const lines = new LineIndex(text);
  const diagnostics = validate(parseSyncFile(text));
  assert.ok(diagnostics.length > 0);
  for (const d of diagnostics) {
    assert.ok(d.range.end.character <= lines.lineText(d.range.end.line).length, `${d.code} ends past its line: ${JSON.stringify(d.range)}`);
  }
  // The YAML library does not take a lone CR as a line break, so such a file is full of syntax
  // errors; what matters here is that each one is placed on the line the editor shows.
  assert.deepEqual([...new Set(diagnostics.map((d) => d.range.start.line))], [0, 1, 2, 3, 4, 5]);
});
