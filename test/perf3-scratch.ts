import { startTestPostgres } from './support/postgres';
import { pageQuery, planFor } from '../core/src/adapters/keyset-query';
async function main() {
  const db = await startTestPostgres();
  await db.createExampleTable('ingestion', 'p');
  await db.query(`INSERT INTO ingestion.p (updated_at, external_id, payload) SELECT '2026-01-01'::timestamptz + g * interval '1 microsecond', 'u' || g, '{"first_name":"Ada","n":' || g || '}' FROM generate_series(1, 50000) g`);
  await db.query('CREATE INDEX ON ingestion.p (updated_at)');
  await db.query('ANALYZE ingestion.p');
  const cols = (await db.query(`SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name='p' ORDER BY ordinal_position`)).rows as {name:string;type:string}[];
  const plan = planFor({ sqlName: 'ingestion.p', schema: 'ingestion', table: 'p', columns: cols }, true);
  for (const q of [pageQuery(plan, { until: '2100-01-01' }, 5000), pageQuery(plan, { until: '2100-01-01' }, 5000, { updatedAt: '2026-01-01 00:00:00.025+00', keys: ['1u25000', '0', '0', '0', '0', '0', 'abc'] })]) {
    console.log(q.text);
    const r = await db.query('EXPLAIN ANALYZE ' + q.text, q.values);
    console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
  }
  await db.stop();
}
main();
