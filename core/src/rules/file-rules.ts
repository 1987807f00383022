/**
 * Rules that relate syncs to each other, to the connections and to recorded state. They are cheap
 * (one pass over the syncs) and run on every validation.
 */
import { parseTableName, type TableName } from '../model/table-name';
import type { Problem } from '../lang/problem';
import { absSpan } from '../parse/nodes';
import { testStatus } from '../state/connection-fingerprint';
import { closest } from '../util/closest';
import type { FileContext, SyncView } from './rule-context';
import { stringField } from './views';

export function checkConnectionRefs(ctx: FileContext): Problem[] {
  const connections = ctx.header.connections;
  if (!connections) return []; // no usable `connections` block: its own error says so
  const problems: Problem[] = [];
  for (const sync of ctx.syncs) {
    const field = sync.fields.get('connection');
    if (!field || typeof field.js !== 'string' || connections.has(field.js)) continue;
    const names = [...connections.keys()];
    const guess = closest(field.js, names);
    const active = stringField(sync.fields, 'status') === 'active';
    problems.push({
      // An active sync depends on its connection: removing it is its own, sharper error.
      code: active ? 'connection-in-use' : 'unknown-connection',
      severity: 'error',
      message:
        (active
          ? `Active sync \`${sync.name}\` uses connection \`${field.js}\`, which is no longer defined under \`connections\`. A connection cannot be removed while active syncs use it: restore it, point the sync at another connection, or set the sync to \`status: draft\` first.`
          : `Sync \`${sync.name}\` uses connection \`${field.js}\`, which is not defined under \`connections\`.`) +
        (guess ? ` Did you mean \`${guess}\`?` : !active && names.length ? ` Defined: ${names.map((n) => '`' + n + '`').join(', ')}.` : !active ? ' Add it under `connections`.' : ''),
      ...absSpan(sync.segment, field.value),
      ...(guess ? { fixes: [{ title: `Change to \`${guess}\``, edits: [{ ...absSpan(sync.segment, field.value), newText: guess }], preferred: true }] } : {}),
    });
  }
  return problems;
}

/** The parsed `table` of a sync, memoised with its segment. */
function parsedTable(sync: SyncView): TableName | null {
  const key = `table:${sync.name}`;
  let parsed = sync.segment.memo.get(key) as TableName | null | undefined;
  if (parsed === undefined) {
    const table = stringField(sync.fields, 'table');
    const result = table ? parseTableName(table) : undefined;
    parsed = result?.ok ? result.name : null;
    sync.segment.memo.set(key, parsed);
  }
  return parsed;
}

/** Normalised identity of a sync's table: connection host + database + schema + table. */
function tableKey(ctx: FileContext, sync: SyncView): string | undefined {
  const connection = stringField(sync.fields, 'connection');
  const parsed = parsedTable(sync);
  if (!parsed || !connection) return undefined;
  const conn = ctx.header.connections?.get(connection);
  const host = stringField(conn?.fields, 'host')?.toLowerCase() ?? connection;
  const database = (parsed.database ?? stringField(conn?.fields, 'database') ?? '').toLowerCase();
  return `${host}\u0000${database}\u0000${parsed.schema}\u0000${parsed.table}`;
}

export function checkDuplicateTables(ctx: FileContext): Problem[] {
  const first = new Map<string, SyncView>();
  const problems: Problem[] = [];
  for (const sync of ctx.syncs) {
    const key = tableKey(ctx, sync);
    if (key === undefined) continue;
    const owner = first.get(key);
    if (!owner) {
      first.set(key, sync);
      continue;
    }
    const field = sync.fields.get('table');
    if (!field) continue;
    const ownerLine = ctx.doc.lines.positionAt(owner.segment.toAbs(owner.nameSpan.start)).line + 1;
    problems.push({
      code: 'duplicate-table',
      severity: 'error',
      message: `Sync \`${sync.name}\` reads the same table as sync \`${owner.name}\` (line ${ownerLine}). One sync per table: their watermarks would race and rows would be sent twice. Merge them, or point this sync at another table or view.`,
      ...absSpan(sync.segment, field.value),
      related: [{ ...absSpan(owner.segment, owner.fields.get('table')?.value ?? owner.nameSpan), message: `\`${owner.name}\` reads it first` }],
    });
  }
  return problems;
}

export function checkDataTypeImmutable(ctx: FileContext): Problem[] {
  if (!ctx.state) return [];
  const problems: Problem[] = [];
  for (const sync of ctx.syncs) {
    const field = sync.fields.get('data_type');
    if (!field || typeof field.js !== 'string') continue;
    const record = ctx.state(sync.name);
    if (!record?.dataType || record.dataType === field.js) continue;
    problems.push({
      code: 'data-type-immutable',
      severity: 'error',
      message: `Sync \`${sync.name}\` was created as \`${record.dataType}\` (recorded ${record.recordedAt}) and its data type cannot change. Revert to \`${record.dataType}\`, or give the ${field.js} rows a new sync with its own name.`,
      ...absSpan(sync.segment, field.value),
      fixes: [{ title: `Revert data_type to ${record.dataType}`, edits: [{ ...absSpan(sync.segment, field.value), newText: record.dataType }], preferred: true }],
    });
  }
  return problems;
}

/**
 * An active sync needs a passing Test Connection of its current connection settings, table and
 * data type. Only judged where state exists for the file (on a machine without state, such as CI,
 * nothing is known and nothing is said).
 */
export function checkActiveSyncTested(ctx: FileContext): Problem[] {
  if (!ctx.state || !ctx.stateKnown) return [];
  const problems: Problem[] = [];
  for (const sync of ctx.syncs) {
    const statusField = sync.fields.get('status');
    if (statusField?.js !== 'active') continue;
    const connectionName = stringField(sync.fields, 'connection');
    const connection = connectionName ? ctx.header.connections?.get(connectionName) : undefined;
    const table = stringField(sync.fields, 'table');
    const dataType = stringField(sync.fields, 'data_type');
    if (!connection || !table || !dataType) continue;
    const settings = Object.fromEntries([...connection.fields].map(([k, f]) => [k, f.js]));
    const status = testStatus(settings, table, dataType, ctx.state(sync.name)?.lastTest);
    if (status.tested) continue;
    problems.push({
      code: 'untested-active-sync',
      severity: 'warning',
      message:
        `Sync \`${sync.name}\` is active, but ${status.reason === 'stale' ? `its connection settings, table or data type changed since the last passing Test Connection (${status.lastAt})` : 'its connection has never passed Test Connection'}. ` +
        `The scheduler skips it until a test passes: run Test Connection, or \`brazesync test-connection FILE --sync ${sync.name}\`.`,
      ...absSpan(sync.segment, statusField.value),
      fixes: [{ title: `Run Test Connection for ${sync.name}`, edits: [], command: { command: 'brazeSync.testConnection', title: 'Test Connection', arguments: [sync.name] }, preferred: true }],
    });
  }
  return problems;
}

export const fileRules: readonly ((ctx: FileContext) => Problem[])[] = [checkConnectionRefs, checkDuplicateTables, checkDataTypeImmutable, checkActiveSyncTested];
