/**
 * The parsed form of a `.brazesync.yaml` text, built for editing speed: the file is split into a
 * header and one segment per sync (`segment-scan.ts`) and each segment is parsed on its own,
 * reusing the parse of every segment whose text did not change since the previous version. A file
 * the scan cannot split safely is parsed whole; both modes expose the same structure.
 */
import { isMap, isScalar, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { LineIndex } from './line-index';
import { scanSegments } from './segment-scan';

export type SegmentKind = 'whole' | 'header' | 'sync';

export interface YamlError {
  code: string;
  message: string;
  /** Absolute offsets. */
  start: number;
  end: number;
}

/** A piece of the file parsed as its own YAML document. Node ranges are local to `text`. */
export interface Segment {
  readonly kind: SegmentKind;
  readonly text: string;
  readonly doc: Document.Parsed;
  /** JSON path of this segment's root within the file: `[]`, or `['syncs']` for a sync segment. */
  readonly pathPrefix: readonly string[];
  /** Absolute offset of the segment-local offset `local`. */
  toAbs(local: number): number;
  /** Segment-local offset of absolute `abs`, or undefined when `abs` lies outside the segment. */
  toLocal(abs: number): number | undefined;
  /** Memo for per-segment results (validation, symbols) that depend on the segment text alone. */
  readonly memo: Map<string, unknown>;
}

export interface SyncEntry {
  name: string;
  segment: Segment;
  pair: Pair<Node, Node | null>;
}

export interface SyncFileDocument {
  readonly text: string;
  readonly lines: LineIndex;
  readonly mode: 'whole' | 'segmented';
  readonly header: Segment;
  /** Header first, then sync segments in file order (only the header in whole mode). */
  readonly segments: readonly Segment[];
  readonly syncs: readonly SyncEntry[];
  readonly yamlErrors: readonly YamlError[];
}

interface ParsedText {
  doc: Document.Parsed;
  memo: Map<string, unknown>;
}

const PARSE_OPTIONS = { uniqueKeys: true, prettyErrors: false, strict: true } as const;

function parseText(text: string): ParsedText {
  return { doc: parseDocument(text, PARSE_OPTIONS), memo: new Map() };
}

/** Parse cache keyed by segment text; each version keeps only what it used, so memory stays bounded. */
export class SegmentCache {
  private entries = new Map<string, ParsedText>();
  private next = new Map<string, ParsedText>();

  get(text: string): ParsedText {
    let hit = this.next.get(text) ?? this.entries.get(text);
    if (!hit) hit = parseText(text);
    this.next.set(text, hit);
    return hit;
  }

  /** Drops entries the latest version did not use. */
  commit(): void {
    this.entries = this.next;
    this.next = new Map();
  }
}

function makeSegment(kind: SegmentKind, text: string, parsed: ParsedText, toAbs: (l: number) => number, toLocal: (a: number) => number | undefined): Segment {
  return { kind, text, doc: parsed.doc, memo: parsed.memo, pathPrefix: kind === 'sync' ? ['syncs'] : [], toAbs, toLocal };
}

function syncPairs(map: unknown): Pair<Node, Node | null>[] {
  return isMap(map) ? (map.items as Pair<Node, Node | null>[]) : [];
}

function pairName(pair: Pair<Node, Node | null>): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/**
 * Parses `text`, reusing unchanged segments from `cache` (pass the same cache for each new version
 * of one document). Never throws.
 */
export function parseSyncFile(text: string, cache: SegmentCache = new SegmentCache()): SyncFileDocument {
  const lines = new LineIndex(text);
  const layout = scanSegments(text);
  const doc = layout ? segmentedDocument(text, lines, layout, cache) : undefined;
  const result = doc ?? wholeDocument(text, lines, cache);
  cache.commit();
  return result;
}

function wholeDocument(text: string, lines: LineIndex, cache: SegmentCache): SyncFileDocument {
  const header = makeSegment('whole', text, cache.get(text), (l) => l, (a) => a);
  const syncsNode = isMap(header.doc.contents) ? header.doc.contents.get('syncs', true) : undefined;
  const syncs = syncPairs(syncsNode).map((pair) => ({ name: pairName(pair), segment: header, pair }));
  return { text, lines, mode: 'whole', header, segments: [header], syncs, yamlErrors: errorsOf(header) };
}

function segmentedDocument(
  text: string,
  lines: LineIndex,
  layout: NonNullable<ReturnType<typeof scanSegments>>,
  cache: SegmentCache,
): SyncFileDocument | undefined {
  const { bodyStart, bodyEnd } = layout;
  const removed = bodyEnd - bodyStart;
  const headerText = text.slice(0, bodyStart) + text.slice(bodyEnd);
  const header = makeSegment(
    'header',
    headerText,
    cache.get(headerText),
    (l) => (l < bodyStart ? l : l + removed),
    (a) => (a < bodyStart ? a : a >= bodyEnd ? a - removed : undefined),
  );
  const segments: Segment[] = [header];
  const syncs: SyncEntry[] = [];
  for (const span of layout.syncs) {
    const segText = text.slice(span.start, span.end);
    const parsed = cache.get(segText);
    const pairs = syncPairs(parsed.doc.contents);
    // A segment must be exactly one `name: {...}` entry; anything else is parsed whole.
    if (pairs.length !== 1) return undefined;
    const segment = makeSegment('sync', segText, parsed, (l) => l + span.start, (a) => (a >= span.start && (a < span.end || span.end === text.length) ? a - span.start : undefined));
    segments.push(segment);
    const pair = pairs[0];
    if (pair) syncs.push({ name: pairName(pair), segment, pair });
  }
  const names = new Set(syncs.map((s) => s.name));
  if (names.size !== syncs.length) return undefined; // duplicate keys: the whole parse reports them
  return { text, lines, mode: 'segmented', header, segments, syncs, yamlErrors: segments.flatMap(errorsOf) };
}

function errorsOf(segment: Segment): YamlError[] {
  return segment.doc.errors.map((e) => ({
    code: e.code,
    message: e.message,
    start: segment.toAbs(e.pos[0]),
    end: segment.toAbs(Math.max(e.pos[1], e.pos[0])),
  }));
}

/** The segment containing absolute `offset` (sync segments first: the header spans the rest). */
export function segmentAt(doc: SyncFileDocument, offset: number): Segment {
  for (let i = 1; i < doc.segments.length; i++) {
    const s = doc.segments[i];
    if (s && s.toLocal(offset) !== undefined) return s;
  }
  return doc.header;
}
