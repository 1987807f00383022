/** What an answer's `X-RateLimit-*` headers say about the budget, as the rate limiter learns it. */
import type { RateLimitReport } from './braze-rate-limiter';

/** Rate-limit headers of an answer, names matched case-insensitively. */
export function readRateLimit(headers: Record<string, string | string[] | undefined>, status: number, now: number): RateLimitReport | undefined {
  const values: Record<string, number> = {};
  for (const [name, raw] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (!key.startsWith('x-ratelimit-')) continue;
    const n = Number(Array.isArray(raw) ? raw[0] : raw);
    if (Number.isFinite(n)) values[key] = n;
  }
  const limit = values['x-ratelimit-limit'];
  const remaining = values['x-ratelimit-remaining'];
  const reset = values['x-ratelimit-reset'];
  if (limit === undefined && remaining === undefined && reset === undefined) return status === 429 ? {} : undefined;
  const report: RateLimitReport = {};
  if (limit !== undefined && limit > 0) report.limit = limit;
  if (remaining !== undefined) report.remaining = Math.max(0, remaining);
  // Braze documents epoch seconds; tolerate epoch milliseconds and seconds-from-now as other APIs send.
  if (reset !== undefined) report.resetAt = reset > 1e11 ? reset : reset >= 1e9 ? reset * 1000 : now + reset * 1000;
  // A 429 means this window is spent, whatever Remaining says.
  if (status === 429 && report.resetAt !== undefined) report.remaining = 0;
  return report;
}
