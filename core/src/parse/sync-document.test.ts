import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { validate } from '../lang/validate';
import { parseSyncFile, segmentAt, SegmentCache, type SyncFileDocument } from './sync-document';
import { seededRandom } from '../../testing/random';

const EXAMPLE = readFileSync(path.join(__dirname, '../../../test/fixtures/example.brazesync.yaml'), 'utf8');

function withSyncs(n: number): string {
  const head = EXAMPLE.slice(0, EXAMPLE.indexOf('syncs:\n') + 'syncs:\n'.length);
  let text = head;
  for (let i = 0; i < n; i++) text += `  s${i}:\n    connection: warehouse\n    table: INGESTION.T${i}\n    data_type: custom_attributes\n    schedule: every 15 minutes\n\n`;
  return text;
}

/** What a parse means, independent of object identity: names, spans, and every diagnostic. */
function meaning(doc: SyncFileDocument): unknown {
  return {
    mode: doc.mode,
    syncs: doc.syncs.map((s) => [s.name, s.segment.toAbs(0), s.segment.text.length]),
    diagnostics: validate(doc),
  };
}

test('an edit inside one sync re-parses only that sync', () => {
  const cache = new SegmentCache();
  const text = withSyncs(50);
  const before = parseSyncFile(text, cache);
  const at = text.indexOf('INGESTION.T25') + 'INGESTION.T2'.length;
  const after = parseSyncFile(text.slice(0, at) + '9' + text.slice(at), cache);
  assert.equal(after.mode, 'segmented');
  assert.equal(after.syncs[25]?.segment.doc !== before.syncs[25]?.segment.doc, true);
  for (const i of [0, 24, 26, 49]) assert.equal(after.syncs[i]?.segment.doc, before.syncs[i]?.segment.doc, `sync ${i} keeps its parse`);
  assert.equal(after.syncs[26]?.segment.toAbs(0), (before.syncs[26]?.segment.toAbs(0) ?? 0) + 1, 'later syncs shift');
  assert.deepEqual(meaning(after), meaning(parseSyncFile(after.text)));
});

test('segmentAt finds the sync under an offset', () => {
  const text = withSyncs(20);
  const doc = parseSyncFile(text);
  assert.equal(segmentAt(doc, text.indexOf('INGESTION.T7')), doc.syncs[7]?.segment);
  assert.equal(segmentAt(doc, text.indexOf('api_key')), doc.header);
  assert.equal(segmentAt(doc, text.length), doc.syncs[19]?.segment);
});

test('typing through one cache means exactly what a fresh parse means', () => {
  const random = seededRandom(7);
  const pieces = ['x', ' ', ':', '\n', '\n    ', '\n  ', '\n  t9:\n    table: a.b', '#', '-', '"', '&a ', 'every 5 minutes', '\t', ''];
  const cache = new SegmentCache();
  let text = withSyncs(12);
  let segmented = 0;
  for (let step = 0; step < 400; step++) {
    if (step % 40 === 0) text = withSyncs(12);
    const at = Math.floor(random() * (text.length + 1));
    const cut = random() < 0.4 ? Math.floor(random() * 6) : 0;
    const insert = pieces[Math.floor(random() * pieces.length)] ?? '';
    text = text.slice(0, at) + insert + text.slice(at + cut);
    const incremental = parseSyncFile(text, cache);
    if (incremental.mode === 'segmented') segmented++;
    assert.deepEqual(meaning(incremental), meaning(parseSyncFile(text)), `step ${step}`);
  }
  assert.ok(segmented > 100, `many steps stay segmented (${segmented})`);
});
