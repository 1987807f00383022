/**
 * The shared state database's settings: from `--state-url`, the file's `state` block or
 * `$BRAZESYNC_STATE_URL` (in that order), with TLS as for connections. The URL holds a password,
 * so nothing here ever puts the URL in a message: errors name where it came from, and
 * `redact` scrubs it (and its password) from any text that may reach output, logs or history.
 */
import { DEFAULT_STATE_SCHEMA, SSL_MODES, type SslMode, type StateSettings } from '../../model/sync-file';
import { resolveSecretRefs } from '../../secrets/secret-refs';
import { redactorFor, SyncConfigError, type Redactor } from '../../sync/sync-errors';
import { readCaFile } from '../pg-tls';

export const STATE_URL_ENV = 'BRAZESYNC_STATE_URL';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** URL parameters that decide TLS; removed from the URL pg sees, since pg reads sslmode its own way. */
const TLS_PARAMS = ['sslmode', 'ssl', 'sslrootcert', 'sslcert', 'sslkey', 'uselibpqcompat'];

export interface PgStateSettings {
  /** The URL without its TLS parameters; secret. */
  connectionString: string;
  host: string;
  port: number;
  database: string;
  user: string;
  schema: string;
  ssl: SslMode;
  ca?: string;
  /** `PostgreSQL host:port/database, schema S`: safe to show. */
  description: string;
  redact: Redactor;
}

export interface StateUrlSources {
  /** `--state-url`. */
  flag?: string;
  /** The definition file's `state` block and the folder of the file (for `ca_file`). */
  block?: StateSettings;
  baseDir?: string;
  env: (name: string) => string | undefined;
  /** `--schema` of `brazesync state migrate`, used when the block names none. */
  schema?: string;
}

/** The state database's settings, or undefined when state stays in files. Throws SyncConfigError. */
export function resolveStateSettings(sources: StateUrlSources): PgStateSettings | undefined {
  const { flag, block, env } = sources;
  let url: string | undefined;
  let from: string;
  if (flag !== undefined) {
    url = flag;
    from = '--state-url';
  } else if (block) {
    url = resolveSecretRefs(block.url, 'state.url', env);
    from = 'state.url';
  } else {
    url = env(STATE_URL_ENV);
    from = STATE_URL_ENV;
    if (!url) return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new SyncConfigError(`${from} is not a URL. Give it as postgres://user:password@host:5432/database (the value is not shown: it may hold a password).`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new SyncConfigError(`${from} must be a postgres:// URL, not ${parsed.protocol}//… (the rest is not shown: it may hold a password).`);
  }
  const schema = block?.schema ?? sources.schema ?? DEFAULT_STATE_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) throw new SyncConfigError(`state.schema "${schema}" is not a lower-case PostgreSQL identifier (letters, digits and _, at most 63).`);
  const ssl = block?.ssl ?? sslFromUrl(parsed.searchParams.get('sslmode'), from);
  for (const p of TLS_PARAMS) parsed.searchParams.delete(p);
  const host = decodeURIComponent(parsed.hostname) || 'localhost';
  const port = Number(parsed.port || 5432);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username);
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  const caFile = ssl === 'verify-full' && block?.ca_file ? resolveSecretRefs(block.ca_file, 'state.ca_file', env) : undefined;
  return {
    connectionString: parsed.toString(),
    host,
    port,
    database,
    user,
    schema,
    ssl,
    ...(caFile ? { ca: readCaFile(caFile, 'state.ca_file', sources.baseDir ?? process.cwd()) } : {}),
    description: `PostgreSQL ${host}:${port}/${database}, schema ${schema}`,
    redact: redactorFor([url, url.trim(), parsed.toString(), password, parsed.password]),
  };
}

function sslFromUrl(mode: string | null, from: string): SslMode {
  // libpq's default `prefer` and pg's `no-verify` both mean: encrypt, do not check.
  if (mode === null || mode === 'prefer' || mode === 'no-verify') return 'require';
  if (mode === 'verify-ca') return 'verify-full';
  if ((SSL_MODES as readonly string[]).includes(mode)) return mode as SslMode;
  throw new SyncConfigError(`${from}: sslmode=${mode} is not one of disable, require, verify-full.`);
}
