/**
 * The typed shape of a `.brazesync.yaml` file (format version 1) after it has passed validation.
 * `schemas/brazesync.schema.json` is the source of truth; `core/src/schema/schema-model.test.ts`
 * keeps the two in step.
 */

export const DATA_TYPES = ['custom_attributes', 'custom_events', 'purchases', 'user_deletes', 'catalog_items'] as const;
export type DataType = (typeof DATA_TYPES)[number];

export const SSL_MODES = ['disable', 'require', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export const AUTH_MODES = ['password', 'iam'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const SEND_MODES = ['all', 'changed'] as const;
export type SendMode = (typeof SEND_MODES)[number];

/** Data types whose rows can be unchanged (`send: changed`, per profile or per catalog item); events and user deletes are new occurrences. */
export function isDiffable(dataType: string): boolean {
  return dataType === 'custom_attributes' || dataType === 'catalog_items';
}

export const SYNC_STATUSES = ['draft', 'active'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

export interface BrazeSettings {
  /** Braze instance id such as `US-03`; exclusive with `endpoint`. */
  instance?: string;
  /** Explicit REST endpoint, e.g. `https://rest.iad-03.braze.com` or a loopback URL in tests. */
  endpoint?: string;
  /** Usually `${env:BRAZE_API_KEY}`. */
  api_key: string;
  /** IANA time zone the schedules use; defaults to UTC. */
  timezone?: string;
}

export interface RedshiftConnection {
  type: 'redshift';
  host: string;
  port?: number;
  database: string;
  user: string;
  /** Required with `auth: password` (the default); not used with `auth: iam`. */
  password?: string;
  ssl?: SslMode;
  /** PEM bundle of the CAs `ssl: verify-full` trusts (e.g. Amazon's Redshift bundle); relative to the file. */
  ca_file?: string;
  auth?: AuthMode;
  /** `auth: iam`, provisioned cluster; derived from a `*.redshift.amazonaws.com` host when absent. */
  cluster_identifier?: string;
  /** `auth: iam`, Redshift Serverless; derived from a `*.redshift-serverless.amazonaws.com` host when absent. */
  workgroup?: string;
  /** `auth: iam`: the AWS region; derived from the host when absent. */
  region?: string;
}

export interface SyncDefinition {
  connection: string;
  table: string;
  data_type: DataType;
  /** With `catalog_items`: the Braze catalog the items go to (named like the sync, as Braze asks). */
  catalog?: string;
  schedule: string;
  contacts?: string[];
  status?: SyncStatus;
  /** Re-read window for late-arriving rows, e.g. `30 minutes`. */
  lookback?: string;
  /** Objects per `/users/track` request, at most 75. */
  batch_size?: number;
  /** custom_attributes and catalog_items only: `changed` sends only attributes (item fields) whose value differs from what Braze last accepted. Default `all`. */
  send?: SendMode;
  /** With `send: changed`: send a profile whole again once its last full send is this old, e.g. `30 days`. */
  resend_every?: string;
}

export interface SmtpSettings {
  host: string;
  /** Default 465 when `secure`, else 587. */
  port?: number;
  /** TLS from the first byte; otherwise STARTTLS. */
  secure?: boolean;
  user?: string;
  /** Usually `${env:SMTP_PASSWORD}`. */
  password?: string;
  /** `brazesync@example.com` or `Name <brazesync@example.com>`. */
  from: string;
}

/** Who hears about runs: the syncs' `contacts`, through this SMTP server. */
export interface NotificationSettings {
  smtp: SmtpSettings;
  /** Default true. */
  on_error?: boolean;
  /** Percent (0-100) of a run's rows that failed at which the contacts are emailed; off when absent. */
  row_error_threshold?: number;
  /** Default false. */
  on_success?: boolean;
}

/** Where sync state lives when it is shared: a PostgreSQL database (files beside the definition otherwise). */
export interface StateSettings {
  /** Usually `${env:BRAZESYNC_STATE_URL}`: `postgres://user:password@host:5432/database`. */
  url: string;
  /** Schema holding brazesync's tables; default `brazesync`. */
  schema?: string;
  /** Default: the URL's `sslmode`, else `require`. */
  ssl?: SslMode;
  /** PEM bundle of the CAs `ssl: verify-full` trusts; relative to the file. */
  ca_file?: string;
}

export interface SyncFile {
  version: 1;
  braze: BrazeSettings;
  connections: Record<string, RedshiftConnection>;
  syncs: Record<string, SyncDefinition>;
  notifications?: NotificationSettings;
  state?: StateSettings;
}

export const DEFAULT_TIMEZONE = 'UTC';
export const DEFAULT_REDSHIFT_PORT = 5439;
export const DEFAULT_SSL_MODE: SslMode = 'require';
export const DEFAULT_AUTH_MODE: AuthMode = 'password';
export const DEFAULT_STATUS: SyncStatus = 'draft';
export const DEFAULT_SEND_MODE: SendMode = 'all';
export const DEFAULT_STATE_SCHEMA = 'brazesync';
