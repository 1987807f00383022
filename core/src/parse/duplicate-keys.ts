/**
 * Duplicate keys, found in one pass: the YAML library's own check (`uniqueKeys`) compares each new
 * key with every earlier key of its mapping, which takes 40 s for a 60,000-key mapping. Keys are
 * equal as the library decides: scalars with the same value (so `1` and `"1"` differ).
 */
import { isMap, isScalar, visit, YAMLParseError, type Document } from 'yaml';

export function addDuplicateKeyErrors(doc: Document.Parsed): void {
  visit(doc, (_key, node) => {
    if (!isMap(node)) return;
    const seen = new Set<unknown>();
    for (const pair of node.items) {
      const key = pair.key;
      if (!isScalar(key)) continue;
      if (!seen.has(key.value)) {
        seen.add(key.value);
        continue;
      }
      const start = key.range?.[0] ?? 0;
      doc.errors.push(new YAMLParseError([start, start + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
    }
  });
}
