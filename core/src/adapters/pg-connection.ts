/**
 * Opening a `pg` connection to Redshift (or PostgreSQL in tests) from a file's connection block:
 * secrets resolved from the environment, TLS per `ssl`, connect and statement timeouts, UTC
 * session, and every temporal/JSON value kept as the server's text.
 */
import pg from 'pg';
import { DEFAULT_REDSHIFT_PORT, DEFAULT_SSL_MODE, type RedshiftConnection, type SslMode } from '../model/sync-file';
import { resolveSecretRefs } from '../secrets/secret-refs';

export interface PgSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  ssl: SslMode;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** Braze asks warehouse queries to finish within an hour; one page should take far less. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10 * 60_000;

export type EnvLookup = (name: string) => string | undefined;

/** Resolves `${env:NAME}` in every field of the connection (throws MissingSecretError naming the variable). */
export function resolvePgSettings(name: string, conn: RedshiftConnection, env: EnvLookup, timeouts: Partial<Pick<PgSettings, 'connectTimeoutMs' | 'statementTimeoutMs'>> = {}): PgSettings {
  const field = (key: string) => `connections.${name}.${key}`;
  return {
    host: resolveSecretRefs(conn.host, field('host'), env),
    port: conn.port ?? DEFAULT_REDSHIFT_PORT,
    database: resolveSecretRefs(conn.database, field('database'), env),
    user: resolveSecretRefs(conn.user, field('user'), env),
    password: resolveSecretRefs(conn.password, field('password'), env),
    ssl: conn.ssl ?? DEFAULT_SSL_MODE,
    connectTimeoutMs: timeouts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: timeouts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
  };
}

/**
 * `require` encrypts without checking the certificate (libpq semantics, not pg's stricter reading).
 * `verify-full` checks the chain against Node's CA store (plus NODE_EXTRA_CA_CERTS, read when the
 * process starts) and the certificate against `host`; pg sends `host` as the TLS server name
 * unless it is an IP address, where SNI is not allowed.
 */
export function tlsOptions(mode: SslMode): pg.ClientConfig['ssl'] {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return { rejectUnauthorized: true };
  }
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

export async function connectPg(s: PgSettings): Promise<pg.Client> {
  const client = new pg.Client({
    host: s.host,
    port: s.port,
    database: s.database,
    user: s.user,
    password: s.password,
    ssl: tlsOptions(s.ssl),
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
    await client.query(`SET timezone TO 'UTC'`);
    await client.query(`SET statement_timeout TO ${Math.floor(s.statementTimeoutMs)}`);
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}
