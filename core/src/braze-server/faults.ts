/**
 * Fault injection for the local Braze server: scripted faults for the next requests, and a random
 * fault rate, each answering with a 5xx, a 429, or a dropped connection (socket destroyed, no answer).
 */

export const FAULT_KINDS = [500, 502, 503, 429, 'drop'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultConfig {
  /** Faults for the next API requests, one per request, in order. `[503, 503]` fails the next two. */
  next?: FaultKind[];
  /** Probability (0–1) that any other API request gets a fault drawn from `kinds`. */
  rate?: number;
  /** Faults the rate draws from; default 500, 502, 503. */
  kinds?: FaultKind[];
}

const DEFAULT_KINDS: FaultKind[] = [500, 502, 503];

export class FaultInjector {
  private next: FaultKind[] = [];
  private rate = 0;
  private kinds: FaultKind[] = DEFAULT_KINDS;

  constructor(private readonly random: () => number, config: FaultConfig = {}) {
    this.set(config);
  }

  set(config: FaultConfig): void {
    const checked = parseFaultConfig(config);
    this.next = [...(checked.next ?? [])];
    this.rate = checked.rate ?? 0;
    this.kinds = checked.kinds && checked.kinds.length > 0 ? [...checked.kinds] : DEFAULT_KINDS;
  }

  /** The fault for the request arriving now, if any. */
  take(): FaultKind | undefined {
    const scripted = this.next.shift();
    if (scripted !== undefined) return scripted;
    if (this.rate > 0 && this.random() < this.rate) return this.kinds[Math.floor(this.random() * this.kinds.length)] ?? this.kinds[0];
    return undefined;
  }

  describe(): Required<FaultConfig> {
    return { next: [...this.next], rate: this.rate, kinds: [...this.kinds] };
  }
}

/** Checks a fault configuration (it also arrives as JSON through `POST /_local/faults`). */
export function parseFaultConfig(value: unknown): FaultConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('Fault configuration must be a JSON object with "next", "rate" and/or "kinds".');
  const v = value as Record<string, unknown>;
  const unknownKeys = Object.keys(v).filter((k) => !['next', 'rate', 'kinds'].includes(k));
  if (unknownKeys.length > 0) throw new Error(`Unknown fault setting ${unknownKeys.map((k) => `"${k}"`).join(', ')}: use "next", "rate" and "kinds".`);
  const kinds = (field: string): FaultKind[] | undefined => {
    const list = v[field];
    if (list === undefined) return undefined;
    if (!Array.isArray(list) || !list.every((k): k is FaultKind => (FAULT_KINDS as readonly unknown[]).includes(k))) {
      throw new Error(`"${field}" must be a list of faults from ${FAULT_KINDS.map((k) => JSON.stringify(k)).join(', ')}.`);
    }
    return list;
  };
  const rate = v.rate;
  if (rate !== undefined && (typeof rate !== 'number' || !(rate >= 0 && rate <= 1))) throw new Error('"rate" must be a probability from 0 to 1.');
  const config: FaultConfig = {};
  const next = kinds('next');
  const pool = kinds('kinds');
  if (next) config.next = next;
  if (typeof rate === 'number') config.rate = rate;
  if (pool) config.kinds = pool;
  return config;
}
