import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CodeActionKind, DiagnosticSeverity, type CodeAction, type Diagnostic as LspDiagnostic } from 'vscode-languageserver-types';
import { parseSyncFile } from '../parse/sync-document';
import type { StateLookup } from '../state/sync-state';
import { codeActions, type DiagnosticData } from './code-actions';
import type { Diagnostic } from '../rules/problem';
import { applyEdits, wholeVariant } from './test-cursor';
import { validate } from './validate';

const URI = 'file:///work/syncs.brazesync.yaml';

const FILE = `version: 1
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
    ssl: require
syncs:
  user_attributes:
    connection: warehouse
    table: INGESTION.USERS_ATTRIBUTES_SYNC
    data_type: custom_attributes
    schedule: every 15 minutes
    status: draft
  purchases:
    connection: warehouse
    table: INGESTION.PURCHASES_SYNC
    data_type: purchases
    schedule: daily at 09:00
`;

/** What the server sends and the client echoes back (server/src/lsp-diagnostics.ts). */
function toLsp(d: Diagnostic): LspDiagnostic {
  return {
    range: d.range,
    severity: DiagnosticSeverity.Error,
    code: d.code,
    source: 'brazesync',
    message: d.message,
    ...(d.fixes ? { data: { fixes: d.fixes } satisfies DiagnosticData } : {}),
  };
}

function diagnosticsOf(text: string, state?: StateLookup): { diagnostics: LspDiagnostic[]; actions: (d: LspDiagnostic) => CodeAction[] } {
  const doc = parseSyncFile(text);
  const diagnostics = validate(doc, state ? { state, stateKnown: true } : {}).map(toLsp);
  return { diagnostics, actions: (d) => codeActions(doc, d.range, [d], URI) };
}

function edited(from: string, to: string, text = FILE): string {
  assert.ok(text.includes(from), `fixture lacks ${from}`);
  return text.replace(from, to);
}

interface GoldenCase {
  name: string;
  code: string;
  before: string;
  /** The file after applying the preferred fix. */
  after: string;
  title: string;
  state?: StateLookup;
}

const golden: GoldenCase[] = [
  {
    name: 'a misspelt time zone',
    code: 'unknown-timezone',
    before: edited('timezone: America/New_York', 'timezone: america/new_york'),
    after: FILE,
    title: 'Change to America/New_York',
  },
  {
    name: 'a plaintext password',
    code: 'plaintext-secret',
    before: edited('password: ${env:REDSHIFT_PASSWORD}', 'password: hunter2'),
    after: edited('password: ${env:REDSHIFT_PASSWORD}', 'password: ${env:WAREHOUSE_PASSWORD}'),
    title: 'Replace with ${env:WAREHOUSE_PASSWORD}',
  },
  {
    name: 'a plaintext API key',
    code: 'plaintext-secret',
    before: edited('api_key: ${env:BRAZE_API_KEY}', 'api_key: "abc-123"'),
    after: FILE,
    title: 'Replace with ${env:BRAZE_API_KEY}',
  },
  {
    name: 'a misspelt connection name',
    code: 'unknown-connection',
    before: edited('  purchases:\n    connection: warehouse', '  purchases:\n    connection: warehose'),
    after: FILE,
    title: 'Change to `warehouse`',
  },
  {
    name: 'a misspelt key',
    code: 'unknown-field',
    before: edited('    data_type: purchases', '    datatype: purchases'),
    after: FILE,
    title: 'Rename to `data_type`',
  },
  {
    name: 'a misspelt enum value',
    code: 'invalid-value',
    before: edited('    ssl: require', '    ssl: requir'),
    after: FILE,
    title: 'Change to `require`',
  },
  {
    name: 'plain http to a remote endpoint',
    code: 'insecure-endpoint',
    before: edited('  instance: US-03', '  endpoint: http://rest.iad-03.braze.com'),
    after: edited('  instance: US-03', '  endpoint: https://rest.iad-03.braze.com'),
    title: 'Use https',
  },
  {
    name: 'a changed data type reverts to the recorded one',
    code: 'data-type-immutable',
    before: edited('    data_type: purchases', '    data_type: custom_events'),
    after: FILE,
    title: 'Revert data_type to purchases',
    state: (name) => (name === 'purchases' ? { dataType: 'purchases', recordedAt: '2026-11-01T09:00:00.000Z' } : undefined),
  },
];

