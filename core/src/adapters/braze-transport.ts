/**
 * How braze-http.ts gets a request answered: an undici Pool of keep-alive connections, one
 * rate-limit pacer per endpoint shared by all concurrent calls, and retries with exponential
 * backoff and jitter for 429, 5xx and network errors. What a failed attempt means is
 * braze-failures.ts's to say; what a successful answer means is the caller's.
 */
import { setTimeout as sleepTimer } from 'node:timers/promises';
import type { Pool } from 'undici';
import { requestBody } from '../sync/json-texts';
import { CatalogUnavailableError, systemClock, type Clock } from '../sync/ports';
import { parseBaseUrl } from './braze-base-url';
import { finalError, keyRedactor, networkFailure, parseJson, statusFailure, type Failure, type FailureContext } from './braze-failures';
import { readRateLimit } from './braze-rate-limit-headers';
import { RESET_MARGIN_MS, RateLimiter, abortError, type RateLimitReport } from './braze-rate-limiter';
import type { Endpoint, Route } from './braze-route';

export interface BrazeWaitInfo {
  reason: '429' | 'rate-limit' | 'retry';
  ms: number;
  status?: number;
}

export interface BrazeHttpClientOptions {
  /** REST endpoint, e.g. `https://rest.iad-01.braze.com` (a path prefix is kept). */
  baseUrl: string;
  apiKey: string;
  /** Connections, and so requests in flight; default 16. */
  concurrency?: number;
  /** Retries after the first attempt; default 5. */
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Time allowed for each answer's headers, and between body chunks; default 30 s. */
  requestTimeoutMs?: number;
  onWait?: (info: BrazeWaitInfo) => void;
  random?: () => number;
  clock?: Clock;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface BrazeHttpStats {
  /** Requests sent, retries included. */
  requests: number;
  /** Answers by HTTP status. */
  statusCounts: Record<string, number>;
  /** Answers with status 429. */
  rateLimited: number;
  retries: number;
  /** Requests that failed without an answer (reset, refused, timed out…). */
  networkErrors: number;
}

/** A 2xx answer, or one the route's `inspect` handed back. */
export interface BrazeAnswer {
  status: number;
  json: unknown;
}

type Outcome = { answer: BrazeAnswer } | { failure: Failure };

const DEFAULTS = { concurrency: 16, maxRetries: 5, baseDelayMs: 500, maxDelayMs: 30_000, requestTimeoutMs: 30_000 };

export class BrazeTransport {
  private readonly failures: FailureContext;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly poolOptions: Pool.Options;
  private pool: Promise<Pool> | undefined;
  private readonly headers: Record<string, string>;
  private readonly limiters: Record<Endpoint, RateLimiter>;
  private readonly counts: BrazeHttpStats = { requests: 0, statusCounts: {}, rateLimited: 0, retries: 0, networkErrors: 0 };

