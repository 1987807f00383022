/**
 * The outline: `braze`, each connection and each sync (with `data_type · schedule · status` as
 * its detail). Works from the parsed segments as they are, so it costs one pass over the syncs.
 */
import { isMap, isScalar, type Node, type Pair } from 'yaml';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver-types';
import { DEFAULT_STATUS } from '../model/sync-file';
import { findPair, keySpan, nodeSpan, type Span } from '../parse/nodes';
import type { Segment } from '../parse/segments';
import type { SyncFileDocument } from '../parse/sync-document';

function scalarText(map: unknown, key: string): string | undefined {
  const node = findPair(map, key)?.value;
  return isScalar(node) && node.value !== null && typeof node.value !== 'object' ? String(node.value) : undefined;
}

/** Key start to value end, without the line break a block collection's range ends with. */
function pairSpan(doc: SyncFileDocument, segment: Segment, pair: Pair<unknown, unknown>): Span {
  const key = keySpan(segment, pair);
  const value = pair.value && typeof pair.value === 'object' && 'range' in pair.value ? nodeSpan(segment, pair.value as Node) : key;
  let end = Math.max(key.end, value.end);
  while (end > key.end && /\s/.test(doc.text[end - 1] ?? '')) end--;
  return { start: key.start, end };
}

function symbol(doc: SyncFileDocument, name: string, kind: SymbolKind, span: Span, selection: Span, detail?: string, children?: DocumentSymbol[]): DocumentSymbol {
  return {
    name,
    kind,
    range: doc.lines.range(span.start, span.end),
    selectionRange: doc.lines.range(selection.start, selection.end),
    ...(detail ? { detail } : {}),
    ...(children ? { children } : {}),
  };
}

function pairName(pair: Pair<unknown, unknown>): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function syncSymbols(doc: SyncFileDocument): DocumentSymbol[] {
  return doc.syncs.map((sync) => {
    const body = sync.pair.value;
    const detail = [scalarText(body, 'data_type'), scalarText(body, 'schedule'), isMap(body) ? (scalarText(body, 'status') ?? DEFAULT_STATUS) : undefined]
      .filter((p) => p !== undefined)
      .join(' · ');
    return symbol(doc, sync.name, SymbolKind.Function, pairSpan(doc, sync.segment, sync.pair), keySpan(sync.segment, sync.pair), detail);
  });
}

/**
 * Document symbols, in file order. Never throws.
 *
 * Example: `syncs` › `user_attributes` with detail `custom_attributes · every 15 minutes · active`.
 */
export function documentSymbols(doc: SyncFileDocument): DocumentSymbol[] {
  const header = doc.header;
  const root = header.doc.contents;
  if (!isMap(root)) return [];
  const symbols: DocumentSymbol[] = [];
  for (const pair of root.items as Pair<Node, Node | null>[]) {
    const name = pairName(pair);
    const span = pairSpan(doc, header, pair);
    const key = keySpan(header, pair);
    if (name === 'braze') {
      symbols.push(symbol(doc, name, SymbolKind.Module, span, key, scalarText(pair.value, 'instance') ?? scalarText(pair.value, 'endpoint')));
    } else if (name === 'connections') {
      const connections = isMap(pair.value) ? (pair.value.items as Pair<Node, Node | null>[]) : [];
      const children = connections.map((c) => symbol(doc, pairName(c), SymbolKind.Object, pairSpan(doc, header, c), keySpan(header, c), scalarText(c.value, 'host')));
      symbols.push(symbol(doc, name, SymbolKind.Namespace, span, key, undefined, children));
    } else if (name === 'syncs') {
      const children = syncSymbols(doc);
      // In a segmented parse the header holds `syncs:` without its entries: the range ends with the last sync.
      const last = children[children.length - 1];
      const end = Math.max(span.end, last ? doc.lines.offsetAt(last.range.end) : 0);
      symbols.push(symbol(doc, name, SymbolKind.Namespace, { start: span.start, end }, key, undefined, children));
    }
  }
  return symbols;
}
