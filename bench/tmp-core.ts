import { parseSyncFile, SegmentCache } from '../core/src/parse/sync-document';
import { validate } from '../core/src/lang/validate';
import { generateSyncFile } from './generate-syncs';
const f = generateSyncFile(1000);
const cache = new SegmentCache();
let t = performance.now();
let doc = parseSyncFile(f.text, cache);
let d = validate(doc, {});
console.log('open', performance.now() - t, d.length, doc.mode);
const i = f.text.indexOf(`  ${f.middleSync}:`);
const j = f.text.indexOf('data_type: ', i) + 14;
for (let k = 0; k < 10; k++) {
  const text = f.text.slice(0, j) + (k % 2 ? 'z' : 'y') + f.text.slice(j + 1);
  t = performance.now();
  doc = parseSyncFile(text, cache);
  const t1 = performance.now();
  d = validate(doc, {});
  console.log('edit', (t1 - t).toFixed(2), (performance.now() - t1).toFixed(2), d.length);
}
