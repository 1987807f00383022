/**
 * What a failed Braze request means: whether another attempt may help (429, 5xx, 408, network
 * errors) or the run must stop, and the message that says what to change. Anything Braze echoes
 * back passes through `redact` first, since some Braze errors repeat the API key.
 */
import http from 'node:http';
import { MAX_TRACK_OBJECTS, isPlainObject } from '../sync/braze-contract';
import type { BrazeBaseUrl } from './braze-base-url';
import type { RateLimitReport } from './braze-rate-limiter';
import type { Route } from './braze-route';

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

/** Why an attempt failed, and whether another attempt may help. */
export interface Failure {
  transient: boolean;
  message: string;
  status?: number;
  code?: string;
  report?: RateLimitReport;
}

/** What the messages name: the endpoint, the answer timeout, and how to scrub the key. */
export interface FailureContext {
  base: BrazeBaseUrl;
  timeoutMs: number;
  redact: (text: string) => string;
}

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

/** Scrubs the API key from text that came from elsewhere (Braze echoes keys in some errors). */
export function keyRedactor(apiKey: string): (text: string) => string {
  // Real keys are long; scrubbing a one-letter test key would mangle every message.
  return (text) => (apiKey.length >= 8 ? text.split(apiKey).join('[redacted]') : text);
}

export function statusFailure(ctx: FailureContext, route: Route, status: number, text: string, report: RateLimitReport | undefined): Failure {
  const { permission, method, path } = route;
  const { display } = ctx.base;
  const said = status === 401 ? '' : brazeMessage(text, ctx.redact);
  const reason = `${status}${said ? ` ${said}` : ` ${http.STATUS_CODES[status] ?? ''}`}`.trim();
  const fatal = (message: string): Failure => ({ transient: false, status, message });
  if (status === 429) return { transient: true, status, report, message: reason };
  if (status >= 500 || status === 408) return { transient: true, status, message: reason };
  if (status === 401) return fatal(`Braze rejected the API key (401): check braze.api_key / the instance or endpoint; the key needs ${permission}.`);
  if (status === 403) return fatal(`Braze refused ${method} ${path} (${reason}): the API key lacks the ${permission} permission or its IP allowlist excludes this machine; use a key with ${permission}.`);
  if (status >= 300 && status < 400) return fatal(`Braze answered ${reason} for ${method} ${path} at ${display}: the endpoint redirects; use the REST endpoint of your instance, e.g. https://rest.iad-01.braze.com (check braze.instance / braze.endpoint).`);
  if (status === 404) return fatal(`Braze answered 404 for ${method} ${path} at ${display}: the endpoint looks wrong; check braze.instance / braze.endpoint.`);
  if (status === 413) return fatal(`Braze rejected the request body as too large (413): lower batch_size so each request stays under 4 MB.`);
  if (status === 400 && /max input length exceeded/i.test(said)) {
    return fatal(`Braze rejected the batch as too long (400 Max Input Length Exceeded): lower batch_size (at most ${MAX_TRACK_OBJECTS} objects per request; 50 on MAU-priced contracts).`);
  }
  if (status === 400) return fatal(`Braze rejected ${method} ${path} as invalid (${reason}); nothing in this request was applied.`);
  return fatal(`Braze rejected ${method} ${path} (${reason}).`);
}

export function networkFailure(ctx: FailureContext, err: unknown): Failure {
  const { host, display } = ctx.base;
  const e: Error & { code?: unknown } = err instanceof Error ? err : new Error(String(err));
  const code = typeof e.code === 'string' ? e.code : undefined;
  const text = ctx.redact(e.message);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { transient: true, code, message: `Braze did not answer within ${ctx.timeoutMs} ms (${code})` };
  }
  if ((code && RETRYABLE_CODES.has(code)) || /socket hang up|other side closed/i.test(text)) {
    return { transient: true, code: code ?? 'ECONNRESET', message: `${code ?? 'connection error'}: ${text}` };
  }
  if (code === 'ENOTFOUND') return { transient: false, code, message: `Could not resolve ${host} (ENOTFOUND): check braze.instance / braze.endpoint.` };
  if (code && /CERT|TLS|SSL/.test(code)) return { transient: false, code, message: `TLS failed talking to ${display} (${code}: ${text}): check braze.endpoint and any proxy that intercepts HTTPS.` };
  return { transient: false, ...(code ? { code } : {}), message: `Request to ${display} failed: ${code ? `${code}: ` : ''}${text}` };
}

/**
 * The error that ends the request after `attempts` tries, or undefined while a retry may still
 * help: a fatal failure at once, a transient one when the retries are used up.
 */
export function finalError(ctx: FailureContext, route: Route, failure: Failure, attempts: number, maxRetries: number): BrazeRequestError | undefined {
  const detail = { ...(failure.status !== undefined ? { status: failure.status } : {}), ...(failure.code !== undefined ? { code: failure.code } : {}), attempts };
  if (!failure.transient) return new BrazeRequestError(failure.message, { ...detail, transient: false });
  if (attempts > maxRetries) return new BrazeRequestError(exhausted(ctx, route, failure, attempts), { ...detail, transient: true });
  return undefined;
}

function exhausted(ctx: FailureContext, route: Route, failure: Failure, attempts: number): string {
  const { path, method } = route;
  if (failure.status === 429) {
    return `Braze kept answering 429 (rate limited) for ${method} ${path} after ${attempts} attempts: the workspace's rate limit is used up (CDI shares it with your other API traffic); lower concurrency or run the sync later.`;
  }
  if (failure.status !== undefined) {
    return `Braze kept failing for ${method} ${path} (last answer ${failure.message}) after ${attempts} attempts: Braze may be having an incident; check https://status.braze.com and try again later.`;
  }
  return `Could not reach Braze at ${ctx.base.display} after ${attempts} attempts (${failure.message}): check braze.instance / braze.endpoint, the network, and any proxy or firewall.`;
}

/** The body of an answer as JSON; undefined when it is empty or not JSON. */
export function parseJson(text: string): unknown {
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
