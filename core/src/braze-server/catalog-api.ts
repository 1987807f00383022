/**
 * The local server's catalog routes, after the shared checks (key, faults, budget):
 * `PUT` / `PATCH` / `DELETE /catalogs/{catalog}/items` (asynchronous: 202), `GET /catalogs/{catalog}/items`
 * (50 items a page, the next page in a `Link` header as Braze does), `GET /catalogs` and
 * `POST /catalogs` (create, with `{"catalogs":[{"name","fields":[…]}]}`).
 */
import { isPlainObject } from '../sync/braze-contract';
import { catalogNotFound, checkCatalogDefinition, type CatalogAnswer, type CatalogStore } from './catalog-store';

export type CatalogPath = { kind: 'items'; catalog: string } | { kind: 'catalogs' };

const PAGE = 50;

/** `/catalogs` or `/catalogs/{catalog}/items`; undefined for other paths. */
export function catalogPath(pathname: string): CatalogPath | undefined {
  if (pathname === '/catalogs') return { kind: 'catalogs' };
  const m = /^\/catalogs\/([^/]+)\/items$/.exec(pathname);
  if (!m?.[1]) return undefined;
  try {
    return { kind: 'items', catalog: decodeURIComponent(m[1]) };
  } catch {
    return undefined;
  }
}

/** Methods each catalog path answers; the asynchronous item writes are the ones the budget counts. */
export function catalogMethods(path: CatalogPath): readonly string[] {
  return path.kind === 'items' ? ['GET', ...ITEM_WRITES] : ['GET', 'POST'];
}

const ITEM_WRITES = ['PUT', 'PATCH', 'DELETE'];

export function isCatalogWrite(path: CatalogPath, method: string): boolean {
  return path.kind === 'items' && ITEM_WRITES.includes(method);
}

export interface CatalogReply extends CatalogAnswer {
  headers?: Record<string, string>;
}

export function catalogReply(store: CatalogStore, path: CatalogPath, method: string, body: Record<string, unknown> | undefined, url: URL): CatalogReply {
  if (path.kind === 'catalogs') return method === 'GET' ? { status: 200, body: { catalogs: store.list(), message: 'success' } } : createCatalogs(store, body ?? {});
  if (method === 'GET') return itemsPage(store, path.catalog, url);
  if (method === 'PUT') return store.replace(path.catalog, body ?? {});
  return method === 'PATCH' ? store.edit(path.catalog, body ?? {}) : store.delete(path.catalog, body ?? {});
}

function itemsPage(store: CatalogStore, catalog: string, url: URL): CatalogReply {
  const items = store.items(catalog);
  if (!items) return catalogNotFound(catalog);
  const cursor = url.searchParams.get('cursor');
  const start = cursor === null ? 0 : Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^skip:/, ''));
  if (!Number.isInteger(start) || start < 0) return { status: 400, body: { errors: [{ id: 'invalid-cursor', message: 'Invalid cursor', parameters: ['cursor'], parameter_values: [cursor] }], message: 'Invalid Request' } };
  const page = items.slice(start, start + PAGE);
  const link = (skip: number, rel: string) => `<${url.pathname}?cursor=${Buffer.from(`skip:${skip}`).toString('base64url')}>; rel="${rel}"`;
  const links = [...(start > 0 ? [link(Math.max(0, start - PAGE), 'prev')] : []), ...(start + PAGE < items.length ? [link(start + PAGE, 'next')] : [])];
  return { status: 200, body: { items: page, message: 'success' }, ...(links.length > 0 ? { headers: { Link: links.join(',') } } : {}) };
}

function createCatalogs(store: CatalogStore, body: Record<string, unknown>): CatalogReply {
  const list = body.catalogs;
  if (!Array.isArray(list) || list.length !== 1) return { status: 400, body: { errors: [{ id: 'catalog-array-invalid', message: 'catalogs must be an array of one catalog', parameters: ['catalogs'], parameter_values: [] }], message: 'Invalid Request' } };
  const definition = checkCatalogDefinition(isPlainObject(list[0]) ? list[0] : undefined);
  if (typeof definition === 'string') return { status: 400, body: { errors: [{ id: 'invalid-catalog', message: definition, parameters: ['catalogs'], parameter_values: [] }], message: 'Invalid Request' } };
  if (!store.create(definition)) return { status: 400, body: { errors: [{ id: 'catalog-name-already-exists', message: 'A catalog with that name already exists', parameters: ['name'], parameter_values: [definition.name] }], message: 'Invalid Request' } };
  return { status: 201, body: { catalogs: store.list().filter((c) => c.name === definition.name), message: 'success' } };
}
