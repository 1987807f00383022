import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseSyncFile, SegmentCache } from '../parse/sync-document';
import { validate } from './validate';
import { seededRandom } from '../../testing/random';

const EXAMPLE = readFileSync(path.join(__dirname, '../../../test/fixtures/example.brazesync.yaml'), 'utf8');
const ALPHABET = [':', '-', ' ', '  ', '\n', '"', "'", '{', '}', '[', ']', ',', '&a', '*a', '#', '|', '>', '!', '%', '@', '\t', '---\n', '\u00e9', '\ud83d\ude00', '${env:', '<<: ', '? ', '\r\n', '\\', '0x', '~'];

function mutate(text: string, random: () => number): string {
  const pos = Math.floor(random() * (text.length + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const lines = text.split('\n');
  switch (Math.floor(random() * 6)) {
    case 0:
      return text.slice(0, pos) + pick(ALPHABET) + text.slice(pos);
    case 1:
      return text.slice(0, pos) + text.slice(pos + 1 + Math.floor(random() * 20));
    case 2: {
      const i = Math.floor(random() * lines.length);
      lines.splice(i, 0, lines[Math.floor(random() * lines.length)] ?? '');
      return lines.join('\n');
    }
    case 3: {
      const i = Math.floor(random() * lines.length);
      lines[i] = (random() < 0.5 ? ' ' : '') + (lines[i] ?? '').slice(random() < 0.5 ? 1 : 0);
      return lines.join('\n');
    }
    case 4:
      return text.slice(0, pos);
    default:
      return text.slice(0, pos) + String.fromCharCode(Math.floor(random() * 0x3000)) + text.slice(pos);
  }
}

test('10,000 randomly mutated documents never crash the validator', () => {
  const random = seededRandom(20261128);
  const cache = new SegmentCache();
  let text = EXAMPLE;
  for (let i = 0; i < 10_000; i++) {
    // Mostly a random walk (like typing), sometimes a fresh start from the example.
    text = mutate(i % 50 === 0 ? EXAMPLE : text, random);
    try {
      const doc = parseSyncFile(text, cache);
      const diagnostics = validate(doc);
      for (const d of diagnostics) {
        assert.ok(d.range.start.line <= d.range.end.line, 'range is ordered');
        assert.ok(d.message.length > 0 && d.code.length > 0);
      }
    } catch (err) {
      assert.fail(`mutation ${i} crashed: ${(err as Error).stack}\n--- input ---\n${text}`);
    }
  }
});
