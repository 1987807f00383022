import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver-types';
import { findBrazeInstance } from '../model/braze-instances';
import { parseSyncFile } from '../parse/sync-document';
import { hover } from './hover';
import { wholeVariant, withCursor } from './test-cursor';

/** Friday 2026-03-27 12:00 UTC: Europe/Paris moves to summer time on Sunday the 29th. */
const NOW = new Date('2026-03-27T12:00:00Z');

interface Fields {
  instance?: string;
  apiKey?: string;
  timezone?: string;
  ssl?: string;
  name?: string;
  connection?: string;
  dataType?: string;
  schedule?: string;
  status?: string;
}

function file(f: Fields = {}): string {
  return [
    'version: 1',
    'braze:',
    `  instance: ${f.instance ?? 'US-03'}`,
    `  api_key: ${f.apiKey ?? '${env:BRAZE_API_KEY}'}`,
    ...(f.timezone === undefined ? [] : [`  timezone: ${f.timezone}`]),
    'connections:',
    '  warehouse:',
    '    type: redshift',
    '    host: example.abc123.us-east-1.redshift.amazonaws.com',
    '    database: BRAZE_CLOUD_PRODUCTION',
    '    user: braze_user',
    '    password: ${env:REDSHIFT_PASSWORD}',
    `    ssl: ${f.ssl ?? 'require'}`,
    'syncs:',
    `  ${f.name ?? 'user_attributes'}:`,
    `    connection: ${f.connection ?? 'warehouse'}`,
    '    table: INGESTION.USERS_ATTRIBUTES_SYNC',
    `    data_type: ${f.dataType ?? 'custom_attributes'}`,
    `    schedule: ${f.schedule ?? 'every 15 minutes'}`,
    '    contacts: [data-eng@example.com]',
    `    status: ${f.status ?? 'active'}`,
    '  # the next sync',
    '  purchases:',
    '    connection: warehouse',
    '    table: INGESTION.PURCHASES',
    '    data_type: purchases',
    '    schedule: manual',
    '',
  ].join('\n');
}

interface Shown {
  markdown: string;
  /** The source text the hover's range covers. */
  covers: string;
}

function hoverAt(marked: string): Shown | undefined {
  const { text, position } = withCursor(marked);
  const doc = parseSyncFile(text);
  const h = hover(doc, position, { now: NOW });
  if (!h) return undefined;
  assert.ok(h.range, 'a hover has a range');
  return { markdown: (h.contents as MarkupContent).value, covers: text.slice(doc.lines.offsetAt(h.range.start), doc.lines.offsetAt(h.range.end)) };
}

interface Case {
  name: string;
  text: string;
  covers?: string;
  /** Every one of these appears in the markdown. */
  shows?: (string | RegExp)[];
  hides?: (string | RegExp)[];
  none?: true;
}

const US_03 = findBrazeInstance('US-03');

