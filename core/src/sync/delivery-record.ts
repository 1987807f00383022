/**
 * Which rows were already delivered near the watermark, so a re-read never resends them: the keys
 * of rows at exactly the watermark's UPDATED_AT (rows committed later with the same timestamp are
 * new keys and are sent), plus, with a lookback window, keys of earlier rows in the window.
 */
import type { Watermark } from '../state/sync-state';
import { formatTimestampMicros, parseTimestampMicros } from './timestamps';

interface Group {
  text: string;
  micros: number;
  keys: Set<string>;
}

export class DeliveryRecord {
  private readonly groups = new Map<number, Group>();
  private watermark: Group | undefined;
  /** Lower bound (µs) of the interval where the record is complete. */
  private coverageFrom: number;

  constructor(private readonly lookbackMicros: number, from?: Watermark | null) {
    this.coverageFrom = Number.NEGATIVE_INFINITY;
    if (!from) return;
    const w = parseTimestampMicros(from.updated_at);
    this.coverageFrom = from.recent ? parseTimestampMicros(from.recent.from) : w;
    for (const g of from.recent?.groups ?? []) this.addKeys(g.updated_at, parseTimestampMicros(g.updated_at), g.keys);
    this.watermark = this.addKeys(from.updated_at, w, from.boundary_keys);
  }

  private addKeys(text: string, micros: number, keys: Iterable<string>): Group {
    let g = this.groups.get(micros);
    if (!g) this.groups.set(micros, (g = { text, micros, keys: new Set() }));
    for (const k of keys) g.keys.add(k);
    return g;
  }

  get hasWatermark(): boolean {
    return this.watermark !== undefined;
  }

  /** The watermark in µs; -Infinity before the first delivery. */
  get watermarkMicros(): number {
    return this.watermark?.micros ?? Number.NEGATIVE_INFINITY;
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
    const g = this.addKeys(text, micros, [key]);
    if (!this.watermark || micros > this.watermark.micros) this.watermark = g;
  }

  /** The watermark to persist, pruned to the boundary and the lookback window. */
  toWatermark(): Watermark | null {
    const w = this.watermark;
    if (!w) return null;
    const from = Math.max(w.micros - this.lookbackMicros, this.coverageFrom);
    for (const [micros] of this.groups) if (micros < from) this.groups.delete(micros);
    this.coverageFrom = from;
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
