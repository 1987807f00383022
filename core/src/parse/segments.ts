/**
 * The pieces a definition file is parsed in: the whole file, or a header and one segment per sync,
 * each its own YAML document with ranges local to its text and a mapping to absolute offsets.
 */
import type { Document } from 'yaml';

export type SegmentKind = 'whole' | 'header' | 'sync';

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

/** A segment's parse and the memo of checks on it, shared by every version whose segment text is the same. */
export interface ParsedText {
  doc: Document.Parsed;
  memo: Map<string, unknown>;
}

/** Shared by every sync segment (one array per segment was a thousand for a big file). */
const SYNC_PATH_PREFIX = ['syncs'] as const;

export class SyncSegment implements Segment {
  readonly kind = 'sync';
  readonly pathPrefix = SYNC_PATH_PREFIX;
  readonly doc: Document.Parsed;
  readonly memo: Map<string, unknown>;

  constructor(
    readonly text: string,
    parsed: ParsedText,
    /** Absolute offset of the segment's first character. */
    readonly base: number,
    private readonly atEnd: boolean,
  ) {
    this.doc = parsed.doc;
    this.memo = parsed.memo;
  }

  toAbs(local: number): number {
    return local + this.base;
  }

  toLocal(abs: number): number | undefined {
    const local = abs - this.base;
    return local >= 0 && (local < this.text.length || (this.atEnd && local === this.text.length)) ? local : undefined;
  }

  moved(base: number, atEnd: boolean): SyncSegment {
    return new SyncSegment(this.text, this, base, atEnd);
  }
}

/** The header of a segmented file: its text is the file with `[cut, cut + removed)` taken out. */
export class HeaderSegment implements Segment {
  readonly kind = 'header';
  readonly pathPrefix = [] as const;
  readonly doc: Document.Parsed;
  readonly memo: Map<string, unknown>;

  constructor(
    readonly text: string,
    parsed: ParsedText,
    private readonly cut: number,
    private readonly removed: number,
  ) {
    this.doc = parsed.doc;
    this.memo = parsed.memo;
  }

  toAbs(local: number): number {
    return local < this.cut ? local : local + this.removed;
  }

  toLocal(abs: number): number | undefined {
    if (abs < this.cut) return abs;
    return abs >= this.cut + this.removed ? abs - this.removed : undefined;
  }
}

export class WholeSegment implements Segment {
  readonly kind = 'whole';
  readonly pathPrefix = [] as const;
  readonly doc: Document.Parsed;
  readonly memo: Map<string, unknown>;

  constructor(readonly text: string, parsed: ParsedText) {
    this.doc = parsed.doc;
    this.memo = parsed.memo;
  }

  toAbs(local: number): number {
    return local;
  }

  toLocal(abs: number): number | undefined {
    return abs;
  }
}
