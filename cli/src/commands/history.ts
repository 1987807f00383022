import { syncSetup } from '../../../core/src/app/open-sync';
import { EXIT, UsageError, type Command } from '../command';
import { sendCountsLine } from '../send-counts-line';
import { formatCount, loadTarget, parseSyncArgs, positiveInt } from '../sync-args';

const USAGE = 'brazesync history FILE --sync NAME [--json] [--limit N] [--run ID] [--state-dir DIR] [--state-url URL]';

export const historyCommand: Command = {
  name: 'history',
  summary: "A sync's recent runs (status, rows, watermark), or one run's row errors with --run ID.",
  usage: USAGE,
  async run(args, io) {
    const parsed = parseSyncArgs(args, { limit: { type: 'string' }, run: { type: 'string' } });
    const limit = positiveInt(parsed.values.limit, '--limit', 20);
    const target = await loadTarget(parsed, io);
    if (typeof target === 'number') return target;
    const { store } = syncSetup(target);
    const runId = parsed.values.run;
    if (typeof runId === 'string') {
      const run = (await store.listRuns()).find((r) => r.id === runId);
      if (!run) throw new UsageError(`No run ${runId} in the history of ${target.syncName}.`);
      const errors = await store.readRowErrors(runId, limit);
      if (parsed.json) io.stdout.write(JSON.stringify({ run, row_errors: errors }, null, 2) + '\n');
      else {
        io.stdout.write(`${run.id} ${run.status}: ${formatCount(run.rows_failed)} row error(s)${errors.length < run.rows_failed ? `, showing ${errors.length}` : ''}\n`);
        for (const e of errors) io.stdout.write(`  ${e.updated_at} ${e.identifier}: ${e.reason}${e.payload ? `\n    payload: ${e.payload}` : ''}\n`);
      }
      return EXIT.ok;
    }
    const runs = await store.listRuns(limit);
    if (parsed.json) {
      io.stdout.write(JSON.stringify(runs, null, 2) + '\n');
      return EXIT.ok;
    }
    if (runs.length === 0) io.stdout.write(`${target.syncName} has not run yet.\n`);
    for (const r of runs) {
      const sent = sendCountsLine(r);
      io.stdout.write(`${r.id}  ${r.status.padEnd(9)} read ${formatCount(r.rows_read)} synced ${formatCount(r.rows_synced)} failed ${formatCount(r.rows_failed)}  watermark ${r.watermark_after ?? '-'}${r.host ? `  on ${r.host}` : ''}${sent ? `\n    ${sent}` : ''}${r.error ? `\n    error: ${r.error}` : ''}\n`);
      for (const w of r.warnings) io.stdout.write(`    warning: ${w}\n`);
    }
    return EXIT.ok;
  },
};
