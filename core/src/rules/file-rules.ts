/**
 * Rules that relate syncs to each other, to the connections and to recorded state. They are cheap
 * (one pass over the syncs) and run on every validation.
 */
import type { Problem } from './problem';
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
    if (sync.facts.connection === undefined || connections.has(sync.facts.connection)) continue;
    const field = sync.fields.get('connection');
    if (!field || typeof field.js !== 'string') continue;
    const names = [...connections.keys()];
    const guess = closest(field.js, names);
    const active = sync.facts.status === 'active';
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

/** Where a connection points (host and database), by connection name, for comparing tables. */
function connectionTargets(ctx: FileContext): Map<string, { host: string; database: string }> {
  const targets = new Map<string, { host: string; database: string }>();
  for (const [name, conn] of ctx.header.connections ?? []) {
    targets.set(name, { host: stringField(conn.fields, 'host')?.toLowerCase() ?? name, database: stringField(conn.fields, 'database')?.toLowerCase() ?? '' });
  }
  return targets;
}

/** `schema\0table` of a parsed table name, made once per name (names live as long as their sync's parse). */
const tableKeys = new WeakMap<object, string>();

function tableKey(table: { schema: string; table: string }): string {
  let key = tableKeys.get(table);
  if (key === undefined) tableKeys.set(table, (key = `${table.schema}\u0000${table.table}`));
  return key;
}

/**
 * Tables are the same when read through the same host and database; each edit re-checks every
 * sync, so keys are built once per connection and per table name, not per sync and check.
 */
export function checkDuplicateTables(ctx: FileContext): Problem[] {
  const targets = connectionTargets(ctx);
  const whereOf = new Map([...targets].map(([name, t]) => [name, `${t.host}\u0000${t.database}`]));
  const first = new Map<string, Map<string, SyncView>>();
  const problems: Problem[] = [];
  for (const sync of ctx.syncs) {
    const { connection, table } = sync.facts;
    if (!connection || !table) continue;
    const where =
      table.database === undefined ? (whereOf.get(connection) ?? `${connection}\u0000`) : `${targets.get(connection)?.host ?? connection}\u0000${table.database.toLowerCase()}`;
    let tables = first.get(where);
    if (!tables) first.set(where, (tables = new Map()));
    const key = tableKey(table);
    const owner = tables.get(key);
    if (!owner) {
      tables.set(key, sync);
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
    const record = ctx.state(sync.name);
    if (!record?.dataType || record.dataType === sync.facts.dataType) continue;
    const field = sync.fields.get('data_type');
    if (!field || typeof field.js !== 'string') continue;
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
