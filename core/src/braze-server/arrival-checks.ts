/**
 * What the local Braze server settles as an API request arrives, before its body is read: an
 * injected fault, the method, the Bearer key, and the endpoint's fixed-window budget. Settling
 * them on arrival lets budget windows see requests in the order they came, whatever their bodies
 * and the latency take.
 */
import http from 'node:http';
import { DEFAULT_CATALOG_BUDGET, DEFAULT_DELETE_BUDGET, DEFAULT_TRACK_BUDGET } from '../sync/braze-contract';
import type { Answer } from './api-answer';
import { catalogMethods, isCatalogWrite, type CatalogPath } from './catalog-api';
import type { FaultInjector, FaultKind } from './faults';
import { FixedWindow, type Budget, type WindowUsage } from './fixed-window';

/** Budget buckets: the asynchronous catalog item writes share one, apart from the user endpoints. */
export type Endpoint = 'track' | 'delete' | 'catalog';

export interface Arrival {
  endpoint: Endpoint;
  /** Set for the catalog routes. */
  catalogAt: CatalogPath | undefined;
  method: string;
  path: string;
  authorization: string | undefined;
  at: number;
}

export interface ArrivalVerdict {
  fault?: FaultKind;
  /** The budget the request counted against; its headers go on the answer. */
  window?: FixedWindow;
  /** The answer already decided (fault, method, key, budget); undefined lets the route answer. */
  early?: Answer;
}

const RATE_LIMITED: Answer = { status: 429, body: { message: 'API rate limit exceeded' } };

export class ArrivalChecks {
  private readonly budgets: Record<Endpoint, FixedWindow>;

  constructor(
    private readonly keys: ReadonlySet<string>,
    private readonly faults: FaultInjector,
    budgets: { track?: Budget; delete?: Budget; catalog?: Budget },
  ) {
    this.budgets = {
      track: new FixedWindow(budgets.track ?? DEFAULT_TRACK_BUDGET),
      delete: new FixedWindow(budgets.delete ?? DEFAULT_DELETE_BUDGET),
      catalog: new FixedWindow(budgets.catalog ?? DEFAULT_CATALOG_BUDGET),
    };
  }

  check(arrival: Arrival): ArrivalVerdict {
    const { catalogAt, method } = arrival;
    // Only the asynchronous catalog item writes count against the catalog budget.
    const window = !catalogAt || isCatalogWrite(catalogAt, method) ? this.budgets[arrival.endpoint] : undefined;
    const fault = this.faults.take();
    const early = this.earlyAnswer(arrival, fault, window);
    return { ...(fault !== undefined ? { fault } : {}), ...(window ? { window } : {}), ...(early ? { early } : {}) };
  }

  /** Recent `/users/track` budget windows, oldest first. */
  trackWindows(): WindowUsage[] {
    return this.budgets.track.history();
  }

  /** Fresh budgets and no faults. */
  reset(): void {
    this.budgets.track.reset();
    this.budgets.delete.reset();
    this.budgets.catalog.reset();
    this.faults.set({});
  }

  private earlyAnswer({ catalogAt, method, path, authorization, at }: Arrival, fault: FaultKind | undefined, window: FixedWindow | undefined): Answer | undefined {
    if (fault === 'drop') return undefined;
    if (fault !== undefined) return fault === 429 ? RATE_LIMITED : { status: fault, body: { message: `Injected fault: ${http.STATUS_CODES[fault] ?? 'server error'}` } };
    const methods = catalogAt ? catalogMethods(catalogAt) : ['POST'];
    if (!methods.includes(method)) return { status: 405, body: { message: `Use ${methods.join(' or ')} for ${path}.` } };
    const auth = /^Bearer (.+)$/.exec(authorization ?? '');
    // Real Braze echoes the key it refused; this server never repeats a secret.
    if (!auth?.[1] || !this.keys.has(auth[1])) return { status: 401, body: { message: 'Invalid API key: check the REST API key sent as "Authorization: Bearer <key>".' } };
    if (window && !window.take(at)) return RATE_LIMITED;
    return undefined;
  }
}
