/**
 * The Braze REST client the sync engine uses, for real Braze (`https://rest.<instance>.braze.com`)
 * and the local server alike: an undici Pool of keep-alive connections, one rate-limit pacer per
 * endpoint shared by all concurrent calls, retries with exponential backoff and jitter for 429, 5xx
 * and network errors, and errors that say what to do. The API key is sent only in the
 * Authorization header and is scrubbed from anything Braze echoes back.
 */
import http from 'node:http';
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { Pool } from 'undici';
import { MAX_TRACK_OBJECTS, isPlainObject } from '../sync/braze-contract';
import { requestBody } from '../sync/json-texts';
import {
  CatalogUnavailableError,
  systemClock,
  type BrazeClient,
  type BrazeObjectError,
  type CatalogItemsRequest,
  type CatalogResult,
  type Clock,
  type DeleteRequest,
  type DeleteResult,
  type TrackRequest,
  type TrackResult,
} from '../sync/ports';
import { catalogResult, catalogRoute } from './braze-catalog-http';
import type { Endpoint, Route } from './braze-route';
import { RESET_MARGIN_MS, RateLimiter, abortError, type RateLimitReport } from './braze-rate-limiter';

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

export type BrazeHttpClient = BrazeClient & {
  /** Waits for requests in flight, then closes the connections. */
  close(): Promise<void>;
  stats(): BrazeHttpStats;
};

/** A Braze request that cannot succeed; the message says why and what to change. */
export class BrazeRequestError extends Error {
  override readonly name = 'BrazeRequestError';
  constructor(
    message: string,
    readonly details: {
      /** HTTP status of the last answer; absent when there was none (network error). */
      status?: number;
      /** Network error code (ECONNRESET, UND_ERR_HEADERS_TIMEOUT…). */
      code?: string;
      attempts: number;
      /** True for transient failures that ran out of retries (429, 5xx, network). */
      transient: boolean;
    },
  ) {
    super(message);
  }
}

const DEFAULTS = { concurrency: 16, maxRetries: 5, baseDelayMs: 500, maxDelayMs: 30_000, requestTimeoutMs: 30_000 };

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const ENDPOINT: Record<Exclude<Endpoint, 'catalog'>, { path: string; permission: string }> = {
  track: { path: '/users/track', permission: 'users.track' },
  delete: { path: '/users/delete', permission: 'users.delete' },
};

function userRoute(endpoint: Exclude<Endpoint, 'catalog'>): Route {
  return { endpoint, method: 'POST', ...ENDPOINT[endpoint] };
}

/** Why an attempt failed, and whether another attempt may help. */
interface Failure {
  transient: boolean;
  message: string;
  status?: number;
  code?: string;
  report?: RateLimitReport;
}

