/**
 * What the scheduler says about definition files, plans and finished runs: log lines built from
 * what happened, with no state of their own.
 */
import type { FileProblem } from '../lang/load-definition';
import { formatRunTime } from '../schedule';
import type { RunRecord } from '../state/run-record';
import type { SyncTarget } from '../app/open-sync';
import type { TestStatus } from '../state/connection-fingerprint';
import type { FileChange, SyncSlot } from './definition-set';
import type { LogLevel, LogProblem } from './log';
import { NOT_SCHEDULED_REASONS } from './plan';
import { ids, type Emit, type Entry, type Fields } from './sync-entry';

export const LEVEL: Record<RunRecord['status'], LogLevel> = { success: 'info', partial: 'warn', cancelled: 'warn', error: 'error', running: 'warn', skipped: 'warn' };

export function runFields(run: RunRecord): Fields {
  return {
    run_id: run.id,
    status: run.status,
    rows_read: run.rows_read,
    rows_synced: run.rows_synced,
    rows_failed: run.rows_failed,
    rows_skipped: run.rows_skipped,
    watermark: run.watermark_after,
    ...(run.ended_at ? { duration_ms: Date.parse(run.ended_at) - Date.parse(run.started_at) } : {}),
    ...(run.error ? { error: run.error } : {}),
    ...(run.warnings.length ? { warnings: run.warnings } : {}),
  };
}

export function untestedReason(tested: { tested: false; reason: 'never' | 'stale'; lastAt?: string }, target: SyncTarget): string {
  const command = `\`brazesync test-connection ${target.filePath} --sync ${target.syncName}\``;
  return tested.reason === 'never'
    ? `it is active but its connection was never tested; run ${command}`
    : `its connection settings or table changed since the last passing Test Connection (${tested.lastAt ?? 'earlier'}); run ${command} again`;
}

export function logNotScheduled(emit: Emit, slot: SyncSlot, plan: Extract<SyncSlot['plan'], { kind: 'not-scheduled' }>): void {
  emit('info', 'sync-not-scheduled', `${slot.target.syncName}: not scheduled: ${NOT_SCHEDULED_REASONS[plan.reason]}.`, { ...ids(slot), reason: plan.reason, schedule: plan.text, next_run: null });
}

/** A sync planned: its schedule and next run, and whether its runs are skipped until it is tested. */
export function logScheduled(emit: Emit, entry: Entry, plan: Extract<SyncSlot['plan'], { kind: 'scheduled' }>, tested: TestStatus): void {
  const { slot } = entry;
  const name = slot.target.syncName;
  const next = entry.nextRun ? formatRunTime(entry.nextRun, plan.timeZone) : 'never';
  const fields = { ...ids(slot), schedule: plan.text, time_zone: plan.timeZone, next_run: entry.nextRun?.toISOString() ?? null };
  if (tested.tested) emit('info', 'sync-scheduled', `${name}: scheduled ${plan.text} (${plan.timeZone}); next run ${next}.`, fields);
  else emit('warn', 'sync-scheduled', `${name}: scheduled ${plan.text} (${plan.timeZone}), but ${untestedReason(tested, slot.target)}; its runs are skipped until then. Next run ${next}.`, { ...fields, reason: `untested-${tested.reason}` });
}

export function logFileChange(emit: Emit, change: FileChange): void {
  const file = change.filePath;
  switch (change.kind) {
    case 'loaded':
      emit(change.warnings.length ? 'warn' : 'info', 'file-loaded', `${file}: loaded ${change.syncs} sync(s)${change.warnings.length ? ` with ${change.warnings.length} warning(s)` : ''}.`, {
        file,
        syncs: change.syncs,
        ...(change.warnings.length ? { problems: change.warnings.map(logProblem) } : {}),
      });
      return;
    case 'invalid':
      emit('error', 'file-invalid', `${file}: ${change.problems.length} error(s); ${change.keptLastGood ? 'its syncs keep their last good definition and schedule' : 'none of its syncs is scheduled'} until it validates (see \`brazesync validate ${file}\`).`, {
        file,
        problems: change.problems.map(logProblem),
      });
      return;
    case 'removed':
      emit('info', 'file-removed', `${file}: gone; its syncs are not scheduled any more.`, { file });
  }
}

function logProblem(p: FileProblem): LogProblem {
  return { line: p.line, column: p.column, severity: p.severity, code: p.code, message: p.message };
}
