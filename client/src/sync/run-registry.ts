/**
 * Syncs this window is running now and the last result of each, for the tree (spinning icon,
 * progress) and the status bar. Free of `vscode`: listeners are plain callbacks.
 */
import type { RunRecord } from '../../../core/src/state/run-record';
import type { SyncProgress } from '../../../core/src/sync/engine';
import { formatDuration, plural } from '../tree/format';

export interface SyncKey {
  file: string;
  sync: string;
}

export interface ActiveRun extends SyncKey {
  startedAt: number;
  progress?: SyncProgress;
}

export interface FinishedRun extends SyncKey {
  run: RunRecord;
}

export function keyOf(k: SyncKey): string {
  return `${k.file}#${k.sync}`;
}

/** Progress events come many times a second; listeners may treat them more lazily than the rest. */
export type RunEvent = 'start' | 'progress' | 'finish';

export class RunRegistry {
  private readonly active = new Map<string, ActiveRun>();
  private lastFinished: FinishedRun | undefined;
  private readonly listeners = new Set<(event: RunEvent) => void>();

  onDidChange(listener: (event: RunEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** False when the sync is already running in this window. */
  start(k: SyncKey, now = Date.now()): boolean {
    if (this.active.has(keyOf(k))) return false;
    this.active.set(keyOf(k), { ...k, startedAt: now });
    this.fire('start');
    return true;
  }

  progress(k: SyncKey, progress: SyncProgress): void {
    const run = this.active.get(keyOf(k));
    if (!run) return;
    run.progress = progress;
    this.fire('progress');
  }

  finish(k: SyncKey, run?: RunRecord): void {
    this.active.delete(keyOf(k));
    if (run) this.lastFinished = { ...k, run };
    this.fire('finish');
  }

  get(k: SyncKey): ActiveRun | undefined {
    return this.active.get(keyOf(k));
  }

  running(): ActiveRun[] {
    return [...this.active.values()];
  }

  last(): FinishedRun | undefined {
    return this.lastFinished;
  }

  private fire(event: RunEvent): void {
    for (const l of this.listeners) l(event);
  }
}

/** Rows per second over the run so far, for progress messages. */
export function rowsPerSecond(progress: SyncProgress, startedAt: number, now: number): number {
  const seconds = Math.max(0.001, (now - startedAt) / 1000);
  return Math.round((progress.synced + progress.failed) / seconds);
}

/** Rows done with (sent, failed, or skipped as delivered before); the progress bar follows these, not reads. */
export function rowsDone(progress: SyncProgress): number {
  return progress.synced + progress.failed + progress.skipped;
}

/** How far the run is, 0–100, by delivered rows; 0 until the window is counted. 100 only when every row is done. */
export function deliveredPercent(progress: SyncProgress): number {
  if (!progress.total) return 0;
  const done = rowsDone(progress);
  return done >= progress.total ? 100 : Math.min(99.9, (done / progress.total) * 100);
}

/** `1,190 of 5,000 rows sent · 1,200 read · 3 failed · 597 rows/s` */
export function progressText(progress: SyncProgress, startedAt: number, now: number): string {
  const sent = progress.total === undefined ? `${plural(progress.synced, 'row')} sent` : `${progress.synced.toLocaleString('en-US')} of ${plural(progress.total, 'row')} sent`;
  const parts = [sent, `${progress.read.toLocaleString('en-US')} read`];
  if (progress.failed > 0) parts.push(`${progress.failed.toLocaleString('en-US')} failed`);
  if (progress.skipped > 0) parts.push(`${progress.skipped.toLocaleString('en-US')} skipped (delivered before)`);
  parts.push(`${rowsPerSecond(progress, startedAt, now).toLocaleString('en-US')} rows/s`);
  return parts.join(' · ');
}

/** The one-line result used by the notification and the status bar. */
export function runSummary(run: RunRecord): string {
  const duration = run.ended_at ? ` in ${formatDuration(Date.parse(run.ended_at) - Date.parse(run.started_at))}` : '';
  const counts = `${plural(run.rows_synced, 'row')} synced${run.rows_failed ? `, ${run.rows_failed.toLocaleString('en-US')} failed` : ''}`;
  switch (run.status) {
    case 'success':
      return `${run.sync}: ${counts}${duration}.`;
    case 'partial':
      return `${run.sync}: partly synced, ${counts}${duration}. The failed rows are in the run's history.`;
    case 'cancelled':
      return `${run.sync}: cancelled after ${counts}${duration}; the watermark keeps what was delivered.`;
    case 'error':
      return `${run.sync}: failed after ${counts}${duration}. ${run.error ?? ''}`.trim();
    case 'running':
      return `${run.sync}: running.`;
    case 'skipped':
      return `${run.sync}: a scheduled run was skipped. ${run.warnings[0] ?? ''}`.trim();
  }
}
