import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InsertTextFormat, type CompletionItem, type MarkupContent, type TextEdit } from 'vscode-languageserver-types';
import { findBrazeInstance } from '../model/braze-instances';
import { parseSyncFile, SegmentCache } from '../parse/sync-document';
import { complete, type CompletionOptions } from './complete';
import { applyEdits, expandSnippet, wholeVariant, withCursor } from './test-cursor';
import { validate } from './validate';

const HEADER = `version: 1
braze:
  instance: US-03
  api_key: \${env:BRAZE_API_KEY}
  timezone: America/New_York
connections:
  warehouse:
    type: redshift
    host: example.abc123.us-east-1.redshift.amazonaws.com
    database: BRAZE_CLOUD_PRODUCTION
    user: braze_user
    password: \${env:REDSHIFT_PASSWORD}
  lake:
    type: redshift
    host: lake.abc123.us-east-1.redshift.amazonaws.com
    database: LAKE
    user: braze_user
    password: \${env:LAKE_PASSWORD}
`;

const SYNC = `  user_attributes:
    connection: warehouse
    table: INGESTION.USERS_ATTRIBUTES_SYNC
    data_type: custom_attributes
    schedule: every 15 minutes
    status: active
`;

/** A file with the header, one complete sync, and `body` as a second sync (or whatever follows). */
function file(body: string): string {
  return `${HEADER}syncs:\n${SYNC}${body}`;
}

interface Completion {
  items: CompletionItem[];
  text: string;
  mode: string;
}

function completeAt(marked: string, options?: CompletionOptions): Completion {
  const { text, position } = withCursor(marked);
  const doc = parseSyncFile(text);
  return { items: complete(doc, position, options), text, mode: doc.mode };
}

function labels(c: Completion): string[] {
  return c.items.map((i) => i.label);
}

function item(c: Completion, label: string): CompletionItem {
  const found = c.items.find((i) => i.label === label);
  assert.ok(found, `no item ${label} in ${labels(c).join(', ')}`);
  return found;
}

function edit(i: CompletionItem): TextEdit {
  assert.ok(i.textEdit && 'range' in i.textEdit, `item ${i.label} has a textEdit with a range`);
  return i.textEdit;
}

/** The text after accepting `label` with every snippet placeholder at its default. */
function accept(c: Completion, label: string): string {
  const e = edit(item(c, label));
  return applyEdits(c.text, [{ range: e.range, newText: expandSnippet(e.newText) }]);
}

/** The source text an item replaces. */
function replaced(c: Completion, label: string): string {
  const { range } = edit(item(c, label));
  const doc = parseSyncFile(c.text);
  return c.text.slice(doc.lines.offsetAt(range.start), doc.lines.offsetAt(range.end));
}

function docs(i: CompletionItem): string {
  return (i.documentation as MarkupContent | undefined)?.value ?? '';
}

interface Case {
  name: string;
  text: string;
  options?: CompletionOptions;
  /** Exactly these labels, in this order. */
  labels?: string[];
  includes?: string[];
  excludes?: string[];
  /** label → the source text its edit replaces. */
  replaces?: Record<string, string>;
  /** label → the edit's new text. */
  inserts?: Record<string, string>;
  check?: (c: Completion) => void;
}

const DATA_TYPES = ['custom_attributes', 'custom_events', 'purchases', 'user_deletes', 'catalog_items'];

