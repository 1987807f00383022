/**
 * Where a position is in YAML terms: on a key of some mapping or on a value, with the JSON path
 * that completions and hovers resolve against the schema. Only the segment under the cursor is
 * looked at, so both stay fast in files with a thousand syncs.
 *
 * Completion runs on half-typed lines that YAML reads differently from what the user means:
 * `    da` under `connection: warehouse` continues the plain scalar `warehouse da`, and an empty
 * line is no node at all. Like `transform()` in actions/languageservices, `completionContext`
 * first rewrites the cursor's line so that it parses as the key being typed (a bare word gets a
 * `:`, an empty line a placeholder key at the cursor), re-parses that one segment and reports
 * the placeholder's mapping without the placeholder in it.
 */
import { isMap, isNode, isScalar, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { Span } from '../parse/nodes';
import type { Position } from '../parse/line-index';
import type { Segment } from '../parse/segments';
import { segmentAt, type SyncFileDocument } from '../parse/sync-document';
import { parseBounded } from '../parse/bounded-parse';
import { keyName, locate, type PathStep } from './yaml-locate';

/** A key or value found at an offset. */
export interface NodeHit {
  kind: 'key' | 'value';
  /** For a key: the path of the mapping that holds it. For a value: the path of the value. */
  path: PathStep[];
  segment: Segment;
  /** The pair whose key or value is under the cursor, when there is one. */
  pair?: Pair<unknown, unknown>;
  /** The mapping holding `pair` (for a key hit without a pair: the mapping the cursor is in). */
  map?: YAMLMap<unknown, unknown>;
  /** The key or value node; null for an empty value (`key: |`). */
  node: Node | null;
  /** True inside a flow collection (`{…}`, `[…]`), where inserts must stay on one line. */
  flow: boolean;
}

/** What completion needs to know about the cursor. */
export interface CompletionContext {
  kind: 'key' | 'value';
  /** For a key: the path of the mapping the key goes into. For a value: the path of the value. */
  path: PathStep[];
  /** Keys already in that mapping, without the one being typed. */
  siblings: ReadonlySet<string>;
  /** Absolute span a completion replaces: the word being typed, or the whole scalar value. */
  replace: Span;
  /** The text of `replace` (what the user typed so far). */
  typed: string;
  /** Column of the key being typed, or of the key whose value is being typed. */
  indent: number;
  flow: boolean;
  /** Key: a `:` already follows the word, so only the name is inserted. */
  colonFollows: boolean;
  /** Value: the cursor is right after the `:`, so the value needs a leading space. */
  needsSpace: boolean;
}

const PLACEHOLDER = 'brazesync_cursor_placeholder';
const PARSE_OPTIONS = { uniqueKeys: false, strict: false, prettyErrors: false } as const;
const WORD = /[\w$.-]/;

interface LineInfo {
  text: string;
  start: number;
  end: number;
  col: number;
}

function lineAt(doc: SyncFileDocument, offset: number): LineInfo {
  const { line } = doc.lines.positionAt(offset);
  const start = doc.lines.lineStart(line);
  const end = doc.lines.lineEnd(line);
  return { text: doc.text.slice(start, end), start, end, col: offset - start };
}

function leadingSpaces(text: string): number {
  return text.length - text.replace(/^[ \t]*/, '').length;
}

/** True when `col` is inside a `#` comment (a `#` at line start or after a blank, outside quotes). */
function inComment(line: string, col: number): boolean {
  let quote: string | undefined;
  for (let i = 0; i < col && i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) {
      return true;
    }
  }
  return false;
}

/** The key or value at an absolute offset of the document as parsed (for hovers). */
export function nodeAt(doc: SyncFileDocument, offset: number): NodeHit | undefined {
  const line = lineAt(doc, offset);
  if (inComment(line.text, line.col)) return undefined;
  const segment = segmentAt(doc, offset);
  const local = segment.toLocal(offset);
  if (local === undefined) return undefined;
  const hit = locate(segment.doc.contents, local, segment.text);
  return hit && { ...hit, path: [...segment.pathPrefix, ...hit.path], segment };
}

/** The absolute span of a hit's node; an empty value is the empty span at `fallback`. */
export function hitSpan(hit: NodeHit, fallback: number): Span {
  const r = hit.node?.range;
  return r ? { start: hit.segment.toAbs(r[0]), end: hit.segment.toAbs(r[1]) } : { start: fallback, end: fallback };
}

function wordAround(line: LineInfo): { start: number; end: number } {
  let s = line.col;
  let e = line.col;
  while (s > 0 && WORD.test(line.text[s - 1] ?? '')) s--;
  while (e < line.text.length && WORD.test(line.text[e] ?? '')) e++;
  return { start: s, end: e };
}

