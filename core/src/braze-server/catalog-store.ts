/**
 * Catalogs of the local Braze-compatible server: their fields, and items validated against them
 * as Braze's asynchronous catalog item endpoints (`PUT`, `PATCH`, `DELETE`) do (the error ids and shape of Braze's
 * "Troubleshooting" tables: `{"errors":[{"id","message","parameters","parameter_values"}],
 * "message":"Invalid Request"}`). A request with any bad item is refused whole, as Braze does.
 */
import { CATALOG_ITEM_ID, MAX_CATALOG_ITEMS, MAX_CATALOG_ITEM_ID_LENGTH, isBrazeTime, isPlainObject } from '../sync/braze-contract';

export const CATALOG_FIELD_TYPES = ['string', 'number', 'boolean', 'time', 'object', 'array'] as const;
export type CatalogFieldType = (typeof CATALOG_FIELD_TYPES)[number];

export interface CatalogField {
  name: string;
  type: CatalogFieldType;
}

export interface CatalogDefinition {
  name: string;
  fields: CatalogField[];
  /** Items the catalog may hold (its storage); unlimited when absent. */
  max_items?: number;
}

export interface CatalogError {
  id: string;
  message: string;
  parameters: string[];
  parameter_values: unknown[];
}

/** An answer; on success, how many items and item fields (the id excluded) the request wrote. */
export type CatalogAnswer = { status: number; body: Record<string, unknown>; items?: number; fields?: number };

const MAX_VALUE_LENGTH = 5000;
const MAX_NESTING = 50;

function invalid(errors: CatalogError[]): CatalogAnswer {
  return { status: 400, body: { errors, message: 'Invalid Request' } };
}

function error(id: string, message: string, parameters: string[] = [], values: unknown[] = []): CatalogError {
  return { id, message, parameters, parameter_values: values };
}

export function catalogNotFound(name: string): CatalogAnswer {
  return { status: 404, body: { errors: [error('catalog-not-found', 'Could not find catalog', ['catalog_name'], [name])], message: 'Invalid Request' } };
}

/** Checks a catalog's definition (from the CLI, a JSON file or `POST /catalogs`); returns it or why it is wrong. */
export function checkCatalogDefinition(value: unknown): CatalogDefinition | string {
  if (!isPlainObject(value)) return 'a catalog must be an object {"name", "fields": [{"name", "type"}]}';
  const { name, fields, max_items } = value;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,250}$/.test(name)) return `catalog name ${JSON.stringify(name)} must be letters, digits, - and _`;
  if (!Array.isArray(fields)) return `catalog ${name}: "fields" must be a list of {"name", "type"}`;
  const out: CatalogField[] = [];
  for (const f of fields) {
    if (!isPlainObject(f) || typeof f.name !== 'string' || f.name === '') return `catalog ${name}: each field needs a "name" and a "type"`;
    if (f.name === 'id') continue; // Braze's first field, the item id, is always there
    if (!(CATALOG_FIELD_TYPES as readonly unknown[]).includes(f.type)) return `catalog ${name}: field ${f.name} has type ${JSON.stringify(f.type)}; use one of ${CATALOG_FIELD_TYPES.join(', ')}`;
    out.push({ name: f.name, type: f.type as CatalogFieldType });
  }
  if (max_items !== undefined && !(typeof max_items === 'number' && Number.isInteger(max_items) && max_items >= 0)) return `catalog ${name}: "max_items" must be a whole number`;
  return { name, fields: out, ...(typeof max_items === 'number' ? { max_items } : {}) };
}

interface Catalog {
  definition: CatalogDefinition;
  items: Map<string, Record<string, unknown>>;
}

/** 202 for items written: how many, and how many of their fields. */
function written(items: readonly Record<string, unknown>[]): CatalogAnswer {
  const fields = items.reduce((n, i) => n + Object.keys(i).length - 1, 0);
  return { status: 202, body: { message: 'success' }, items: items.length, fields };
}

export class CatalogStore {
  private readonly catalogs = new Map<string, Catalog>();

  constructor(private readonly initial: readonly CatalogDefinition[] = []) {
    this.clear();
  }

  /** Back to the catalogs the server started with, empty. */
  clear(): void {
    this.catalogs.clear();
    for (const d of this.initial) this.create(d);
  }

  create(definition: CatalogDefinition): boolean {
    if (this.catalogs.has(definition.name)) return false;
    this.catalogs.set(definition.name, { definition, items: new Map() });
    return true;
  }

  list(): { name: string; fields: CatalogField[]; num_items: number }[] {
    return [...this.catalogs.values()].map(({ definition, items }) => ({ name: definition.name, fields: [{ name: 'id', type: 'string' }, ...definition.fields], num_items: items.size }));
  }

  /** The items of `name` (snapshots, in the order they were first added), or undefined for a missing catalog. */
  items(name: string): Record<string, unknown>[] | undefined {
    const c = this.catalogs.get(name);
    return c ? [...c.items.values()].map((i) => structuredClone(i)) : undefined;
  }

  /** `PUT /catalogs/{name}/items`: every item valid, or nothing applied. */
  replace(name: string, body: Record<string, unknown>): CatalogAnswer {
    const checked = this.checked(name, body);
    if (!('catalog' in checked)) return checked;
    const { catalog: c, items } = checked;
    const added = new Set(items.map((i) => i.id as string).filter((id) => !c.items.has(id))).size;
    if (c.definition.max_items !== undefined && c.items.size + added > c.definition.max_items) {
      return invalid([error('catalog-storage-exceeded', `Catalog storage limit reached: ${name} holds at most ${c.definition.max_items} items`, ['catalog_name'], [name])]);
    }
    for (const item of items) c.items.set(item.id as string, structuredClone(item));
    return written(items);
  }

