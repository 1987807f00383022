/**
 * Turns a connection or query failure into what the user should do about it: wrong password or IAM
 * credentials, DNS, a security group that drops Braze's traffic, TLS settings, missing grants, a
 * missing table.
 */
import { findBrazeInstance } from '../model/braze-instances';
import { DEFAULT_AUTH_MODE, DEFAULT_REDSHIFT_PORT, DEFAULT_SSL_MODE, type SyncFile } from '../model/sync-file';
import { parseTableName, quoteIdent, type TableName } from '../model/table-name';
import { MissingSecretError } from '../secrets/secret-refs';
import { IAM_FAILURE_PREFIX, IamCredentialsError } from './iam-errors';
import { CaFileError } from './pg-tls';
import { exampleTableDdl, tableDdlFor } from './redshift-shims';
import type { DataType } from '../model/sync-file';
import type { PgSettings } from './pg-connection';

export type FailureKind = 'secret' | 'auth' | 'dns' | 'refused' | 'unreachable' | 'timeout' | 'tls' | 'database' | 'permission' | 'missing-table' | 'query' | 'unknown';

export interface Diagnosis {
  kind: FailureKind;
  message: string;
  fix: string;
}

export interface DiagnosisContext {
  /** `auth` absent means password. */
  settings?: Pick<PgSettings, 'host' | 'port' | 'database' | 'user' | 'ssl'> & Partial<Pick<PgSettings, 'auth'>>;
  table?: TableName;
  withPayload?: boolean;
  /** Shapes the example DDL of a missing table (wins over `withPayload`). */
  dataType?: DataType;
  brazeInstance?: string;
}

