/**
 * The parsed form of a `.brazesync.yaml` text, built for editing speed: the file is split into a
 * header and one segment per sync (`segment-scan.ts`) and each segment is parsed on its own,
 * reusing the parse of every segment whose text did not change since the previous version. A file
 * the scan cannot split safely is parsed whole; both modes expose the same structure.
 */
import { isMap, isScalar, Schema, type Node, type Pair } from 'yaml';
import { parseBounded } from './bounded-parse';
import { LineIndex } from './line-index';
import { scanSegments, spanStillFits, type SegmentLayout } from './segment-scan';
import { HeaderSegment, SyncSegment, WholeSegment, type ParsedText, type Segment } from './segments';

export interface YamlError {
  code: string;
  message: string;
  /** Absolute offsets. */
  start: number;
  end: number;
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

/**
 * Duplicate keys are found by duplicate-keys.ts, in linear time. Every segment shares one schema
 * (the core schema YAML 1.2 documents get, and which nothing changes): building one per segment
 * was a thousand schemas and tag lists for a 1,000-sync file.
 */
const PARSE_OPTIONS = { uniqueKeys: false, prettyErrors: false, strict: true, schema: new Schema({ schema: 'core', resolveKnownTags: true }) } as const;

function parseText(text: string): ParsedText {
  return { doc: parseBounded(text, PARSE_OPTIONS), memo: new Map() };
}

interface Version {
  text: string;
  doc: SyncFileDocument;
  /** For a segmented version: where the sync entries are and how far their names are indented. */
  body?: { start: number; end: number; syncIndent: number };
}

/**
 * Per-document parse cache: segment parses keyed by their text, plus the previous version, so an
 * edit inside one sync re-parses that sync alone and shifts the others (see `parseSyncFile`).
 * Each full parse keeps only the entries it used, so memory stays bounded.
 */
export class SegmentCache {
  private entries = new Map<string, ParsedText>();
  private next = new Map<string, ParsedText>();
  /** The last version parsed with this cache (read by `parseSyncFile` only). */
  last?: Version;

  get(text: string): ParsedText {
    let hit = this.next.get(text) ?? this.entries.get(text);
    if (!hit) hit = parseText(text);
    this.next.set(text, hit);
    return hit;
  }

  /** Drops entries the latest full parse did not use. */
  commit(): void {
    this.entries = this.next;
    this.next = new Map();
  }

