/**
 * Where the state of every sync lives: files beside the definitions (the default, no service
 * needed) or a shared PostgreSQL database (`adapters/pg-state/`). Commands, the engine and the
 * scheduler ask a backend for one sync's store and never care which kind it is.
 */
import type { DiffStoreFactory } from '../diff/diff-store';
import { createFileStateStore } from './file-state-store';
import type { FleetCoordinator } from './fleet';
import { fileStem, syncStateDir } from './state-location';
import type { SyncStateStore } from './state-store';

/** One sync of one definition file, as every store names it. */
export interface SyncRef {
  filePath: string;
  /** The file-store root (`.brazesync/` beside the file, or `--state-dir`). */
  stateRoot: string;
  syncName: string;
}

export interface StateBackend {
  readonly kind: 'files' | 'postgres';
  /** For messages: the state root, or `PostgreSQL host:port/database, schema S` (never the password). */
  readonly description: string;
  storeFor(ref: SyncRef): SyncStateStore;
  /** Where `send: changed` keeps a sync's hashes when they are shared too (else: beside its local state). */
  diffStoreFor?(ref: SyncRef): DiffStoreFactory;
  /** Present when several hosts share this state and must agree on who runs what. */
  readonly fleet?: FleetCoordinator;
  close(): Promise<void>;
}

/**
 * The sync's name in shared state: `<file stem>/<sync>`, the same on every host whatever folder
 * the file sits in (as in the file store, two files with the same name share their syncs' state).
 */
export function sharedSyncKey(ref: Pick<SyncRef, 'filePath' | 'syncName'>): string {
  return `${fileStem(ref.filePath)}/${ref.syncName}`;
}

export const fileStateBackend: StateBackend = {
  kind: 'files',
  description: 'files beside the definitions',
  storeFor: (ref) => createFileStateStore(syncStateDir(ref.stateRoot, ref.filePath, ref.syncName)),
  close: async () => undefined,
};
