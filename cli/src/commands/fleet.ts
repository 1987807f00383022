/**
 * `brazesync fleet status`: the scheduler hosts sharing a state database and what they did: per
 * host, whether it is alive, the runs it holds now, and since `--since` (default 24 h) the runs
 * that came due and were claimed by it, started, late (claimed more than 2 s after their
 * instant), failed and skipped. `--json` for scraping.
 */
import { stateSettingsFor } from '../../../core/src/app/open-state';
import { openPgStateBackend } from '../../../core/src/adapters/pg-state/pg-state-backend';
import { STATE_URL_ENV } from '../../../core/src/adapters/pg-state/state-config';
import type { FleetStats } from '../../../core/src/state/fleet';
import { EXIT, UsageError, parseCliArgs, type CliIo, type Command } from '../command';
import { envLookup, loadValidFile, stateArgs } from '../sync-args';

const USAGE = 'brazesync fleet status [FILE] [--state-url URL] [--since HOURS] [--json]';
const STARTED = new Set(['success', 'partial', 'error', 'cancelled', 'running']);
const FAILED = new Set(['error', 'failed']);

export interface HostStatus {
  host: string;
  host_id: string;
  alive: boolean;
  heartbeat_at: string;
  running: number;
  runs: { due: number; started: number; late: number; failed: number; skipped: number };
}

export const fleetCommand: Command = {
  name: 'fleet',
  summary: 'The scheduler hosts sharing a state database: alive or not, runs held now, runs due, started, late, failed and skipped per host.',
  usage: USAGE,
  async run(args, io) {
    const [action, ...rest] = args;
    if (action !== 'status') throw new UsageError(`Say what to show: status${action ? `, not '${action}'` : ''}.`);
    const parsed = parseCliArgs({ args: rest, allowPositionals: true, strict: true, options: { 'state-url': { type: 'string' }, since: { type: 'string', default: '24' }, json: { type: 'boolean', default: false } } });
    const hours = Number(parsed.values.since);
    if (!(hours > 0)) throw new UsageError(`--since must be a number of hours above 0, not '${parsed.values.since}'.`);
    return status(parsed.positionals, parsed.values, hours, io);
  },
};

async function status(files: string[], values: Record<string, unknown>, hours: number, io: CliIo): Promise<number> {
  if (files.length > 1) throw new UsageError('Give at most one definition file (its `state` block names the database).');
  let valid;
  if (files[0]) {
    valid = await loadValidFile(files[0], stateArgs(values), io);
    if (typeof valid === 'number') return valid;
  }
  const settings = stateSettingsFor(valid?.file, valid?.filePath, { ...stateArgs(values), env: envLookup(io) });
  if (!settings) throw new UsageError(`No state database: give --state-url, a file with a \`state\` block, or set ${STATE_URL_ENV}.`);
  const backend = openPgStateBackend(settings);
  try {
    const since = new Date(Date.now() - hours * 3_600_000);
    const hosts = hostStatus(await backend.fleet.stats(since));
    if (values.json === true) io.stdout.write(JSON.stringify({ database: settings.description, since: since.toISOString(), hosts }, null, 2) + '\n');
    else {
      io.stdout.write(`${settings.description}: ${hosts.filter((h) => h.alive).length} live host(s); runs since ${since.toISOString()}\n`);
      for (const h of hosts) {
        const r = h.runs;
        io.stdout.write(`  ${h.alive ? 'live' : 'gone'} ${h.host}  running ${h.running} · due ${r.due} · started ${r.started} · late ${r.late} · failed ${r.failed} · skipped ${r.skipped}  (heartbeat ${h.heartbeat_at})\n`);
      }
    }
    return EXIT.ok;
  } finally {
    await backend.close();
  }
}

export function hostStatus(stats: FleetStats): HostStatus[] {
  return stats.hosts.map((h) => {
    const runs = { due: 0, started: 0, late: 0, failed: 0, skipped: 0 };
    for (const r of stats.runs.filter((x) => x.host_id === h.host_id)) {
      runs.due += r.count;
      runs.late += r.late;
      if (STARTED.has(r.outcome)) runs.started += r.count;
      if (FAILED.has(r.outcome)) runs.failed += r.count;
      if (r.outcome.startsWith('skipped')) runs.skipped += r.count;
    }
    return { ...h, runs };
  });
}