const cases: Case[] = [
  {
    name: 'a half-typed key without a colon inside a sync',
    text: file('  orders:\n    connection: warehouse\n    da<|>\n'),
    includes: ['data_type', 'schedule', 'status', 'contacts', 'table'],
    excludes: ['connection'],
    replaces: { data_type: 'da' },
    inserts: { data_type: 'data_type: ${1|custom_attributes,custom_events,purchases,user_deletes,catalog_items|}' },
    check: (c) => {
      // Required keys sort before optional ones.
      const sorted = [...c.items].sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? '')).map((i) => i.label);
      assert.deepEqual(sorted.slice(0, 3), ['table', 'data_type', 'schedule']);
      assert.match(docs(item(c, 'data_type')), /custom_events/);
      assert.equal(item(c, 'table').detail, 'Table or view · required');
    },
  },
  {
    name: 'an empty line inside a sync',
    text: file('  orders:\n    connection: warehouse\n    <|>\n    table: INGESTION.ORDERS\n'),
    includes: ['data_type', 'schedule', 'status', 'lookback', 'batch_size'],
    excludes: ['connection', 'table'],
    replaces: { schedule: '' },
    inserts: { schedule: 'schedule: ${1:every 15 minutes}', status: 'status: ${1|draft,active|}', batch_size: 'batch_size: ${1:75}', contacts: 'contacts: [$1]' },
  },
  {
    name: 'an empty value of data_type',
    text: file('  orders:\n    data_type: <|>\n'),
    labels: DATA_TYPES,
    replaces: { purchases: '' },
    inserts: { purchases: 'purchases' },
    check: (c) => {
      const d = docs(item(c, 'user_deletes'));
      assert.match(d, /\/users\/delete/);
      assert.match(d, /no\*\* `PAYLOAD` column/);
      assert.match(docs(item(c, 'purchases')), /Required columns: `UPDATED_AT`, `PAYLOAD`/);
      assert.match(docs(item(c, 'catalog_items')), /`ID` \(the item id.*`DELETED`.*no user identifier columns/s);
    },
  },
  {
    name: 'right after the colon, a value gets its space',
    text: file('  orders:\n    data_type:<|>\n'),
    labels: DATA_TYPES,
    inserts: { custom_events: ' custom_events' },
  },
  {
    name: 'a half-typed enum value',
    text: HEADER.replace('    user: braze_user\n    password: ${env:REDSHIFT_PASSWORD}\n', '    user: braze_user\n    ssl: re<|>\n    password: ${env:REDSHIFT_PASSWORD}\n') + 'syncs:\n' + SYNC,
    labels: ['disable', 'require', 'verify-full'],
    replaces: { require: 're', disable: 're' },
    check: (c) => assert.equal(item(c, 'require').preselect, true),
  },
  {
    name: 'a connection offers the login and TLS fields, with auth as a choice',
    text: HEADER.replace('    password: ${env:REDSHIFT_PASSWORD}\n  lake:', '    password: ${env:REDSHIFT_PASSWORD}\n    <|>\n  lake:') + 'syncs:\n' + SYNC,
    includes: ['auth', 'ca_file', 'cluster_identifier', 'workgroup', 'region', 'ssl', 'port'],
    excludes: ['password', 'host'],
    inserts: { auth: 'auth: ${1|password,iam|}', region: 'region: ${1:us-east-1}', ca_file: 'ca_file: ${1:certs/redshift-ca-bundle.pem}' },
    check: (c) => {
      assert.equal(item(c, 'auth').detail, 'Authentication');
      assert.match(docs(item(c, 'auth')), /`iam`: A temporary password from AWS/);
      assert.match(docs(item(c, 'ca_file')), /Redshift CA bundle/);
    },
  },
  {
    name: 'auth values with their descriptions',
    text: HEADER.replace('    password: ${env:REDSHIFT_PASSWORD}\n  lake:', '    auth: <|>\n  lake:') + 'syncs:\n' + SYNC,
    labels: ['password', 'iam'],
    check: (c) => {
      assert.equal(item(c, 'password').preselect, true);
      assert.match(docs(item(c, 'iam')), /GetClusterCredentials/);
    },
  },
  {
    name: 'a quoted value is replaced inside its quotes',
    text: file('  orders:\n    status: "dr<|>"\n'),
    labels: ['draft', 'active'],
    replaces: { draft: 'dr' },
  },
  {
    name: 'instances carry their REST host',
    text: file('').replace('  instance: US-03', '  instance: US-0<|>'),
    includes: ['US-01', 'US-03', 'US-08', 'EU-01', 'KR-01'],
    replaces: { 'US-03': 'US-0' },
    check: (c) => {
      assert.equal(item(c, 'EU-02').detail, 'rest.fra-02.braze.eu');
      assert.ok(docs(item(c, 'US-08')).includes(findBrazeInstance('US-08')?.ips[0] ?? '?'));
    },
  },
  {
    name: 'time zones for braze.timezone',
    text: file('').replace('  timezone: America/New_York', '  timezone: Europe/Pa<|>'),
    includes: ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata'],
    replaces: { 'Europe/Paris': 'Europe/Pa' },
    check: (c) => assert.ok(c.items.length > 300, `${c.items.length} zones`),
  },
  {
    name: "a sync's connection offers the file's connections, then the editor's",
    text: file('  orders:\n    connection: <|>\n'),
    options: { connectionNames: ['lake', 'from_settings'] },
    labels: ['warehouse', 'lake', 'from_settings'],
    check: (c) => assert.equal(item(c, 'lake').detail, 'lake.abc123.us-east-1.redshift.amazonaws.com'),
  },
  {
    name: 'schedule snippets',
    text: file('  orders:\n    schedule: <|>\n'),
    includes: ['every 15 minutes', 'daily at 09:00', 'weekly on monday at 09:00', 'monthly on day 1 at 09:00', 'manual'],
    inserts: {
      'every 15 minutes': 'every ${1|15,20,30,45|} minutes',
      'daily at 09:00': 'daily at ${1:09}:${2:00}',
      'weekly on monday at 09:00': 'weekly on ${1|monday,tuesday,wednesday,thursday,friday,saturday,sunday|} at ${2:09}:${3:00}',
      'monthly on day 1 at 09:00': 'monthly on day ${1:1} at ${2:09}:${3:00}',
      manual: 'manual',
    },
    check: (c) => assert.ok(c.items.every((i) => i.insertTextFormat === InsertTextFormat.Snippet)),
  },
  {
    name: 'a schedule being edited is replaced whole',
    text: file('  orders:\n    schedule: every 15 mi<|>nutes # comment\n'),
    replaces: { 'daily at 09:00': 'every 15 minutes' },
  },
  {
    name: 'an ${env:…} snippet for the API key',
    text: file('').replace('  api_key: ${env:BRAZE_API_KEY}', '  api_key: <|>'),
    labels: ['${env:BRAZE_API_KEY}'],
    inserts: { '${env:BRAZE_API_KEY}': '\\${env:${1:BRAZE_API_KEY}}' },
  },
  {
    name: 'an ${env:…} snippet for a password',
    text: file('').replace('    password: ${env:LAKE_PASSWORD}', '    password: <|>'),
    labels: ['${env:REDSHIFT_PASSWORD}'],
  },
  {
    name: 'missing keys of braze',
    text: file('').replace('  timezone: America/New_York\n', '  <|>\n'),
    labels: ['endpoint', 'timezone'],
    inserts: { timezone: 'timezone: ${1:UTC}' },
  },
  {
    name: 'only the name is inserted when a colon follows',
    text: file('  orders:\n    sche<|>: daily at 09:00\n'),
    inserts: { schedule: 'schedule' },
    replaces: { schedule: 'sche' },
  },
  {
    name: 'top-level keys that are missing',
    text: `# a new file\nver<|>\nconnections:\n  warehouse:\n    type: redshift\nsyncs:\n${SYNC}`,
    labels: ['version', 'braze', 'notifications', 'state'],
    replaces: { version: 'ver' },
    inserts: { version: 'version: 1', braze: 'braze:\n  instance: ${1:US-03}\n  api_key: \\${env:${2:BRAZE_API_KEY}}\n  timezone: ${3:UTC}' },
  },
  {
    name: 'a blank line at column 0 after the last sync is top level',
    text: file('').replace('version: 1\n', '') + '\n<|>\n',
    labels: ['version', 'notifications', 'state'],
  },
  {
    name: 'the keys of the state block, and its URL as an environment reference',
    text: file('') + 'state:\n  <|>\n',
    labels: ['url', 'schema', 'ssl', 'ca_file'],
    inserts: { url: 'url: \\${env:${1:BRAZESYNC_STATE_URL}}' },
  },
  {
    name: 'nothing in a comment',
    text: file('  orders:\n    # da<|>\n'),
    labels: [],
  },
  {
    name: 'a space typed inside a schedule keeps completing it',
    text: file('  orders:\n    schedule: every <|>\n'),
    replaces: { 'every 15 minutes': 'every ' },
  },
  {
    name: 'nothing after a complete quoted value',
    text: file('  orders:\n    table: "A.B" <|>\n'),
    labels: [],
  },
  {
    name: 'nothing for a key the schema does not know',
    text: file('  orders:\n    nope: <|>\n'),
    labels: [],
  },
];

