/** Small helpers over `yaml` nodes that every rule and language feature needs. */
import { isAlias, isMap, isNode, isScalar, isSeq, visit, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Segment } from './segments';

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
  const range = node.range; // indexed, not destructured: this runs for every key and value of a file
  return range ? { start: range[0], end: range[1] } : { start: 0, end: 0 };
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
  if (isScalar(node)) return node.value; // what toJS gives a scalar, without its context and anchor map per call
  if (isSeq(node) && node.items.every(isScalar)) return node.items.map((item) => item.value); // a list of values, e.g. `contacts`
  try {
    return (node as Node).toJS(segment.doc);
  } catch {
    return undefined;
  }
}

export interface AliasTrouble extends Span {
  /** `unresolved`: no anchor of that name before it; `excessive`: the aliases expand past the YAML library's limit (an alias bomb). */
  kind: 'unresolved' | 'excessive';
}

/**
 * The first alias that cannot be expanded: one naming no anchor defined before it, or, when every
 * alias resolves but expanding them all would exceed the YAML library's limit, the first alias.
 * One pass in document order with the anchors seen so far (the library's own `resolve` searches
 * the document for every alias, which a file of many aliases turns into minutes).
 */
export function aliasTrouble(segment: Segment): AliasTrouble | undefined {
  if (!segment.text.includes('*')) return undefined; // no alias without one: most segments need no walk
  const anchors = new Set<string>();
  let first: Span | undefined;
  let unresolved: Span | undefined;
  visit(segment.doc, (_key, node) => {
    if (isAlias(node)) {
      const span = node.range ? { start: node.range[0], end: node.range[1] } : { start: 0, end: 0 };
      first ??= span;
      if (!anchors.has(node.source)) {
        unresolved = span;
        return visit.BREAK;
      }
    } else if (isNode(node) && node.anchor) {
      anchors.add(node.anchor);
    }
    return undefined;
  });
  if (unresolved) return { kind: 'unresolved', ...unresolved };
  if (!first) return undefined;
  try {
    segment.doc.toJS();
    return undefined;
  } catch (err) {
    return err instanceof ReferenceError ? { kind: 'excessive', ...first } : undefined;
  }
}