function field(err: unknown, key: string): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const v = (err as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

/** One failure as the matchers see it. */
interface Failure {
  err: unknown;
  message: string;
  code: string;
  ctx: DiagnosisContext;
  /** `host:port`, or "the cluster" when unknown. */
  where: string;
  user: string;
}

type Matcher = (f: Failure) => Diagnosis | undefined;

/**
 * The order matters: TLS before authentication, because a server that requires TLS refuses a
 * plain connection with SQLSTATE 28000 (Redshift's `require_ssl`), which is not a password
 * problem; and the configuration errors raised before connecting come first of all.
 */
const MATCHERS: readonly Matcher[] = [beforeConnecting, tls, auth, network, database];

export function diagnoseFailure(err: unknown, ctx: DiagnosisContext = {}): Diagnosis {
  const s = ctx.settings;
  const f: Failure = { err, message: err instanceof Error ? err.message : String(err), code: field(err, 'code') ?? '', ctx, where: s ? `${s.host}:${s.port}` : 'the cluster', user: s?.user ?? 'braze_user' };
  for (const match of MATCHERS) {
    const d = match(f);
    if (d) return d;
  }
  return { kind: 'unknown', message: f.message, fix: 'Check the connection settings; run with the same settings in psql to see the server\'s full message.' };
}

/**
 * A failed run's recorded error text, diagnosed with the sync's non-secret settings as written:
 * Sync Now, the CLI and failure emails say what Test Connection says. Braze errors carry their own
 * advice (kind `unknown`, no fix).
 */
export function diagnoseRunError(error: string, file: SyncFile, syncName: string): Diagnosis {
  if (/\bBraze\b/.test(error)) return { kind: 'unknown', message: error, fix: '' };
  return diagnoseFailure(new Error(error), diagnosisContextFor(file, syncName));
}

export function diagnosisContextFor(file: SyncFile, syncName: string): DiagnosisContext {
  const sync = file.syncs[syncName];
  const conn = sync ? file.connections[sync.connection] : undefined;
  const table = sync ? parseTableName(sync.table) : undefined;
  return {
    // Only non-secret settings as written: the diagnosis names the host, port and user in its fix.
    ...(conn ? { settings: { host: conn.host, port: conn.port ?? DEFAULT_REDSHIFT_PORT, database: conn.database, user: conn.user, ssl: conn.ssl ?? DEFAULT_SSL_MODE, auth: conn.auth ?? DEFAULT_AUTH_MODE } } : {}),
    ...(table?.ok ? { table: table.name } : {}),
    ...(sync ? { withPayload: sync.data_type !== 'user_deletes', dataType: sync.data_type } : {}),
    ...(file.braze.instance ? { brazeInstance: file.braze.instance } : {}),
  };
}

function beforeConnecting({ err, message }: Failure): Diagnosis | undefined {
  if (err instanceof MissingSecretError) return { kind: 'secret', message, fix: `export ${err.variable}=… in the environment that runs brazesync (never write the value into the file).` };
  if (err instanceof CaFileError || / as a CA bundle \(/.test(message)) {
    return { kind: 'tls', message, fix: 'Download the CA bundle (for Redshift, the one Amazon publishes in the Redshift docs under "Connect using SSL") next to the .brazesync.yaml file and name it in `ca_file`.' };
  }
  if (message.startsWith(IAM_FAILURE_PREFIX)) {
    return { kind: 'auth', message, fix: err instanceof IamCredentialsError ? err.fix : 'Check the AWS credentials of the environment that runs brazesync and that they may get Redshift credentials; `brazesync test-connection` prints the precise fix.' };
  }
  return undefined;
}

// Errors the server sends (a SQLSTATE and a severity) or its access-rule refusals: a generic
// "SSL" in them (`…, SSL on`) names the transport, it does not mean TLS failed.
function fromServer({ err, message }: Failure): boolean {
  return field(err, 'severity') !== undefined || /pg_hba\.conf|authentication failed/i.test(message);
}

const UNTRUSTED_FIX =
  "`ssl: verify-full` checks that the server's certificate chains to a trusted CA. Set `ca_file:` to the CA bundle (for Redshift, Amazon's Redshift CA bundle; for a private CA, its PEM file), or export NODE_EXTRA_CA_CERTS=/path/to/ca.pem in the environment that starts brazesync (the shell or service running the CLI, or VS Code), then run again. `ssl: require` encrypts without verifying.";

function tls(f: Failure): Diagnosis | undefined {
  const { message, code, ctx } = f;
  if (/does not support SSL/i.test(message)) {
    return { kind: 'tls', message: 'The server does not accept TLS connections.', fix: 'Redshift always supports TLS, so check that host/port point at Redshift; only for a local test database set `ssl: disable`.' };
  }
  // PostgreSQL says "no encryption", Redshift (with require_ssl) and older servers "SSL off".
  if (/pg_hba\.conf.*(no encryption|SSL off)|SSL.*required|requires SSL/i.test(message)) {
    return { kind: 'tls', message: 'The server requires TLS.', fix: 'Set `ssl: require` (or `verify-full`) on the connection.' };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /does not match certificate's altnames/i.test(message)) {
    return {
      kind: 'tls',
      message: `TLS failed: the server's certificate is not for ${ctx.settings?.host ?? 'this host'} (${message}).`,
      fix: '`ssl: verify-full` checks the host name: set `host` to the name on the certificate, the cluster endpoint from the Redshift console (not an IP address or a DNS alias); or use `ssl: require`, which encrypts without verifying.',
    };
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return { kind: 'tls', message: `TLS failed: ${message}.`, fix: "The server's certificate is outside its validity period: renew it on the server (Redshift rotates its own), or check this machine's clock." };
  }
  if (!fromServer(f) && /certificate|self[- ]signed|SSL|TLS|ERR_TLS|UNABLE_TO_VERIFY|DEPTH_ZERO|UNABLE_TO_GET_ISSUER/i.test(message + code)) {
    return { kind: 'tls', message: `TLS failed: ${message}${code && !message.includes(code) ? ` (${code})` : ''}.`, fix: UNTRUSTED_FIX };
  }
  return undefined;
}

function auth({ message, code, ctx, user }: Failure): Diagnosis | undefined {
  if (code !== '28P01' && code !== '28000' && !/password authentication failed|authentication failed/i.test(message)) return undefined;
  if (ctx.settings?.auth === 'iam') {
    return {
      kind: 'auth',
      message: `Authentication with temporary IAM credentials failed for user ${user} (${message}).`,
      fix: `AWS issued a password, but the database refused it. On a provisioned cluster the user must exist (CREATE USER ${quoteIdent(user)} PASSWORD DISABLE; then the GRANTs) and the password is only good for the connection's \`database\`; on Serverless the user is the IAM identity's (IAM:name or IAMR:role), which needs the GRANTs.`,
    };
  }
  return { kind: 'auth', message: `Authentication failed for user ${user}.`, fix: `Check the connection's user and the password in its \${env:…} variable; on Redshift reset it with ALTER USER ${user} PASSWORD '…'.` };
}

function network({ message, code, ctx, where }: Failure): Diagnosis | undefined {
  const s = ctx.settings;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /getaddrinfo/i.test(message)) {
    return { kind: 'dns', message: `The host ${s?.host ?? ''} cannot be resolved.`, fix: 'Copy the cluster endpoint from the Redshift console (Clusters › your cluster › Endpoint, without the :port/database suffix) into `host`.' };
  }
  if (code === 'ECONNREFUSED') {
    return { kind: 'refused', message: `Nothing accepts connections on ${where}.`, fix: `Check \`port\` (Redshift uses 5439 by default) and that the cluster is available (not paused or resizing).` };
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || /\bE(HOST|NET)UNREACH\b/.test(message)) {
    return {
      kind: 'unreachable',
      message: `There is no network route to ${where}.`,
      fix: 'This machine cannot reach that address: use the cluster\'s public endpoint from the Redshift console (a private VPC address is only reachable inside the VPC or over a VPN), or connect the VPN first.',
    };
  }
  if (code === 'ETIMEDOUT' || /timeout expired|connection timeout|timed out/i.test(message)) {
    const inst = ctx.brazeInstance ? findBrazeInstance(ctx.brazeInstance) : undefined;
    const ips = inst ? `Braze ${inst.id} connects from ${inst.ips.join(', ')}` : 'Braze connects from the IP addresses listed for your instance (hover `instance` in the editor)';
    return {
      kind: 'timeout',
      message: `Connecting to ${where} timed out: the network drops the traffic.`,
      fix: `Make the cluster publicly accessible and add an inbound rule to its VPC security group for TCP port ${s?.port ?? 5439}. ${ips}; also allow the machine running brazesync.`,
    };
  }
  return undefined;
}

function database({ message, code, ctx, user }: Failure): Diagnosis | undefined {
  const schema = ctx.table ? quoteIdent(ctx.table.schema) : 'INGESTION';
  const table = ctx.table ? `${schema}.${quoteIdent(ctx.table.table)}` : 'INGESTION.USERS_ATTRIBUTES_SYNC';
  if (code === '3D000') return { kind: 'database', message, fix: 'Check `database` on the connection (names are case-sensitive here).' };
  if (code === '42501' || /permission denied/i.test(message)) {
    return {
      kind: 'permission',
      message: `User ${user} may not read ${table}.`,
      fix: `Run as an administrator:\n  GRANT USAGE ON SCHEMA ${schema} TO ${quoteIdent(user)};\n  GRANT SELECT ON TABLE ${table} TO ${quoteIdent(user)};`,
    };
  }
  if (code === '42P01' || code === '3F000' || /was not found|does not exist/i.test(message)) {
    return {
      kind: 'missing-table',
      message,
      fix: `Create the table (or fix \`table\`), then grant read access:\n${ctx.dataType ? tableDdlFor(table, ctx.dataType) : exampleTableDdl(table, ctx.withPayload ?? true)};\n  GRANT SELECT ON TABLE ${table} TO ${quoteIdent(user)};`,
    };
  }
  if (code === '57014') return { kind: 'query', message: 'The query hit the statement timeout.', fix: 'Read from a smaller table or a materialized view, or check the cluster load (WLM queues).' };
  return undefined;
}
