import { DEFAULT_STATUS, DEFAULT_TIMEZONE } from '../../../core/src/model/sync-file';
import { formatRunTime, MAX_RUNS, nextRunTimes, parseSchedule } from '../../../core/src/schedule';
import { planFor } from '../../../core/src/scheduler/plan';
import { syncTestStatus } from '../../../core/src/state/connection-fingerprint';
import { syncSetup } from '../../../core/src/app/open-sync';
import { EXIT, UsageError, parseCliArgs, type Command } from '../command';
import { loadValidFile, onlyFile, positiveInt, stateArgs } from '../sync-args';

const USAGE = 'brazesync schedule FILE [--sync NAME] [--next N] [--json] [--from TIME] [--state-dir DIR] [--state-url URL]';

interface SyncSchedule {
  sync: string;
  schedule: string;
  time_zone: string;
  status: string;
  /** Whether `brazesync scheduler` runs it now. */
  scheduled: boolean;
  /** Why not: draft, manual, untested-never, untested-stale. */
  reason: string | null;
  /** The next run instants (ISO 8601, UTC); for a draft or untested sync, when it would run. */
  next_runs: string[];
}

function why(reason: string, file: string, sync: string): string {
  const test = `\`brazesync test-connection ${file} --sync ${sync}\``;
  switch (reason) {
    case 'draft':
      return 'draft: the scheduler skips it; set status: active (after a passing Test Connection). It would run at:';
    case 'manual':
      return `manual: runs only on Sync Now (\`brazesync sync ${file} --sync ${sync}\`).`;
    case 'untested-never':
      return `active, but its connection was never tested: the scheduler skips its runs until ${test} passes. It would run at:`;
    case 'untested-stale':
      return `active, but its connection or table changed since the last passing Test Connection: the scheduler skips its runs until ${test} passes again. It would run at:`;
    default:
      return reason;
  }
}

export const scheduleCommand: Command = {
  name: 'schedule',
  summary: "Print the next run times of a file's syncs in their time zone (and whether the scheduler runs them).",
  usage: USAGE,
  async run(args, io) {
    const parsed = parseCliArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { sync: { type: 'string' }, next: { type: 'string' }, json: { type: 'boolean', default: false }, from: { type: 'string' }, 'state-dir': { type: 'string' }, 'state-url': { type: 'string' } },
    });
    const file = onlyFile(parsed.positionals);
    const count = positiveInt(parsed.values.next, '--next', 5);
    if (count > MAX_RUNS) throw new UsageError(`--next must be at most ${MAX_RUNS}.`);
    const from = parsed.values.from === undefined ? new Date() : new Date(parsed.values.from);
    if (Number.isNaN(from.getTime())) throw new UsageError(`--from must be a date and time such as 2026-03-29T00:00:00Z, not '${parsed.values.from}'.`);
    const target = await loadValidFile(file, stateArgs(parsed.values), io);
    if (typeof target === 'number') return target;
    const names = Object.keys(target.file.syncs);
    const wanted = parsed.values.sync;
    if (wanted !== undefined && !names.includes(wanted)) throw new UsageError(`No sync named '${wanted}' in ${file}; it has: ${names.join(', ') || '(none)'}.`);

    const syncs: SyncSchedule[] = [];
    for (const name of wanted === undefined ? names : [wanted]) {
      const plan = planFor(target.file, name);
      const parsedSchedule = parseSchedule(target.file.syncs[name]?.schedule ?? '');
      const times = parsedSchedule.ok ? nextRunTimes(parsedSchedule.schedule, plan.timeZone, from, count) : [];
      let reason: string | null = plan.kind === 'not-scheduled' ? plan.reason : null;
      if (plan.kind === 'scheduled') {
        const state = await syncSetup({ ...target, syncName: name }).store.readState().catch(() => undefined);
        const tested = syncTestStatus(target.file, name, state);
        if (!tested.tested) reason = `untested-${tested.reason}`;
      }
      syncs.push({
        sync: name,
        schedule: plan.text,
        time_zone: plan.timeZone,
        status: target.file.syncs[name]?.status ?? DEFAULT_STATUS,
        scheduled: reason === null,
        reason,
        next_runs: times.map((t) => t.toISOString()),
      });
    }

    if (parsed.values.json) {
      io.stdout.write(JSON.stringify({ file: target.filePath, time_zone: target.file.braze.timezone ?? DEFAULT_TIMEZONE, from: from.toISOString(), syncs }, null, 2) + '\n');
      return EXIT.ok;
    }
    for (const s of syncs) {
      io.stdout.write(`${s.sync}: ${s.schedule} (${s.time_zone})\n`);
      if (s.reason) io.stdout.write(`  ${why(s.reason, file, s.sync)}\n`);
      for (const t of s.next_runs) io.stdout.write(`  ${formatRunTime(new Date(t), s.time_zone)}\n`);
    }
    return EXIT.ok;
  },
};
