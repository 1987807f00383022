/**
 * Scheduler logs: one JSON object per line for machines (journald, container logs, log shippers),
 * or `--log-format text` for people. Every entry carries a `message` sentence; the JSON form adds
 * the fields to filter on (sync, run id, event, counts, next run).
 */
import type { NoticeKind } from '../notify/notice';

export type LogLevel = 'info' | 'warn' | 'error';

export type LogEvent =
  | 'scheduler-started'
  | 'file-loaded'
  | 'file-invalid'
  | 'file-removed'
  | 'watch-failed'
  | 'sync-scheduled'
  | 'sync-not-scheduled'
  | 'sync-removed'
  | 'catch-up'
  | 'run-taken-over'
  | 'definition-mismatch'
  | 'fleet-unavailable'
  | 'run-started'
  | 'run-finished'
  | 'run-failed'
  | 'run-skipped'
  | 'notification-sent'
  | 'notification-skipped'
  | 'notification-failed'
  | 'stopping'
  | 'stopped';

export interface LogProblem {
  line: number;
  column: number;
  severity: string;
  code: string;
  message: string;
}

export interface LogEntry {
  time: string;
  level: LogLevel;
  event: LogEvent;
  message: string;
  file?: string;
  sync?: string;
  run_id?: string;
  status?: string;
  rows_read?: number;
  rows_synced?: number;
  rows_failed?: number;
  rows_skipped?: number;
  watermark?: string | null;
  duration_ms?: number;
  /** The schedule instant a run belongs to (ISO, UTC). */
  scheduled_for?: string;
  /** The next planned run (ISO, UTC); null when the sync is not scheduled any more. */
  next_run?: string | null;
  schedule?: string;
  time_zone?: string;
  reason?: string;
  error?: string;
  /** A run's warnings (rows stamped in the future, …). */
  warnings?: string[];
  notice?: NoticeKind;
  to?: string[];
  problems?: LogProblem[];
  files?: number;
  syncs?: number;
  in_flight?: number;
}

export type LogFormat = 'json' | 'text';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

export type SchedulerLog = (entry: LogEntry) => void;

export function formatLogEntry(entry: LogEntry, format: LogFormat): string {
  if (format === 'json') return JSON.stringify(entry);
  const head = `${entry.time} ${entry.level.toUpperCase().padEnd(5)} ${entry.message}`;
  const problems = (entry.problems ?? []).map((p) => `\n    ${entry.file ?? ''}:${p.line}:${p.column} ${p.severity} ${p.code} ${p.message}`);
  return head + problems.join('');
}
