import { mapRow } from '../core/src/sync/row-mapping';
import { rowKey } from '../core/src/sync/row-key';
const payload = '{"first_name":"Ada","last_name":"Lovelace","home_city":"London","plan":"gold","points":5,"vip":true,"tags":["a","b","c"],"signup":"2025-01-01","score":5.5}';
const rows = Array.from({ length: 100000 }, (_, i) => ({ updatedAt: '2026-01-01 00:00:00.000001+00', ids: { external_id: 'user-' + i, alias_name: null, alias_label: null, braze_id: null, email: null, phone: null }, payload }));
for (let k = 0; k < 3; k++) {
  let t = process.hrtime.bigint();
  for (const r of rows) mapRow(r, 'custom_attributes');
  console.log('mapRow', Number(process.hrtime.bigint() - t) / 1e6 / 100, 'µs/row');
  t = process.hrtime.bigint();
  for (const r of rows) rowKey(r, 1);
  console.log('rowKey', Number(process.hrtime.bigint() - t) / 1e6 / 100, 'µs/row');
  t = process.hrtime.bigint();
  for (const r of rows) JSON.parse(r.payload);
  console.log('JSON.parse', Number(process.hrtime.bigint() - t) / 1e6 / 100, 'µs/row');
}
