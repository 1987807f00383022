/**
 * Runs one sync job with the real adapters: secrets from the environment, the Redshift reader, the
 * Braze HTTP client, the state store (files or shared PostgreSQL) and the engine's lock. `brazesync sync` and the
 * scheduler both run jobs through here. Outcomes are values, not exceptions, so a caller (the
 * scheduler loop) never breaks on one.
 */
import type { EnvLookup } from '../adapters/pg-connection';
import { JobInProgressError } from '../state/lock-file';
import type { RunRecord } from '../state/run-record';
import type { SyncStateStore } from '../state/state-store';
import { runSync, type SyncProgress } from '../sync/engine';
import { openBraze, openSource, syncSetup, type OpenedBraze, type OpenedSource, type SyncTarget } from './open-sync';
import { errorMessage, SyncConfigError } from '../sync/sync-errors';

export interface JobRequest {
  target: SyncTarget;
  signal: AbortSignal;
  /** Called once the engine has recorded the run (so its id can be logged as it starts). */
  onStarted?(runId: string): void;
  onProgress?(progress: SyncProgress): void;
}

export type JobOutcome =
  | { kind: 'finished'; run: RunRecord }
  /** Another job holds the sync's lock (a Sync Now, another scheduler). */
  | { kind: 'busy'; message: string }
  /**
   * The run failed before or outside the engine's own record. `config`: the definition, its
   * secrets or the recorded state are the problem (a missing variable, a changed data type).
   */
  | { kind: 'failed'; error: string; config: boolean };

export type JobRunner = (request: JobRequest) => Promise<JobOutcome>;

export interface JobRunnerOptions {
  env: EnvLookup;
  /** Braze requests in flight per run. */
  concurrency?: number;
  /** Who holds the sync's lock while the job runs, as another process sees it ('sync', 'scheduler'). */
  owner: string;
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  return async ({ target, signal, onStarted, onProgress }) => {
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
          store: jobStore(setup.store, options.owner, onStarted),
          ...setup.diff,
          signal,
          redact,
          ...(options.concurrency ? { concurrency: options.concurrency } : {}),
          ...(onProgress ? { onProgress } : {}),
        });
        return { kind: 'finished', run };
      } catch (err) {
        if (err instanceof JobInProgressError) return { kind: 'busy', message: err.message };
        return { kind: 'failed', error: redact(errorMessage(err)), config: err instanceof SyncConfigError };
      }
    } catch (err) {
      // Opening failed before any connection: these messages name variables, never values.
      return { kind: 'failed', error: errorMessage(err), config: true };
    } finally {
      await source?.reader.close().catch(() => undefined);
      await braze?.braze.close().catch(() => undefined);
    }
  };
}

/** The store, naming `owner` in the lock and telling `onStarted` about each run's first record. */
function jobStore(store: SyncStateStore, owner: string, onStarted: ((runId: string) => void) | undefined): SyncStateStore {
  let announced: string | undefined;
  return {
    ...store,
    lock: () => store.lock(owner),
    async saveRun(run) {
      await store.saveRun(run);
      if (announced !== run.id) {
        announced = run.id;
        onStarted?.(run.id);
      }
    },
  };
}
