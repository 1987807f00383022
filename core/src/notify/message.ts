/**
 * The email for a notice: a subject naming the sync, and a plain-text body with the run id, times,
 * counts, the error and its fix. Only what the run record and the file's non-secret fields hold
 * goes in: never a secret, never a payload or a user identifier.
 */
import { DEFAULT_TIMEZONE, type SyncFile } from '../model/sync-file';
import { formatRunTime } from '../schedule';
import { failureFix } from './failure-fix';
import { failedPercent, type NoticeKind, type NotifiedRun } from './notice';

export interface NoticeContext {
  file: SyncFile;
  filePath: string;
  syncName: string;
}

export interface ComposedNotice {
  subject: string;
  text: string;
}

export function composeNotice(kind: NoticeKind, ctx: NoticeContext, run: NotifiedRun, threshold?: number): ComposedNotice {
  const { syncName, filePath } = ctx;
  const count = (n: number) => n.toLocaleString('en-US');
  const percent = formatPercent(failedPercent(run));
  const subject = {
    error: `[brazesync] Error in sync ${syncName}`,
    'row-errors': `[brazesync] Row errors in sync ${syncName}: ${count(run.rows_failed)} of ${count(run.rows_read)} rows failed (${percent})`,
    success: `[brazesync] Sync ${syncName} succeeded: ${count(run.rows_synced)} rows synced`,
  }[kind];
  const lead = {
    error: run.id ? `The sync ${syncName} failed; the rows it had not delivered are read again by the next run.` : `The sync ${syncName} could not start.`,
    'row-errors': `${count(run.rows_failed)} of the ${count(run.rows_read)} rows read by the sync ${syncName} failed (${percent}${threshold !== undefined ? `; the threshold is ${formatPercent(threshold)}` : ''}). The other rows were delivered.`,
    success: `The sync ${syncName} ran successfully.`,
  }[kind];

  const sync = ctx.file.syncs[syncName];
  const zone = ctx.file.braze.timezone ?? DEFAULT_TIMEZONE;
  const when = (iso: string) => formatRunTime(new Date(iso), zone);
  const facts: [string, string | undefined][] = [
    ['Sync', syncName],
    ['File', filePath],
    ['Table', sync ? `${sync.table} (${sync.data_type})` : undefined],
    ['Run', run.id],
    ['Started', when(run.started_at)],
    ['Ended', run.ended_at ? when(run.ended_at) : undefined],
    ['Status', run.status],
    ['Rows', run.id ? `read ${count(run.rows_read)}, synced ${count(run.rows_synced)}, failed ${count(run.rows_failed)}` : undefined],
    ['Watermark', run.id ? watermark(run) : undefined],
  ];
  const width = Math.max(...facts.map(([k]) => k.length)) + 2;
  const lines = [lead, '', ...facts.filter(([, v]) => v !== undefined).map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`)];

  if (kind === 'error') {
    const error = run.error ?? 'The run ended in error without a message.';
    lines.push('', 'Error:', indent(error), '', 'Fix:', indent(failureFix(error, ctx)));
  }
  if (kind === 'row-errors') {
    lines.push('', 'Fix:', indent(`Each failed row is recorded with its reason. See them with:\n  brazesync history ${filePath} --sync ${syncName} --run ${run.id ?? ''}\nFix those rows in the table and set their UPDATED_AT to the current time, so the next run sends them again.`));
  }
  if (run.id) lines.push('', `History: brazesync history ${filePath} --sync ${syncName}`);
  lines.push('', '-- ', 'Sent by brazesync (notifications in the definition file).');
  return { subject, text: lines.join('\n') + '\n' };
}

function watermark(run: NotifiedRun): string {
  const after = run.watermark_after ?? '(none)';
  return run.watermark_before !== run.watermark_after ? `${after} (was ${run.watermark_before ?? 'none'})` : `${after} (unchanged)`;
}

function formatPercent(p: number): string {
  return `${Number.isInteger(p) ? p : p.toFixed(p < 1 ? 2 : 1)}%`;
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n');
}
