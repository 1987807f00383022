/**
 * A local Braze-compatible REST server (node:http) for tests, the demo and dry runs. It follows the
 * documented contract of `POST /users/track`, `POST /users/delete` (users-api.ts) and the catalog
 * item endpoints (catalog-api.ts, catalog-store.ts): Bearer keys (401), the
 * 75-object and 50-id limits (400), 4 MB bodies (413), minor errors in 201 answers, `X-RateLimit-*`
 * headers on a fixed-window budget (429) and injected faults (arrival-checks.ts), and in-memory
 * profiles the updates apply to. `/_local/*` endpoints (local-api.ts) let tests and people see and
 * steer what it holds. This module builds those parts, routes requests to them and runs the server.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { MAX_REQUEST_BYTES, MAX_TRACK_OBJECTS } from '../sync/braze-contract';
import { ApiRoutes } from './api-routes';
import { ArrivalChecks, type Endpoint } from './arrival-checks';
import { catalogPath } from './catalog-api';
import { CatalogStore, type CatalogDefinition } from './catalog-store';
import { FaultInjector, type FaultConfig, type FaultKind } from './faults';
import type { Budget, WindowUsage } from './fixed-window';
import { replyJson } from './http-io';
import { LocalApi } from './local-api';
import type { UserRef } from './object-rules';
import { ProfileStore, type Profile } from './profile-store';
import { ServerStats, type BrazeServerStats, type RequestLogEntry } from './server-stats';
import { UsersApi } from './users-api';

export type { Budget, BrazeServerStats, CatalogDefinition, FaultConfig, FaultKind, Profile, RequestLogEntry, UserRef, WindowUsage };

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

const ENDPOINTS: Record<string, Endpoint> = { '/users/track': 'track', '/users/delete': 'delete' };

/** The parts of a running server; `reset()` and the handle reach them. */
interface Parts {
  store: ProfileStore;
  catalogs: CatalogStore;
  faults: FaultInjector;
  checks: ArrivalChecks;
  stats: ServerStats;
  timers: Set<NodeJS.Timeout>;
}

export async function startBrazeServer(options: BrazeServerOptions): Promise<BrazeServer> {
  if (options.apiKeys.length === 0 || options.apiKeys.some((k) => k.trim() === '')) throw new Error('The local Braze server needs at least one non-empty API key.');
  const { store, catalogs, faults, checks, stats, timers } = createParts(options);
  const currentStats = () => stats.snapshot(store.size, checks.trackWindows());
  const reset = () => {
    store.clear();
    catalogs.clear();
    stats.reset();
    checks.reset();
  };
  const api = new ApiRoutes({
    now: options.now ?? Date.now,
    maxBody: options.maxBodyBytes ?? MAX_REQUEST_BYTES,
    latencyMs: options.latencyMs,
    onRequest: options.onRequest,
    delay: (ms) => delay(timers, ms),
    stats,
    checks,
    users: new UsersApi(store, stats, { maxObjects: options.maxObjects ?? MAX_TRACK_OBJECTS, blockedPrefix: options.blockedPrefix ?? 'blocked-' }),
    catalogs,
  });
  const local = new LocalApi({ store, faults, stats: currentStats, reset });
  const server = http.createServer((req, res) => route(req, res, api, local));
  const sockets = trackConnections(server, stats);
  const { port, host } = await listen(server, options);
  return {
    url: `http://${host}:${port}`,
    port,
    state: () => ({ profiles: store.list(), requests: stats.recent(), stats: currentStats(), faults: faults.describe() }),
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

function createParts(options: BrazeServerOptions): Parts {
  const faults = new FaultInjector(options.random ?? Math.random, options.faults);
  return {
    store: new ProfileStore(),
    catalogs: new CatalogStore(options.catalogs),
    faults,
    checks: new ArrivalChecks(new Set(options.apiKeys), faults, { track: options.budget, delete: options.deleteBudget, catalog: options.catalogBudget }),
    stats: new ServerStats(options.requestLogLimit ?? 10_000),
    timers: new Set(),
  };
}

function route(req: http.IncomingMessage, res: http.ServerResponse, api: ApiRoutes, local: LocalApi): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const endpoint = ENDPOINTS[url.pathname] ?? (catalogPath(url.pathname) ? 'catalog' : undefined);
  const work = url.pathname.startsWith('/_local/')
    ? local.handle(req, res, url)
    : endpoint
      ? api.handle(req, res, endpoint, url)
      : Promise.resolve().then(() =>
          replyJson(res, 404, { message: `No such endpoint: ${url.pathname}. The local Braze server implements POST /users/track, POST /users/delete and /catalogs/{catalog}/items (GET, PUT, PATCH, DELETE).` }),
        );
  work.catch((err: unknown) => {
    if (!res.headersSent) replyJson(res, 500, { message: `Local server error: ${err instanceof Error ? err.message : String(err)}` });
    else res.destroy();
  });
}

/** Open sockets, so `close()` need not wait for keep-alive connections to time out. */
function trackConnections(server: http.Server, stats: ServerStats): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    stats.counts.connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

async function listen(server: http.Server, options: BrazeServerOptions): Promise<{ port: number; host: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  return { port, host: address.includes(':') ? `[${address}]` : address };
}

/** A latency pause whose timer `close()` clears, so closing does not wait for answers still delayed. */
function delay(timers: Set<NodeJS.Timeout>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      timers.delete(t);
      resolve();
    }, ms);
    timers.add(t);
  });
}
