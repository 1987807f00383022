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
  /**
   * The catalog rebuilt: a row per item `i0`…, each with a new UPDATED_AT (like a view over
   * CURRENT_TIMESTAMP); fields Name, Rating and Tags, changed (undefined: dropped) or deleted by `change`.
   */
  rebuild(table: string, n: number, change?: (i: number) => Partial<Record<string, unknown>> | 'deleted'): Promise<unknown>;
}

export function catalogTables(fx: EngineFixture, prefix = 'cat'): CatalogTables {
  let seq = 0;
  let rebuilds = 0;
  const insert: CatalogTables['insert'] = (t, rows) => {
    const values: unknown[] = [];
    const tuples = rows.map((r) => `(${[r.updated_at, r.id, r.payload ?? null, r.deleted ?? null].map((v) => (values.push(v), `$${values.length}`)).join(', ')})`);
    return fx.db.query(`INSERT INTO ${t} (updated_at, id, payload, deleted) VALUES ${tuples.join(', ')}`, values);
  };
  return {
    async table() {
      const name = `ingestion.${prefix}${++seq}`;
      await fx.db.query('CREATE SCHEMA IF NOT EXISTS ingestion');
      await fx.db.redshiftDdl(catalogTableDdl(name));
      return name;
    },
    insert,
    async create(name, fields, maxItems) {
      fx.braze.reset();
      const body = { catalogs: [{ name, fields: fields.map(([n, type]) => ({ name: n, type })), ...(maxItems !== undefined ? { max_items: maxItems } : {}) }] };
      const res = await fetch(`${fx.braze.url}/catalogs`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 201, await res.text());
    },
    items: (catalog) => Object.fromEntries((fx.braze.catalogItems(catalog) ?? []).map((i) => [String(i.id), i])),
    rebuild(t, n, change = () => ({})) {
      const second = ++rebuilds;
      const rows = Array.from({ length: n }, (_, i): CatalogRow => {
        const updated_at = new Date(Date.parse('2026-07-01 00:00:00+00') + second * 1000 + i).toISOString();
        const c = change(i);
        if (c === 'deleted') return { updated_at, id: `i${i}`, payload: null, deleted: true };
        const payload = Object.fromEntries(Object.entries({ Name: `item ${i}`, Rating: i, Tags: ['a'], ...c }).filter(([, v]) => v !== undefined));
        return { updated_at, id: `i${i}`, payload: JSON.stringify(payload) };
      });
      return insert(t, rows);
    },
  };
}