  constructor(private readonly options: BrazeHttpClientOptions) {
    const base = parseBaseUrl(options.baseUrl);
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULTS.concurrency));
    const timeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
    const clock = options.clock ?? systemClock;
    this.maxRetries = Math.max(0, Math.floor(options.maxRetries ?? DEFAULTS.maxRetries));
    this.baseDelayMs = options.baseDelayMs ?? DEFAULTS.baseDelayMs;
    this.maxDelayMs = options.maxDelayMs ?? DEFAULTS.maxDelayMs;
    this.random = options.random ?? Math.random;
    this.now = () => clock.now().getTime();
    this.sleep = options.sleep ?? ((ms, signal) => sleepTimer(ms, undefined, signal ? { signal } : {}));
    if (options.apiKey.trim() === '') throw new Error('braze.api_key is empty: set it to a REST API key with the users.track permission (usually ${env:BRAZE_API_KEY}).');
    this.failures = { base, timeoutMs, redact: keyRedactor(options.apiKey) };
    this.poolOptions = {
      connections: concurrency,
      pipelining: 1,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: Math.min(timeoutMs, 10_000) },
    };
    this.headers = { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'brazesync' };
    const limiter = () => new RateLimiter({ concurrency, now: this.now, sleep: this.sleep, onPause: (ms) => options.onWait?.({ reason: 'rate-limit', ms }) });
    this.limiters = { track: limiter(), delete: limiter(), catalog: limiter() };
  }

  /** The answer to `body` sent on `route`, retrying transient failures; throws BrazeRequestError when none comes. */
  async send(route: Route, body: object, signal: AbortSignal | undefined): Promise<BrazeAnswer> {
    const payload = requestBody(body);
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(route, payload, signal);
      if ('answer' in outcome) return outcome.answer;
      const error = finalError(this.failures, route, outcome.failure, attempt + 1, this.maxRetries);
      if (error) throw error;
      this.counts.retries++;
      await this.pauseBeforeRetry(this.limiters[route.endpoint], outcome.failure, attempt, signal);
    }
  }

  stats(): BrazeHttpStats {
    return structuredClone(this.counts);
  }

  /** Waits for requests in flight, then closes the connections. */
  async close(): Promise<void> {
    this.limiters.track.close();
    this.limiters.delete.close();
    this.limiters.catalog.close();
    await (await this.pool)?.close();
  }

  /**
   * The connections, opened with the first request: undici is loaded only then, so commands that
   * never call Braze (validate, schedule, history…) do not pay for loading it at start.
   */
  private connections(): Promise<Pool> {
    this.pool ??= import('undici').then(({ Pool }) => new Pool(this.failures.base.origin, this.poolOptions));
    return this.pool;
  }

  private async attempt(route: Route, payload: Buffer | string, signal: AbortSignal | undefined): Promise<Outcome> {
    const limiter = this.limiters[route.endpoint];
    await limiter.acquire(signal);
    let released = false;
    try {
      this.counts.requests++;
      const pool = await this.connections();
      const res = await pool.request({ path: this.failures.base.path + route.path, method: route.method, headers: this.headers, body: payload, signal: signal ?? null });
      const text = await res.body.text();
      const report = readRateLimit(res.headers, res.statusCode, this.now());
      released = true;
      limiter.release(report);
      return this.interpret(route, res.statusCode, text, report);
    } catch (err) {
      if (!released) limiter.release();
      if (signal?.aborted) throw abortError(signal);
      if (err instanceof CatalogUnavailableError) throw err;
      this.counts.networkErrors++;
      return { failure: networkFailure(this.failures, err) };
    }
  }

  /** Throws what the route's `inspect` finds fatal (the caller's catch hands it on). */
  private interpret(route: Route, status: number, text: string, report: RateLimitReport | undefined): Outcome {
    this.counts.statusCounts[status] = (this.counts.statusCounts[status] ?? 0) + 1;
    if (status >= 200 && status < 300) return { answer: { status, json: parseJson(text) } };
    if (status === 429) this.counts.rateLimited++;
    const special = status === 429 || status >= 500 ? undefined : route.inspect?.(status, this.failures.redact(text));
    if (special instanceof Error) throw special;
    if (special === 'return') return { answer: { status, json: parseJson(text) } };
    return { failure: statusFailure(this.failures, route, status, text, report) };
  }

  private async pauseBeforeRetry(limiter: RateLimiter, failure: Failure, attempt: number, signal: AbortSignal | undefined): Promise<void> {
    if (failure.status === 429) {
      // The limiter now holds every sender until the reset; without a usable reset, back off.
      const resetAt = failure.report?.resetAt;
      const untilReset = resetAt === undefined ? 0 : resetAt + RESET_MARGIN_MS - this.now();
      const ms = untilReset > 0 ? untilReset : this.backoff(attempt);
      if (untilReset <= 0) limiter.block(this.now() + ms);
      this.options.onWait?.({ reason: '429', ms, status: 429 });
      return;
    }
    const ms = this.backoff(attempt);
    this.options.onWait?.(failure.status === undefined ? { reason: 'retry', ms } : { reason: 'retry', ms, status: failure.status });
    await this.wait(ms, signal);
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  private async wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.sleep(ms, signal);
    } catch (err) {
      if (signal?.aborted) throw abortError(signal);
      throw err;
    }
  }
}