function keysOf(map: YAMLMap<unknown, unknown> | undefined, except?: Pair<unknown, unknown>): Set<string> {
  const keys = new Set<string>();
  for (const pair of map?.items ?? []) {
    const name = keyName(pair);
    if (pair !== except && name !== undefined && name !== PLACEHOLDER) keys.add(name);
  }
  return keys;
}

/** The segment text with the cursor's line rewritten so the key being typed parses as a key. */
function transformLine(segment: Segment, line: LineInfo, local: number, blank: boolean): string | undefined {
  if (blank) return segment.text.slice(0, local) + PLACEHOLDER + ':' + segment.text.slice(local);
  // A bare word; not `- ` (a sequence item), whose dash is no key.
  if (!/^[ \t]*[\w$.][\w$.-]*[ \t]*$/.test(line.text)) return undefined;
  const end = segment.toLocal(line.end);
  return end === undefined ? undefined : segment.text.slice(0, end) + ':' + segment.text.slice(end);
}

/** Span of a scalar value to replace: inside its quotes, or the word at the cursor when it spans lines. */
function valueReplaceSpan(segment: Segment, node: Node | null, line: LineInfo, offset: number): Span | undefined {
  if (!node) return { start: offset, end: offset };
  if (!isScalar(node) || !node.range) return undefined;
  const type = (node as Scalar).type;
  if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') return undefined;
  let start = segment.toAbs(node.range[0]);
  let end = segment.toAbs(node.range[1]);
  if (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') {
    start += 1;
    const quote = type === 'QUOTE_DOUBLE' ? '"' : "'";
    if (end > start && segment.text[node.range[1] - 1] === quote) end -= 1;
  }
  if (start < line.start || end > line.end) {
    const w = wordAround(line);
    return { start: line.start + w.start, end: line.start + w.end };
  }
  return { start, end: Math.max(end, offset) };
}

/**
 * The completion context at `position`, or undefined where nothing can be completed (comments,
 * block scalars, after a complete value).
 */
export function completionContext(doc: SyncFileDocument, position: Position): CompletionContext | undefined {
  const offset = doc.lines.offsetAt(position);
  const line = lineAt(doc, offset);
  if (inComment(line.text, line.col)) return undefined;
  const blank = line.text.slice(0, line.col).trim() === '' && line.text.slice(line.col).trim() === '';
  const indent = blank ? line.col : leadingSpaces(line.text);
  let segment = segmentAt(doc, offset);

  // Blank lines after a sync belong to its segment, but a key typed there at column 0 is top-level.
  if (segment.kind === 'sync' && indent < leadingSpaces(segment.text)) {
    if (!blank || indent > 0) return undefined;
    segment = doc.header;
    const root = segment.doc.contents;
    const siblings = keysOf(isMap(root) ? (root as YAMLMap<unknown, unknown>) : undefined);
    return { kind: 'key', path: [], siblings, replace: { start: offset, end: offset }, typed: '', indent: 0, flow: false, colonFollows: false, needsSpace: false };
  }

  const local = segment.toLocal(offset);
  if (local === undefined) return undefined;
  const transformed = transformLine(segment, line, local, blank);
  const text = transformed ?? segment.text;
  const root = transformed === undefined ? segment.doc.contents : parseBounded(text, PARSE_OPTIONS).contents;
  const hit = locate(root, local, text);
  if (!hit) return undefined;
  const path = [...segment.pathPrefix, ...hit.path];

  if (hit.kind === 'key') {
    const w = blank ? { start: line.col, end: line.col } : wordAround(line);
    const replace = { start: line.start + w.start, end: line.start + w.end };
    return {
      kind: 'key',
      path,
      siblings: keysOf(hit.map, hit.pair),
      replace,
      typed: doc.text.slice(replace.start, replace.end),
      indent: hit.flow ? 0 : indent,
      flow: hit.flow,
      colonFollows: /^[ \t]*:/.test(line.text.slice(w.end)),
      needsSpace: false,
    };
  }
  const replace = valueReplaceSpan(segment, hit.node, line, offset);
  if (!replace) return undefined;
  const keyRange = isNode(hit.pair?.key) ? hit.pair.key.range : undefined;
  const keyCol = keyRange ? doc.lines.positionAt(segment.toAbs(keyRange[0])).character : indent;
  return {
    kind: 'value',
    path,
    siblings: keysOf(hit.map, hit.pair),
    replace,
    typed: doc.text.slice(replace.start, replace.end),
    indent: keyCol,
    flow: hit.flow,
    colonFollows: false,
    needsSpace: hit.node === null && doc.text[offset - 1] === ':',
  };
}
