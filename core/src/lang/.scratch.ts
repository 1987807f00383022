import { parseSyncFile } from '../parse/sync-document';
import { hover } from './hover';
import { documentSymbols } from './symbols';
import { withCursor } from './test-cursor';
const base = (c: Record<string,string>) => `version: 1
braze:
  instance: ${c.instance ?? 'US-03'}
  api_key: ${c.api ?? '${env:BRAZE_API_KEY}'}
  timezone: Europe/Paris
connections:
  warehouse:
    type: redshift
    host: h.example.com
    database: DB
    user: u
    password: \${env:P}
    ssl: ${c.ssl ?? 'require'}
syncs:
  ${c.name ?? 'a'}:
    connection: ${c.conn ?? 'warehouse'}
    table: S.T
    data_type: ${c.dt ?? 'custom_events'}
    schedule: ${c.sched ?? 'every 15 minutes'}
    status: active
`;
for (const c of [{ sched: 'daily at 0<|>9:00' }, { sched: 'man<|>ual' }, { instance: 'US<|>-08' }, { dt: 'user_del<|>etes' }, { api: '${env:B<|>K}' }, { ssl: 're<|>quire' }, { name: 'a<|>b' }, { conn: 'ware<|>house' }, { conn: 'xx<|>' }]) {
  const t = withCursor(base(c));
  const doc = parseSyncFile(t.text);
  const h = hover(doc, t.position, { now: new Date('2026-03-27T12:00:00Z') });
  console.log('---', JSON.stringify(c), doc.mode);
  console.log(h && JSON.stringify(h.range), h && (h.contents as {value: string}).value);
}
console.log(JSON.stringify(documentSymbols(parseSyncFile(base({}))), null, 1).slice(0, 3000));
