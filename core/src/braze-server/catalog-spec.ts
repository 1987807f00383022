/**
 * Catalogs for the local server from the command line: `restaurants:Name:string,Rating:number`
 * (name, then `field:type` pairs), or the text of a JSON file holding one catalog, a list of them,
 * or `{"catalogs": [...]}` as `POST /catalogs` takes, each `{"name", "fields": [{"name", "type"}],
 * "max_items"?}`.
 */
import { CATALOG_FIELD_TYPES, checkCatalogDefinition, type CatalogDefinition } from './catalog-store';

/** `name:Field:type,Field:type` → a catalog; throws with the fix when the text is not one. */
export function parseCatalogSpec(spec: string): CatalogDefinition {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  const fields = rest === '' ? [] : rest.split(',').map((pair) => {
    const [field, type, extra] = pair.split(':').map((p) => p.trim());
    if (!field || !type || extra !== undefined) throw new Error(`"${pair}" in --catalog ${spec} is not FIELD:TYPE (types: ${CATALOG_FIELD_TYPES.join(', ')}).`);
    return { name: field, type };
  });
  const checked = checkCatalogDefinition({ name: name.trim(), fields });
  if (typeof checked === 'string') throw new Error(`--catalog ${spec}: ${checked}. Example: --catalog restaurants:Name:string,Rating:number`);
  return checked;
}

/** The catalogs of a JSON file's text; throws naming what is wrong. */
export function parseCatalogJson(text: string, source: string): CatalogDefinition[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(json) ? json : typeof json === 'object' && json !== null && Array.isArray((json as { catalogs?: unknown }).catalogs) ? (json as { catalogs: unknown[] }).catalogs : [json];
  return list.map((c) => {
    const checked = checkCatalogDefinition(c);
    if (typeof checked === 'string') throw new Error(`${source}: ${checked}.`);
    return checked;
  });
}
