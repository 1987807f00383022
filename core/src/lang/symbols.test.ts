import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SymbolKind, type DocumentSymbol, type Range } from 'vscode-languageserver-types';
import { parseSyncFile } from '../parse/sync-document';
import { documentSymbols } from './symbols';
import { wholeVariant } from './test-cursor';

const FILE = `version: 1
braze:
  instance: US-03
  api_key: \${env:BRAZE_API_KEY}
connections:
  warehouse:
    type: redshift
    host: example.abc123.us-east-1.redshift.amazonaws.com
    database: DB
    user: u
    password: \${env:P}
  lake:
    host: lake.example.com
syncs:
  user_attributes:
    connection: warehouse
    table: A.USERS
    data_type: custom_attributes
    schedule: every 15 minutes
    status: active

  purchases:
    connection: warehouse
    table: A.PURCHASES
    data_type: purchases
    schedule: daily at 09:00
  # a sync that is only started
  half:
`;

/** The source text of a range. */
function textOf(text: string, range: Range): string {
  const doc = parseSyncFile(text);
  return text.slice(doc.lines.offsetAt(range.start), doc.lines.offsetAt(range.end));
}

interface Outline {
  name: string;
  kind: SymbolKind;
  detail?: string;
  children?: Outline[];
}

function outline(symbols: DocumentSymbol[]): Outline[] {
  return symbols.map((s) => ({ name: s.name, kind: s.kind, ...(s.detail ? { detail: s.detail } : {}), ...(s.children ? { children: outline(s.children) } : {}) }));
}

const EXPECTED: Outline[] = [
  { name: 'braze', kind: SymbolKind.Module, detail: 'US-03' },
  {
    name: 'connections',
    kind: SymbolKind.Namespace,
    children: [
      { name: 'warehouse', kind: SymbolKind.Object, detail: 'example.abc123.us-east-1.redshift.amazonaws.com' },
      { name: 'lake', kind: SymbolKind.Object, detail: 'lake.example.com' },
    ],
  },
  {
    name: 'syncs',
    kind: SymbolKind.Namespace,
    children: [
      { name: 'user_attributes', kind: SymbolKind.Function, detail: 'custom_attributes · every 15 minutes · active' },
      // No status: the default, draft.
      { name: 'purchases', kind: SymbolKind.Function, detail: 'purchases · daily at 09:00 · draft' },
      { name: 'half', kind: SymbolKind.Function },
    ],
  },
];

describe('documentSymbols', () => {
  for (const mode of ['segmented', 'whole'] as const) {
    const text = mode === 'whole' ? wholeVariant(FILE) : FILE;

    test(`the outline (${mode})`, () => {
      const doc = parseSyncFile(text);
      assert.equal(doc.mode, mode);
      assert.deepEqual(outline(documentSymbols(doc)), EXPECTED);
    });

    test(`ranges cover the entry, selections its name (${mode})`, () => {
      const symbols = documentSymbols(parseSyncFile(text));
      const syncs = symbols.find((s) => s.name === 'syncs');
      const [first, second, third] = syncs?.children ?? [];
      assert.ok(syncs && first && second && third);
      assert.equal(textOf(text, first.selectionRange), 'user_attributes');
      assert.equal(textOf(text, first.range), 'user_attributes:\n    connection: warehouse\n    table: A.USERS\n    data_type: custom_attributes\n    schedule: every 15 minutes\n    status: active');
      assert.equal(textOf(text, second.range), 'purchases:\n    connection: warehouse\n    table: A.PURCHASES\n    data_type: purchases\n    schedule: daily at 09:00');
      assert.equal(textOf(text, third.range), 'half:');
      // `syncs` spans to its last entry even when the header segment holds only the key.
      assert.ok(textOf(text, syncs.range).startsWith('syncs:\n  user_attributes:'));
      assert.ok(textOf(text, syncs.range).endsWith('  half:'));
      assert.equal(textOf(text, symbols.find((s) => s.name === 'braze')?.range ?? syncs.range), 'braze:\n  instance: US-03\n  api_key: ${env:BRAZE_API_KEY}');
    });
  }

  test('flow style', () => {
    const text = 'version: 1\nbraze: {endpoint: "http://127.0.0.1:4010"}\nsyncs: {a: {data_type: purchases, schedule: manual, status: active}, b: {}}\n';
    assert.deepEqual(outline(documentSymbols(parseSyncFile(text))), [
      { name: 'braze', kind: SymbolKind.Module, detail: 'http://127.0.0.1:4010' },
      {
        name: 'syncs',
        kind: SymbolKind.Namespace,
        children: [
          { name: 'a', kind: SymbolKind.Function, detail: 'purchases · manual · active' },
          { name: 'b', kind: SymbolKind.Function, detail: 'draft' },
        ],
      },
    ]);
  });

  test('documents that are not a mapping have no symbols', () => {
    for (const text of ['', '- a', 'just text', '{', ': :']) assert.deepEqual(documentSymbols(parseSyncFile(text)), [], text);
  });

  test('every range holds its selection range, whatever the input', () => {
    const inside = (outer: Range, inner: Range): boolean =>
      (outer.start.line < inner.start.line || (outer.start.line === inner.start.line && outer.start.character <= inner.start.character)) &&
      (outer.end.line > inner.end.line || (outer.end.line === inner.end.line && outer.end.character >= inner.end.character));
    const check = (symbols: DocumentSymbol[]): void => {
      for (const s of symbols) {
        assert.ok(inside(s.range, s.selectionRange), `${s.name}: ${JSON.stringify(s)}`);
        for (const c of s.children ?? []) assert.ok(inside(s.range, c.range), `${c.name} inside ${s.name}`);
        check(s.children ?? []);
      }
    };
    for (let cut = 0; cut <= FILE.length; cut += 7) {
      check(documentSymbols(parseSyncFile(FILE.slice(0, cut))));
      check(documentSymbols(parseSyncFile(FILE.slice(cut))));
    }
  });
});
