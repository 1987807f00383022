import { createHash } from 'node:crypto';
import type { SyncFile } from '../model/sync-file';
import type { SyncState } from './sync-state';

/** The connection settings a test covers, as written in the file (secrets are `${env:…}` references). */
export interface FingerprintedConnection {
  host?: unknown;
  port?: unknown;
  database?: unknown;
  user?: unknown;
  ssl?: unknown;
  password?: unknown;
  ca_file?: unknown;
  auth?: unknown;
  cluster_identifier?: unknown;
  workgroup?: unknown;
  region?: unknown;
}

/**
 * Identifies what a connection test covered; it changes whenever the connection settings, the
 * table or the data type change, which makes an earlier test stale. The password field holds a
 * `${env:…}` reference, never a value: hashing the reference notices a switch of secret. Fields
 * added later come last and only when set (JSON.stringify drops undefined), so a test recorded
 * before they existed keeps its fingerprint.
 */
export function connectionFingerprint(connection: FingerprintedConnection, table: string, dataType: string): string {
  const { host, port, database, user, ssl, ca_file, auth, cluster_identifier, workgroup, region } = connection;
  return createHash('sha256')
    .update(JSON.stringify({ host, port, database, user, ssl, password_ref: connection.password, table, dataType, ca_file, auth, cluster_identifier, workgroup, region }))
    .digest('hex')
    .slice(0, 16);
}

export type TestStatus = { tested: true; at: string } | { tested: false; reason: 'never' | 'stale'; lastAt?: string };

/**
 * Whether a sync's current connection settings, table and data type passed Test Connection: the
 * lifecycle rule (editor, CLI) and the scheduler decide with this one function.
 */
export function testStatus(
  connection: FingerprintedConnection,
  table: string,
  dataType: string,
  lastTest: { at: string; fingerprint: string } | null | undefined,
): TestStatus {
  if (!lastTest) return { tested: false, reason: 'never' };
  if (lastTest.fingerprint === connectionFingerprint(connection, table, dataType)) return { tested: true, at: lastTest.at };
  return { tested: false, reason: 'stale', lastAt: lastTest.at };
}

/** `testStatus` of one sync of a validated file, from its recorded state. */
export function syncTestStatus(file: SyncFile, syncName: string, state: Pick<SyncState, 'last_test'> | undefined): TestStatus {
  const sync = file.syncs[syncName];
  const connection = sync ? file.connections[sync.connection] : undefined;
  if (!sync || !connection) return { tested: false, reason: 'never' };
  return testStatus(connection, sync.table, sync.data_type, state?.last_test);
}
