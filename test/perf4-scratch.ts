import { startTestPostgres } from './support/postgres';
import { harness } from './support/sync-harness';
import { openSource, syncSetup } from '../core/src/sync/open-sync';
async function main() {
  const db = await startTestPostgres();
  await db.createExampleTable('ingestion', 'p');
  await db.query(`INSERT INTO ingestion.p (updated_at, external_id, payload) SELECT '2026-01-01'::timestamptz + g * interval '1 microsecond', 'u' || g, '{"first_name":"Ada","n":' || g || '}' FROM generate_series(1, 300000) g`);
  await db.query('CREATE INDEX ON ingestion.p (updated_at)');
  await db.query('VACUUM ANALYZE ingestion.p');
  const h = harness(db, { table: 'ingestion.p', dataType: 'custom_attributes', brazeUrl: 'http://127.0.0.1:1' });
  for (let k = 0; k < 2; k++) {
  const src = openSource(h.target, syncSetup(h.target), (n) => h.env[n]);
  const t0 = Date.now(); let n = 0;
  for await (const p of src.reader.pages({ until: '2100-01-01' }, { pageSize: Number(process.env.PS ?? 5000) })) n += p.length;
  console.log('read', n, Date.now() - t0, 'ms', Math.round(n / (Date.now() - t0) * 1000), 'rows/s');
  await src.reader.close();
  }
  h.cleanup(); await db.stop();
}
main();
