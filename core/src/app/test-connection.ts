/**
 * Test Connection: connect, find the table, check its columns and the user's privileges, preview
 * the first rows (validated as the engine would map them), count what is pending, and turn every
 * failure into the fix to apply. A passing test is recorded in state with a fingerprint of what
 * was tested (never a secret).
 */
import { diagnoseFailure, type DiagnosisContext } from '../adapters/connection-diagnosis';
import { contractViewDdl } from '../adapters/contract-view';
import { catalogTableDdl } from '../adapters/redshift-shims';
import { AmbiguousTableError, CatalogPermissionError, WrongDatabaseError } from '../adapters/table-catalog';
import type { SyncFile } from '../model/sync-file';
import { quoteIdent, type TableName } from '../model/table-name';
import { connectionFingerprint } from '../state/connection-fingerprint';
import { JobInProgressError } from '../state/lock-file';
import type { SyncStateStore } from '../state/state-store';
import { systemClock, type Clock } from '../sync/ports';
import { previewSync, type SyncPreview } from '../sync/preview';
import type { SourceReader, SourceTable, TablePrivileges } from '../sync/source-reader';
import { checkTableContract } from '../sync/table-contract';
import type { ConnectionCheck } from './connection-check';
import type { OpenedSource } from './open-sync';
import { rowChecks } from './row-checks';

export type { CheckStatus, ConnectionCheck } from './connection-check';

export interface ConnectionTestResult {
  ok: boolean;
  checks: ConnectionCheck[];
  preview?: SyncPreview;
  /** Whether the passing test was written to state (false while a sync job holds the lock). */
  recorded: boolean;
}

/** What `openReader` gives a test: the reader, and the settings its messages may name (never the password). */
export function testedSource(source: OpenedSource): ReturnType<TestConnectionOptions['openReader']> {
  const { host, port, database, user, ssl, auth } = source.settings;
  return { reader: source.reader, settings: { host, port, database, user, ssl, auth } };
}

export interface TestConnectionOptions {
  file: SyncFile;
  syncName: string;
  table: TableName;
  /** Opens the reader; throws MissingSecretError when a secret is missing. */
  openReader: () => { reader: SourceReader; settings: DiagnosisContext['settings'] };
  store: SyncStateStore;
  limit?: number;
  clock?: Clock;
  /** Told as each slow step starts, so a caller can say what it is waiting for. */
  onStep?: (step: 'connect' | 'rows') => void;
}

/** Identifies what was tested; changes whenever the connection settings or the table change. */
export async function testConnection(options: TestConnectionOptions): Promise<ConnectionTestResult> {
  const { file, syncName, table, store } = options;
  const sync = file.syncs[syncName];
  if (!sync) throw new Error(`No sync named "${syncName}".`);
  const ctx: DiagnosisContext = { table, withPayload: sync.data_type !== 'user_deletes', dataType: sync.data_type, ...(file.braze.instance ? { brazeInstance: file.braze.instance } : {}) };
  const checks: ConnectionCheck[] = [];
  const fail = (name: ConnectionCheck['name'], err: unknown): ConnectionTestResult => {
    const d = diagnoseFailure(err, ctx);
    checks.push({ name, status: 'failed', message: d.message, fix: d.fix, kind: d.kind });
    return { ok: false, checks, recorded: false };
  };

  let opened: ReturnType<TestConnectionOptions['openReader']>;
  try {
    opened = options.openReader();
    if (opened.settings) ctx.settings = opened.settings;
  } catch (err) {
    return fail('connect', err);
  }
  const { reader } = opened;
  try {
    let found;
    try {
      options.onStep?.('connect');
      found = await reader.describe();
    } catch (err) {
      const lookup = lookupFailure(err);
      if (!lookup) return fail('connect', err);
      checks.push(connected(ctx), lookup);
      return { ok: false, checks, recorded: false };
    }
    checks.push(connected(ctx));
    if (!found) return fail('table', Object.assign(new Error(`Table ${sync.table} was not found (or ${ctx.settings?.user} cannot see it).`), { code: '42P01' }));
    checks.push({ name: 'table', status: 'ok', message: `Found ${found.sqlName} (${found.columns.length} columns).` });

    const issues = checkTableContract(sync.data_type, found.columns);
    const errors = issues.filter((i) => i.severity === 'error');
    if (errors.length > 0) {
      checks.push({
        name: 'columns',
        status: 'failed',
        kind: 'missing-table',
        message: errors.map((i) => i.message).join(' '),
        // A catalog's ID and DELETED columns can't be guessed from a user table: show the catalog table.
        fix:
          sync.data_type === 'catalog_items'
            ? `The table for catalog_items should look like this (Redshift):\n${catalogTableDdl(`${quoteIdent(table.schema)}.${quoteIdent(table.table)}`)};`
            : `Read from a view over the table that renames and adds the columns, then set \`table\` to it (Redshift; check the guessed columns):\n${contractViewDdl(table, found.columns, sync.data_type, ctx.settings?.user ?? 'braze_user')}`,
      });
      return { ok: false, checks, recorded: false };
    }
    checks.push({ name: 'columns', status: issues.length ? 'warning' : 'ok', message: issues.length ? issues.map((i) => i.message).join(' ') : `Columns fit ${sync.data_type}.` });

    const privileges = privilegesCheck(await reader.privileges(), found, ctx);
    if (!privileges) return fail('privileges', Object.assign(new Error('permission denied'), { code: '42501' }));
    checks.push(privileges);

    let preview: SyncPreview;
    try {
      options.onStep?.('rows');
      preview = await previewSync({ definition: sync, state: await store.readState(), reader, limit: options.limit ?? 10, ...(options.clock ? { clock: options.clock } : {}) });
    } catch (err) {
      return fail('preview', err);
    }
    checks.push(...rowChecks(preview));

    const recorded = await recordTest(options, sync.connection);
    return { ok: true, checks, preview, recorded };
  } finally {
    await reader.close();
  }
}

