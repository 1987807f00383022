/**
 * What Sync Now says when a run fails: the same diagnosis and fix as Test Connection (one shared
 * diagnosis in core), the fix first so a narrow toast shows it. Free of `vscode`.
 */
import { diagnoseFailure, diagnoseRunError, diagnosisContextFor, type Diagnosis } from '../../../core/src/adapters/connection-diagnosis';
import type { SyncFile } from '../../../core/src/model/sync-file';
import { errorMessage, type Redactor } from '../../../core/src/sync/sync-errors';

export interface FailureNotice {
  /** For the toast: what went wrong, then the fix. */
  text: string;
  /** For the log: the same, with the raw error when the diagnosis rephrased it. */
  log: string;
  /** Whether Test Connection would tell more (a connection or table problem). */
  offerTest: boolean;
}

/** From an error object (codes and all), e.g. the first run's row count failing. */
export function noticeForError(err: unknown, file: SyncFile, sync: string, redact: Redactor = (t) => t): FailureNotice {
  return notice(diagnoseFailure(err, diagnosisContextFor(file, sync)), redact(errorMessage(err)), redact);
}

/** From a run's recorded error text. */
export function noticeForRunError(error: string, file: SyncFile, sync: string): FailureNotice {
  return notice(diagnoseRunError(error, file, sync), error, (t) => t);
}

function notice(d: Diagnosis, raw: string, redact: Redactor): FailureNotice {
  if (d.kind === 'unknown' || !d.fix) return { text: raw, log: raw, offerTest: d.kind === 'unknown' && !/\bBraze\b/.test(raw) };
  const message = redact(d.message);
  const fix = redact(d.fix);
  return { text: `${message} Fix: ${fix}`, log: `${message} (${raw}) Fix: ${fix}`, offerTest: d.kind !== 'secret' };
}
