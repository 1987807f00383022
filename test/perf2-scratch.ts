import { startBrazeServer } from '../core/src/braze-server/braze-server';
import { createBrazeHttpClient } from '../core/src/adapters/braze-http';
import { startTestPostgres } from './support/postgres';
import { API_KEY, harness } from './support/sync-harness';
import { openSource, syncSetup } from '../core/src/sync/open-sync';
async function main() {
  const db = await startTestPostgres();
  const braze = await startBrazeServer({ port: 0, apiKeys: [API_KEY], budget: { limit: 10_000_000, windowMs: 1000 } });
  await db.createExampleTable('ingestion', 'p');
  await db.query(`INSERT INTO ingestion.p (updated_at, external_id, payload) SELECT '2026-01-01'::timestamptz + g * interval '1 microsecond', 'u' || g, '{"first_name":"Ada","n":' || g || '}' FROM generate_series(1, 50000) g`);
  await db.query('CREATE INDEX ON ingestion.p (updated_at)');
  const h = harness(db, { table: 'ingestion.p', dataType: 'custom_attributes', brazeUrl: braze.url });
  const src = openSource(h.target, syncSetup(h.target), (n) => h.env[n]);
  let t0 = Date.now(); let n = 0;
  for await (const p of src.reader.pages({ until: '2100-01-01' })) n += p.length;
  console.log('read', n, Date.now() - t0, 'ms');
  await src.reader.close();
  const client = createBrazeHttpClient({ baseUrl: braze.url, apiKey: API_KEY, concurrency: 16 });
  const body = { attributes: Array.from({ length: 75 }, (_, i) => ({ external_id: 'x' + i, first_name: 'Ada', n: i })) };
  t0 = Date.now();
  let sent = 0;
  await Promise.all(Array.from({ length: 16 }, async () => { while (sent < 667) { sent++; await client.track(body); } }));
  console.log('send 667 req', Date.now() - t0, 'ms', client.stats());
  await client.close();
  h.cleanup(); await braze.close(); await db.stop();
}
main();