function connected(ctx: DiagnosisContext): ConnectionCheck {
  return { name: 'connect', status: 'ok', message: `Connected to ${ctx.settings?.host}:${ctx.settings?.port}/${ctx.settings?.database} as ${ctx.settings?.user} (ssl: ${ctx.settings?.ssl}).` };
}

/** A table lookup that failed after connecting, with the lookup's own fix (not a connection failure). */
function lookupFailure(err: unknown): ConnectionCheck | undefined {
  if (err instanceof CatalogPermissionError) return { name: 'table', status: 'failed', kind: 'permission', message: err.summary, fix: err.fix };
  if (err instanceof WrongDatabaseError) return { name: 'table', status: 'failed', kind: 'database', message: err.message, fix: err.fix };
  if (err instanceof AmbiguousTableError) return { name: 'table', status: 'failed', kind: 'missing-table', message: err.message, fix: err.fix };
  return undefined;
}

/**
 * The privileges check, or undefined when SELECT or the schema's USAGE is missing. Grants the
 * server could not check are said to be unchecked (a warning), never passed or failed on a guess.
 */
function privilegesCheck(priv: TablePrivileges, found: SourceTable, ctx: DiagnosisContext): ConnectionCheck | undefined {
  if (priv.notChecked !== undefined) {
    return { name: 'privileges', status: 'warning', message: `Not checked: ${priv.notChecked}. The preview below reads the table, so it shows whether SELECT works.` };
  }
  if (!priv.select || !priv.schemaUsage) return undefined;
  const writes = (['insert', 'update', 'delete'] as const).filter((p) => priv[p]).map((w) => w.toUpperCase());
  if (writes.length === 0) return { name: 'privileges', status: 'ok', message: 'SELECT granted (read-only).' };
  return {
    name: 'privileges',
    status: 'warning',
    message: `${ctx.settings?.user} can also ${writes.join(', ')} on the table; a sync only needs SELECT.`,
    fix: `REVOKE ${writes.join(', ')} ON TABLE ${found.sqlName} FROM ${quoteIdent(ctx.settings?.user ?? 'braze_user')};`,
  };
}

async function recordTest(options: TestConnectionOptions, connectionName: string): Promise<boolean> {
  const { file, syncName, store } = options;
  const sync = file.syncs[syncName];
  const connection = file.connections[connectionName];
  if (!sync || !connection) return false;
  let lock;
  try {
    lock = await store.lock('test-connection');
  } catch (err) {
    if (err instanceof JobInProgressError) return false;
    throw err;
  }
  try {
    const state = (await store.readState()) ?? { version: 1 as const, sync: syncName };
    state.last_test = { at: (options.clock ?? systemClock).now().toISOString(), fingerprint: connectionFingerprint(connection, sync.table, sync.data_type) };
    await store.writeState(state);
    return true;
  } finally {
    await lock.release();
  }
}
