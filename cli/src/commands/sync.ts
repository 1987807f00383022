import { diagnoseFailure } from '../../../core/src/adapters/connection-diagnosis';
import type { RunRecord } from '../../../core/src/state/run-record';
import { createJobRunner } from '../../../core/src/app/job-runner';
import { syncSetup, type SyncTarget } from '../../../core/src/app/open-sync';
import { watermarkIso } from '../../../core/src/state/sync-state';
import { EXIT, type CliIo, type Command } from '../command';
import { progressReporter } from '../progress';
import { EXIT_CANCELLED, withStopSignals } from '../stop-signals';
import { envLookup, formatCount, loadTarget, parseSyncArgs, positiveInt } from '../sync-args';
import { readTimingLine } from '../read-timing-line';
import { sendCountsLine } from '../send-counts-line';

const USAGE = 'brazesync sync FILE --sync NAME [--json] [--concurrency N] [--state-dir DIR] [--state-url URL]';

interface SyncSummary {
  sync: string;
  status: RunRecord['status'];
  rows_read: number;
  rows_synced: number;
  rows_failed: number;
  /** Counted since send: changed; absent when the run recorded none. */
  objects_sent?: number;
  attributes_sent?: number;
  attributes_unchanged?: number;
  data_points_saved?: number;
  watermark: string | null;
}

export const syncCommand: Command = {
  name: 'sync',
  summary: 'Run a sync now: send the rows changed since its watermark to Braze (exit 0 success, 3 partial, 1 error, 2 config error).',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseSyncArgs(args, { concurrency: { type: 'string' } });
    const concurrency = positiveInt(parsed.values.concurrency, '--concurrency', 16);
    const target = await loadTarget(parsed, io);
    if (typeof target === 'number') return target;

    return withStopSignals(
      (stop) => execute(target, io, parsed.json, concurrency, stop),
      () => io.stderr.write('\nStopping after the requests in flight (Ctrl-C again to quit now)…\n'),
    );
  },
};

async function execute(target: SyncTarget, io: CliIo, json: boolean, concurrency: number, signal: AbortSignal): Promise<number> {
  const setup = syncSetup(target);
  const fail = async (message: string, code: number = EXIT.error) => {
    if (json) {
      const state = await setup.store.readState().catch(() => undefined);
      const watermark = watermarkIso(state);
      io.stdout.write(JSON.stringify({ sync: target.syncName, status: 'error', rows_read: 0, rows_synced: 0, rows_failed: 0, watermark } satisfies SyncSummary) + '\n');
    }
    io.stderr.write(`brazesync sync: ${message}\n`);
    return code;
  };

  const progress = json ? undefined : progressReporter(io.stderr, target.syncName);
  const runJob = createJobRunner({ env: envLookup(io), concurrency, owner: 'sync' });
  const outcome = await runJob({ target, signal, ...(progress ? { onProgress: (p) => progress.update(p) } : {}) });
  progress?.done();
  if (outcome.kind === 'busy') return fail(outcome.message);
  if (outcome.kind === 'failed') return fail(outcome.error, outcome.config ? EXIT.usage : EXIT.error);
  const { run } = outcome;

  const { objects_sent, attributes_sent, attributes_unchanged, data_points_saved } = run;
  const counts = objects_sent === undefined ? {} : { objects_sent, attributes_sent, attributes_unchanged, data_points_saved };
  const summary: SyncSummary = { sync: run.sync, status: run.status, rows_read: run.rows_read, rows_synced: run.rows_synced, rows_failed: run.rows_failed, ...counts, watermark: run.watermark_after };
  if (json) io.stdout.write(JSON.stringify(summary) + '\n');
  else printRun(io, run, target, setup.definition.connection);
  switch (run.status) {
    case 'success':
      return EXIT.ok;
    case 'partial':
      return EXIT.partial;
    case 'cancelled':
      return EXIT_CANCELLED;
    default:
      return EXIT.error;
  }
}

function printRun(io: CliIo, run: RunRecord, target: SyncTarget, connection: string): void {
  const out = io.stdout;
  out.write(`${run.sync}: ${run.status} (run ${run.id})\n`);
  out.write(`  rows read ${formatCount(run.rows_read)} · synced ${formatCount(run.rows_synced)} · failed ${formatCount(run.rows_failed)}${run.rows_skipped ? ` · skipped ${formatCount(run.rows_skipped)} already delivered` : ''}\n`);
  const sent = sendCountsLine(run);
  if (sent) out.write(`  ${sent}\n`);
  const timing = readTimingLine(run);
  if (timing) out.write(`  ${timing}\n`);
  out.write(`  watermark ${run.watermark_after ?? '(none)'}${run.watermark_before !== run.watermark_after ? ` (was ${run.watermark_before ?? 'none'})` : ''}\n`);
  for (const w of run.warnings) out.write(`  warning: ${w}\n`);
  if (run.error) {
    out.write(`  error: ${run.error}\n`);
    const d = diagnoseFailure(new Error(run.error));
    if (d.kind !== 'unknown' && d.kind !== 'missing-table') out.write(`  fix: ${d.fix}\n  (run \`brazesync test-connection ${target.filePath} --sync ${target.syncName}\` to check connection "${connection}")\n`);
  }
  if (run.rows_failed > 0) out.write(`  row errors: brazesync history ${target.filePath} --sync ${target.syncName} --run ${run.id}\n`);
}
