/** What the run history keeps about each run (`runs/<id>.json` in the sync's state directory). */

/** `skipped`: a scheduled run that did not start (the previous one still going, an untested draft…); the reason is its warning. */
export const RUN_STATUSES = ['running', 'success', 'partial', 'error', 'cancelled', 'skipped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** How long a run waited on the warehouse (whole milliseconds); see sync/read-timing.ts. */
export interface ReadTiming {
  /** From the start of the read until the first rows arrived. */
  first_row_ms: number;
  /** Waiting for rows in all, first rows included. */
  wait_ms: number;
}

export interface RunRecord {
  id: string;
  sync: string;
  status: RunStatus;
  started_at: string;
  ended_at?: string;
  /** Rows read from the source that had not been delivered before. */
  rows_read: number;
  rows_synced: number;
  rows_failed: number;
  /** Rows re-read at the boundary or in the lookback window and skipped as already delivered. */
  rows_skipped: number;
  /** Rows stamped after the run's start, left for a later run. */
  rows_in_future: number;
  /** Objects Braze accepted (attributes, events, purchases, deleted users); absent in runs recorded before it was counted. */
  objects_sent?: number;
  /** Attributes those objects carried (custom_attributes syncs; control keys such as `_merge_objects` not counted). */
  attributes_sent?: number;
  /** With `send: changed`: attributes of delivered rows left out because Braze already had their value. */
  attributes_unchanged?: number;
  /** Data points Braze did not bill because of that (one per attribute left out). */
  data_points_saved?: number;
  /** Time spent waiting on the warehouse (whole milliseconds); absent in runs recorded before it was measured. */
  read?: ReadTiming;
  watermark_before: string | null;
  watermark_after: string | null;
  error?: string;
  warnings: string[];
  /** Set when the run itself did not record its end (the process died); filled in by the next run. */
  interrupted?: boolean;
  /** With shared state: the host that ran it. */
  host?: string;
}

/** One row that could not be delivered, as recorded (payload truncated, no secrets). */
export interface RowErrorRecord {
  run_id: string;
  identifier: string;
  updated_at: string;
  reason: string;
  payload?: string;
}

export const ROW_ERROR_PAYLOAD_LIMIT = 1024;

export function truncatePayload(payload: string | null | undefined): string | undefined {
  if (payload === null || payload === undefined) return undefined;
  return payload.length <= ROW_ERROR_PAYLOAD_LIMIT ? payload : `${payload.slice(0, ROW_ERROR_PAYLOAD_LIMIT)}… (${payload.length} chars)`;
}

/** Sortable, unique run ids: UTC start time to the millisecond (runs of a sync never overlap) plus randomness. */
export function newRunId(now: Date, random: string): string {
  return `${now.toISOString().replace(/[-:]/g, '')}-${random}`;
}

/** The start time (ms) a `newRunId` id begins with; undefined for an id of another shape. */
export function runIdTime(id: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z/.exec(id);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, d, h, mi, s, ms);
}

/** The record of a scheduled run that was skipped, so history shows the gap and why. */
export function skippedRun(sync: string, at: Date, reason: string, random: string): RunRecord {
  const when = at.toISOString();
  return {
    id: newRunId(at, random),
    sync,
    status: 'skipped',
    started_at: when,
    ended_at: when,
    rows_read: 0,
    rows_synced: 0,
    rows_failed: 0,
    rows_skipped: 0,
    rows_in_future: 0,
    watermark_before: null,
    watermark_after: null,
    warnings: [reason],
  };
}
