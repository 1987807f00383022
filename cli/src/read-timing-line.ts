/**
 * The line of a run summary that says where the time went: the run's pace, how long the first rows
 * took (the warehouse's scan and sort of the window), and how long the run waited for rows in all.
 * Waiting that is most of the run means the table or view sets the pace (see docs/reading.md for
 * a SORTKEY on UPDATED_AT or a cheaper view); little waiting means Braze does.
 */
import type { RunRecord } from '../../core/src/state/run-record';
import { formatCount } from './sync-args';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function readTimingLine(run: RunRecord): string | undefined {
  if (!run.read || !run.ended_at) return undefined;
  const total = Date.parse(run.ended_at) - Date.parse(run.started_at);
  const rows = run.rows_read + run.rows_skipped;
  const pace = total > 0 ? ` (${formatCount(Math.round((rows * 1000) / total))} rows/s)` : '';
  return `read ${formatCount(rows)} rows in ${seconds(total)}${pace} · first rows after ${seconds(run.read.first_row_ms)} · waited ${seconds(run.read.wait_ms)} on the warehouse in all`;
}
