/**
 * Which rows were already delivered near the watermark, so a re-read never resends them: the keys
 * of rows at exactly the watermark's UPDATED_AT (rows committed later with the same timestamp are
 * new keys and are sent), plus, with a lookback window, keys of earlier rows in the window.
 *
 * It is persisted two ways: whole (`toWatermark`, a snapshot in state.json) or as what changed
 * since the last snapshot or delta (`takeDelta`, appended to the watermark journal), so a
 * checkpoint costs what was delivered since the previous one, however large the boundary grows.
 */
import type { WatermarkDelta } from '../state/state-store';
import type { Watermark } from '../state/sync-state';
import { formatTimestampMicros, parseTimestampMicros } from '../model/timestamps';

interface Group {
  text: string;
  micros: number;
  keys: Set<string>;
}

export class DeliveryRecord {
  /** Groups by UPDATED_AT (µs), in the order they were first recorded (mostly ascending). */
  private readonly groups = new Map<number, Group>();
  private watermark: Group | undefined;
  /** Lower bound (µs) of the interval where the record is complete. */
  private coverageFrom: number;
  private keyCount = 0;
  /** Keys recorded since the last delta or snapshot, by group. */
  private fresh = new Map<Group, string[]>();
  private changed = false;

  constructor(private readonly lookbackMicros: number, from?: Watermark | null) {
    this.coverageFrom = Number.NEGATIVE_INFINITY;
    if (!from) return;
    const w = parseTimestampMicros(from.updated_at);
    this.coverageFrom = from.recent ? parseTimestampMicros(from.recent.from) : w;
    for (const g of from.recent?.groups ?? []) this.addKeys(g.updated_at, parseTimestampMicros(g.updated_at), g.keys);
    this.watermark = this.addKeys(from.updated_at, w, from.boundary_keys);
  }

  private group(text: string, micros: number): Group {
    let g = this.groups.get(micros);
    if (!g) this.groups.set(micros, (g = { text, micros, keys: new Set() }));
    return g;
  }

  private addKeys(text: string, micros: number, keys: Iterable<string>): Group {
    const g = this.group(text, micros);
    for (const k of keys) {
      if (g.keys.has(k)) continue;
      g.keys.add(k);
      this.keyCount++;
    }
    return g;
  }

  get hasWatermark(): boolean {
    return this.watermark !== undefined;
  }

  /** The watermark in µs; -Infinity before the first delivery. */
  get watermarkMicros(): number {
    return this.watermark?.micros ?? Number.NEGATIVE_INFINITY;
  }

  /** Keys held: what a snapshot would write. */
  get size(): number {
    return this.keyCount;
  }

  /** Rows at or after this instant (µs) must be recorded when delivered: the boundary and window. */
  recordFrom(watermarkMicros: number): number {
    return Math.max(watermarkMicros - this.lookbackMicros, this.coverageFrom);
  }

  get watermarkText(): string | null {
    return this.watermark?.text ?? null;
  }

  /**
   * Inclusive lower bound of the next read: the watermark itself, or with lookback the start of
   * the window, but never before the point where the record stops being complete.
   */
  readFrom(): string | undefined {
    const w = this.watermark;
    if (!w) return undefined;
    const start = Math.max(w.micros - this.lookbackMicros, this.coverageFrom);
    return start === w.micros ? w.text : formatTimestampMicros(start);
  }

  has(micros: number, key: string): boolean {
    return this.groups.get(micros)?.keys.has(key) ?? false;
  }

  /** Records a delivered (or recorded-as-failed) row; the watermark only moves forward. */
  add(text: string, micros: number, key: string): void {
    const g = this.group(text, micros);
    if (!g.keys.has(key)) {
      g.keys.add(key);
      this.keyCount++;
      const fresh = this.fresh.get(g);
      if (fresh) fresh.push(key);
      else this.fresh.set(g, [key]);
      this.changed = true;
    }
    if (!this.watermark || micros > this.watermark.micros) {
      this.watermark = g;
      this.changed = true;
    }
  }

  /**
   * Forgets groups below the window (the boundary alone without lookback). Groups are visited in
   * the order they were recorded and the walk stops at the first one still needed, so this costs
   * what it removes; a late group recorded out of order waits for the next snapshot.
   */
  private prune(): number {
    const w = this.watermark;
    if (!w) return this.coverageFrom;
    const from = Math.max(w.micros - this.lookbackMicros, this.coverageFrom);
    for (const g of this.groups.values()) {
      if (g.micros >= from) break;
      this.groups.delete(g.micros);
      this.fresh.delete(g);
      this.keyCount -= g.keys.size;
    }
    this.coverageFrom = from;
    return from;
  }

  /** What changed since the last delta or snapshot; undefined when nothing did. */
  takeDelta(): WatermarkDelta | undefined {
    const w = this.watermark;
    if (!this.changed || !w) return undefined;
    const from = this.prune();
    const delta: WatermarkDelta = { updated_at: w.text, groups: [] };
    if (this.lookbackMicros > 0) delta.recent_from = formatTimestampMicros(from);
    for (const [g, keys] of this.fresh) if (g.micros >= from) delta.groups.push({ updated_at: g.text, keys });
    this.fresh = new Map();
    this.changed = false;
    return delta;
  }

  /** The whole record as a watermark to persist, pruned to the boundary and the lookback window. */
  toWatermark(): Watermark | null {
    const w = this.watermark;
    if (!w) return null;
    const from = this.prune();
    for (const g of [...this.groups.values()]) {
      if (g.micros >= from) continue;
      this.groups.delete(g.micros);
      this.keyCount -= g.keys.size;
    }
    this.fresh = new Map();
    this.changed = false;
    const out: Watermark = { updated_at: w.text, boundary_keys: [...w.keys] };
    if (this.lookbackMicros > 0) {
      const groups = [...this.groups.values()]
        .filter((g) => g.micros < w.micros)
        .sort((a, b) => a.micros - b.micros)
        .map((g) => ({ updated_at: g.text, keys: [...g.keys] }));
      out.recent = { from: formatTimestampMicros(from), groups };
    }
    return out;
  }
}
