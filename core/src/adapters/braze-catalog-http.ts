/**
 * The catalog item endpoints as braze-http.ts sends them: `PUT` / `PATCH` / `DELETE
 * /catalogs/{catalog}/items`, their own rate-limit bucket (16,000 requests per minute shared by
 * the asynchronous catalog item endpoints), and what their error answers mean. A 404 naming
 * `catalog-not-found` and a 400 about catalog storage stop the run (CatalogUnavailableError); a 400
 * about items is handed back so the engine can fail those rows and send the others.
 */
import { isPlainObject } from '../sync/braze-contract';
import { CatalogUnavailableError, type CatalogItemError, type CatalogResult } from '../sync/ports';
import type { Route } from './braze-route';

/** 400 error ids about the request as a whole (a bug here, not a bad row): the generic handling applies. */
const REQUEST_ERRORS = new Set(['request-includes-too-many-items', 'item-array-invalid', 'invalid-request']);

const PERMISSION = { PUT: 'catalogs.replace_items', PATCH: 'catalogs.update_items', DELETE: 'catalogs.delete_items' } as const;

export function catalogRoute(catalog: string, method: keyof typeof PERMISSION): Route {
  const permission = PERMISSION[method];
  return { endpoint: 'catalog', method, path: `/catalogs/${encodeURIComponent(catalog)}/items`, permission, inspect: (status, text) => inspectCatalogAnswer(catalog, status, text) };
}

export function catalogResult(answer: { status: number; json: unknown }): CatalogResult {
  if (answer.status < 300) return { status: answer.status };
  return { status: answer.status, rejected: catalogErrors(answer.json) };
}

function inspectCatalogAnswer(catalog: string, status: number, text: string): Error | 'return' | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const errors = catalogErrors(json);
  if (errors.some((e) => e.type === 'catalog-not-found') || (status === 404 && /could not find catalog/i.test(text))) {
    return new CatalogUnavailableError(
      `Braze has no catalog "${catalog}" (404 catalog-not-found): create it in Braze (Data Settings › Catalogs) with the fields PAYLOAD holds, or fix \`catalog\` in the sync. Nothing was applied; the watermark did not move.`,
      'catalog-not-found',
    );
  }
  if (errors.some((e) => /storage|catalog-limit|limit-exceeded/i.test(`${e.type} ${e.message}`))) {
    const said = errors.map((e) => `${e.type}: ${e.message}`).join('; ');
    return new CatalogUnavailableError(
      `Braze refused items for catalog "${catalog}" because the catalog storage is used up (${said}): delete items or catalogs you no longer need, or ask Braze for more catalog storage, then run the sync again. The watermark did not move.`,
      'storage',
    );
  }
  if (status === 400 && errors.length > 0 && !errors.some((e) => REQUEST_ERRORS.has(e.type))) return 'return';
  return undefined;
}

/** `errors[]` of a catalog answer: `{id, message, parameters, parameter_values}`. */
function catalogErrors(json: unknown): CatalogItemError[] {
  if (!isPlainObject(json) || !Array.isArray(json.errors)) return [];
  return json.errors.filter(isPlainObject).map((e) => ({
    type: typeof e.id === 'string' ? e.id : 'unknown-error',
    message: typeof e.message === 'string' ? e.message : '',
    ids: Array.isArray(e.parameter_values) ? e.parameter_values.filter((v): v is string => typeof v === 'string') : [],
  }));
}
