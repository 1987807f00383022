/** Small helpers over `yaml` nodes that every rule and language feature needs. */
import { isMap, isScalar, isSeq, visit, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Segment } from './sync-document';

export interface Span {
  start: number;
  end: number;
}

/*
 * Spans come in two coordinates: local (offsets into the segment's own text, stable while the
 * segment's text is unchanged, so results built from them can be memoised with the segment) and
 * absolute (offsets into the whole file, for output).
 */

/** Local span of a node's value (without trailing comments or line breaks). */
export function localSpan(node: Node): Span {
  const [start, valueEnd] = node.range ?? [0, 0, 0];
  return { start, end: valueEnd };
}

/** Local span of a pair's key. */
export function localKeySpan(pair: Pair<unknown, unknown>): Span {
  const key = pair.key;
  if (key && typeof key === 'object' && 'range' in key) return localSpan(key as Node);
  return { start: 0, end: 0 };
}

export function absSpan(segment: Segment, span: Span): Span {
  return { start: segment.toAbs(span.start), end: segment.toAbs(span.end) };
}

/** Absolute span of a node's value. */
export function nodeSpan(segment: Segment, node: Node): Span {
  return absSpan(segment, localSpan(node));
}

/** Absolute span of a pair's key. */
export function keySpan(segment: Segment, pair: Pair<unknown, unknown>): Span {
  return absSpan(segment, localKeySpan(pair));
}

export function findPair(map: unknown, key: string): Pair<Node, Node | null> | undefined {
  if (!isMap(map)) return undefined;
  return (map as YAMLMap<Node, Node | null>).items.find((p) => isScalar(p.key) && String(p.key.value) === key);
}

/** Walks `path` (keys and sequence indexes) from `node`; returns the last pair reached and the node. */
export function nodeAtPath(node: unknown, path: readonly (string | number)[]): { node?: Node | null; pair?: Pair<Node, Node | null> } {
  let current: unknown = node;
  let pair: Pair<Node, Node | null> | undefined;
  for (const step of path) {
    if (isMap(current)) {
      pair = findPair(current, String(step));
      if (!pair) return {};
      current = pair.value;
    } else if (isSeq(current) && typeof step === 'number') {
      current = current.items[step];
      pair = undefined;
      if (current === undefined) return {};
    } else {
      return {};
    }
  }
  return { node: (current ?? null) as Node | null, ...(pair ? { pair } : {}) };
}

/** A string scalar's value and the local offset where that text begins (inside any quotes). */
export function localScalarSource(node: Node): { text: string; start: number } | undefined {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  return { text: node.value, start: node.range[0] + (quoted ? 1 : 0) };
}

/** Plain JS value of a node; `undefined` when it cannot be built (an alias to a missing anchor). */
export function jsValue(segment: Segment, node: unknown): unknown {
  if (!node || typeof node !== 'object' || !('toJS' in node)) return node ?? null;
  try {
    return (node as Node).toJS(segment.doc);
  } catch {
    return undefined;
  }
}

/** Local span of the first alias in the segment whose anchor is not defined before it. */
export function unresolvedAlias(segment: Segment): Span | undefined {
  let found: Span | undefined;
  visit(segment.doc, {
    Alias(_key, node) {
      if (node.resolve(segment.doc) === undefined && node.range) {
        found = { start: node.range[0], end: node.range[1] };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}
