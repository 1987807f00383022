/**
 * The real services the extension talks to in the e2e run: a throwaway PostgreSQL standing in for
 * Redshift (test/support/postgres.ts) with the sync's table and rows, and the project's local
 * Braze-compatible server (the one `brazesync braze-server` runs), started in this process so the
 * test can read the profiles it received.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
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
/**
 * A table whose first 20 rows are fine and whose 4 bad rows come after them (a NULL PAYLOAD,
 * broken JSON, no identifier, two identifiers): a 20-row preview alone would call it clean.
 */
export const CHECKED_TABLE = 'ingestion.checked_attributes';
export const CHECKED_ROWS = 28;
const CHECKED_BAD: Record<number, { external_id: string | null; braze_id?: string; payload: string | null }> = {
  22: { external_id: 'c-22', payload: null },
  24: { external_id: 'c-24', payload: '{"plan": ' },
  26: { external_id: null, payload: '{"plan":"gold"}' },
  28: { external_id: 'c-28', braze_id: 'b-28', payload: '{"plan":"gold"}' },
};
/** Rows sent to a slow Braze one at a time, so a run lasts long enough to watch and cancel. */
export const SLOW_TABLE = 'ingestion.slow_attributes';
export const SLOW_ROWS = 60;

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
  /** The slow Braze server: attribute objects it received, and profiles it holds. */
  slowBraze(): { objects: number; profiles: number };
  describe(): string;
  stop(): Promise<void>;
}

export async function startServices(): Promise<Services> {
  const brazeApiKey = `e2e-braze-key-${randomBytes(6).toString('hex')}`;
  const readerPassword = `e2e-rs-${randomBytes(6).toString('hex')}`;
  const wrongPassword = `e2e-wrong-${randomBytes(6).toString('hex')}`;
  let db: TestPostgres | undefined;
  let braze: BrazeServer | undefined;
  let slow: BrazeServer | undefined;
  const silent = await startSilentHost();
  try {
    [db, braze, slow] = await Promise.all([
      startTestPostgres('brazesync_e2e'),
      startBrazeServer({ host: '127.0.0.1', port: 0, apiKeys: [brazeApiKey], catalogs: [{ name: 'restaurants', fields: [{ name: 'Name', type: 'string' }, { name: 'Rating', type: 'number' }] }] }),
      startBrazeServer({ host: '127.0.0.1', port: 0, apiKeys: [brazeApiKey], latencyMs: 1200 }),
    ]);
    for (const t of [TABLE, CHECKED_TABLE, SLOW_TABLE]) {
      const [schema = '', table = ''] = t.split('.');
      await db.createExampleTable(schema, table);
    }
    for (const r of SOURCE_ROWS) {
      await db.query(`INSERT INTO ${TABLE} (updated_at, external_id, payload) VALUES ($1, $2, $3)`, [r.updated_at, r.external_id, r.payload]);
    }
    for (let i = 1; i <= CHECKED_ROWS; i++) {
      const row = CHECKED_BAD[i] ?? { external_id: `c-${i}`, payload: `{"plan":"gold","n":${i}}` };
      await db.query(`INSERT INTO ${CHECKED_TABLE} (updated_at, external_id, braze_id, payload) VALUES (timestamptz '2026-02-01 00:00:00+00' + make_interval(mins => $1::int), $2, $3, $4)`, [i, row.external_id, row.braze_id ?? null, row.payload]);
    }
    await db.query(`INSERT INTO ${SLOW_TABLE} (updated_at, external_id, payload) SELECT timestamptz '2026-03-01 00:00:00+00' + make_interval(secs => i), 's-' || i, '{"n":' || i || '}' FROM generate_series(1, ${SLOW_ROWS}) AS i`);
    await db.redshiftDdl(catalogTableDdl(CATALOG_TABLE));
    for (const r of CATALOG_ROWS) await db.query(`INSERT INTO ${CATALOG_TABLE} (id, payload) VALUES ($1, $2)`, [r.id, r.payload]);
    await db.createReader(READER, readerPassword, [TABLE, CHECKED_TABLE, SLOW_TABLE, CATALOG_TABLE]);
  } catch (err) {
    await Promise.all([db?.stop(), braze?.close(), slow?.close(), silent.close()]);
    throw err;
  }
  const pg = db;
  const server = braze;
  const slowServer = slow;
  return {
    brazeApiKey,
    placeholders: () => ({ BRAZE_URL: server.url, SLOW_BRAZE_URL: slowServer.url, SILENT_PORT: String(silent.port), PG_PORT: String(pg.port), PG_DATABASE: pg.database, PG_USER: READER }),
    extensionHostEnv: (base) => {
      const env: NodeJS.ProcessEnv = { ...base, REDSHIFT_PASSWORD: readerPassword, WRONG_REDSHIFT_PASSWORD: wrongPassword };
      delete env.BRAZE_API_KEY;
      delete env.BRAZESYNC_STATE_DIR;
      return env;
    },
    secretValues: () => [brazeApiKey, readerPassword, wrongPassword],
    brazeProfiles: (externalId) => server.profiles({ external_id: externalId }),
    catalogItems: (catalog) => server.catalogItems(catalog),
    slowBraze: () => ({ objects: slowServer.stats().objects.attributes, profiles: slowServer.stats().profiles }),
    describe: () => `PostgreSQL on 127.0.0.1:${pg.port}, Braze at ${server.url}`,
    stop: async () => {
      await Promise.all([pg.stop(), server.close(), slowServer.close(), silent.close()]);
    },
  };
}

/** A host that accepts connections and never says a word, as a firewalled or hung server looks. */
async function startSilentHost(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
