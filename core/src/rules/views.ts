/** Builds the rule views from a parsed document. */
import { isMap, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import { findPair, jsValue, keySpan, nodeSpan } from '../parse/nodes';
import type { Segment, SyncEntry, SyncFileDocument } from '../parse/sync-document';
import type { Field, HeaderView, SyncView } from './rule-context';

export function fieldsOf(segment: Segment, map: unknown): Map<string, Field> {
  const fields = new Map<string, Field>();
  if (!isMap(map)) return fields;
  for (const pair of (map as YAMLMap<Node, Node | null>).items) {
    if (!isScalar(pair.key)) continue;
    const key = keySpan(segment, pair);
    fields.set(String(pair.key.value), { pair, key, value: pair.value ? nodeSpan(segment, pair.value) : key, js: jsValue(segment, pair.value) });
  }
  return fields;
}

export function syncView(entry: SyncEntry): SyncView {
  return { name: entry.name, segment: entry.segment, nameSpan: keySpan(entry.segment, entry.pair), fields: fieldsOf(entry.segment, entry.pair.value) };
}

export function headerView(doc: SyncFileDocument): HeaderView {
  const segment = doc.header;
  const root = segment.doc.contents;
  const view: HeaderView = { segment };
  const brazePair = findPair(root, 'braze');
  if (brazePair) view.brazeKey = keySpan(segment, brazePair);
  if (isMap(brazePair?.value)) view.braze = fieldsOf(segment, brazePair.value);
  const connections = findPair(root, 'connections')?.value;
  if (isMap(connections)) {
    view.connections = new Map(
      (connections.items as Pair<Node, Node | null>[])
        .filter((p) => isScalar(p.key))
        .map((p) => [String((p.key as { value: unknown }).value), { nameSpan: keySpan(segment, p), fields: fieldsOf(segment, p.value) }]),
    );
  }
  return view;
}

/** The string value of a field, when it is a string. */
export function stringField(fields: ReadonlyMap<string, Field> | undefined, key: string): string | undefined {
  const f = fields?.get(key);
  return typeof f?.js === 'string' ? f.js : undefined;
}
