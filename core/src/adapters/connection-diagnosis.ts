/**
 * Turns a connection or query failure into what the user should do about it: wrong password, DNS,
 * a security group that drops Braze's traffic, TLS settings, missing grants, a missing table.
 */
import { findBrazeInstance } from '../model/braze-instances';
import { quoteIdent, type TableName } from '../model/table-name';
import { MissingSecretError } from '../secrets/secret-refs';
import { exampleTableDdl } from './redshift-shims';
import type { PgSettings } from './pg-connection';

export type FailureKind = 'secret' | 'auth' | 'dns' | 'refused' | 'timeout' | 'tls' | 'database' | 'permission' | 'missing-table' | 'query' | 'unknown';

export interface Diagnosis {
  kind: FailureKind;
  message: string;
  fix: string;
}

export interface DiagnosisContext {
  settings?: Pick<PgSettings, 'host' | 'port' | 'database' | 'user' | 'ssl'>;
  table?: TableName;
  withPayload?: boolean;
  brazeInstance?: string;
}

function field(err: unknown, key: string): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const v = (err as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

export function diagnoseFailure(err: unknown, ctx: DiagnosisContext = {}): Diagnosis {
  const message = err instanceof Error ? err.message : String(err);
  const code = field(err, 'code') ?? '';
  const s = ctx.settings;
  const where = s ? `${s.host}:${s.port}` : 'the cluster';
  const user = s?.user ?? 'braze_user';
  const schema = ctx.table ? quoteIdent(ctx.table.schema) : 'INGESTION';
  const table = ctx.table ? `${schema}.${quoteIdent(ctx.table.table)}` : 'INGESTION.USERS_ATTRIBUTES_SYNC';

  if (err instanceof MissingSecretError) return { kind: 'secret', message, fix: `export ${err.variable}=… in the environment that runs brazesync (never write the value into the file).` };
  if (code === '28P01' || code === '28000' || /password authentication failed|authentication failed/i.test(message)) {
    return { kind: 'auth', message: `Authentication failed for user ${user}.`, fix: `Check the connection's user and the password in its \${env:…} variable; on Redshift reset it with ALTER USER ${user} PASSWORD '…'.` };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /getaddrinfo/i.test(message)) {
    return { kind: 'dns', message: `The host ${s?.host ?? ''} cannot be resolved.`, fix: 'Copy the cluster endpoint from the Redshift console (Clusters › your cluster › Endpoint, without the :port/database suffix) into `host`.' };
  }
  if (code === 'ECONNREFUSED') {
    return { kind: 'refused', message: `Nothing accepts connections on ${where}.`, fix: `Check \`port\` (Redshift uses 5439 by default) and that the cluster is available (not paused or resizing).` };
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
  if (/does not support SSL/i.test(message)) {
    return { kind: 'tls', message: 'The server does not accept TLS connections.', fix: 'Redshift always supports TLS, so check that host/port point at Redshift; only for a local test database set `ssl: disable`.' };
  }
  if (/no pg_hba\.conf entry.*no encryption|SSL.*required|requires SSL/i.test(message)) {
    return { kind: 'tls', message: 'The server requires TLS.', fix: 'Set `ssl: require` (or `verify-full`) on the connection.' };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /does not match certificate's altnames/i.test(message)) {
    return {
      kind: 'tls',
      message: `TLS failed: the server's certificate is not for ${s?.host ?? 'this host'} (${message}).`,
      fix: '`ssl: verify-full` checks the host name: set `host` to the name on the certificate, the cluster endpoint from the Redshift console (not an IP address or a DNS alias); or use `ssl: require`, which encrypts without verifying.',
    };
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return { kind: 'tls', message: `TLS failed: ${message}.`, fix: "The server's certificate is outside its validity period: renew it on the server (Redshift rotates its own), or check this machine's clock." };
  }
  if (/certificate|self[- ]signed|SSL|TLS|ERR_TLS|UNABLE_TO_VERIFY|DEPTH_ZERO|UNABLE_TO_GET_ISSUER/i.test(message + code)) {
    return {
      kind: 'tls',
      message: `TLS failed: ${message}${code && !message.includes(code) ? ` (${code})` : ''}.`,
      fix: "`ssl: verify-full` checks that the server's certificate chains to a CA this machine trusts. Redshift's does (Amazon's CAs are in Node's store); for a cluster or proxy with a private CA, export NODE_EXTRA_CA_CERTS=/path/to/ca.pem in the environment that starts brazesync (the shell or service running the CLI, or VS Code), then run again. `ssl: require` encrypts without verifying.",
    };
  }
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
      fix: `Create the table (or fix \`table\`), then grant read access:\n${exampleTableDdl(table, ctx.withPayload ?? true)};\n  GRANT SELECT ON TABLE ${table} TO ${quoteIdent(user)};`,
    };
  }
  if (code === '57014') return { kind: 'query', message: 'The query hit the statement timeout.', fix: 'Read from a smaller table or a materialized view, or check the cluster load (WLM queues).' };
  return { kind: 'unknown', message, fix: 'Check the connection settings; run with the same settings in psql to see the server\'s full message.' };
}
