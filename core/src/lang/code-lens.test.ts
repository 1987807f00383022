import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseSyncFile } from '../parse/sync-document';
import { codeLenses } from './code-lens';
import { wholeVariant } from './test-cursor';

const URI = 'file:///work/syncs.brazesync.yaml';

const FILE = `version: 1
braze:
  instance: US-03
  api_key: \${env:BRAZE_API_KEY}
connections:
  warehouse:
    type: redshift
syncs:
  user_attributes:
    connection: warehouse
  purchases:
    connection: warehouse
`;

for (const mode of ['segmented', 'whole'] as const) {
  test(`three lenses on each sync name (${mode})`, () => {
    const text = mode === 'whole' ? wholeVariant(FILE) : FILE;
    const doc = parseSyncFile(text);
    assert.equal(doc.mode, mode);
    const lenses = codeLenses(doc, URI).map((l) => ({
      on: text.slice(doc.lines.offsetAt(l.range.start), doc.lines.offsetAt(l.range.end)),
      line: l.range.start.line,
      title: l.command?.title,
      command: l.command?.command,
      arguments: l.command?.arguments,
    }));
    assert.deepEqual(lenses, [
      { on: 'user_attributes', line: 8, title: 'Test Connection', command: 'brazeSync.testConnection', arguments: [URI, 'user_attributes'] },
      { on: 'user_attributes', line: 8, title: 'Preview Sync', command: 'brazeSync.previewSync', arguments: [URI, 'user_attributes'] },
      { on: 'user_attributes', line: 8, title: 'Sync Now', command: 'brazeSync.syncNow', arguments: [URI, 'user_attributes'] },
      { on: 'purchases', line: 10, title: 'Test Connection', command: 'brazeSync.testConnection', arguments: [URI, 'purchases'] },
      { on: 'purchases', line: 10, title: 'Preview Sync', command: 'brazeSync.previewSync', arguments: [URI, 'purchases'] },
      { on: 'purchases', line: 10, title: 'Sync Now', command: 'brazeSync.syncNow', arguments: [URI, 'purchases'] },
    ]);
  });
}

test('lenses in a flow mapping', () => {
  const text = 'version: 1\nsyncs: {a: {connection: w}, "b c": {}}\n';
  assert.deepEqual(codeLenses(parseSyncFile(text), URI).filter((l) => l.command?.title === 'Sync Now').map((l) => l.command?.arguments), [[URI, 'a'], [URI, 'b c']]);
});

test('no syncs, no lenses', () => {
  for (const text of ['', 'version: 1\n', 'syncs:\n', 'syncs: []\n', '- x']) assert.deepEqual(codeLenses(parseSyncFile(text), URI), [], text);
});

test('the commands are the ones the extension contributes', () => {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
  const contributed = new Set(manifest.contributes.commands.map((c) => c.command));
  for (const l of codeLenses(parseSyncFile(FILE), URI)) assert.ok(contributed.has(l.command?.command ?? ''), l.command?.command);
});