describe('complete', () => {
  for (const c of cases) {
    for (const mode of ['segmented', 'whole'] as const) {
      test(`${c.name} (${mode})`, () => {
        const marked = mode === 'whole' ? wholeVariant(c.text) : c.text;
        const result = completeAt(marked, c.options);
        if (mode === 'whole') assert.equal(result.mode, 'whole');
        if (c.labels) assert.deepEqual(labels(result), c.labels);
        for (const l of c.includes ?? []) assert.ok(labels(result).includes(l), `missing ${l} in ${labels(result).join(', ')}`);
        for (const l of c.excludes ?? []) assert.ok(!labels(result).includes(l), `unexpected ${l}`);
        for (const [l, text] of Object.entries(c.replaces ?? {})) assert.equal(replaced(result, l), text, `range of ${l}`);
        for (const [l, text] of Object.entries(c.inserts ?? {})) assert.equal(edit(item(result, l)).newText, text, `insert of ${l}`);
        c.check?.(result);
      });
    }
  }
});

describe('new entries', () => {
  test('a blank line at sync level offers a whole new sync that validates once accepted', () => {
    const c = completeAt(file('  <|>'));
    assert.deepEqual(labels(c), ['New sync']);
    const added = accept(c, 'New sync');
    assert.equal(
      added.slice(file('').length),
      '  new_sync:\n    connection: warehouse\n    table: INGESTION.USERS_ATTRIBUTES_SYNC\n    data_type: custom_attributes\n    schedule: every 15 minutes',
    );
    assert.equal(edit(item(c, 'New sync')).newText.split('\n')[1], '    connection: ${2|warehouse,lake|}');
    // The snippet's defaults are a valid sync, apart from reading the same table as user_attributes.
    assert.deepEqual(validate(parseSyncFile(added)).map((d) => d.code), ['duplicate-table']);
  });

  test('a name typed at sync level becomes the new sync name', () => {
    const c = completeAt(file('  orders<|>\n'));
    assert.equal(c.mode, 'whole'); // the half-typed line is no clean segment
    assert.deepEqual(labels(c), ['New sync']);
    assert.equal(item(c, 'New sync').filterText, 'orders');
    assert.match(accept(c, 'New sync'), /\n {2}orders:\n {4}connection: warehouse\n/);
  });

  test('the indentation of the file is kept', () => {
    const c = completeAt(file('').replace(/^( +)/gm, (m) => m + m) + '    <|>');
    assert.match(accept(c, 'New sync'), /\n {4}new_sync:\n {8}connection: warehouse\n {8}table: /);
  });

  test("a new connection comes from the schema's snippet", () => {
    const c = completeAt(HEADER + '  <|>\nsyncs:\n' + SYNC);
    assert.deepEqual(labels(c), ['Redshift connection']);
    const added = accept(c, 'Redshift connection');
    assert.ok(added.includes('  warehouse:\n    type: redshift\n    host: example.abc123.us-east-1.redshift.amazonaws.com\n    port: 5439\n'));
    assert.ok(added.includes('    password: ${env:REDSHIFT_PASSWORD}\n    ssl: require\nsyncs:'));
  });

  test('a `syncs` key completed at top level brings a first sync', () => {
    const c = completeAt(HEADER + 'sy<|>\n');
    const added = accept(c, 'syncs');
    assert.ok(added.endsWith('syncs:\n  new_sync:\n    connection: warehouse\n    table: INGESTION.USERS_ATTRIBUTES_SYNC\n    data_type: custom_attributes\n    schedule: every 15 minutes\n'));
    assert.deepEqual(validate(parseSyncFile(added)).map((d) => d.code), []);
  });
});

