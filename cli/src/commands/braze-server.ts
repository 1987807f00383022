import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startBrazeServer, type BrazeServerOptions, type CatalogDefinition } from '../../../core/src/braze-server/braze-server';
import { parseCatalogJson, parseCatalogSpec } from '../../../core/src/braze-server/catalog-spec';
import { DEFAULT_TRACK_BUDGET } from '../../../core/src/sync/braze-contract';
import { EXIT, UsageError, parseCliArgs, type CliIo, type Command } from '../command';
import { withStopSignals } from '../stop-signals';

const DEFAULT_PORT = 9321;
const USAGE = `brazesync braze-server [--port N (default ${DEFAULT_PORT}, 0 = any free port)] [--host 127.0.0.1] [--api-key KEY …] [--budget N/SECONDS] [--fail-rate P] [--latency MS] [--catalog NAME:FIELD:TYPE,FIELD:TYPE… | --catalog FILE.json …]`;

export const brazeServerCommand: Command = {
  name: 'braze-server',
  summary: 'Run a local Braze-compatible REST server (/users/track, /users/delete, /catalogs) for tests, demos and dry runs, until Ctrl+C.',
  usage: USAGE,
  largeHeap: true,
  async run(args, io) {
    return withStopSignals((stop) => runBrazeServer(args, io, stop));
  },
};

/** Runs the server until `stop` aborts; separate from `run` so tests stop it without signals. */
export async function runBrazeServer(args: string[], io: CliIo, stop: AbortSignal): Promise<number> {
  const options = parseOptions(args, io);
  let server;
  try {
    server = await startBrazeServer(options);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${options.port} is already in use: pass --port N, or --port 0 for any free port.`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new Error(`cannot listen on host ${options.host}: use an address of this machine, e.g. 127.0.0.1.`);
    throw err;
  }
  const budget = options.budget ?? DEFAULT_TRACK_BUDGET;
  const keys = options.apiKeys.length;
  io.stdout.write(
    [
      `Local Braze server listening on ${server.url}`,
      `  POST /users/track, POST /users/delete: ${budget.limit} requests per ${budget.windowMs / 1000} s, ${keys} API key${keys === 1 ? '' : 's'}` +
        `${options.faults?.rate ? `, fail rate ${options.faults.rate}` : ''}${options.latencyMs ? `, latency ${options.latencyMs} ms` : ''}`,
      ...(options.catalogs?.length ? [`  PUT/PATCH/DELETE/GET /catalogs/{catalog}/items for ${options.catalogs.map((c) => `${c.name} (${c.fields.map((f) => `${f.name}:${f.type}`).join(', ') || 'no fields'})`).join('; ')}`] : []),
      '  GET /_local/profiles[?external_id=…], GET /_local/stats, POST /_local/faults, POST /_local/reset',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  if (options.host !== '127.0.0.1' && options.host !== 'localhost' && options.host !== '::1') {
    io.stderr.write(`brazesync braze-server: listening on ${options.host} without TLS; keep it on a trusted network.\n`);
  }
  if (!stop.aborted) await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
  const stats = server.stats();
  await server.close();
  io.stdout.write(`Stopped after ${stats.requests} API request${stats.requests === 1 ? '' : 's'}; ${stats.profiles} profile${stats.profiles === 1 ? '' : 's'} held.\n`);
  return EXIT.ok;
}

function parseOptions(args: string[], io: CliIo): BrazeServerOptions & { port: number; host: string } {
  const { values } = parseCliArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'api-key': { type: 'string', multiple: true },
      budget: { type: 'string' },
      'fail-rate': { type: 'string' },
      latency: { type: 'string' },
      catalog: { type: 'string', multiple: true },
    },
  });
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number from 0 to 65535, not '${values.port}'.`);
  const host = values.host ?? '127.0.0.1';
  const fromEnv = io.env.BRAZE_API_KEY;
  const apiKeys = values['api-key'] ?? (fromEnv ? [fromEnv] : []);
  if (apiKeys.length === 0) throw new UsageError('no API key: set BRAZE_API_KEY (preferred: arguments show in process lists) or pass --api-key KEY.');
  if (apiKeys.some((k) => k.trim() === '')) throw new UsageError('--api-key must not be empty.');
  const options: BrazeServerOptions & { port: number; host: string } = { port, host, apiKeys };
  if (values.budget !== undefined) {
    const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(values.budget.trim());
    const limit = Number(m?.[1]);
    const windowMs = Math.round(Number(m?.[2]) * 1000);
    if (!m || limit < 1 || windowMs < 1) throw new UsageError(`--budget must be REQUESTS/SECONDS such as 3000/3 (Braze's /users/track limit), not '${values.budget}'.`);
    options.budget = { limit, windowMs };
  }
  if (values['fail-rate'] !== undefined) {
    const rate = Number(values['fail-rate']);
    if (values['fail-rate'].trim() === '' || !(rate >= 0 && rate <= 1)) throw new UsageError(`--fail-rate must be a probability from 0 to 1 (e.g. 0.05 answers 5% of requests with 500/502/503), not '${values['fail-rate']}'.`);
    options.faults = { rate };
  }
  if (values.latency !== undefined) {
    const latency = Number(values.latency);
    if (values.latency.trim() === '' || !Number.isInteger(latency) || latency < 0) throw new UsageError(`--latency must be a whole number of milliseconds, not '${values.latency}'.`);
    options.latencyMs = latency;
  }
  if (values.catalog) options.catalogs = values.catalog.flatMap((spec) => catalogsOf(spec, io));
  return options;
}

/** `--catalog`: a `name:Field:type,…` spec, or a JSON file of catalogs (read relative to the working directory). */
function catalogsOf(spec: string, io: CliIo): CatalogDefinition[] {
  try {
    if (!spec.toLowerCase().endsWith('.json')) return [parseCatalogSpec(spec)];
    const file = path.resolve(io.cwd, spec);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read --catalog ${spec}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
    }
    return parseCatalogJson(text, spec);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
