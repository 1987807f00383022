import { parseSyncFile } from '../parse/sync-document';
import { complete } from './complete';
import { withCursor } from './test-cursor';
const base = `version: 1
braze:
  instance: US-03
  api_key: \${env:BRAZE_API_KEY}
connections:
  warehouse:
    type: redshift
    host: h.example.com
    database: DB
    user: u
    password: \${env:P}
syncs:
  a:
    connection: warehouse
    table: S.T
`;
for (const t of [base + '    da<|>\n', base + '    data_type: <|>\n', base + '    data_type:<|>\n', base + '<|>', base + '  <|>', base + '    <|>', base + '  ord<|>\n', 'ver<|>', '<|>']) {
  const c = withCursor(t);
  const doc = parseSyncFile(c.text);
  const items = complete(doc, c.position);
  console.log('---', JSON.stringify(t.slice(-20)), doc.mode, items.length);
  for (const i of items.slice(0, 6)) console.log(' ', i.label, JSON.stringify(i.textEdit));
}
