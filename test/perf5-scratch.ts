import pg from 'pg';
import { startTestPostgres } from './support/postgres';
async function main() {
  const db = await startTestPostgres();
  await db.createExampleTable('ingestion', 'p');
  await db.query(`INSERT INTO ingestion.p (updated_at, external_id, payload) SELECT '2026-01-01'::timestamptz + g * interval '1 microsecond', 'u' || g, '{"first_name":"Ada","n":' || g || '}' FROM generate_series(1, 300000) g`);
  await db.query('CREATE INDEX ON ingestion.p (updated_at)');
  await db.query('VACUUM ANALYZE ingestion.p');
  const c = new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
  await c.connect();
  for (const q of [
    `SELECT updated_at::text, external_id, payload FROM ingestion.p ORDER BY updated_at LIMIT 5000 OFFSET 100000`,
    `SELECT updated_at::text, external_id, payload FROM ingestion.p WHERE updated_at > '2026-01-01 00:00:00.1+00' ORDER BY updated_at LIMIT 5000`,
    `SELECT updated_at::text, external_id, alias_name, alias_label, braze_id, email, phone, payload FROM ingestion.p WHERE updated_at > '2026-01-01 00:00:00.1+00' ORDER BY 1, COALESCE('1' || "external_id", '0'), MD5(COALESCE('1' || "payload", '0')) LIMIT 5000`,
    `SELECT updated_at::text, external_id, alias_name, alias_label, braze_id, email, phone, payload FROM ingestion.p WHERE updated_at > '2026-01-01 00:00:00.1+00' ORDER BY updated_at, COALESCE('1' || "external_id", '0'), MD5(COALESCE('1' || "payload", '0')) LIMIT 5000`,
  ]) {
    for (let i = 0; i < 3; i++) { const t0 = process.hrtime.bigint(); await c.query(q); console.log(Number(process.hrtime.bigint() - t0) / 1e6, 'ms'); }
    console.log('--');
  }
  await c.end(); await db.stop();
}
main();
