/**
 * Which email, if any, a run calls for. Pure: the policy comes from the file's `notifications`
 * block (defaults applied here, so a file without the block still says what it would have sent).
 */
import type { NotificationSettings } from '../model/sync-file';
import type { RunRecord } from '../state/run-record';

export type NoticeKind = 'error' | 'row-errors' | 'success';

/**
 * What a notice reports: a finished run, or a run that could not start (a missing secret, an
 * unknown connection), which has no id and no counts.
 */
export type NotifiedRun = Pick<RunRecord, 'status' | 'started_at' | 'rows_read' | 'rows_synced' | 'rows_failed'> &
  Partial<Pick<RunRecord, 'id' | 'ended_at' | 'error' | 'watermark_before' | 'watermark_after'>>;

export interface NoticePolicy {
  onError: boolean;
  /** Percent; undefined means row errors alone never email. */
  rowErrorThreshold: number | undefined;
  onSuccess: boolean;
}

export const DEFAULT_ON_ERROR = true;
export const DEFAULT_ON_SUCCESS = false;

export function noticePolicy(settings: NotificationSettings | undefined): NoticePolicy {
  return {
    onError: settings?.on_error ?? DEFAULT_ON_ERROR,
    rowErrorThreshold: settings?.row_error_threshold,
    onSuccess: settings?.on_success ?? DEFAULT_ON_SUCCESS,
  };
}

/** Failed rows as a percentage of the rows the run read (0 when it read none). */
export function failedPercent(run: Pick<NotifiedRun, 'rows_read' | 'rows_failed'>): number {
  return run.rows_read > 0 ? (run.rows_failed / run.rows_read) * 100 : 0;
}

/**
 * A sync-level failure is an `error` notice; row errors count when at least the threshold percent
 * of the rows failed (Braze's "alert if ≥ N % of rows fail"); a cancelled run (shutdown) says nothing.
 */
export function noticeFor(policy: NoticePolicy, run: NotifiedRun): NoticeKind | undefined {
  switch (run.status) {
    case 'error':
      return policy.onError ? 'error' : undefined;
    case 'partial':
    case 'success':
      if (policy.rowErrorThreshold !== undefined && run.rows_failed > 0 && failedPercent(run) >= policy.rowErrorThreshold) return 'row-errors';
      return run.status === 'success' && policy.onSuccess ? 'success' : undefined;
    default:
      return undefined;
  }
}
