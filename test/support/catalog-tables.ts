/**
 * Catalog syncs in engine tests: Redshift-shaped catalog tables in the fixture's PostgreSQL, and
 * catalogs made on the local Braze server through Braze's own `POST /catalogs`.
 */
import assert from 'node:assert/strict';
import { catalogTableDdl } from '../../core/src/adapters/redshift-shims';
import type { EngineFixture } from './engine-fixture';
import { API_KEY } from './sync-harness';

export type CatalogRow = { updated_at: string; id: string | null; payload?: string | null; deleted?: boolean | null };

export interface CatalogTables {
  /** A new, empty catalog table (`ingestion.<prefix><n>`). */
  table(): Promise<string>;
  insert(table: string, rows: CatalogRow[]): Promise<unknown>;
  /** Resets the server and creates `name` with its fields. */
  create(name: string, fields: [string, string][], maxItems?: number): Promise<void>;
  /** The catalog's items at the server, by id. */
  items(catalog: string): Record<string, Record<string, unknown>>;
}

export function catalogTables(fx: EngineFixture, prefix = 'cat'): CatalogTables {
  let seq = 0;
  return {
    async table() {
      const name = `ingestion.${prefix}${++seq}`;
      await fx.db.query('CREATE SCHEMA IF NOT EXISTS ingestion');
      await fx.db.redshiftDdl(catalogTableDdl(name));
      return name;
    },
    insert(t, rows) {
      const values: unknown[] = [];
      const tuples = rows.map((r) => `(${[r.updated_at, r.id, r.payload ?? null, r.deleted ?? null].map((v) => (values.push(v), `$${values.length}`)).join(', ')})`);
      return fx.db.query(`INSERT INTO ${t} (updated_at, id, payload, deleted) VALUES ${tuples.join(', ')}`, values);
    },
    async create(name, fields, maxItems) {
      fx.braze.reset();
      const body = { catalogs: [{ name, fields: fields.map(([n, type]) => ({ name: n, type })), ...(maxItems !== undefined ? { max_items: maxItems } : {}) }] };
      const res = await fetch(`${fx.braze.url}/catalogs`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 201, await res.text());
    },
    items: (catalog) => Object.fromEntries((fx.braze.catalogItems(catalog) ?? []).map((i) => [String(i.id), i])),
  };
}