  /** After an incremental parse: the edited segment's old text is gone, its new text is in. */
  replace(oldText: string, newText: string): ParsedText {
    const parsed = this.entries.get(newText) ?? parseText(newText);
    this.entries.delete(oldText);
    this.entries.set(newText, parsed);
    return parsed;
  }
}

function syncPairs(map: unknown): Pair<Node, Node | null>[] {
  return isMap(map) ? (map.items as Pair<Node, Node | null>[]) : [];
}

function pairName(pair: Pair<Node, Node | null>): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/** The single `name: {...}` entry of a sync segment, or undefined when it is not exactly one. */
function onlyEntry(segment: Segment): SyncEntry | undefined {
  const pairs = syncPairs(segment.doc.contents);
  const pair = pairs[0];
  return pairs.length === 1 && pair ? { name: pairName(pair), segment, pair } : undefined;
}

/**
 * Parses `text`. Pass the same `cache` for each new version of one document: unchanged segments
 * keep their parse (and memoised checks), and an edit inside one sync re-parses only that sync.
 * Never throws.
 */
export function parseSyncFile(text: string, cache: SegmentCache = new SegmentCache()): SyncFileDocument {
  const previous = cache.last;
  if (previous?.text === text) return previous.doc;
  const version = (previous && incremental(previous, text, cache)) ?? fullParse(text, cache);
  cache.last = version;
  return version.doc;
}

function fullParse(text: string, cache: SegmentCache): Version {
  const layout = scanSegments(text);
  const lines = new LineIndex(text);
  const doc = layout ? segmentedDocument(text, lines, layout, cache) : undefined;
  cache.commit();
  if (doc && layout) return { text, doc, body: { start: layout.bodyStart, end: layout.bodyEnd, syncIndent: layout.syncIndent } };
  const header = new WholeSegment(text, cache.get(text));
  cache.commit();
  const syncsNode = isMap(header.doc.contents) ? header.doc.contents.get('syncs', true) : undefined;
  const syncs = syncPairs(syncsNode).map((pair) => ({ name: pairName(pair), segment: header, pair }));
  return { text, doc: { text, lines, mode: 'whole', header, segments: [header], syncs, yamlErrors: errorsOf(header) } };
}

function segmentedDocument(text: string, lines: LineIndex, layout: SegmentLayout, cache: SegmentCache): SyncFileDocument | undefined {
  const { bodyStart, bodyEnd } = layout;
  const headerText = text.slice(0, bodyStart) + text.slice(bodyEnd);
  const header = new HeaderSegment(headerText, cache.get(headerText), bodyStart, bodyEnd - bodyStart);
  const syncs: SyncEntry[] = [];
  for (const span of layout.syncs) {
    const segText = text.slice(span.start, span.end);
    const entry = onlyEntry(new SyncSegment(segText, cache.get(segText), span.start, span.end === text.length));
    // A segment must be exactly one `name: {...}` entry; anything else is parsed whole.
    if (!entry) return undefined;
    syncs.push(entry);
  }
  if (new Set(syncs.map((s) => s.name)).size !== syncs.length) return undefined; // duplicates: the whole parse reports them
  return assemble(text, lines, header, syncs);
}

function assemble(text: string, lines: LineIndex, header: Segment, syncs: SyncEntry[]): SyncFileDocument {
  const segments = [header, ...syncs.map((s) => s.segment)];
  const yamlErrors: YamlError[] = [];
  for (const segment of segments) if (segment.doc.errors.length > 0) yamlErrors.push(...errorsOf(segment));
  return { text, lines, mode: 'segmented', header, segments, syncs, yamlErrors };
}

/** Length of the common prefix of `a` and `b`, compared a block at a time (native compares). */
function commonPrefix(a: string, b: string, limit: number): number {
  let i = 0;
  for (let block = 4096; i + block <= limit && a.slice(i, i + block) === b.slice(i, i + block); ) i += block;
  while (i < limit && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the common suffix of `a` and `b`, at most `limit`. */
function commonSuffix(a: string, b: string, limit: number): number {
  let i = 0;
  for (let block = 4096; i + block <= limit && a.slice(a.length - i - block, a.length - i) === b.slice(b.length - i - block, b.length - i); ) i += block;
  while (i < limit && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

/**
 * The fast path for typing: when the text differs from the previous version only inside one
 * sync, and that sync still fits the layout, re-parse that sync and shift the ones after it.
 */
function incremental(previous: Version, text: string, cache: SegmentCache): Version | undefined {
  const { body, doc: prevDoc, text: old } = previous;
  if (!body) return undefined;
  const limit = Math.min(old.length, text.length);
  const prefix = commonPrefix(old, text, limit);
  const oldEnd = old.length - commonSuffix(old, text, limit - prefix);
  const delta = text.length - old.length;

  const index = syncIndexAt(prevDoc.syncs, prefix);
  const prevEntry = prevDoc.syncs[index];
  if (!prevEntry) return undefined;
  const segment = prevEntry.segment as SyncSegment;
  const spanEnd = segment.base + segment.text.length;
  if (prefix <= segment.base + body.syncIndent || oldEnd > spanEnd) return undefined;
  const last = index === prevDoc.syncs.length - 1;
  const spanText = text.slice(segment.base, spanEnd + delta);
  if (!spanStillFits(spanText, body.syncIndent)) return undefined;

  const edited = onlyEntry(new SyncSegment(spanText, cache.replace(segment.text, spanText), segment.base, last));
  if (!edited) return undefined;
  if (edited.name !== prevEntry.name && prevDoc.syncs.some((s, i) => i !== index && s.name === edited.name)) return undefined;

  const syncs = prevDoc.syncs.map((entry, i): SyncEntry => {
    if (i < index) return entry;
    if (i === index) return edited;
    const moved = entry.segment as SyncSegment;
    return { name: entry.name, pair: entry.pair, segment: moved.moved(moved.base + delta, i === prevDoc.syncs.length - 1) };
  });
  const end = body.end + delta;
  const header = new HeaderSegment(prevDoc.header.text, prevDoc.header, body.start, end - body.start);
  return { text, doc: assemble(text, new LineIndex(text), header, syncs), body: { ...body, end } };
}

/** Index of the sync whose segment contains `offset` (the last also owns the end of the text). */
function syncIndexAt(syncs: readonly SyncEntry[], offset: number): number {
  let lo = 0;
  let hi = syncs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((syncs[mid]?.segment.toAbs(0) ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
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
  // Sync segments are in file order: find the last one starting at or before `offset`.
  let lo = 1;
  let hi = doc.segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((doc.segments[mid]?.toAbs(0) ?? Infinity) <= offset) lo = mid;
    else hi = mid - 1;
  }
  const candidate = doc.segments[lo];
  return candidate && lo >= 1 && candidate.toLocal(offset) !== undefined ? candidate : doc.header;
}
