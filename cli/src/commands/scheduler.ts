import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createNotifier } from '../../../core/src/notify/notifier';
import { systemSchedulerClock } from '../../../core/src/scheduler/clock';
import type { Discovery } from '../../../core/src/scheduler/definition-set';
import { createJobRunner } from '../../../core/src/app/job-runner';
import { formatLogEntry, LOG_FORMATS, type LogFormat } from '../../../core/src/scheduler/log';
import { Scheduler } from '../../../core/src/scheduler/scheduler';
import { watchDefinitions, type WatchTarget } from '../../../core/src/scheduler/watch-files';
import { EXIT, UsageError, parseCliArgs, type CliIo, type Command } from '../command';
import { DEFINITION_FILE, findDefinitionFiles } from '../find-definition-files';
import { envLookup } from '../sync-args';
import { withStopSignals } from '../stop-signals';

const USAGE = 'brazesync scheduler PATHS… [--state-dir DIR] [--log-format json|text]';

export const schedulerCommand: Command = {
  name: 'scheduler',
  summary: 'Run the active syncs of the given files or folders on their schedules until stopped (SIGTERM/SIGINT stop gracefully; logs are JSON lines).',
  usage: USAGE,
  async run(args, io) {
    return withStopSignals((stop) => runScheduler(args, io, stop));
  },
};

/** Runs until `stop` aborts (its reason, e.g. 'SIGTERM', is logged); separate from `run` for tests. */
export async function runScheduler(args: string[], io: CliIo, stop: AbortSignal): Promise<number> {
  const parsed = parseCliArgs({ args, allowPositionals: true, strict: true, options: { 'state-dir': { type: 'string' }, 'log-format': { type: 'string', default: 'json' } } });
  const format = parsed.values['log-format'] as LogFormat;
  if (!LOG_FORMATS.includes(format)) throw new UsageError(`--log-format must be ${LOG_FORMATS.join(' or ')}, not '${format}'.`);
  if (parsed.positionals.length === 0) throw new UsageError('Give the definition files or folders to schedule, e.g. `brazesync scheduler syncs/`.');
  const stateDir = parsed.values['state-dir'];

  const discover = async (): Promise<Discovery> => {
    const found = await findDefinitionFiles(parsed.positionals, io.cwd);
    return { files: found.files, unreadable: found.unreadable.map((u) => ({ path: path.resolve(io.cwd, u.path), reason: u.reason })) };
  };
  const first = await discover();
  for (const u of first.unreadable) io.stderr.write(`brazesync scheduler: cannot read ${u.path}: ${u.reason}\n`);
  if (first.unreadable.length > 0) return EXIT.usage;
  if (first.files.length === 0) {
    io.stderr.write(`brazesync scheduler: no *.brazesync.yaml files found in ${parsed.positionals.join(', ')}.\n`);
    return EXIT.usage;
  }
  const targets: WatchTarget[] = await Promise.all(
    parsed.positionals.map(async (p) => {
      const abs = path.resolve(io.cwd, p);
      return { path: abs, isDirectory: (await fs.stat(abs)).isDirectory() };
    }),
  );

  const env = envLookup(io);
  const write = (line: string) => io.stdout.write(line + '\n');
  const scheduler = new Scheduler({
    discover,
    env: io.env,
    ...(stateDir ? { stateDir: path.resolve(io.cwd, stateDir) } : {}),
    clock: systemSchedulerClock,
    runJob: createJobRunner({ env, owner: 'scheduler' }),
    notifier: createNotifier({ env }),
    log: (entry) => write(formatLogEntry(entry, format)),
    watch: (onChange) =>
      watchDefinitions(targets, (name) => DEFINITION_FILE.test(name), onChange, (err) =>
        write(formatLogEntry({ time: new Date().toISOString(), level: 'warn', event: 'watch-failed', message: `Watching the definitions failed (${err.message}); edits are picked up after a restart.`, error: err.message }, format)),
      ),
  });
  // The scheduler may have nothing armed (only drafts) and still has to wait for edits and signals.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    const stopped = new Promise<void>((resolve) => {
      if (stop.aborted) resolve();
      else stop.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      await Promise.race([scheduler.start(), stopped]);
    } catch (err) {
      await scheduler.stop('it could not start');
      throw err;
    }
    await stopped;
    await scheduler.stop(typeof stop.reason === 'string' ? stop.reason : 'stop requested');
    return EXIT.ok;
  } finally {
    clearInterval(keepAlive);
  }
}
