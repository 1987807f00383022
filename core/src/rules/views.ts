/**
 * Builds the rule views from a parsed document. Views hold LOCAL spans and are memoised on their
 * segment, so a validation after an edit rebuilds the view of the edited sync only.
 */
import { isMap, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import { findPair, jsValue, localKeySpan, localSpan } from '../parse/nodes';
import type { Segment } from '../parse/segments';
import type { SyncEntry, SyncFileDocument } from '../parse/sync-document';
import { parseTableName } from '../model/table-name';
import type { Field, HeaderView, SyncFacts, SyncView } from './rule-context';

export function fieldsOf(segment: Segment, map: unknown): Map<string, Field> {
  const fields = new Map<string, Field>();
  if (!isMap(map)) return fields;
  for (const pair of (map as YAMLMap<Node, Node | null>).items) {
    if (!isScalar(pair.key)) continue;
    const key = localKeySpan(pair);
    fields.set(String(pair.key.value), { pair, key, value: pair.value ? localSpan(pair.value) : key, js: jsValue(segment, pair.value) });
  }
  return fields;
}

/** Memo key of a per-sync result: a sync segment holds one sync, a whole-file segment holds all. */
export function syncMemoKey(segment: Segment, name: string, what: string): string {
  return segment.kind === 'sync' ? what : `${what}:${name}`;
}

function memo<T>(segment: Segment, key: string, build: () => T): T {
  let v = segment.memo.get(key) as T | undefined;
  if (v === undefined) {
    v = build();
    segment.memo.set(key, v);
  }
  return v;
}

// The memo holds everything but the segment object itself: a segment that moved in the file is a
// new object over the same parse, and the view must map offsets through the current one.

export function syncView(entry: SyncEntry): SyncView {
  const { nameSpan, fields, facts } = memo(entry.segment, syncMemoKey(entry.segment, entry.name, 'view'), () => {
    const fields = fieldsOf(entry.segment, entry.pair.value);
    const table = stringField(fields, 'table');
    const tableParse = table === undefined ? undefined : parseTableName(table);
    const facts: SyncFacts = {
      connection: stringField(fields, 'connection'),
      status: stringField(fields, 'status'),
      dataType: stringField(fields, 'data_type'),
      table: tableParse?.ok ? tableParse.name : undefined,
      tableParse,
    };
    return { nameSpan: localKeySpan(entry.pair), fields, facts };
  });
  return { name: entry.name, segment: entry.segment, nameSpan, fields, facts };
}

export function headerView(doc: SyncFileDocument): HeaderView {
  const segment = doc.header;
  const view = memo(segment, `view:header:${segment.kind}`, () => {
    const root = segment.doc.contents;
    const view: Omit<HeaderView, 'segment'> = {};
    const brazePair = findPair(root, 'braze');
    if (brazePair) view.brazeKey = localKeySpan(brazePair);
    if (isMap(brazePair?.value)) view.braze = fieldsOf(segment, brazePair.value);
    const smtpPair = findPair(findPair(root, 'notifications')?.value, 'smtp');
    if (smtpPair) view.smtpKey = localKeySpan(smtpPair);
    if (isMap(smtpPair?.value)) view.smtp = fieldsOf(segment, smtpPair.value);
    const statePair = findPair(root, 'state');
    if (isMap(statePair?.value)) view.state = fieldsOf(segment, statePair.value);
    const connections = findPair(root, 'connections')?.value;
    if (isMap(connections)) {
      view.connections = new Map(
        (connections.items as Pair<Node, Node | null>[])
          .filter((p) => isScalar(p.key))
          .map((p) => [String((p.key as { value: unknown }).value), { nameSpan: localKeySpan(p), fields: fieldsOf(segment, p.value) }]),
      );
    }
    return view;
  });
  return { ...view, segment };
}

/** The string value of a field, when it is a string. */
export function stringField(fields: ReadonlyMap<string, Field> | undefined, key: string): string | undefined {
  const f = fields?.get(key);
  return typeof f?.js === 'string' ? f.js : undefined;
}
