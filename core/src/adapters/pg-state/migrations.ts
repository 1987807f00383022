/**
 * The state database's tables, as forward-only versioned migrations run by umzug (in-code
 * migrations, so the bundled CLI and extension carry them; storage in `<schema>.schema_migrations`).
 * A migration run holds a transaction-scoped advisory lock, so hosts starting together migrate
 * once, and runs in one transaction: it is applied whole or not at all. A schema that already has
 * a migration this program does not know was written by a newer brazesync: it is refused before
 * anything is written.
 */
import type pg from 'pg';
import type { UmzugStorage } from 'umzug';
import { inTransaction } from './pg-transaction';

export class StateSchemaTooNewError extends Error {
  constructor(schema: string, unknown: string[]) {
    super(
      `The state schema "${schema}" was written by a newer brazesync (it has migration ${unknown.join(', ')}, which this version does not know). ` +
        'Upgrade brazesync on this host to the version the other hosts run; nothing was written.',
    );
    this.name = 'StateSchemaTooNewError';
  }
}

/** The user may not create the schema (PostgreSQL said 42501 to CREATE SCHEMA). */
export class SchemaCreateDeniedError extends Error {
  constructor(readonly cause: unknown) {
    super('permission denied to create the schema');
    this.name = 'SchemaCreateDeniedError';
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Oldest first; never edit or remove one that has shipped: add the next. */
function migrations(schema: string): { name: string; sql: string }[] {
  const s = quote(schema);
  return [
    {
      name: '0001-sync-state',
      sql: `
        CREATE TABLE ${s}.sync_state (sync_key text PRIMARY KEY, state jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE ${s}.watermark_journal (sync_key text NOT NULL, seq bigserial, delta jsonb NOT NULL, PRIMARY KEY (sync_key, seq));
        CREATE TABLE ${s}.runs (sync_key text NOT NULL, id text NOT NULL, started_at timestamptz NOT NULL, status text NOT NULL, host text, record jsonb NOT NULL, PRIMARY KEY (sync_key, id));
        CREATE TABLE ${s}.row_errors (sync_key text NOT NULL, run_id text NOT NULL, seq bigserial, record jsonb NOT NULL, PRIMARY KEY (sync_key, run_id, seq));
        CREATE SEQUENCE ${s}.lease_tokens;
        CREATE TABLE ${s}.sync_leases (sync_key text PRIMARY KEY, token bigint NOT NULL, host text NOT NULL, pid integer NOT NULL, command text, started_at timestamptz NOT NULL, expires_at timestamptz NOT NULL);`,
    },
    {
      name: '0002-fleet',
      sql: `
        CREATE TABLE ${s}.fleet_hosts (host_id text PRIMARY KEY, host text NOT NULL, lease_seconds integer NOT NULL, started_at timestamptz NOT NULL DEFAULT now(), heartbeat_at timestamptz NOT NULL DEFAULT now(), left_at timestamptz);
        CREATE TABLE ${s}.fleet_definitions (sync_key text NOT NULL, host_id text NOT NULL, def_hash text NOT NULL, seen_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (sync_key, host_id));
        CREATE TABLE ${s}.fleet_claims (
          sync_key text NOT NULL, scheduled_for timestamptz NOT NULL, host_id text NOT NULL, host text NOT NULL, def_hash text NOT NULL,
          claimed_at timestamptz NOT NULL DEFAULT now(), attempts integer NOT NULL DEFAULT 1, taken_over_from text,
          outcome text, run_id text, finished_at timestamptz, PRIMARY KEY (sync_key, scheduled_for));
        CREATE INDEX fleet_claims_open ON ${s}.fleet_claims (host_id) WHERE finished_at IS NULL;
        CREATE INDEX fleet_claims_by_time ON ${s}.fleet_claims (scheduled_for);`,
    },
    {
      // send: changed: per sync and item, the hashes of what Braze accepted (never values); see pg-diff-store.ts.
      name: '0003-diff-records',
      sql: `
        CREATE TABLE ${s}.diff_records (sync_key text NOT NULL, key bytea NOT NULL, record bytea NOT NULL, PRIMARY KEY (sync_key, key));
        CREATE TABLE ${s}.diff_meta (sync_key text PRIMARY KEY, seq bigint NOT NULL, fingerprint text NOT NULL, undo bytea, updated_at timestamptz NOT NULL DEFAULT now());`,
    },
    {
      // A run's start finds the runs a stopped process left `running` without reading its history (housekeeping-runs.ts).
      name: '0004-runs-running',
      sql: `CREATE INDEX runs_running ON ${s}.runs (sync_key) WHERE status = 'running';`,
    },
  ];
}

export const KNOWN_MIGRATIONS = migrations('s').map((m) => m.name);

/** Migrations already applied to `schema` (empty when it has none yet). */
async function applied(client: pg.ClientBase, schema: string): Promise<string[]> {
  const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`${quote(schema)}.schema_migrations`]);
  if (!exists.rows[0]?.t) return [];
  const rows = await client.query<{ name: string }>(`SELECT name FROM ${quote(schema)}.schema_migrations ORDER BY name`);
  return rows.rows.map((r) => r.name);
}

/** Applies the pending migrations to `schema`; returns their names. Throws StateSchemaTooNewError. */
export function migrateState(pool: pg.Pool, schema: string): Promise<string[]> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`brazesync-migrate:${schema}`]);
    const done = await applied(client, schema);
    const unknown = done.filter((n) => !KNOWN_MIGRATIONS.includes(n));
    if (unknown.length > 0) throw new StateSchemaTooNewError(schema, unknown);
    if (done.length === KNOWN_MIGRATIONS.length) return [];
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`).catch((err: { code?: string }) => {
      throw err.code === '42501' ? new SchemaCreateDeniedError(err) : err;
    });
    await client.query(`CREATE TABLE IF NOT EXISTS ${quote(schema)}.schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const ran: string[] = [];
    // Loaded only when a migration is due: every other start of every command skips it.
    const { Umzug } = await import('umzug');
    const umzug = new Umzug({
      migrations: migrations(schema).map((m) => ({ name: m.name, up: async () => void (await client.query(m.sql)) })),
      storage: tableStorage(client, schema),
      logger: undefined,
    });
    umzug.on('migrated', ({ name }) => void ran.push(name));
    await umzug.up();
    return ran;
  });
}

function tableStorage(client: pg.ClientBase, schema: string): UmzugStorage {
  const table = `${quote(schema)}.schema_migrations`;
  return {
    async logMigration({ name }) {
      await client.query(`INSERT INTO ${table} (name) VALUES ($1)`, [name]);
    },
    async unlogMigration() {
      throw new Error('State migrations are forward-only.');
    },
    executed: () => applied(client, schema),
  };
}

export { quote as quoteIdent };