  /**
   * `PATCH /catalogs/{name}/items`: sets the given fields of existing items and leaves their other
   * fields; validated as `PUT` is, every item valid or nothing applied. Braze documents it for
   * existing items and, being asynchronous, reports nothing per item: an id the catalog lacks is
   * skipped (no item is created).
   */
  edit(name: string, body: Record<string, unknown>): CatalogAnswer {
    const checked = this.checked(name, body);
    if (!('catalog' in checked)) return checked;
    for (const item of checked.items) {
      const held = checked.catalog.items.get(item.id as string);
      if (held) Object.assign(held, structuredClone(item));
    }
    return written(checked.items);
  }

  /** The catalog and the request's items when both are there and every item fits its fields; else Braze's answer. */
  private checked(name: string, body: Record<string, unknown>): { catalog: Catalog; items: Record<string, unknown>[] } | CatalogAnswer {
    const c = this.catalogs.get(name);
    if (!c) return catalogNotFound(name);
    const items = checkItems(body);
    if (!Array.isArray(items)) return items;
    const errors = fieldErrors(c.definition.fields, items);
    return errors.length > 0 ? invalid(errors) : { catalog: c, items };
  }

  /** `DELETE /catalogs/{name}/items`: ids that are not there are ignored, as the endpoint is asynchronous. */
  delete(name: string, body: Record<string, unknown>): CatalogAnswer {
    const c = this.catalogs.get(name);
    if (!c) return catalogNotFound(name);
    const items = checkItems(body);
    if (!Array.isArray(items)) return items;
    for (const item of items) c.items.delete(item.id as string);
    return { status: 202, body: { message: 'success' }, items: items.length };
  }
}

/** The `items` array with valid, unique ids, or Braze's answer for what is wrong. */
function checkItems(body: Record<string, unknown>): Record<string, unknown>[] | CatalogAnswer {
  const items = body.items;
  if (!Array.isArray(items) || !items.every(isPlainObject)) return invalid([error('item-array-invalid', 'items must be an array of objects', ['items'])]);
  if (items.length > MAX_CATALOG_ITEMS) return invalid([error('request-includes-too-many-items', `Your request has too many items. The item limit per request is ${MAX_CATALOG_ITEMS}.`, ['items'])]);
  const missing = items.filter((i) => i.id === undefined || i.id === null).length;
  if (missing > 0) return invalid([error('items-missing-ids', `There are ${missing} item(s) that do not have ids`)]);
  const notStrings = items.map((i) => i.id).filter((id) => typeof id !== 'string');
  if (notStrings.length > 0) return invalid([error('ids-not-strings', 'Item IDs must be of type string', ['id'], notStrings)]);
  const ids = items.map((i) => i.id as string);
  const dup = ids.filter((id, n) => ids.indexOf(id) !== n);
  if (dup.length > 0) return invalid([error('ids-not-unique', 'Item IDs must be unique in the request', ['id'], [...new Set(dup)])]);
  const long = ids.filter((id) => id.length > MAX_CATALOG_ITEM_ID_LENGTH);
  if (long.length > 0) return invalid([error('ids-too-large', `Item IDs can't be more than ${MAX_CATALOG_ITEM_ID_LENGTH} characters`, ['id'], long)]);
  const bad = ids.filter((id) => !CATALOG_ITEM_ID.test(id));
  if (bad.length > 0) return invalid([error('invalid-ids', 'Item IDs can only include letters, numbers, hyphens, and underscores', ['id'], bad)]);
  return items;
}

/** One error per kind, naming the ids of the items that have it (Braze's `parameter_values`). */
function fieldErrors(fields: readonly CatalogField[], items: Record<string, unknown>[]): CatalogError[] {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const found = new Map<string, { message: string; ids: string[] }>();
  const note = (id: string, kind: string, message: string) => {
    const e = found.get(kind) ?? { message, ids: [] };
    if (!e.ids.includes(id)) e.ids.push(id);
    found.set(kind, e);
  };
  for (const item of items) {
    const id = item.id as string;
    for (const [key, value] of Object.entries(item)) {
      if (key === 'id') continue;
      const field = byName.get(key);
      if (!field) note(id, 'invalid-fields', 'Some of the fields given do not exist in the catalog');
      else if (value !== null && !fits(field.type, value)) note(id, 'unable-to-coerce-value', 'Item types can\'t be converted');
      const shape = valueShape(value, 1);
      if (shape) note(id, shape, shape === 'items-too-large' ? `Item values can't exceed ${MAX_VALUE_LENGTH} characters` : shape === 'invalid-keys-in-value-object' ? "Item object keys can't include '.' or '$'" : `Item objects can't have more than ${MAX_NESTING} levels of nesting`);
    }
  }
  return [...found].map(([kind, e]) => error(kind, e.message, ['id'], e.ids));
}

function fits(type: CatalogFieldType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'time':
      return isBrazeTime(value);
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
  }
}

function valueShape(value: unknown, depth: number): string | undefined {
  if (depth > MAX_NESTING) return 'too-deep-nesting-in-value-object';
  if (typeof value === 'string') return value.length > MAX_VALUE_LENGTH ? 'items-too-large' : undefined;
  const children = Array.isArray(value) ? value.map((v) => ['', v] as const) : isPlainObject(value) ? Object.entries(value) : [];
  for (const [k, v] of children) {
    if (/[.$]/.test(k)) return 'invalid-keys-in-value-object';
    const shape = valueShape(v, depth + 1);
    if (shape) return shape;
  }
  return undefined;
}
