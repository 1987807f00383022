/**
 * The fix to print under a sync-level error in an email. The run record keeps only the error's
 * text, so this reads the text: Braze errors already say what to change, warehouse errors go
 * through the same diagnosis as Test Connection, anything else points at Test Connection.
 */
import { diagnoseRunError } from '../adapters/connection-diagnosis';
import type { SyncFile } from '../model/sync-file';

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
  const diagnosis = diagnoseRunError(error, ctx.file, ctx.syncName);
  const check = `Check with: brazesync test-connection ${ctx.filePath} --sync ${ctx.syncName}`;
  if (diagnosis.kind === 'unknown') return `${check} (it checks the connection, the table, its columns and the grants, and prints the fix for what fails). ${retryNow}`;
  return `${diagnosis.fix}\n${check}`;
}