export function createBrazeHttpClient(options: BrazeHttpClientOptions): BrazeHttpClient {
  const base = parseBaseUrl(options.baseUrl);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULTS.concurrency));
  const maxRetries = Math.max(0, Math.floor(options.maxRetries ?? DEFAULTS.maxRetries));
  const baseDelayMs = options.baseDelayMs ?? DEFAULTS.baseDelayMs;
  const maxDelayMs = options.maxDelayMs ?? DEFAULTS.maxDelayMs;
  const timeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
  const random = options.random ?? Math.random;
  const clock = options.clock ?? systemClock;
  const now = () => clock.now().getTime();
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => sleepTimer(ms, undefined, signal ? { signal } : {}));
  const apiKey = options.apiKey;
  if (apiKey.trim() === '') throw new Error('braze.api_key is empty: set it to a REST API key with the users.track permission (usually ${env:BRAZE_API_KEY}).');

  const pool = new Pool(base.origin, {
    connections: concurrency,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: Math.min(timeoutMs, 10_000) },
  });
  const headers = {
    authorization: `Bearer ${apiKey}`,
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': 'brazesync',
  };
  const stats: BrazeHttpStats = { requests: 0, statusCounts: {}, rateLimited: 0, retries: 0, networkErrors: 0 };
  const limiters: Record<Endpoint, RateLimiter> = {
    track: newLimiter(),
    delete: newLimiter(),
    catalog: newLimiter(),
  };

  function newLimiter(): RateLimiter {
    return new RateLimiter({ concurrency, now, sleep, onPause: (ms) => options.onWait?.({ reason: 'rate-limit', ms }) });
  }

  /** Scrubs the API key from text that came from elsewhere (Braze echoes keys in some errors). */
  function redact(text: string): string {
    // Real keys are long; scrubbing a one-letter test key would mangle every message.
    return apiKey.length >= 8 ? text.split(apiKey).join('[redacted]') : text;
  }

  function backoff(attempt: number): number {
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  async function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch (err) {
      if (signal?.aborted) throw abortError(signal);
      throw err;
    }
  }

  async function post(route: Route, body: object, signal: AbortSignal | undefined): Promise<{ status: number; json: unknown }> {
    const { path, method } = route;
    const limiter = limiters[route.endpoint];
    const payload = requestBody(body);
    for (let attempt = 0; ; attempt++) {
      await limiter.acquire(signal);
      let failure: Failure;
      let released = false;
      try {
        stats.requests++;
        const res = await pool.request({ path: base.path + path, method, headers, body: payload, signal: signal ?? null });
        const text = await res.body.text();
        const report = readRateLimit(res.headers, res.statusCode, now());
        released = true;
        limiter.release(report);
        stats.statusCounts[res.statusCode] = (stats.statusCounts[res.statusCode] ?? 0) + 1;
        if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode, json: parseJson(text) };
        if (res.statusCode === 429) stats.rateLimited++;
        const special = res.statusCode === 429 || res.statusCode >= 500 ? undefined : route.inspect?.(res.statusCode, redact(text));
        if (special instanceof Error) throw special;
        if (special === 'return') return { status: res.statusCode, json: parseJson(text) };
        failure = statusFailure(route, res.statusCode, text, report);
      } catch (err) {
        if (!released) limiter.release();
        if (signal?.aborted) throw abortError(signal);
        if (err instanceof CatalogUnavailableError) throw err;
        stats.networkErrors++;
        failure = networkFailure(err);
      }
      if (!failure.transient) throw new BrazeRequestError(failure.message, { ...detail(failure), attempts: attempt + 1, transient: false });
      if (attempt >= maxRetries) throw new BrazeRequestError(exhausted(route, failure, attempt + 1), { ...detail(failure), attempts: attempt + 1, transient: true });
      stats.retries++;
      await pauseBeforeRetry(limiter, failure, attempt, signal);
    }
  }

  async function pauseBeforeRetry(limiter: RateLimiter, failure: Failure, attempt: number, signal: AbortSignal | undefined): Promise<void> {
    if (failure.status === 429) {
      // The limiter now holds every sender until the reset; without a usable reset, back off.
      const resetAt = failure.report?.resetAt;
      const untilReset = resetAt === undefined ? 0 : resetAt + RESET_MARGIN_MS - now();
      const ms = untilReset > 0 ? untilReset : backoff(attempt);
      if (untilReset <= 0) limiter.block(now() + ms);
      options.onWait?.({ reason: '429', ms, status: 429 });
      return;
    }
    const ms = backoff(attempt);
    options.onWait?.(failure.status === undefined ? { reason: 'retry', ms } : { reason: 'retry', ms, status: failure.status });
    await wait(ms, signal);
  }

  function statusFailure(route: Route, status: number, text: string, report: RateLimitReport | undefined): Failure {
    const { permission, method } = route;
    const path = route.path;
    const said = status === 401 ? '' : brazeMessage(text, redact);
    const reason = `${status}${said ? ` ${said}` : ` ${http.STATUS_CODES[status] ?? ''}`}`.trim();
    const fatal = (message: string): Failure => ({ transient: false, status, message });
    if (status === 429) return { transient: true, status, report, message: reason };
    if (status >= 500 || status === 408) return { transient: true, status, message: reason };
    if (status === 401) return fatal(`Braze rejected the API key (401): check braze.api_key / the instance or endpoint; the key needs ${permission}.`);
    if (status === 403) return fatal(`Braze refused ${method} ${path} (${reason}): the API key lacks the ${permission} permission or its IP allowlist excludes this machine; use a key with ${permission}.`);
    if (status >= 300 && status < 400) return fatal(`Braze answered ${reason} for ${method} ${path} at ${base.display}: the endpoint redirects; use the REST endpoint of your instance, e.g. https://rest.iad-01.braze.com (check braze.instance / braze.endpoint).`);
    if (status === 404) return fatal(`Braze answered 404 for ${method} ${path} at ${base.display}: the endpoint looks wrong; check braze.instance / braze.endpoint.`);
    if (status === 413) return fatal(`Braze rejected the request body as too large (413): lower batch_size so each request stays under 4 MB.`);
    if (status === 400 && /max input length exceeded/i.test(said)) {
      return fatal(`Braze rejected the batch as too long (400 Max Input Length Exceeded): lower batch_size (at most ${MAX_TRACK_OBJECTS} objects per request; 50 on MAU-priced contracts).`);
    }
    if (status === 400) return fatal(`Braze rejected ${method} ${path} as invalid (${reason}); nothing in this request was applied.`);
    return fatal(`Braze rejected ${method} ${path} (${reason}).`);
  }

  function networkFailure(err: unknown): Failure {
    const e: Error & { code?: unknown } = err instanceof Error ? err : new Error(String(err));
    const code = typeof e.code === 'string' ? e.code : undefined;
    const text = redact(e.message);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return { transient: true, code, message: `Braze did not answer within ${timeoutMs} ms (${code})` };
    }
    if ((code && RETRYABLE_CODES.has(code)) || /socket hang up|other side closed/i.test(text)) {
      return { transient: true, code: code ?? 'ECONNRESET', message: `${code ?? 'connection error'}: ${text}` };
    }
    if (code === 'ENOTFOUND') return { transient: false, code, message: `Could not resolve ${base.host} (ENOTFOUND): check braze.instance / braze.endpoint.` };
    if (code && /CERT|TLS|SSL/.test(code)) return { transient: false, code, message: `TLS failed talking to ${base.display} (${code}: ${text}): check braze.endpoint and any proxy that intercepts HTTPS.` };
    return { transient: false, ...(code ? { code } : {}), message: `Request to ${base.display} failed: ${code ? `${code}: ` : ''}${text}` };
  }

  function exhausted(route: Route, failure: Failure, attempts: number): string {
    const { path, method } = route;
    if (failure.status === 429) {
      return `Braze kept answering 429 (rate limited) for ${method} ${path} after ${attempts} attempts: the workspace's rate limit is used up (CDI shares it with your other API traffic); lower concurrency or run the sync later.`;
    }
    if (failure.status !== undefined) {
      return `Braze kept failing for ${method} ${path} (last answer ${failure.message}) after ${attempts} attempts: Braze may be having an incident; check https://status.braze.com and try again later.`;
    }
    return `Could not reach Braze at ${base.display} after ${attempts} attempts (${failure.message}): check braze.instance / braze.endpoint, the network, and any proxy or firewall.`;
  }

  return {
    async track(body: TrackRequest, signal?: AbortSignal): Promise<TrackResult> {
      const { status, json } = await post(userRoute('track'), body, signal);
      return { status, objectErrors: objectErrors(json) };
    },
    async deleteUsers(body: DeleteRequest, signal?: AbortSignal): Promise<DeleteResult> {
      const { status, json } = await post(userRoute('delete'), body, signal);
      const deleted = isPlainObject(json) && typeof json.deleted === 'number' ? json.deleted : (body.external_ids?.length ?? 0) + (body.user_aliases?.length ?? 0) + (body.braze_ids?.length ?? 0);
      return { status, deleted };
    },
    async replaceCatalogItems(catalog: string, body: CatalogItemsRequest, signal?: AbortSignal): Promise<CatalogResult> {
      return catalogResult(await post(catalogRoute(catalog, 'PUT'), body, signal));
    },
    async editCatalogItems(catalog: string, body: CatalogItemsRequest, signal?: AbortSignal): Promise<CatalogResult> {
      return catalogResult(await post(catalogRoute(catalog, 'PATCH'), body, signal));
    },
    async deleteCatalogItems(catalog: string, body: CatalogItemsRequest, signal?: AbortSignal): Promise<CatalogResult> {
      return catalogResult(await post(catalogRoute(catalog, 'DELETE'), body, signal));
    },
    stats: () => structuredClone(stats),
    async close() {
      limiters.track.close();
      limiters.delete.close();
      limiters.catalog.close();
      await pool.close();
    },
  };
}