const cases: Case[] = [
  {
    name: 'a key shows the schema docs',
    text: file().replace('    data_type:', '    data_t<|>ype:'),
    covers: 'data_type',
    shows: ['**Data type**', 'Fixed once the sync has run', '- `purchases`: PAYLOAD holds one purchase'],
  },
  {
    name: 'catalog and catalog_items show their docs',
    text: file({ dataType: 'catalog_items' }).replace('    data_type: catalog_items', '    data_type: catalog_items\n    cata<|>log: user_attributes'),
    covers: 'catalog',
    shows: ['**Catalog**', '`PUT`/`DELETE /catalogs/{catalog}/items`', '**exactly match**'],
  },
  {
    name: 'the catalog_items value names its columns',
    text: file({ dataType: 'catalog_i<|>tems' }),
    covers: 'catalog_items',
    shows: ['**Data type `catalog_items`**', '`ID` (the item id', 'optional `DELETED`'],
  },
  {
    name: 'a key with a default shows it',
    text: file({ timezone: 'UTC' }).replace('  timezone:', '  time<|>zone:'),
    shows: ['**Time zone**', 'IANA time zone', 'Default `UTC`'],
    hides: ['Default: `UTC`'],
  },
  {
    name: "an enum key whose description names the values doesn't repeat them",
    text: file().replace('    ssl:', '    s<|>sl:'),
    shows: ['**TLS mode**', '`verify-full`: TLS with certificate'],
    hides: ['Allowed values'],
  },
  {
    name: 'an enum key whose description does not name the values lists them',
    text: file().replace('  instance:', '  inst<|>ance:'),
    shows: ['**Braze instance**', 'Allowed values: `US-01` · `US-02`', '`KR-01`'],
  },
  {
    name: 'auth lists its values with what each does',
    text: file().replace('    ssl: require', '    ssl: require\n    au<|>th: iam').replace('    password: ${env:REDSHIFT_PASSWORD}\n', ''),
    covers: 'auth',
    shows: ['**Authentication**', '- `iam`: A temporary password from AWS', 'GetClusterCredentials', 'Default `password`'],
  },
  {
    name: 'ca_file explains where a relative path is read from',
    text: file().replace('    ssl: require', '    ssl: verify-full\n    ca_<|>file: certs/redshift-ca-bundle.pem'),
    shows: ['**CA bundle**', 'relative path is read from the folder'],
  },
  {
    name: 'region says when it is needed',
    text: file().replace('    ssl: require', '    ssl: require\n    auth: iam\n    reg<|>ion: us-east-1').replace('    password: ${env:REDSHIFT_PASSWORD}\n', ''),
    shows: ['**AWS region**', 'Read from a Redshift endpoint `host` when absent'],
  },
  {
    name: 'a sync name',
    text: file().replace('  user_attributes:', '  user_attr<|>ibutes:'),
    covers: 'user_attributes',
    shows: ['**Sync `user_attributes`**', 'One table or view synced to Braze'],
  },
  {
    name: 'a connection name',
    text: file().replace('  warehouse:', '  ware<|>house:'),
    shows: ['**Redshift connection `warehouse`**'],
  },
  {
    name: 'a schedule shows the next three runs in the file time zone, across DST',
    text: file({ timezone: 'Europe/Paris', schedule: 'daily at 09:<|>00' }),
    covers: 'daily at 09:00',
    shows: [
      '**Schedule** `daily at 09:00`',
      'Next runs (Europe/Paris):\n- Sat 2026-03-28 09:00 CET (08:00 UTC)\n- Sun 2026-03-29 09:00 CEST (07:00 UTC)\n- Mon 2026-03-30 09:00 CEST (07:00 UTC)',
    ],
    hides: ['status'],
  },
  {
    name: 'without a time zone, runs are in UTC',
    text: file({ schedule: 'every 15 min<|>utes' }),
    shows: ['Next runs (UTC):\n- Fri 2026-03-27 12:15 UTC\n- Fri 2026-03-27 12:30 UTC\n- Fri 2026-03-27 12:45 UTC'],
  },
  {
    name: 'an invalid time zone falls back to UTC and says so',
    text: file({ timezone: 'Mars/Olympus', schedule: 'weekly on mon<|>day at 07:30' }),
    shows: ['Next runs (UTC):\n- Mon 2026-03-30 07:30 UTC\n- Mon 2026-04-06 07:30 UTC\n- Mon 2026-04-13 07:30 UTC', '`Mars/Olympus`', 'not a valid time zone'],
  },
  {
    name: 'a draft sync says it will not run yet',
    text: file({ status: 'draft', schedule: 'monthly on day last at 23:<|>00' }),
    shows: ['- Tue 2026-03-31 23:00 UTC', 'once its `status` is `active`'],
  },
  {
    name: 'manual schedules never run on their own',
    text: file().replace('    schedule: manual', '    schedule: man<|>ual'),
    covers: 'manual',
    shows: ['Never scheduled', 'Sync Now'],
    hides: ['Next runs'],
  },
  {
    name: 'an invalid schedule shows what is wrong',
    text: file({ schedule: 'every 5 min<|>utes' }),
    shows: ['**Schedule** `every 5 minutes`', /15 minutes/],
    hides: ['Next runs'],
  },
  {
    name: 'an instance shows its REST host and the IPs to allow',
    text: file({ instance: 'US-<|>03' }),
    covers: 'US-03',
    shows: ['`rest.iad-03.braze.com`', 'security group', ...(US_03?.ips ?? ['?'])],
  },
  {
    name: 'a data type shows what it is and which columns it needs',
    text: file({ dataType: 'custom_ev<|>ents' }),
    shows: ['**Data type `custom_events`**', 'PAYLOAD holds one custom event', 'Required columns: `UPDATED_AT`, `PAYLOAD`', '`EMAIL` or `PHONE`'],
  },
  {
    name: 'user deletes need no PAYLOAD column',
    text: file({ dataType: 'user_del<|>etes' }),
    shows: ['/users/delete', 'must have **no** `PAYLOAD` column'],
    hides: ['`EMAIL`'],
  },
  {
    name: 'an ${env:…} reference says where the value comes from',
    text: file({ apiKey: '${env:BRAZE_<|>KEY}' }),
    covers: '${env:BRAZE_KEY}',
    shows: ['`BRAZE_KEY`', 'environment variable', 'secret storage'],
  },
  {
    name: "a sync's connection shows where it points",
    text: file({ connection: 'ware<|>house' }),
    shows: ['**Connection `warehouse`**', '`example.abc123.us-east-1.redshift.amazonaws.com:5439/BRAZE_CLOUD_PRODUCTION` as `braze_user`, TLS `require`'],
  },
  {
    name: 'an unknown connection says so',
    text: file({ connection: 'war<|>e' }),
    shows: ['**Connection `ware`** is not defined under `connections`.'],
  },
  {
    name: 'an enum value shows the key docs',
    text: file({ ssl: 'verify-<|>full' }),
    covers: 'verify-full',
    shows: ['**TLS mode**'],
  },
  {
    name: 'a list item shows the list docs',
    text: file().replace('[data-eng@', '[data-<|>eng@'),
    shows: ['**Contacts**'],
  },
  { name: 'nothing on a comment', text: file().replace('# the next', '# the <|>next'), none: true },
  { name: 'nothing on a blank line', text: file().replace('\n  purchases:', '\n<|>\n  purchases:'), none: true },
  { name: 'nothing on a key the schema does not know', text: file().replace('    status: active', '    stat<|>e: active'), none: true },
];

