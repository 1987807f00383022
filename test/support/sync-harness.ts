/**
 * Builds what an engine test needs around a real PostgreSQL and a real local Braze server: a sync
 * file object, a state directory, and the real adapters (reader, HTTP client, file state store).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createBrazeHttpClient, type BrazeHttpClient } from '../../core/src/adapters/braze-http';
import type { DataType, SyncDefinition, SyncFile } from '../../core/src/model/sync-file';
import { runSync, type RunSyncOptions } from '../../core/src/sync/engine';
import { openSource, syncSetup, type SyncTarget } from '../../core/src/app/open-sync';
import type { RunRecord } from '../../core/src/state/run-record';
import type { StateBackend } from '../../core/src/state/state-backend';
import type { SyncStateStore } from '../../core/src/state/state-store';
import type { TestPostgres } from './postgres';

export const API_KEY = 'test-key-5f1b2c9d8e7a';

export interface SyncSpec {
  table: string;
  dataType: DataType;
  /** With `catalog_items`. */
  catalog?: string;
  lookback?: string;
  batchSize?: number;
  brazeUrl: string;
  user?: string;
  /** Further fields of the sync (`send`, `resend_every`). */
  extra?: Partial<SyncDefinition>;
}

export function syncFile(db: TestPostgres, spec: SyncSpec): SyncFile {
  return {
    version: 1,
    braze: { endpoint: spec.brazeUrl, api_key: '${env:TEST_BRAZE_KEY}' },
    connections: {
      warehouse: { type: 'redshift', host: db.host, port: db.port, database: db.database, user: spec.user ?? db.user, password: '${env:TEST_PG_PASSWORD}', ssl: 'disable' },
    },
    syncs: {
      s: {
        connection: 'warehouse',
        table: spec.table,
        data_type: spec.dataType,
        ...(spec.catalog ? { catalog: spec.catalog } : {}),
        schedule: 'manual',
        ...(spec.lookback ? { lookback: spec.lookback } : {}),
        ...(spec.batchSize ? { batch_size: spec.batchSize } : {}),
        ...spec.extra,
      },
    },
  };
}

export interface Harness {
  target: SyncTarget;
  store: SyncStateStore;
  stateRoot: string;
  env: Record<string, string>;
  run(options?: Partial<RunSyncOptions> & { brazeOptions?: { maxRetries?: number } }): Promise<RunRecord>;
  cleanup(): void;
}

/** `state`: where the sync's state lives (a shared backend); the local state directory is new either way, as on another host. */
export function harness(db: TestPostgres, spec: SyncSpec, password = db.password, state?: StateBackend): Harness {
  const stateRoot = mkdtempSync(path.join(os.tmpdir(), 'brazesync-state-'));
  const target: SyncTarget = { file: syncFile(db, spec), filePath: path.join(stateRoot, 'test.brazesync.yaml'), syncName: 's', stateRoot, ...(state ? { state } : {}) };
  let setup: ReturnType<typeof syncSetup>;
  try {
    setup = syncSetup(target);
  } catch (err) {
    rmSync(stateRoot, { recursive: true, force: true });
    throw err;
  }
  const env: Record<string, string> = { TEST_BRAZE_KEY: API_KEY, TEST_PG_PASSWORD: password };
  return {
    target,
    store: setup.store,
    stateRoot,
    env,
    async run(options = {}) {
      const source = openSource(target, setup, (n) => env[n]);
      const braze: BrazeHttpClient = createBrazeHttpClient({ baseUrl: spec.brazeUrl, apiKey: API_KEY, baseDelayMs: 5, maxDelayMs: 50, ...(options.brazeOptions ?? {}) });
      try {
        return await runSync({ file: target.file, syncName: 's', reader: source.reader, braze, store: setup.store, ...setup.diff, ...options });
      } finally {
        await source.reader.close();
        await braze.close();
      }
    },
    cleanup: () => rmSync(stateRoot, { recursive: true, force: true }),
  };
}
