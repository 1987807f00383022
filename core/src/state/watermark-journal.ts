/**
 * Applying journalled checkpoints (`WatermarkDelta`s, oldest first) to a snapshot watermark: the
 * watermark becomes the latest one, keys are added to their UPDATED_AT groups, and the result is
 * pruned the way `DeliveryRecord.toWatermark` prunes (the boundary, plus with lookback the groups
 * from the window's start). Timestamps are compared as instants, not as texts.
 */
import type { WatermarkDelta } from './state-store';
import type { Watermark } from './sync-state';
import { parseTimestampMicros } from '../model/timestamps';

interface Group {
  text: string;
  keys: Set<string>;
}

export function applyWatermarkDeltas(base: Watermark | null | undefined, deltas: readonly WatermarkDelta[]): Watermark | null {
  if (deltas.length === 0) return base ?? null;
  const groups = new Map<number, Group>();
  const add = (text: string, keys: Iterable<string>) => {
    const micros = parseTimestampMicros(text);
    let g = groups.get(micros);
    if (!g) groups.set(micros, (g = { text, keys: new Set() }));
    for (const k of keys) g.keys.add(k);
    return micros;
  };
  let watermark: { text: string; micros: number } | undefined;
  let from: string | undefined = base?.recent?.from;
  if (base) {
    for (const g of base.recent?.groups ?? []) add(g.updated_at, g.keys);
    watermark = { text: base.updated_at, micros: add(base.updated_at, base.boundary_keys) };
  }
  for (const d of deltas) {
    for (const g of d.groups) add(g.updated_at, g.keys);
    const micros = parseTimestampMicros(d.updated_at);
    if (!watermark || micros > watermark.micros) watermark = { text: d.updated_at, micros };
    from = d.recent_from;
  }
  if (!watermark) return null;
  const top = watermark.micros;
  const out: Watermark = { updated_at: groups.get(top)?.text ?? watermark.text, boundary_keys: [...(groups.get(top)?.keys ?? [])] };
  if (from !== undefined) {
    const start = parseTimestampMicros(from);
    out.recent = {
      from,
      groups: [...groups.entries()]
        .filter(([micros]) => micros >= start && micros < top)
        .sort(([a], [b]) => a - b)
        .map(([, g]) => ({ updated_at: g.text, keys: [...g.keys] })),
    };
  }
  return out;
}

/** The diff checkpoint the latest delta that names one recorded (`SyncState.diff_seq`). */
export function lastDiffSeq(deltas: readonly WatermarkDelta[]): number | undefined {
  for (let i = deltas.length - 1; i >= 0; i--) {
    const seq = deltas[i]?.diff_seq;
    if (seq !== undefined) return seq;
  }
  return undefined;
}
