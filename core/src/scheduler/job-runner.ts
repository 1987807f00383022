/**
 * Runs one scheduled job with the real adapters (the same wiring as `brazesync sync`): secrets from
 * the environment, the Redshift reader, the Braze HTTP client, the file state store and the
 * engine's lock. Outcomes are values, not exceptions, so the scheduler loop never breaks.
 */
import type { EnvLookup } from '../adapters/pg-connection';
import { JobInProgressError } from '../state/lock-file';
import type { RunRecord } from '../state/run-record';
import type { SyncStateStore } from '../state/state-store';
import { runSync } from '../sync/engine';
import { openBraze, openSource, syncSetup, type OpenedBraze, type OpenedSource, type SyncTarget } from '../sync/open-sync';
import { errorMessage } from '../sync/sync-errors';

export interface JobRequest {
  target: SyncTarget;
  signal: AbortSignal;
  /** Called once the engine has recorded the run (so its id can be logged as it starts). */
  onStarted(runId: string): void;
}

export type JobOutcome =
  | { kind: 'finished'; run: RunRecord }
  /** Another job holds the sync's lock (a Sync Now, another scheduler). */
  | { kind: 'busy'; message: string }
  /** The run could not start: a missing secret, an unusable definition, unreadable state. */
  | { kind: 'failed'; error: string };

export type JobRunner = (request: JobRequest) => Promise<JobOutcome>;

export interface JobRunnerOptions {
  env: EnvLookup;
  /** Braze requests in flight per run. */
  concurrency?: number;
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  return async ({ target, signal, onStarted }) => {
    let source: OpenedSource | undefined;
    let braze: OpenedBraze | undefined;
    try {
      const setup = syncSetup(target);
      source = openSource(target, setup, options.env);
      braze = openBraze(target.file, options.env, options.concurrency ? { concurrency: options.concurrency } : {});
      const { redact: sourceRedact } = source;
      const { redact: brazeRedact } = braze;
      const redact = (t: string) => brazeRedact(sourceRedact(t));
      try {
        const run = await runSync({
          file: target.file,
          syncName: target.syncName,
          reader: source.reader,
          braze: braze.braze,
          store: announcingStore(setup.store, onStarted),
          signal,
          redact,
          ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        });
        return { kind: 'finished', run };
      } catch (err) {
        if (err instanceof JobInProgressError) return { kind: 'busy', message: err.message };
        return { kind: 'failed', error: redact(errorMessage(err)) };
      }
    } catch (err) {
      // Opening failed before any connection: these messages name variables, never values.
      return { kind: 'failed', error: errorMessage(err) };
    } finally {
      await source?.reader.close().catch(() => undefined);
      await braze?.braze.close().catch(() => undefined);
    }
  };
}

/** The store, telling `onStarted` about the first record of each run the engine saves. */
function announcingStore(store: SyncStateStore, onStarted: (runId: string) => void): SyncStateStore {
  let announced: string | undefined;
  return {
    dir: store.dir,
    readState: () => store.readState(),
    writeState: (state) => store.writeState(state),
    // The lock file names the scheduler as the owner, for whoever finds the sync busy.
    lock: () => store.lock('scheduler'),
    async saveRun(run) {
      await store.saveRun(run);
      if (announced !== run.id) {
        announced = run.id;
        onStarted(run.id);
      }
    },
    listRuns: (limit) => store.listRuns(limit),
    rowErrorSink: (runId) => store.rowErrorSink(runId),
    readRowErrors: (runId, limit) => store.readRowErrors(runId, limit),
    housekeeping: (now) => store.housekeeping(now),
  };
}
