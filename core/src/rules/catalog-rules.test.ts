import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseSyncFile } from '../parse/sync-document';
import { validate } from '../lang/validate';

// The README's example without its syncs: the tests add their own.
const EXAMPLE = readFileSync(path.join(__dirname, '../../../test/fixtures/example.brazesync.yaml'), 'utf8');
const HEAD = EXAMPLE.slice(0, EXAMPLE.indexOf('syncs:\n') + 'syncs:\n'.length);

function problems(syncs: string) {
  const text = HEAD + syncs;
  const doc = parseSyncFile(text);
  return validate(doc, {}).map((d) => {
    const start = doc.lines.offsetAt(d.range.start);
    return { code: d.code, severity: d.severity, text: text.slice(start, doc.lines.offsetAt(d.range.end)), line: d.range.start.line + 1, message: d.message, fixes: d.fixes, start };
  });
}

const catalogSync = (name: string, extra: string) => `  ${name}:\n    connection: warehouse\n    table: INGESTION.RESTAURANTS\n    data_type: catalog_items\n${extra}    schedule: every 1 hours\n`;

test('a catalog sync named like its catalog is clean', () => {
  assert.deepEqual(problems(catalogSync('restaurants', '    catalog: restaurants\n')), []);
});

test('missing catalog: an error on the data_type value, with a fix adding the sync name', () => {
  const text = HEAD + catalogSync('restaurants', '');
  const [p, ...rest] = problems(catalogSync('restaurants', ''));
  assert.deepEqual(rest, []);
  assert.equal(p?.code, 'missing-catalog');
  assert.equal(p?.severity, 'error');
  assert.equal(p?.text, 'catalog_items');
  assert.equal(p?.line, HEAD.split('\n').length + 3, 'the data_type line');
  const edit = p?.fixes?.[0]?.edits[0];
  assert.equal(p?.fixes?.[0]?.title, 'Add `catalog: restaurants`');
  assert.ok(edit);
  const doc = parseSyncFile(text);
  const at = doc.lines.offsetAt(edit.range.start);
  const fixed = text.slice(0, at) + edit.newText + text.slice(doc.lines.offsetAt(edit.range.end));
  assert.ok(fixed.includes('    data_type: catalog_items\n    catalog: restaurants\n'), fixed);
  assert.deepEqual(problems(fixed.slice(HEAD.length)), []);
});

test('a catalog named otherwise than the sync: a warning on the catalog value', () => {
  const [p, ...rest] = problems(catalogSync('menu_sync', '    catalog: restaurants\n'));
  assert.deepEqual(rest, []);
  assert.equal(p?.code, 'catalog-name-mismatch');
  assert.equal(p?.severity, 'warning');
  assert.equal(p?.text, 'restaurants');
  assert.match(p?.message ?? '', /exactly match/);
});

test('catalog on a user sync is an ignored field; a bad catalog name is invalid-format', () => {
  const user = `  users:\n    connection: warehouse\n    table: INGESTION.USERS\n    data_type: custom_attributes\n    catalog: users\n    schedule: every 1 hours\n`;
  assert.deepEqual(problems(user).map((p) => [p.code, p.text, p.severity]), [['ignored-field', 'catalog', 'warning']]);
  assert.deepEqual(problems(catalogSync('restaurants', '    catalog: rest aurants\n')).map((p) => [p.code, p.text]), [['invalid-format', 'rest aurants'], ['catalog-name-mismatch', 'rest aurants']]);
});

test('catalog_items is a data type the schema offers', () => {
  assert.deepEqual(problems(catalogSync('restaurants', '    catalog: restaurants\n').replace('catalog_items', 'catalog_item')).map((p) => [p.code, p.message.includes('`catalog_items`')]), [['invalid-value', true]]);
});
