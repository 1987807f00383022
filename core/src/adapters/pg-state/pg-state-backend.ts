/**
 * The shared PostgreSQL state backend: one pool per process (and one connection for heartbeats),
 * migrated on first use (or refused when the schema is newer than this program), a store per sync
 * (and its hashes, for `send: changed`) and the fleet coordinator. Every error leaving it is
 * explained without the URL or its password (state-errors.ts).
 */
import pg from 'pg';
import type { FleetCoordinator } from '../../state/fleet';
import { sharedSyncKey, type StateBackend } from '../../state/state-backend';
import type { SyncStateStore } from '../../state/state-store';
import { tlsOptions } from '../pg-tls';
import { migrateState } from './migrations';
import { DEFAULT_LEASE_TTL_S, type HeldLease } from './pg-lease';
import { pgDiffStoreFactory } from './pg-diff-store';
import { createPgFleet } from './pg-fleet';
import { Heartbeats } from './pg-heartbeats';
import { createPgStateStore } from './pg-state-store';
import type { PgStateSettings } from './state-config';
import { explainStateError } from './state-errors';

export interface PgStateBackend extends StateBackend {
  readonly kind: 'postgres';
  readonly fleet: FleetCoordinator;
  /** Applies pending migrations now; returns their names. */
  migrate(): Promise<string[]>;
}

export interface PgBackendOptions {
  /** Lease period (s): a dead holder's sync is free this long after its last heartbeat. */
  leaseSeconds?: number;
  poolSize?: number;
}

function openPool(settings: PgStateSettings, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.connectionString,
    ssl: tlsOptions(settings.ssl, settings.ca),
    max,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'brazesync',
    // A one-shot command exits once its work is done; the scheduler keeps itself alive.
    allowExitOnIdle: true,
  });
  // A pooled connection dropped while idle (database restart) is replaced on the next query.
  pool.on('error', () => undefined);
  return pool;
}

export function openPgStateBackend(settings: PgStateSettings, options: PgBackendOptions = {}): PgStateBackend {
  const pool = openPool(settings, options.poolSize ?? 8);
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_TTL_S;
  // One more connection, opened with the first lease or fleet join: runs' statements never delay a heartbeat.
  const leases = new Map<string, HeldLease>();
  const heartbeats = new Heartbeats(openPool(settings, 1), settings.schema, leaseSeconds, leases);
  const explain = (err: unknown) => explainStateError(err, settings);
  let migrated: Promise<string[]> | undefined;
  const migrate = () => {
    migrated ??= migrateState(pool, settings.schema).catch((err: unknown) => {
      migrated = undefined; // try again on the next use
      throw explain(err);
    });
    return migrated;
  };
  const tables = { pool, schema: settings.schema, leaseSeconds, heartbeats, leases, ready: async () => void (await migrate()) };
  return {
    kind: 'postgres',
    description: settings.description,
    storeFor: (ref) => explained(createPgStateStore(tables, sharedSyncKey(ref)), explain),
    diffStoreFor: (ref) => pgDiffStoreFactory(tables, sharedSyncKey(ref), settings.description, explain),
    fleet: explained(createPgFleet(tables), explain),
    migrate,
    close: async () => {
      await Promise.all([heartbeats.close(), pool.end()]);
    },
  };
}

/** `target` with every error its async methods throw passed through `explain`. */
function explained<T extends SyncStateStore | FleetCoordinator>(target: T, explain: (err: unknown) => Error): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    out[name] =
      typeof value === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await (value as (...a: unknown[]) => Promise<unknown>)(...args);
            } catch (err) {
              throw explain(err);
            }
          }
        : value;
  }
  return out as T;
}
