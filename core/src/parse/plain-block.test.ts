import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { seededRandom } from '../../testing/random';
import { parsePlainBlock } from './plain-block';
import { scanSegments } from './segment-scan';

const OPTIONS = { uniqueKeys: false, prettyErrors: false, strict: true } as const;

/** Everything of a parse the rest of core may read: node kinds, values, ranges, flags, errors, JS value. */
function dump(doc: Document.Parsed): string {
  const node = (n: unknown): unknown => {
    if (isMap(n) || isSeq(n)) return { kind: n.constructor.name, range: n.range, flow: n.flow ?? false, spaceBefore: n.spaceBefore, comment: n.comment, items: n.items.map(node) };
    if (isPair(n)) return { key: node(n.key), value: node(n.value) };
    if (isScalar(n)) {
      const { value, range, source, type, format, spaceBefore, comment, commentBefore, tag, anchor } = n as typeof n & { minFractionDigits?: number };
      return { value: typeof value === 'number' ? `number ${String(value)}` : value, range, source, type, format, spaceBefore, comment, commentBefore, tag, anchor, minFractionDigits: (n as { minFractionDigits?: number }).minFractionDigits };
    }
    return n === null ? null : `unexpected ${String(n)}`;
  };
  return JSON.stringify({ range: doc.range, errors: doc.errors.length, warnings: doc.warnings.length, directives: doc.directives, keys: Object.keys(doc).sort(), contents: node(doc.contents), js: String(JSON.stringify(doc.toJS(), (_, v: unknown) => (typeof v === 'number' ? String(v) : v))), text: doc.toString() });
}

function agrees(text: string): boolean {
  const fast = parsePlainBlock(text, OPTIONS);
  if (!fast) return false;
  assert.equal(dump(fast), dump(parseDocument(text, OPTIONS)), `the fast path differs from the library on:\n${text}`);
  return true;
}

const SCALARS = ['every 15 minutes', 'custom_attributes', '5439', '1.50', '0x1F', '0o17', 'true', 'False', 'null', '~', '-3', '+12', '.5', '1e309', '-.inf', '.NaN', 'a:b', 'x@y.z', 'http://a.b/c?d=1', 'INGESTION.T_1', 'yes', '12:30', '2026-01-01', 'a - b', 'a, b', 'x ]', 'a  b', '-x', '0', '00', '1_000', "it's", 'say "hi"', 'a\\b', 'x!y', 'a&b *c', 'a|b', 'a>b', '50%', 'a@b', 'a`b', 'é', '${env:X}', 'a?b', 'a -b'];
const FLOWS = ["[it's, a&b]", '[${env:X}, 50%]', '[a b, c]', '[a, b]', '[]', '[x@y.z]', '[ a ]', '[a,b]', '[a, [b]]', '[a, b', '[1, true, null]', '[a,  b]', '[a, b] x'];

function segment(random: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const lines: string[] = [];
  const trail = (): string => (random() < 0.15 ? ' '.repeat(1 + Math.floor(random() * 2)) : '');
  const body = (indent: number, depth: number): void => {
    const keys = 1 + Math.floor(random() * 5);
    for (let k = 0; k < keys; k++) {
      if (random() < 0.15) lines.push(random() < 0.5 ? '' : '  ');
      const key = pick(['connection', 'table', 'data_type', 'schedule', 'contacts', 'status', 'k', 'true', '1', 'a b', 'x-y', 'table']);
      const pad = ' '.repeat(indent);
      const r = random();
      if (r < 0.45) lines.push(`${pad}${key}: ${pick(SCALARS)}${trail()}`);
      else if (r < 0.6) lines.push(`${pad}${key}: ${pick(FLOWS)}${trail()}`);
      else if (r < 0.75) {
        lines.push(`${pad}${key}:${trail()}`);
        const itemPad = ' '.repeat(indent + (random() < 0.8 ? 2 : 0));
        for (let i = 1 + Math.floor(random() * 3); i > 0; i--) lines.push(`${itemPad}- ${pick(SCALARS)}${trail()}`);
      } else if (r < 0.9 && depth < 2) {
        lines.push(`${pad}${key}:${trail()}`);
        body(indent + pick([2, 2, 4]), depth + 1);
      } else lines.push(`${pad}${key}:`);
    }
  };
  const indent = pick([0, 2]);
  lines.push(`${' '.repeat(indent)}sync_${Math.floor(random() * 100)}:`);
  body(indent + 2, 0);
  let text = lines.join('\n') + pick(['\n', '', '\n\n', '\n  \n']);
  if (random() < 0.2) {
    const at = Math.floor(random() * text.length);
    text = text.slice(0, at) + pick(['#', ' ', '\n', ':', '-', '"', '[', '\t', 'x']) + text.slice(at);
  }
  return text;
}

test('the fast path builds what the YAML library builds, on 40,000 random plain block texts', () => {
  const random = seededRandom(4242);
  let accepted = 0;
  for (let i = 0; i < 40_000; i++) if (agrees(segment(random))) accepted++;
  assert.ok(accepted > 3_000, `the fast path took ${accepted} texts`);
});

test('the syncs of the README example and of the benchmark style take the fast path and agree', () => {
  const example = readFileSync(path.join(__dirname, '../../../test/fixtures/example.brazesync.yaml'), 'utf8');
  const benchStyle = 'syncs:\n  sync_0000:\n    connection: warehouse\n    table: INGESTION.SYNC_0000_SYNC\n    data_type: custom_attributes\n    schedule: every 15 minutes\n    contacts: \n      - data-eng@example.com\n      - crm-team@example.com\n    status: draft\n    lookback: 30 minutes\n    batch_size: 50\n\n  sync_0001:\n    contacts: [data-eng@example.com, oncall@@example]\n    schedule: weekly on monday at 06:30\n';
  for (const text of [example, benchStyle]) {
    const layout = scanSegments(text);
    assert.ok(layout);
    for (const span of layout.syncs) assert.ok(agrees(text.slice(span.start, span.end)), text.slice(span.start, span.end));
  }
});

test('texts outside the plain block style are left to the library', () => {
  for (const text of ['a: "x"\n', 'a: 1 # c\n', 'a: &x 1\nb: *x\n', 'a: {b: 1}\n', '- a\n', 'a:\n  b\n  c\n', 'a: 1\na: 2\n', 'a: |\n  x\n', '\ta: 1\n', 'a: 1\r\n', 'a:\n', '? a\n: b\n']) {
    assert.equal(parsePlainBlock(text, OPTIONS), undefined, text);
  }
});