describe('flow style (parsed whole)', () => {
  const flow = (syncs: string) => `${HEADER}syncs: {${syncs}}\n`;

  test('keys inside a flow mapping, on one line', () => {
    const c = completeAt(flow('orders: {connection: warehouse, da<|>}'));
    assert.equal(c.mode, 'whole');
    assert.ok(labels(c).includes('data_type'));
    assert.ok(!labels(c).includes('connection'));
    assert.equal(replaced(c, 'data_type'), 'da');
  });

  test('values inside a flow mapping', () => {
    const c = completeAt(flow('orders: {connection: warehouse, data_type: <|>}'));
    assert.deepEqual(labels(c), DATA_TYPES);
  });

  test('an object value in flow style stays on one line', () => {
    const c = completeAt('{version: 1, <|>}');
    assert.equal(edit(item(c, 'braze')).newText, 'braze: {$1}');
  });
});

describe('edge cases', () => {
  test('CRLF line endings', () => {
    const c = completeAt(file('  orders:\n    da<|>\n').replace(/\n/g, '\r\n'));
    assert.equal(replaced(c, 'data_type'), 'da');
    assert.ok(accept(c, 'data_type').includes('    data_type: custom_attributes\r\n'));
  });

  test('a reused parse cache gives the same answer', () => {
    const cache = new SegmentCache();
    const { text, position } = withCursor(file('  orders:\n    data_type: <|>\n'));
    parseSyncFile(text.replace('orders', 'other'), cache);
    assert.deepEqual(complete(parseSyncFile(text, cache), position).map((i) => i.label), DATA_TYPES);
  });

  test('never throws, anywhere in broken documents', () => {
    const base = file('  orders:\n    connection: lake\n    table: "A"."B"\n    contacts: [a@b.co, ]\n    schedule: |\n      daily\n');
    const texts = [base, wholeVariant(base), '', ':', '- a\n- b', '{', 'syncs:\n\t- x', 'a: [\n', '\ufeffversion: 1\r\n', '? x\n: y', 'syncs: {a: {b: }}'];
    for (let cut = 0; cut < base.length; cut += 41) texts.push(base.slice(0, cut), base.slice(cut));
    for (const text of texts) {
      const doc = parseSyncFile(text);
      for (let line = 0; line <= doc.lines.lineCount; line++) {
        for (const character of [0, 2, 4, 7, 40]) {
          assert.doesNotThrow(() => complete(doc, { line, character }), `at ${line}:${character} of ${JSON.stringify(text)}`);
        }
      }
    }
  });
});
