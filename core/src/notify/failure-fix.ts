/**
 * The fix to print under a sync-level error in an email. The run record keeps only the error's
 * text, so this reads the text: Braze errors already say what to change, warehouse errors go
 * through the same diagnosis as Test Connection, anything else points at Test Connection.
 */
import { diagnoseFailure, type DiagnosisContext } from '../adapters/connection-diagnosis';
import { DEFAULT_AUTH_MODE, DEFAULT_REDSHIFT_PORT, DEFAULT_SSL_MODE, type SyncFile } from '../model/sync-file';
import { parseTableName } from '../model/table-name';

export interface FailureContext {
  file: SyncFile;
  filePath: string;
  syncName: string;
}

const MISSING_VARIABLE = /environment variable ([A-Za-z_][A-Za-z0-9_]*) is not set/;

export function failureFix(error: string, ctx: FailureContext): string {
  const retryNow = `To run it again now: brazesync sync ${ctx.filePath} --sync ${ctx.syncName}`;
  const variable = MISSING_VARIABLE.exec(error)?.[1];
  if (variable) {
    return `Set ${variable} in the environment of the scheduler (Environment= or EnvironmentFile= in its systemd unit, -e/--env-file for a container) and restart it; the value is read at start.`;
  }
  // Braze's own answers (bad key, permission, endpoint, rate limit, outage) carry their advice.
  if (/\bBraze\b/.test(error)) return `Follow the advice in the error above; the next scheduled run tries again. ${retryNow}`;
  const diagnosis = diagnoseFailure(new Error(error), diagnosisContext(ctx));
  const check = `Check with: brazesync test-connection ${ctx.filePath} --sync ${ctx.syncName}`;
  if (diagnosis.kind === 'unknown') return `${check} (it checks the connection, the table, its columns and the grants, and prints the fix for what fails). ${retryNow}`;
  return `${diagnosis.fix}\n${check}`;
}

function diagnosisContext(ctx: FailureContext): DiagnosisContext {
  const sync = ctx.file.syncs[ctx.syncName];
  const conn = sync ? ctx.file.connections[sync.connection] : undefined;
  const table = sync ? parseTableName(sync.table) : undefined;
  return {
    // Only non-secret settings as written: the diagnosis names the host, port and user in its fix.
    ...(conn ? { settings: { host: conn.host, port: conn.port ?? DEFAULT_REDSHIFT_PORT, database: conn.database, user: conn.user, ssl: conn.ssl ?? DEFAULT_SSL_MODE, auth: conn.auth ?? DEFAULT_AUTH_MODE } } : {}),
    ...(table?.ok ? { table: table.name } : {}),
    ...(sync ? { withPayload: sync.data_type !== 'user_deletes', dataType: sync.data_type } : {}),
    ...(ctx.file.braze.instance ? { brazeInstance: ctx.file.braze.instance } : {}),
  };
}
