/**
 * The local server's own `/_local/*` endpoints, for tests and people: see the profiles and the
 * statistics, set faults, and reset everything.
 */
import type http from 'node:http';
import { parseFaultConfig, type FaultInjector } from './faults';
import { readBody, replyJson } from './http-io';
import type { UserRef } from './object-rules';
import type { ProfileStore } from './profile-store';
import type { BrazeServerStats } from './server-stats';

export interface LocalApiDeps {
  store: ProfileStore;
  faults: FaultInjector;
  stats: () => BrazeServerStats;
  reset: () => void;
}

export class LocalApi {
  constructor(private readonly deps: LocalApiDeps) {}

  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /_local/profiles') return this.profiles(res, url.searchParams);
    if (route === 'GET /_local/stats') return replyJson(res, 200, this.deps.stats());
    if (route === 'POST /_local/reset') {
      this.deps.reset();
      return replyJson(res, 200, { message: 'reset' });
    }
    if (route === 'POST /_local/faults') return this.setFaults(req, res);
    return replyJson(res, 404, { message: `No such endpoint: ${route}. Try GET /_local/profiles, GET /_local/stats, POST /_local/faults or POST /_local/reset.` });
  }

  private profiles(res: http.ServerResponse, q: URLSearchParams): void {
    const limit = q.has('limit') ? Number(q.get('limit')) : undefined;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) return replyJson(res, 400, { message: 'limit must be a whole number' });
    const { store } = this.deps;
    return replyJson(res, 200, { total: store.size, profiles: store.list(profileRef(q), limit) });
  }

  private async setFaults(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req, 1024 * 1024);
    try {
      this.deps.faults.set(parseFaultConfig(JSON.parse(body?.toString('utf8') ?? '')));
    } catch (err) {
      return replyJson(res, 400, { message: err instanceof SyntaxError ? 'Invalid JSON in request body' : (err as Error).message });
    }
    return replyJson(res, 200, { faults: this.deps.faults.describe() });
  }
}

/** The profile a `/_local/profiles` query names; undefined lists them all. */
function profileRef(q: URLSearchParams): UserRef | undefined {
  const name = q.get('alias_name');
  const label = q.get('alias_label');
  if (q.has('external_id')) return { external_id: q.get('external_id') ?? '' };
  if (q.has('braze_id')) return { braze_id: q.get('braze_id') ?? '' };
  if (q.has('email')) return { email: q.get('email') ?? '' };
  if (q.has('phone')) return { phone: q.get('phone') ?? '' };
  return name !== null && label !== null ? { user_alias: { alias_name: name, alias_label: label } } : undefined;
}
