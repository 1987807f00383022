/**
 * The Braze REST client the sync engine uses, for real Braze (`https://rest.<instance>.braze.com`)
 * and the local server alike: each BrazeClient call becomes a route (user endpoints here, catalog
 * items in braze-catalog-http.ts) sent through braze-transport.ts, whose pacing, retries and
 * errors that say what to do apply to all of them. The API key is sent only in the Authorization
 * header and is scrubbed from anything Braze echoes back.
 */
import { isPlainObject } from '../sync/braze-contract';
import type {
  BrazeClient,
  BrazeObjectError,
  CatalogItemsRequest,
  CatalogResult,
  DeleteRequest,
  DeleteResult,
  TrackRequest,
  TrackResult,
} from '../sync/ports';
import { catalogResult, catalogRoute } from './braze-catalog-http';
import type { Endpoint, Route } from './braze-route';
import { BrazeTransport, type BrazeHttpClientOptions, type BrazeHttpStats } from './braze-transport';

export { BrazeRequestError } from './braze-failures';
export type { BrazeHttpClientOptions, BrazeHttpStats, BrazeWaitInfo } from './braze-transport';

export type BrazeHttpClient = BrazeClient & {
  /** Waits for requests in flight, then closes the connections. */
  close(): Promise<void>;
  stats(): BrazeHttpStats;
};

const ENDPOINT: Record<Exclude<Endpoint, 'catalog'>, { path: string; permission: string }> = {
  track: { path: '/users/track', permission: 'users.track' },
  delete: { path: '/users/delete', permission: 'users.delete' },
};

function userRoute(endpoint: Exclude<Endpoint, 'catalog'>): Route {
  return { endpoint, method: 'POST', ...ENDPOINT[endpoint] };
}

export function createBrazeHttpClient(options: BrazeHttpClientOptions): BrazeHttpClient {
  const transport = new BrazeTransport(options);
  return {
    async track(body: TrackRequest, signal?: AbortSignal): Promise<TrackResult> {
      const { status, json } = await transport.send(userRoute('track'), body, signal);
      return { status, objectErrors: objectErrors(json) };
    },
    async deleteUsers(body: DeleteRequest, signal?: AbortSignal): Promise<DeleteResult> {
      const { status, json } = await transport.send(userRoute('delete'), body, signal);
      const deleted = isPlainObject(json) && typeof json.deleted === 'number' ? json.deleted : (body.external_ids?.length ?? 0) + (body.user_aliases?.length ?? 0) + (body.braze_ids?.length ?? 0);
      return { status, deleted };
    },
    async replaceCatalogItems(catalog: string, body: CatalogItemsRequest, signal?: AbortSignal): Promise<CatalogResult> {
      return catalogResult(await transport.send(catalogRoute(catalog, 'PUT'), body, signal));
    },
    async editCatalogItems(catalog: string, body: CatalogItemsRequest, signal?: AbortSignal): Promise<CatalogResult> {
      return catalogResult(await transport.send(catalogRoute(catalog, 'PATCH'), body, signal));
    },
    async deleteCatalogItems(catalog: string, body: CatalogItemsRequest, signal?: AbortSignal): Promise<CatalogResult> {
      return catalogResult(await transport.send(catalogRoute(catalog, 'DELETE'), body, signal));
    },
    stats: () => transport.stats(),
    close: () => transport.close(),
  };
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
