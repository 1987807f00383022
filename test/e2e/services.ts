/**
 * The real services the extension talks to in the e2e run: a throwaway PostgreSQL standing in for
 * Redshift (test/support/postgres.ts) with the sync's table and rows, and the project's local
 * Braze-compatible server (the one `brazesync braze-server` runs), started in this process so the
 * test can read the profiles it received.
 */
import { randomBytes } from 'node:crypto';
import { startBrazeServer, type BrazeServer } from '../../core/src/braze-server/braze-server';
import type { Profile } from '../../core/src/braze-server/profile-store';
import { catalogTableDdl } from '../../core/src/adapters/redshift-shims';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

export const TABLE = 'ingestion.users_attributes_sync';
/** The catalog sync's table and the Braze catalog it fills. */
export const CATALOG_TABLE = 'ingestion.restaurants';
export const CATALOG_ROWS = [
  { id: 'r1', payload: '{"Name":"Chez Ada","Rating":5}' },
  { id: 'r2', payload: '{"Name":"Bo\'s Noodles","Rating":4}' },
];
const READER = 'braze_user';

/** The rows of the source table: two plain ones, one carrying markup, one with broken JSON. */
export const SOURCE_ROWS = [
  { updated_at: '2026-01-01 10:00:00+00', external_id: 'u-1', payload: '{"first_name":"Ada","plan":"gold"}' },
  { updated_at: '2026-01-01 11:00:00+00', external_id: 'u-2', payload: '{"first_name":"Grace","plan":"silver"}' },
  {
    updated_at: '2026-01-01 12:00:00.123456+00',
    external_id: 'u-3',
    payload: JSON.stringify({ first_name: `<script>document.body.dataset.pwned='script'</script><img src=x onerror="document.body.dataset.pwned='img'">` }),
  },
  { updated_at: '2026-01-01 13:00:00+00', external_id: 'u-4', payload: '{"first_name": "Linus",' },
];
/** The watermark after the first run: the newest row (rows that fail still move it). */
export const LAST_UPDATED_AT = '2026-01-01T13:00:00.000000Z';

export interface Services {
  /** Values for the `__NAME__` placeholders of the workspace fixture. */
  placeholders(): Record<string, string>;
  /** The extension host's environment: the Redshift password is set, the Braze key is not (so it is asked for). */
  extensionHostEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** What the user types when asked for `${env:BRAZE_API_KEY}`. */
  brazeApiKey: string;
  /** Every secret value of the run, to prove none of them leaks into files. */
  secretValues(): string[];
  brazeProfiles(externalId: string): Profile[];
  /** Items of a catalog as the Braze server holds them. */
  catalogItems(catalog: string): Record<string, unknown>[] | undefined;
  describe(): string;
  stop(): Promise<void>;
}

export async function startServices(): Promise<Services> {
  const brazeApiKey = `e2e-braze-key-${randomBytes(6).toString('hex')}`;
  const readerPassword = `e2e-rs-${randomBytes(6).toString('hex')}`;
  let db: TestPostgres | undefined;
  let braze: BrazeServer | undefined;
  try {
    [db, braze] = await Promise.all([startTestPostgres('brazesync_e2e'), startBrazeServer({ host: '127.0.0.1', port: 0, apiKeys: [brazeApiKey], catalogs: [{ name: 'restaurants', fields: [{ name: 'Name', type: 'string' }, { name: 'Rating', type: 'number' }] }] })]);
    const [schema = '', table = ''] = TABLE.split('.');
    await db.createExampleTable(schema, table);
    for (const r of SOURCE_ROWS) {
      await db.query(`INSERT INTO ${TABLE} (updated_at, external_id, payload) VALUES ($1, $2, $3)`, [r.updated_at, r.external_id, r.payload]);
    }
    await db.redshiftDdl(catalogTableDdl(CATALOG_TABLE));
    for (const r of CATALOG_ROWS) await db.query(`INSERT INTO ${CATALOG_TABLE} (id, payload) VALUES ($1, $2)`, [r.id, r.payload]);
    await db.createReader(READER, readerPassword, [TABLE, CATALOG_TABLE]);
  } catch (err) {
    await Promise.all([db?.stop(), braze?.close()]);
    throw err;
  }
  const pg = db;
  const server = braze;
  return {
    brazeApiKey,
    placeholders: () => ({ BRAZE_URL: server.url, PG_PORT: String(pg.port), PG_DATABASE: pg.database, PG_USER: READER }),
    extensionHostEnv: (base) => {
      const env: NodeJS.ProcessEnv = { ...base, REDSHIFT_PASSWORD: readerPassword };
      delete env.BRAZE_API_KEY;
      delete env.BRAZESYNC_STATE_DIR;
      return env;
    },
    secretValues: () => [brazeApiKey, readerPassword],
    brazeProfiles: (externalId) => server.profiles({ external_id: externalId }),
    catalogItems: (catalog) => server.catalogItems(catalog),
    describe: () => `PostgreSQL on 127.0.0.1:${pg.port}, Braze at ${server.url}`,
    stop: async () => {
      await Promise.all([pg.stop(), server.close()]);
    },
  };
}
