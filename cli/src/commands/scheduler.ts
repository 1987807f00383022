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
import { envLookup, positiveInt } from '../sync-args';
import { stateSettingsFor } from '../../../core/src/app/open-state';
import { openPgStateBackend } from '../../../core/src/adapters/pg-state/pg-state-backend';
import { DEFAULT_LEASE_TTL_S } from '../../../core/src/adapters/pg-state/pg-lease';
import type { PgStateSettings } from '../../../core/src/adapters/pg-state/state-config';
import { loadDefinitionFile } from '../../../core/src/lang/load-definition';
import type { StateBackend } from '../../../core/src/state/state-backend';
import { withStopSignals } from '../stop-signals';

const USAGE = 'brazesync scheduler PATHS… [--state-dir DIR | --state-url URL] [--lease-seconds N] [--log-format json|text]';

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
  const parsed = parseCliArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { 'state-dir': { type: 'string' }, 'state-url': { type: 'string' }, 'lease-seconds': { type: 'string' }, 'log-format': { type: 'string', default: 'json' } },
  });
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
  const leaseSeconds = positiveInt(parsed.values['lease-seconds'], '--lease-seconds', DEFAULT_LEASE_TTL_S);
  if (leaseSeconds < 3) throw new UsageError('--lease-seconds must be at least 3.');
  const state = await fleetState(first.files, parsed.values['state-url'], env, leaseSeconds);
  const write = (line: string) => io.stdout.write(line + '\n');
  const scheduler = new Scheduler({
    ...(state ? { state, sweepMs: (leaseSeconds * 1000) / 3 } : {}),
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
    await state?.close();
  }
}

/**
 * The one state database all the files' syncs share: `--state-url`, else the files' `state`
 * blocks (which must agree), else $BRAZESYNC_STATE_URL; undefined for files. Throws UsageError.
 */
async function fleetState(files: string[], flag: string | undefined, env: (name: string) => string | undefined, leaseSeconds: number): Promise<StateBackend | undefined> {
  const choice = { ...(flag !== undefined ? { stateUrl: flag } : {}), env, leaseSeconds };
  const found = new Map<string, { settings: PgStateSettings; file: string }>();
  for (const file of files) {
    const loaded = await loadDefinitionFile(file, { env: {} }).catch(() => undefined);
    if (!loaded?.file) continue;
    try {
      const settings = stateSettingsFor(loaded.file, file, choice);
      if (settings) found.set(`${settings.connectionString} ${settings.schema}`, { settings, file });
    } catch (err) {
      throw new UsageError(`${file}: ${(err as Error).message}`);
    }
  }
  const [one, two] = [...found.values()];
  if (two && one) throw new UsageError(`${one.file} and ${two.file} keep their state in different places (${one.settings.description}; ${two.settings.description}): one scheduler serves one state database; run one per database.`);
  return one ? openPgStateBackend(one.settings, { leaseSeconds }) : undefined;
}
