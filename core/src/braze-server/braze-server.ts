/**
 * A local Braze-compatible REST server (node:http) for tests, the demo and dry runs. It follows the
 * documented contract of `POST /users/track`, `POST /users/delete` and the catalog item endpoints
 * (catalog-api.ts, catalog-store.ts): Bearer keys (401), the
 * 75-object and 50-id limits (400), 4 MB bodies (413), minor errors in 201 answers, `X-RateLimit-*`
 * headers on a fixed-window budget (429), injected faults, and in-memory profiles the updates apply
 * to. `/_local/*` endpoints let tests and people see and steer what it holds.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  DEFAULT_CATALOG_BUDGET,
  DEFAULT_DELETE_BUDGET,
  DEFAULT_TRACK_BUDGET,
  MAX_DELETE_IDS,
  MAX_REQUEST_BYTES,
  MAX_TRACK_OBJECTS,
  TRACK_ARRAYS,
  isPlainObject,
  isUserAlias,
  type TrackArray,
} from '../sync/braze-contract';
import { catalogMethods, catalogPath, catalogReply, isCatalogWrite, type CatalogPath } from './catalog-api';
import { CatalogStore, type CatalogDefinition } from './catalog-store';
import { FaultInjector, parseFaultConfig, type FaultConfig, type FaultKind } from './faults';
import { FixedWindow, type Budget, type WindowUsage } from './fixed-window';
import { BLACKLISTED, checkObject, type UserRef } from './object-rules';
import { ProfileStore, type Profile } from './profile-store';

export type { Budget, CatalogDefinition, FaultConfig, FaultKind, Profile, UserRef, WindowUsage };

export interface BrazeServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** REST API keys accepted as `Authorization: Bearer <key>`. */
  apiKeys: string[];
  /** `/users/track` budget; default 3,000 requests per 3,000 ms, like Braze. */
  budget?: Budget;
  /** `/users/delete` budget; default 20,000 per minute. */
  deleteBudget?: Budget;
  /** Budget of the asynchronous catalog item endpoints; default 16,000 per minute. */
  catalogBudget?: Budget;
  /** Catalogs that exist from the start (more can be created with `POST /catalogs`). */
  catalogs?: CatalogDefinition[];
  faults?: FaultConfig;
  /** Delay before each API answer, to model network and processing time. */
  latencyMs?: number;
  maxBodyBytes?: number;
  maxObjects?: number;
  /** External ids starting with this are "blacklisted" (minor error); default `blocked-`, '' disables. */
  blockedPrefix?: string;
  /** Epoch milliseconds; injectable so tests can move time instead of waiting. */
  now?: () => number;
  random?: () => number;
  /** Called as each API request arrives (before its body is read). */
  onRequest?: (request: { method: string; path: string }) => void;
  /** How many recent API requests `state().requests` keeps; default 10,000. */
  requestLogLimit?: number;
}

export interface RequestLogEntry {
  seq: number;
  /** Arrival time, epoch ms (server clock). */
  at: number;
  method: string;
  path: string;
  /** HTTP status, or 0 when the connection was dropped. */
  status: number;
  objects: number;
  objectErrors: number;
  fault?: FaultKind;
}

export interface BrazeServerStats {
  /** API requests received (`/users/track`, `/users/delete`). */
  requests: number;
  /** Answers by status; dropped connections count under "dropped". */
  statusCounts: Record<string, number>;
  /** 429 answers, budget and injected. */
  rateLimited: number;
  objects: { attributes: number; events: number; purchases: number; deleted: number; errors: number; catalog_items: number; catalog_edited: number; catalog_deleted: number };
  /** Attributes written by processed attribute objects: what Braze bills as data points (identifiers and control keys excluded). */
  dataPoints: number;
  /** Catalog item fields written by accepted `PUT` and `PATCH` requests (the item id excluded). */
  catalogFields: number;
  profiles: number;
  /** Most API requests in progress at the same time. */
  maxConcurrent: number;
  /** TCP connections accepted. */
  connections: number;
  /** Recent `/users/track` budget windows, oldest first. */
  trackWindows: WindowUsage[];
}

