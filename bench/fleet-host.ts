/**
 * One scheduler host of the fleet benchmark, in its own worker thread (its own event loop, as a
 * separate machine would have): a Scheduler on the shared state database with a manual clock the
 * main thread moves. Posts `started` (due-to-start delay, ms) and `finished` per run, and the
 * number of statements it sent to PostgreSQL when asked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { syncSetup } from '../core/src/app/open-sync';
import type { JobRunner } from '../core/src/app/job-runner';
import { Scheduler } from '../core/src/scheduler/scheduler';
import { runSync } from '../core/src/sync/engine';
import type { SourceReader } from '../core/src/sync/source-reader';
import type { BrazeClient } from '../core/src/sync/ports';
import { ManualClock } from '../test/support/scheduler-doubles';
import { openTestStateBackend } from '../test/support/state-db';

export interface HostData {
  filePath: string;
  url: string;
  start: number;
}

export type HostMessage = { kind: 'ready' } | { kind: 'started'; delay: number } | { kind: 'finished' } | { kind: 'queries'; count: number } | { kind: 'stopped' };
export type HostCommand = { kind: 'advance'; to: number; instantAt: number } | { kind: 'queries' } | { kind: 'stop' };

/** An empty table with the columns custom_attributes needs. */
const emptyTable = {
  describe: async () => ({ sqlName: '"b"."t"', schema: 'b', table: 't', columns: [{ name: 'updated_at', type: 'timestamp with time zone' }, { name: 'external_id', type: 'character varying' }, { name: 'payload', type: 'character varying' }] }),
  counts: async () => ({ inWindow: 0, after: 0 }),
  pages: async function* () {},
  close: async () => undefined,
} as unknown as SourceReader;

const noBraze: BrazeClient = {
  track: async () => ({ status: 201, objectErrors: [] }),
  deleteUsers: async () => ({ status: 200, deleted: 0 }),
  replaceCatalogItems: async () => ({ status: 202 }),
  editCatalogItems: async () => ({ status: 202 }),
  deleteCatalogItems: async () => ({ status: 202 }),
};

const emptyRun: JobRunner = async ({ target, signal, onStarted }) => {
  const { store } = syncSetup(target);
  let announced = false;
  const announcing = {
    ...store,
    lock: () => store.lock('scheduler'),
    async saveRun(run: Parameters<typeof store.saveRun>[0]) {
      await store.saveRun(run);
      if (!announced) (announced = true), onStarted?.(run.id);
    },
  };
  const run = await runSync({ file: target.file, syncName: target.syncName, reader: emptyTable, braze: noBraze, store: announcing, signal });
  return { kind: 'finished', run };
};

async function host(port: NonNullable<typeof parentPort>, data: HostData): Promise<void> {
  let queries = 0;
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    queries++;
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
  const post = (m: HostMessage) => port.postMessage(m);
  const state = openTestStateBackend(data.url, 'brazesync', { poolSize: 10 });
  const clock = new ManualClock(new Date(data.start));
  let instantAt = 0;
  const scheduler = new Scheduler({
    discover: async () => ({ files: [data.filePath], unreadable: [] }),
    env: { K: 'key-0000', P: 'pw' },
    clock,
    state,
    runJob: emptyRun,
    notifier: { notify: async () => ({ outcome: 'none' }) },
    log: (e) => {
      if (e.event === 'run-started') post({ kind: 'started', delay: Date.now() - instantAt });
      if (e.event === 'run-finished') post({ kind: 'finished' });
    },
  });
  await scheduler.start();
  port.on('message', (c: HostCommand) => {
    if (c.kind === 'advance') {
      instantAt = c.instantAt;
      clock.advanceTo(new Date(c.to));
    } else if (c.kind === 'queries') post({ kind: 'queries', count: queries });
    else void scheduler.stop().then(() => state.close()).then(() => post({ kind: 'stopped' }));
  });
  post({ kind: 'ready' });
}

if (parentPort) void host(parentPort, workerData as HostData);
