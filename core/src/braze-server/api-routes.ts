/**
 * One Braze API request on the local server from arrival to answer: counted and logged, settled
 * by the arrival checks, its body read (and the connection cut when it is far too large or a
 * `drop` fault is due), delayed by the configured latency, then answered by the user or catalog
 * routes with the budget's `X-RateLimit-*` headers.
 */
import type http from 'node:http';
import { parseBody, type Answer } from './api-answer';
import type { ArrivalChecks, Endpoint } from './arrival-checks';
import { catalogPath, catalogReply, type CatalogPath } from './catalog-api';
import type { CatalogStore } from './catalog-store';
import type { FixedWindow } from './fixed-window';
import { readBody } from './http-io';
import type { ServerStats } from './server-stats';
import type { UsersApi } from './users-api';

export interface ApiRoutesDeps {
  now: () => number;
  maxBody: number;
  latencyMs: number | undefined;
  onRequest: ((request: { method: string; path: string }) => void) | undefined;
  delay: (ms: number) => Promise<void>;
  stats: ServerStats;
  checks: ArrivalChecks;
  users: UsersApi;
  catalogs: CatalogStore;
}

/** Bodies are read up to this multiple of the limit before the connection is cut. */
const READ_FACTOR = 4;

export class ApiRoutes {
  constructor(private readonly deps: ApiRoutesDeps) {}

  async handle(req: http.IncomingMessage, res: http.ServerResponse, endpoint: Endpoint, url: URL): Promise<void> {
    const { stats, checks, now } = this.deps;
    const path = url.pathname;
    const catalogAt = endpoint === 'catalog' ? catalogPath(path) : undefined;
    const method = req.method ?? '';
    const entry = stats.begin(method, path, now());
    res.once('close', () => stats.end());
    this.deps.onRequest?.({ method, path });
    const { fault, window, early } = checks.check({ endpoint, catalogAt, method, path, authorization: req.headers.authorization, at: entry.at });
    if (fault !== undefined) entry.fault = fault;
    const body = await readBody(req, this.deps.maxBody * READ_FACTOR);
    if (this.deps.latencyMs) await this.deps.delay(this.deps.latencyMs);
    if (fault === 'drop' || body === undefined) {
      stats.record(entry);
      req.socket.destroy();
      return;
    }
    const answer = early ?? (catalogAt ? this.catalogAnswer(catalogAt, method, body, url) : this.userAnswer(endpoint, body));
    entry.status = answer.status;
    entry.objects = answer.objects ?? 0;
    entry.objectErrors = answer.objectErrors ?? 0;
    stats.record(entry);
    this.write(res, answer, window);
  }

  private write(res: http.ServerResponse, answer: Answer, window: FixedWindow | undefined): void {
    const json = JSON.stringify(answer.body);
    const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json), ...window?.headers(this.deps.now(), answer.status === 429), ...answer.headers };
    res.writeHead(answer.status, answer.status === 413 ? { ...headers, Connection: 'close' } : headers);
    res.end(json);
  }

  private userAnswer(endpoint: Endpoint, body: Buffer): Answer {
    const answer = parseBody(body, this.deps.maxBody);
    if ('status' in answer) return answer;
    return endpoint === 'track' ? this.deps.users.track(answer.json) : this.deps.users.deleteUsers(answer.json);
  }

  private catalogAnswer(at: CatalogPath, method: string, body: Buffer, url: URL): Answer {
    let parsed: Record<string, unknown> | undefined;
    if (method !== 'GET') {
      const answer = parseBody(body, this.deps.maxBody);
      if ('status' in answer) return answer;
      parsed = answer.json;
    }
    const reply = catalogReply(this.deps.catalogs, at, method, parsed, url);
    if (reply.status === 202 && reply.items) {
      const { counts } = this.deps.stats;
      counts.objects[method === 'PUT' ? 'catalog_items' : method === 'PATCH' ? 'catalog_edited' : 'catalog_deleted'] += reply.items;
      counts.catalogFields += reply.fields ?? 0;
    }
    return { status: reply.status, body: reply.body, ...(reply.headers ? { headers: reply.headers } : {}), objects: reply.items ?? 0 };
  }
}