export interface BrazeServerState {
  profiles: Profile[];
  requests: RequestLogEntry[];
  stats: BrazeServerStats;
  faults: Required<FaultConfig>;
}

export interface BrazeServer {
  url: string;
  port: number;
  close(): Promise<void>;
  state(): BrazeServerState;
  stats(): BrazeServerStats;
  /** Snapshots of the profile `ref` names, or of all profiles. */
  profiles(ref?: UserRef): Profile[];
  setFaults(faults: FaultConfig): void;
  /** Items of a catalog, in the order they were first added; undefined for a missing catalog. */
  catalogItems(catalog: string): Record<string, unknown>[] | undefined;
  /** Forgets profiles, catalog items, statistics, the request log, budgets and faults. */
  reset(): void;
}

type Endpoint = 'track' | 'delete' | 'catalog';
const ENDPOINTS: Record<string, Endpoint> = { '/users/track': 'track', '/users/delete': 'delete' };
/** Bodies are read up to this multiple of the limit before the connection is cut. */
const READ_FACTOR = 4;

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  objects?: number;
  objectErrors?: number;
}

export async function startBrazeServer(options: BrazeServerOptions): Promise<BrazeServer> {
  if (options.apiKeys.length === 0 || options.apiKeys.some((k) => k.trim() === '')) throw new Error('The local Braze server needs at least one non-empty API key.');
  const now = options.now ?? Date.now;
  const maxBody = options.maxBodyBytes ?? MAX_REQUEST_BYTES;
  const maxObjects = options.maxObjects ?? MAX_TRACK_OBJECTS;
  const blockedPrefix = options.blockedPrefix ?? 'blocked-';
  const logLimit = options.requestLogLimit ?? 10_000;
  const keys = new Set(options.apiKeys);
  const budgets: Record<Endpoint, FixedWindow> = {
    track: new FixedWindow(options.budget ?? DEFAULT_TRACK_BUDGET),
    delete: new FixedWindow(options.deleteBudget ?? DEFAULT_DELETE_BUDGET),
    catalog: new FixedWindow(options.catalogBudget ?? DEFAULT_CATALOG_BUDGET),
  };
  const catalogs = new CatalogStore(options.catalogs);
  const faults = new FaultInjector(options.random ?? Math.random, options.faults);
  const store = new ProfileStore();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let log: RequestLogEntry[] = [];
  let stats = emptyStats();
  let inProgress = 0;
  let seq = 0;

  function emptyStats(): Omit<BrazeServerStats, 'profiles' | 'trackWindows'> {
    return { requests: 0, statusCounts: {}, rateLimited: 0, objects: { attributes: 0, events: 0, purchases: 0, deleted: 0, errors: 0, catalog_items: 0, catalog_edited: 0, catalog_deleted: 0 }, dataPoints: 0, catalogFields: 0, maxConcurrent: 0, connections: 0 };
  }

  function currentStats(): BrazeServerStats {
    return { ...structuredClone(stats), profiles: store.size, trackWindows: budgets.track.history() };
  }

  function record(entry: RequestLogEntry): void {
    const key = entry.status === 0 ? 'dropped' : String(entry.status);
    stats.statusCounts[key] = (stats.statusCounts[key] ?? 0) + 1;
    if (entry.status === 429) stats.rateLimited++;
    log.push(entry);
    if (log.length > 2 * logLimit) log = log.slice(-logLimit);
  }

  function delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, endpoint: Endpoint, url: URL): Promise<void> {
    const path = url.pathname;
    const catalogAt = endpoint === 'catalog' ? catalogPath(path) : undefined;
    const method = req.method ?? '';
    const entry: RequestLogEntry = { seq: ++seq, at: now(), method: req.method ?? '', path, status: 0, objects: 0, objectErrors: 0 };
    stats.requests++;
    inProgress++;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, inProgress);
    res.once('close', () => inProgress--);
    options.onRequest?.({ method: entry.method, path });

    // Faults, the key and the budget are settled on arrival, so budget windows see requests in
    // the order they came, whatever their bodies and the latency take.
    // Only the asynchronous catalog item writes count against the catalog budget.
    const window = !catalogAt || isCatalogWrite(catalogAt, method) ? budgets[endpoint] : undefined;
    const fault = faults.take();
    if (fault !== undefined) entry.fault = fault;
    const early = ((): Answer | undefined => {
      if (fault === 'drop') return undefined;
      if (fault !== undefined) return fault === 429 ? { status: 429, body: { message: 'API rate limit exceeded' } } : { status: fault, body: { message: `Injected fault: ${http.STATUS_CODES[fault] ?? 'server error'}` } };
      const methods = catalogAt ? catalogMethods(catalogAt) : ['POST'];
      if (!methods.includes(method)) return { status: 405, body: { message: `Use ${methods.join(' or ')} for ${path}.` } };
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      // Real Braze echoes the key it refused; this server never repeats a secret.
      if (!auth?.[1] || !keys.has(auth[1])) return { status: 401, body: { message: 'Invalid API key: check the REST API key sent as "Authorization: Bearer <key>".' } };
      if (window && !window.take(entry.at)) return { status: 429, body: { message: 'API rate limit exceeded' } };
      return undefined;
    })();
    const body = await readBody(req, maxBody * READ_FACTOR);
    if (options.latencyMs) await delay(options.latencyMs);
    if (fault === 'drop' || body === undefined) {
      record(entry);
      req.socket.destroy();
      return;
    }
    const answer = early ?? (catalogAt ? catalogAnswer(catalogAt, method, body, url) : bodyAnswer(endpoint, body));
    entry.status = answer.status;
    entry.objects = answer.objects ?? 0;
    entry.objectErrors = answer.objectErrors ?? 0;
    record(entry);
    const json = JSON.stringify(answer.body);
    const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json), ...window?.headers(now(), answer.status === 429), ...answer.headers };
    res.writeHead(answer.status, answer.status === 413 ? { ...headers, Connection: 'close' } : headers);
    res.end(json);
  }

  function parseBody(body: Buffer): Answer | { json: Record<string, unknown> } {
    if (body.length > maxBody) return { status: 413, body: { message: 'Request Entity Too Large' } };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return { status: 400, body: { message: 'Invalid JSON in request body' } };
    }
    if (!isPlainObject(parsed)) return { status: 400, body: { message: 'Request body must be a JSON object' } };
    return { json: parsed };
  }

  function bodyAnswer(endpoint: Endpoint, body: Buffer): Answer {
    const answer = parseBody(body);
    if ('status' in answer) return answer;
    return endpoint === 'track' ? track(answer.json) : deleteUsers(answer.json);
  }

  function catalogAnswer(at: CatalogPath, method: string, body: Buffer, url: URL): Answer {
    let parsed: Record<string, unknown> | undefined;
    if (method !== 'GET') {
      const answer = parseBody(body);
      if ('status' in answer) return answer;
      parsed = answer.json;
    }
    const reply = catalogReply(catalogs, at, method, parsed, url);
    if (reply.status === 202 && reply.items) {
      stats.objects[method === 'PUT' ? 'catalog_items' : method === 'PATCH' ? 'catalog_edited' : 'catalog_deleted'] += reply.items;
      stats.catalogFields += reply.fields ?? 0;
    }
    return { status: reply.status, body: reply.body, ...(reply.headers ? { headers: reply.headers } : {}), objects: reply.items ?? 0 };
  }

  function track(body: Record<string, unknown>): Answer {
    const arrays: [TrackArray, unknown[]][] = [];
    for (const name of TRACK_ARRAYS) {
      const list = body[name];
      if (list === undefined) continue;
      if (!Array.isArray(list)) return { status: 400, body: { message: `'${name}' must be an array` } };
      arrays.push([name, list]);
    }
    if (arrays.length === 0) return { status: 400, body: { message: "Request must include 'attributes', 'events' or 'purchases'" } };
    const total = arrays.reduce((n, [, list]) => n + list.length, 0);
    if (total > maxObjects) return { status: 400, body: { message: 'Max Input Length Exceeded', errors: [`${total} objects in one request; at most ${maxObjects} are allowed`] } };
    const errors: { type: string; input_array: TrackArray; index: number }[] = [];
    const response: Record<string, unknown> = { message: 'success' };
    // Braze processes attributes, then events, then purchases.
    for (const [name, list] of arrays) {
      let processed = 0;
      for (let index = 0; index < list.length; index++) {
        const problem = applyObject(name, list[index]);
        if (problem) errors.push({ type: problem, input_array: name, index });
        else {
          processed++;
          if (name === 'attributes') stats.dataPoints += dataPoints(list[index] as Record<string, unknown>);
        }
      }
      stats.objects[name] += processed;
      response[`${name}_processed`] = processed;
    }
    stats.objects.errors += errors.length;
    if (errors.length > 0) response.errors = errors;
    return { status: 201, body: response, objects: total, objectErrors: errors.length };
  }

  function applyObject(array: TrackArray, value: unknown): string | undefined {
    const checked = checkObject(array, value);
    if (!checked.ok) return checked.problem;
    const { ref, object } = checked;
    if ('external_id' in ref && blockedPrefix !== '' && ref.external_id.startsWith(blockedPrefix)) return BLACKLISTED;
    // Alias-only profiles are created only by attributes with `_update_existing_only: false`.
    const create = 'user_alias' in ref ? array === 'attributes' && object._update_existing_only === false : object._update_existing_only !== true;
    store.track(array, ref, object, create);
    return undefined;
  }

  function deleteUsers(body: Record<string, unknown>): Answer {
    const refs: UserRef[] = [];
    const unsupported = Object.keys(body).filter((k) => !['external_ids', 'user_aliases', 'braze_ids'].includes(k));
    if (unsupported.length > 0) return { status: 400, body: { message: `Unsupported field ${unsupported.map((k) => `'${k}'`).join(', ')}: the local server deletes by 'external_ids', 'user_aliases' or 'braze_ids'` } };
    for (const [field, key] of [['external_ids', 'external_id'], ['braze_ids', 'braze_id']] as const) {
      const list = body[field];
      if (list === undefined) continue;
      if (!Array.isArray(list) || !list.every((v) => typeof v === 'string' && v !== '')) return { status: 400, body: { message: `'${field}' must be an array of non-empty strings` } };
      for (const v of list as string[]) refs.push(key === 'external_id' ? { external_id: v } : { braze_id: v });
    }
    const aliases = body.user_aliases;
    if (aliases !== undefined) {
      if (!Array.isArray(aliases) || !aliases.every(isUserAlias)) return { status: 400, body: { message: "'user_aliases' must be an array of {alias_name, alias_label} objects" } };
      for (const a of aliases) refs.push({ user_alias: a });
    }
    if (refs.length === 0) return { status: 400, body: { message: "Request must include 'external_ids', 'user_aliases' or 'braze_ids'" } };
    if (refs.length > MAX_DELETE_IDS) return { status: 400, body: { message: `Too many identifiers: ${refs.length} in one request, at most ${MAX_DELETE_IDS} are allowed` } };
    for (const ref of refs) if (store.delete(ref)) stats.objects.deleted++;
    return { status: 201, body: { message: 'success', deleted: refs.length }, objects: refs.length };
  }

  async function handleLocal(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /_local/profiles') {
      const q = url.searchParams;
      const name = q.get('alias_name');
      const label = q.get('alias_label');
      const ref: UserRef | undefined = q.has('external_id')
        ? { external_id: q.get('external_id') ?? '' }
        : q.has('braze_id')
          ? { braze_id: q.get('braze_id') ?? '' }
          : q.has('email')
            ? { email: q.get('email') ?? '' }
            : q.has('phone')
              ? { phone: q.get('phone') ?? '' }
              : name !== null && label !== null
                ? { user_alias: { alias_name: name, alias_label: label } }
                : undefined;
      const limit = q.has('limit') ? Number(q.get('limit')) : undefined;
      if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) return reply(400, { message: 'limit must be a whole number' });
      return reply(200, { total: store.size, profiles: store.list(ref, limit) });
    }
    if (route === 'GET /_local/stats') return reply(200, currentStats());
    if (route === 'POST /_local/reset') {
      reset();
      return reply(200, { message: 'reset' });
    }
    if (route === 'POST /_local/faults') {
      const body = await readBody(req, 1024 * 1024);
      try {
        faults.set(parseFaultConfig(JSON.parse(body?.toString('utf8') ?? '')));
      } catch (err) {
        return reply(400, { message: err instanceof SyntaxError ? 'Invalid JSON in request body' : (err as Error).message });
      }
      return reply(200, { faults: faults.describe() });
    }
    return reply(404, { message: `No such endpoint: ${route}. Try GET /_local/profiles, GET /_local/stats, POST /_local/faults or POST /_local/reset.` });
  }

  function reset(): void {
    store.clear();
    catalogs.clear();
    log = [];
    stats = emptyStats();
    budgets.track.reset();
    budgets.delete.reset();
    budgets.catalog.reset();
    faults.set({});
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const endpoint = ENDPOINTS[url.pathname] ?? (catalogPath(url.pathname) ? 'catalog' : undefined);
    const work = url.pathname.startsWith('/_local/')
      ? handleLocal(req, res, url)
      : endpoint
        ? handleApi(req, res, endpoint, url)
        : Promise.resolve().then(() => {
            res.writeHead(404, { 'Content-Type': 'application/json' });
            res.end(JSON.stringify({ message: `No such endpoint: ${url.pathname}. The local Braze server implements POST /users/track, POST /users/delete and /catalogs/{catalog}/items (GET, PUT, PATCH, DELETE).` }));
          });
    work.catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: `Local server error: ${err instanceof Error ? err.message : String(err)}` }));
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  return {
    url: `http://${host}:${port}`,
    port,
    state: () => ({ profiles: store.list(), requests: log.slice(-logLimit), stats: currentStats(), faults: faults.describe() }),
    stats: currentStats,
    profiles: (ref) => store.list(ref),
    catalogItems: (catalog) => catalogs.items(catalog),
    setFaults: (f) => faults.set(f),
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** The request body, or undefined when it exceeds `cap` (the connection is then cut). */
function readBody(req: http.IncomingMessage, cap: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        resolve(undefined);
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    // A client that goes away mid-body: nothing to answer.
    req.on('close', () => resolve(undefined));
    req.on('error', reject);
  });
}

const NOT_DATA_POINTS = new Set(['external_id', 'user_alias', 'braze_id', '_update_existing_only', '_merge_objects']);

/** Keys of an accepted attributes object that Braze bills: not its identifier or control keys. */
function dataPoints(object: Record<string, unknown>): number {
  const identifiedOtherwise = 'external_id' in object || 'user_alias' in object || 'braze_id' in object;
  let n = 0;
  for (const key of Object.keys(object)) {
    if (NOT_DATA_POINTS.has(key)) continue;
    // email (or phone without email) identifies the user unless another identifier does.
    if (!identifiedOtherwise && (key === 'email' || (key === 'phone' && !('email' in object)))) continue;
    n++;
  }
  return n;
}