describe('hover', () => {
  for (const c of cases) {
    for (const mode of ['segmented', 'whole'] as const) {
      test(`${c.name} (${mode})`, () => {
        const marked = mode === 'whole' ? wholeVariant(c.text) : c.text;
        assert.equal(parseSyncFile(withCursor(marked).text).mode, mode);
        const shown = hoverAt(marked);
        if (c.none) {
          assert.equal(shown, undefined);
          return;
        }
        assert.ok(shown, 'a hover');
        if (c.covers) assert.equal(shown.covers, c.covers);
        for (const s of c.shows ?? []) assert.ok(typeof s === 'string' ? shown.markdown.includes(s) : s.test(shown.markdown), `shows ${String(s)} in:\n${shown.markdown}`);
        for (const s of c.hides ?? []) assert.ok(typeof s === 'string' ? !shown.markdown.includes(s) : !s.test(shown.markdown), `hides ${String(s)} in:\n${shown.markdown}`);
      });
    }
  }

  test('flow style', () => {
    const shown = hoverAt(file().replace(/syncs:[\s\S]*/, 'syncs: {a: {connection: warehouse, schedule: dai<|>ly at 09:00, status: active}}\n'));
    assert.ok(shown?.markdown.includes('- Sat 2026-03-28 09:00 UTC'));
    assert.equal(shown?.covers, 'daily at 09:00');
  });

  test('never throws, anywhere in broken documents', () => {
    const base = file({ timezone: 'Europe/Paris' }) + '  x: {a: [1, {b: }], c: &a d, e: *a}\n  y: |\n    text\n';
    const texts = [base, '', ':', '- a', '{', 'syncs: {a: {schedule: }}', 'braze: {instance: 1}', 'syncs:\n  a:\n    schedule: [1]\n'];
    for (let cut = 0; cut < base.length; cut += 41) texts.push(base.slice(0, cut), base.slice(cut));
    for (const text of texts) {
      const doc = parseSyncFile(text);
      for (let line = 0; line <= doc.lines.lineCount; line++) {
        for (const character of [0, 3, 5, 9, 15, 25, 1000]) {
          assert.doesNotThrow(() => hover(doc, { line, character }, { now: NOW }), `at ${line}:${character} of ${JSON.stringify(text)}`);
        }
      }
    }
    assert.doesNotThrow(() => hover(parseSyncFile(file()), { line: 18, character: 16 }, { now: new Date(Number.NaN) }));
  });
});
