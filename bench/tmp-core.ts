import { parseSyncFile, SegmentCache } from '../core/src/parse/sync-document';
import { validate } from '../core/src/lang/validate';
import { generateSyncFile } from './generate-syncs';
const n = Number(process.argv[2] ?? 1000);
const f = generateSyncFile(n);
const cache = new SegmentCache();
let t = performance.now();
let doc = parseSyncFile(f.text, cache);
let d = validate(doc, {});
console.log('open', (performance.now() - t).toFixed(0), d.length, doc.mode);
const i = f.text.indexOf(`  ${f.middleSync}:`);
const j = f.text.indexOf('data_type: ', i) + 14;
const times: string[] = [];
for (let k = 0; k < 20; k++) {
  const text = f.text.slice(0, j) + (k % 2 ? 'z' : 'y') + f.text.slice(j + 1);
  t = performance.now();
  doc = parseSyncFile(text, cache);
  const t1 = performance.now();
  d = validate(doc, {});
  times.push(`${(t1 - t).toFixed(1)}+${(performance.now() - t1).toFixed(1)}`);
}
console.log(times.join(' '));
