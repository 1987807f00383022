/**
 * Wires one sync of a validated file to its real adapters: secrets resolved from the environment,
 * the Redshift reader, the Braze HTTP client and the state store (files, or shared PostgreSQL). Both the CLI and the VS
 * Code client start here; nothing in the result holds a secret except the adapters themselves.
 */
import * as path from 'node:path';
import { createBrazeHttpClient } from '../adapters/braze-http';
import { resolvePgSettings, type EnvLookup, type PgSettings } from '../adapters/pg-connection';
import { createRedshiftReader } from '../adapters/redshift-reader';
import { brazeRestUrl } from '../model/braze-instances';
import type { SyncDefinition, SyncFile } from '../model/sync-file';
import { parseTableName, type TableName } from '../model/table-name';
import { resolveSecretRefs } from '../secrets/secret-refs';
import { lmdbDiffStoreFactory } from '../adapters/lmdb-diff-store';
import { fileStateBackend, type StateBackend } from '../state/state-backend';
import { syncStateDir } from '../state/state-location';
import type { SyncStateStore } from '../state/state-store';
import type { BrazeClient } from '../sync/ports';
import type { DiffPorts } from '../sync/diff-setup';
import type { SourceReader } from '../sync/source-reader';
import { redactorFor, SyncConfigError, type Redactor } from '../sync/sync-errors';

export interface SyncTarget {
  file: SyncFile;
  filePath: string;
  syncName: string;
  stateRoot: string;
  /** Where the sync's state lives; default: files under `stateRoot`. */
  state?: StateBackend;
}

export interface SyncSetup {
  definition: SyncDefinition;
  table: TableName;
  store: SyncStateStore;
  /** Connection settings (secrets resolved lazily by `openSource`). */
  connectionName: string;
  /** Where its hashes live (`send: changed`), or whose hashes its deletes forget (user_deletes). */
  diff: DiffPorts;
}

export function syncSetup(target: SyncTarget): SyncSetup {
  const definition = target.file.syncs[target.syncName];
  if (!definition) {
    throw new SyncConfigError(`No sync named "${target.syncName}" in ${target.filePath}; it defines: ${Object.keys(target.file.syncs).join(', ') || '(none)'}.`);
  }
  const parsed = parseTableName(definition.table);
  if (!parsed.ok) throw new SyncConfigError(`syncs.${target.syncName}.table: ${parsed.message}`);
  if (!target.file.connections[definition.connection]) throw new SyncConfigError(`syncs.${target.syncName}.connection refers to unknown connection "${definition.connection}".`);
  return {
    definition,
    table: parsed.name,
    store: (target.state ?? fileStateBackend).storeFor(target),
    connectionName: definition.connection,
    diff: diffPorts(target, definition),
  };
}

/**
 * Where each sync's hashes live: with shared state, in the state database (every host compares
 * with the same hashes); otherwise in the sync's local state directory. A user_deletes sync
 * forgets deleted users in the stores of every custom_attributes sync of the same file (the same
 * Braze workspace).
 */
function diffPorts(target: SyncTarget, definition: SyncDefinition): DiffPorts {
  const storeOf = (syncName: string) => target.state?.diffStoreFor?.({ ...target, syncName }) ?? lmdbDiffStoreFactory(syncStateDir(target.stateRoot, target.filePath, syncName));
  if (definition.data_type !== 'user_deletes') return { diffStore: storeOf(target.syncName) };
  const peers = Object.entries(target.file.syncs).filter(([, d]) => d.data_type === 'custom_attributes');
  return { peerDiffStores: peers.map(([name]) => storeOf(name)) };
}

export interface OpenedSource {
  settings: PgSettings;
  reader: SourceReader;
  redact: Redactor;
}

/** Throws MissingSecretError (naming the variable) or CaFileError before any connection is attempted. */
export function openSource(target: SyncTarget, setup: SyncSetup, env: EnvLookup): OpenedSource {
  const conn = target.file.connections[setup.connectionName];
  if (!conn) throw new SyncConfigError(`Unknown connection "${setup.connectionName}".`);
  const settings = resolvePgSettings(setup.connectionName, conn, env, { baseDir: path.dirname(target.filePath) });
  const dataType = setup.definition.data_type;
  const reader = createRedshiftReader({ settings, table: setup.table, readPayload: dataType !== 'user_deletes', catalog: dataType === 'catalog_items' });
  // Temporary IAM passwords never reach a message: the AWS errors are built without them.
  return { settings, reader, redact: redactorFor(settings.auth === 'password' ? [settings.password] : []) };
}

export interface OpenedBraze {
  braze: BrazeClient & { close(): Promise<void> };
  redact: Redactor;
}

export function openBraze(file: SyncFile, env: EnvLookup, options: { concurrency?: number } = {}): OpenedBraze {
  const baseUrl = brazeRestUrl(file.braze);
  if (!baseUrl) throw new SyncConfigError('braze: set `instance` (e.g. US-03) or `endpoint`.');
  const apiKey = resolveSecretRefs(file.braze.api_key, 'braze.api_key', env);
  const braze = createBrazeHttpClient({ baseUrl, apiKey, ...(options.concurrency ? { concurrency: options.concurrency } : {}) });
  return { braze, redact: redactorFor([apiKey]) };
}
