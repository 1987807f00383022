/**
 * Opening a `pg` connection to Redshift (or PostgreSQL in tests) from a file's connection block:
 * secrets resolved from the environment, a password or temporary IAM credentials, TLS per `ssl`
 * (with `ca_file`), connect and statement timeouts, a UTC session with ISO dates, and every
 * temporal/JSON value kept as the server's text.
 */
import pg from 'pg';
import { iamTarget } from '../model/redshift-endpoint';
import { DEFAULT_AUTH_MODE, DEFAULT_REDSHIFT_PORT, DEFAULT_SSL_MODE, type RedshiftConnection, type SslMode } from '../model/sync-file';
import { resolveSecretRefs } from '../secrets/secret-refs';
import { createIamCredentials, type TemporaryCredentials } from './iam-credentials';
import { readCaFile, tlsOptions } from './pg-tls';

/** How a connection logs in: the user's password, or temporary credentials AWS issues (`auth: iam`). */
export type PgLogin = { auth: 'password'; password: string } | { auth: 'iam'; credentials: TemporaryCredentials };

export type PgSettings = PgLogin & {
  host: string;
  port: number;
  database: string;
  /** The user as written; with IAM the session user is the one AWS issues (`IAM:user`). */
  user: string;
  ssl: SslMode;
  /** PEM text of `ca_file`, the CAs `verify-full` trusts instead of Node's store. */
  ca?: string;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
};

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** Braze asks warehouse queries to finish within an hour; one page should take far less. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10 * 60_000;

export type EnvLookup = (name: string) => string | undefined;

export interface ResolveOptions {
  /** The folder of the definition file: a relative `ca_file` is read from there. Default: the working directory. */
  baseDir?: string;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
}

/**
 * Resolves `${env:NAME}` in every field of the connection (throws MissingSecretError naming the
 * variable) and reads `ca_file` (throws CaFileError naming the field and path). Nothing connects.
 */
export function resolvePgSettings(name: string, conn: RedshiftConnection, env: EnvLookup, options: ResolveOptions = {}): PgSettings {
  const field = (key: string) => `connections.${name}.${key}`;
  const host = resolveSecretRefs(conn.host, field('host'), env);
  const database = resolveSecretRefs(conn.database, field('database'), env);
  const user = resolveSecretRefs(conn.user, field('user'), env);
  const ssl = conn.ssl ?? DEFAULT_SSL_MODE;
  // `ca_file` only matters to verify-full (the editor warns otherwise): never fail a run over it.
  const caFile = ssl === 'verify-full' && conn.ca_file ? resolveSecretRefs(conn.ca_file, field('ca_file'), env) : undefined;
  return {
    ...resolveLogin(name, conn, { host, user, database }, env),
    host,
    port: conn.port ?? DEFAULT_REDSHIFT_PORT,
    database,
    user,
    ssl,
    ...(caFile ? { ca: readCaFile(caFile, field('ca_file'), options.baseDir ?? process.cwd()) } : {}),
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
  };
}

function resolveLogin(name: string, conn: RedshiftConnection, resolved: { host: string; user: string; database: string }, env: EnvLookup): PgLogin {
  if ((conn.auth ?? DEFAULT_AUTH_MODE) === 'password') {
    // A validated file always has one; this guards callers that skip validation.
    if (conn.password === undefined) throw new Error(`connections.${name}.password is missing: give it as \${env:NAME}, or set \`auth: iam\`.`);
    return { auth: 'password', password: resolveSecretRefs(conn.password, `connections.${name}.password`, env) };
  }
  const target = iamTarget({ host: resolved.host, cluster_identifier: conn.cluster_identifier, workgroup: conn.workgroup, region: conn.region });
  if (!target.ok) throw new Error(`connections.${name}: ${target.message}`);
  return { auth: 'iam', credentials: createIamCredentials({ target: target.target, dbUser: resolved.user, database: resolved.database }) };
}

const TEXT_OIDS = new Set([
  1082, // date
  1083, // time
  1114, // timestamp
  1184, // timestamptz
  1266, // timetz
  114, // json
  3802, // jsonb
]);

const textTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    TEXT_OIDS.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

const connectionErrors = new WeakMap<pg.Client, Error>();

/**
 * A query's error, saying so when the connection itself was lost (terminated by the server,
 * reset by the network), with the reason and what to do.
 */
export function queryError(client: pg.Client, s: Pick<PgSettings, 'host' | 'port'>, err: unknown): Error {
  const error = err instanceof Error ? err : new Error(String(err));
  const lost = connectionErrors.get(client) ?? (endsConnection(error) ? error : undefined);
  if (!lost) return error;
  return new Error(`The connection to ${s.host}:${s.port} was lost (${lost.message}). Nothing after the last checkpoint was committed: run the sync again to resume from there.`);
}

/** A FATAL error from the server (it closes the connection after it), or the connection dropping under a query. */
function endsConnection(err: Error & { severity?: unknown; code?: unknown }): boolean {
  if (err.severity === 'FATAL' || err.severity === 'PANIC') return true;
  if (typeof err.code === 'string' && (err.code.startsWith('08') || err.code.startsWith('57P') || err.code === 'ECONNRESET' || err.code === 'EPIPE')) return true;
  return /Connection terminated/i.test(err.message);
}

/**
 * With IAM, AWS names the session user, and the password is read when the server asks for it: a
 * connection opened after the cached credentials came near their expiry gets new ones. Within one
 * connection both reads hit the same cache entry (AWS issues them for at least 15 minutes, more
 * than the refresh margin).
 */
async function loginFor(s: PgSettings): Promise<{ user: string; password: string | (() => Promise<string>) }> {
  if (s.auth === 'password') return { user: s.user, password: s.password };
  const { user } = await s.credentials.get();
  return { user, password: async () => (await s.credentials.get()).password };
}

/**
 * One round trip for the session settings. Timestamps are read as the server's text, so its
 * format must not follow a database or user default such as `SQL, DMY`.
 */
function sessionSetup(s: PgSettings): string {
  return `SET DateStyle TO 'ISO, MDY'; SET timezone TO 'UTC'; SET statement_timeout TO ${Math.floor(s.statementTimeoutMs)}`;
}

export async function connectPg(s: PgSettings): Promise<pg.Client> {
  const client = new pg.Client({
    host: s.host,
    port: s.port,
    database: s.database,
    ...(await loginFor(s)),
    ssl: tlsOptions(s.ssl, s.ca),
    connectionTimeoutMillis: s.connectTimeoutMs,
    // Client-side guard in case the server ignores statement_timeout (a dead TCP peer).
    query_timeout: s.statementTimeoutMs + 30_000,
    keepAlive: true,
    application_name: 'brazesync',
    types: textTypes,
  });
  // A connection dropped while idle must not crash the process; the next query reports it, with
  // the reason the server or the network gave (pg itself only says "not queryable" then).
  client.on('error', (err) => {
    if (!connectionErrors.has(client)) connectionErrors.set(client, err);
  });
  try {
    await client.connect();
    await client.query(sessionSetup(s));
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}