function detail(failure: Failure): { status?: number; code?: string } {
  return { ...(failure.status !== undefined ? { status: failure.status } : {}), ...(failure.code !== undefined ? { code: failure.code } : {}) };
}

interface BaseUrl {
  origin: string;
  /** Path prefix without a trailing slash ('' for most endpoints). */
  path: string;
  host: string;
  /** Safe to print: no credentials, no query. */
  display: string;
}

function parseBaseUrl(text: string): BaseUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`Braze endpoint "${text}" is not a URL: use the REST endpoint of your instance, e.g. https://rest.iad-01.braze.com.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`Braze endpoint ${url.origin} must use https:// (or http:// for a local server).`);
  if (url.username || url.password) throw new Error(`Braze endpoint ${url.origin} must not contain credentials; the API key goes in braze.api_key.`);
  const path = url.pathname.replace(/\/+$/, '');
  return { origin: url.origin, path, host: url.hostname, display: url.origin + path };
}

/** Rate-limit headers of an answer, names matched case-insensitively. */
function readRateLimit(headers: Record<string, string | string[] | undefined>, status: number, now: number): RateLimitReport | undefined {
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

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Braze's `message` (and string `errors`) from an error body, one line and bounded. */
function brazeMessage(text: string, redact: (s: string) => string): string {
  const json = parseJson(text);
  let said = '';
  if (isPlainObject(json)) {
    const parts = [typeof json.message === 'string' ? json.message : '', ...(Array.isArray(json.errors) ? json.errors.filter((e): e is string => typeof e === 'string') : [])];
    said = parts.filter(Boolean).join('; ');
  } else if (!/^\s*</.test(text)) {
    said = text;
  }
  said = redact(said).replace(/\s+/g, ' ').trim();
  return said.length > 200 ? `${said.slice(0, 199)}…` : said;
}

/** Minor errors of a 201 answer that name an object; others cannot be mapped to a row. */
function objectErrors(json: unknown): BrazeObjectError[] {
  if (!isPlainObject(json) || !Array.isArray(json.errors)) return [];
  const out: BrazeObjectError[] = [];
  for (const e of json.errors) {
    if (!isPlainObject(e) || typeof e.index !== 'number' || !Number.isInteger(e.index) || typeof e.input_array !== 'string') continue;
    out.push({ type: typeof e.type === 'string' ? e.type : JSON.stringify(e.type ?? 'unknown error'), input_array: e.input_array, index: e.index });
  }
  return out;
}