describe('quick fixes (golden)', () => {
  for (const c of golden) {
    for (const mode of ['segmented', 'whole'] as const) {
      test(`${c.name} (${mode})`, () => {
        const before = mode === 'whole' ? wholeVariant(c.before) : c.before;
        const after = mode === 'whole' ? wholeVariant(c.after) : c.after;
        assert.equal(parseSyncFile(before).mode, mode);
        const { diagnostics, actions } = diagnosticsOf(before, c.state);
        const diagnostic = diagnostics.find((d) => d.code === c.code);
        assert.ok(diagnostic, `a ${c.code} diagnostic among ${diagnostics.map((d) => d.code).join(', ')}`);
        const [action, ...others] = actions(diagnostic);
        assert.ok(action);
        assert.equal(others.length, 0);
        assert.equal(action.title, c.title);
        assert.equal(action.kind, CodeActionKind.QuickFix);
        assert.equal(action.isPreferred, true);
        assert.deepEqual(action.diagnostics, [diagnostic]);
        const edits = action.edit?.changes?.[URI];
        assert.ok(edits, 'edits for the document');
        assert.equal(applyEdits(before, edits), after);
      });
    }
  }
});

describe('codeActions', () => {
  const doc = parseSyncFile(FILE);
  const range = { start: { line: 3, character: 2 }, end: { line: 3, character: 9 } };
  const fix = (title: string, preferred?: boolean): DiagnosticData['fixes'][number] => ({
    title,
    edits: [{ range, newText: 'x' }],
    ...(preferred === undefined ? {} : { preferred }),
  });
  const diagnostic = (data: unknown, at = range): LspDiagnostic => ({ range: at, message: 'm', source: 'brazesync', data });

  test('a command fix gets the document URI first, like the CodeLens commands', () => {
    const [action] = codeActions(doc, range, [diagnostic({ fixes: [{ title: 'Run Test Connection for purchases', edits: [], command: { command: 'brazeSync.testConnection', title: 'Test Connection', arguments: ['purchases'] }, preferred: true }] })], URI);
    assert.deepEqual(action?.command, { command: 'brazeSync.testConnection', title: 'Test Connection', arguments: [URI, 'purchases'] });
    assert.equal(action?.edit, undefined);
  });

  test('the untested-active-sync fix runs Test Connection for its sync', () => {
    const text = edited('    status: draft', '    status: active');
    const { diagnostics, actions } = diagnosticsOf(text, () => ({}));
    const d = diagnostics.find((x) => x.code === 'untested-active-sync');
    assert.ok(d);
    assert.deepEqual(actions(d)[0]?.command?.arguments, [URI, 'user_attributes']);
  });

  test('only fixes marked preferred are preferred; several fixes keep their order', () => {
    const actions = codeActions(doc, range, [diagnostic({ fixes: [fix('a'), fix('b', true), fix('c', false)] })], URI);
    assert.deepEqual(actions.map((a) => [a.title, a.isPreferred]), [['a', undefined], ['b', true], ['c', undefined]]);
  });

  test('the same fix from two diagnostics is offered once, for both', () => {
    const d1 = diagnostic({ fixes: [fix('same')] });
    const d2 = { ...diagnostic({ fixes: [fix('same')] }), message: 'other' };
    const actions = codeActions(doc, range, [d1, d2], URI);
    assert.equal(actions.length, 1);
    assert.deepEqual(actions[0]?.diagnostics, [d1, d2]);
  });

  test('diagnostics outside the requested range are ignored; touching counts', () => {
    const elsewhere = { start: { line: 10, character: 0 }, end: { line: 10, character: 4 } };
    assert.deepEqual(codeActions(doc, range, [diagnostic({ fixes: [fix('far')] }, elsewhere)], URI), []);
    const cursor = { start: range.end, end: range.end };
    assert.equal(codeActions(doc, cursor, [diagnostic({ fixes: [fix('near')] })], URI).length, 1);
  });

  test('malformed or foreign data is ignored, never thrown on', () => {
    const junk: unknown[] = [undefined, null, 1, 'x', [], {}, { fixes: 'no' }, { fixes: [null, 1, { title: 1 }, { title: 't' }, { title: 't', edits: [{}] }] }, { fixes: [{ title: 't', edits: [], command: { command: 1 } }] }];
    for (const data of junk) assert.deepEqual(codeActions(doc, range, [diagnostic(data)], URI), [], JSON.stringify(data));
    const broken = { message: 'no range' } as unknown as LspDiagnostic;
    assert.deepEqual(codeActions(doc, range, [broken], URI), []);
  });

  test('a fix for a longer, older version of the text is dropped', () => {
    const stale = { start: { line: 400, character: 0 }, end: { line: 400, character: 3 } };
    const d = diagnostic({ fixes: [{ title: 'stale', edits: [{ range: stale, newText: 'x' }] }, fix('fresh')] });
    assert.deepEqual(codeActions(doc, range, [d], URI).map((a) => a.title), ['fresh']);
  });

  test('diagnostics without fixes give no actions', () => {
    const { diagnostics, actions } = diagnosticsOf(edited('    table: INGESTION.PURCHASES_SYNC', '    table: INGESTION.USERS_ATTRIBUTES_SYNC'));
    const d = diagnostics.find((x) => x.code === 'duplicate-table');
    assert.ok(d);
    assert.deepEqual(actions(d), []);
  });
});
