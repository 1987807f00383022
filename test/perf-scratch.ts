import { startBrazeServer } from '../core/src/braze-server/braze-server';
import { startTestPostgres } from './support/postgres';
import { API_KEY, harness } from './support/sync-harness';
async function main() {
  const db = await startTestPostgres();
  const braze = await startBrazeServer({ port: 0, apiKeys: [API_KEY], budget: { limit: 10_000_000, windowMs: 1000 } });
  await db.createExampleTable('ingestion', 'p');
  await db.query(`INSERT INTO ingestion.p (updated_at, external_id, payload) SELECT '2026-01-01'::timestamptz + g * interval '1 microsecond', 'u' || g, '{"first_name":"Ada","n":' || g || '}' FROM generate_series(1, 50000) g`);
  await db.query('CREATE INDEX ON ingestion.p (updated_at)');
  const h = harness(db, { table: 'ingestion.p', dataType: 'custom_attributes', brazeUrl: braze.url });
  const t0 = Date.now();
  const run = await h.run({ concurrency: 16, onProgress: () => {} });
  const ms = Date.now() - t0;
  console.log(run.status, run.rows_synced, ms, 'ms', Math.round(run.rows_synced / ms * 1000), 'rows/s', braze.stats().requests, 'req');
  h.cleanup(); await braze.close(); await db.stop();
}
main();
