/**
 * The catalog part of `npm start`: a small restaurants table synced to a Braze catalog of the same
 * name, then a second load that updates one item and deletes another.
 */
import type pg from 'pg';
import { catalogTableDdl, redshiftDdlToPg } from '../../core/src/adapters/redshift-shims';
import type { BrazeServer, CatalogDefinition } from '../../core/src/braze-server/braze-server';

export const DEMO_CATALOG: CatalogDefinition = {
  name: 'restaurants',
  fields: [
    { name: 'Name', type: 'string' },
    { name: 'Cuisine', type: 'string' },
    { name: 'Rating', type: 'number' },
  ],
};

export const CATALOG_TABLE = 'INGESTION.RESTAURANTS';

/** The sync's entry in the demo definition file. */
export const CATALOG_SYNC = `  restaurants:               # named like its Braze catalog, as Braze asks
    connection: warehouse
    table: ${CATALOG_TABLE}
    data_type: catalog_items
    catalog: restaurants
    schedule: daily at 06:00
    status: active
`;

/** Creates the table (printing its DDL) with three restaurants, readable by braze_user. */
export async function createCatalogTable(client: pg.Client, database: string, say: (s: string) => void): Promise<void> {
  const ddl = catalogTableDdl(`${database}.${CATALOG_TABLE}`);
  say(`   Created the catalog table:\n${ddl.replace(/^/gm, '     ')}`);
  await client.query(redshiftDdlToPg(ddl));
  await client.query('GRANT SELECT ON TABLE ingestion.restaurants TO braze_user');
  await client.query(`INSERT INTO ingestion.restaurants (id, payload) VALUES
    ('r1', '{"Name":"Chez Ada","Cuisine":"French","Rating":5}'),
    ('r2', '{"Name":"Bo''s Noodles","Cuisine":"Chinese","Rating":4}'),
    ('r3', '{"Name":"Taqueria Cy","Cuisine":"Mexican","Rating":3}')`);
}

/** A later load: r1's rating changes and r3 closes (DELETED = true). */
export async function updateCatalogTable(client: pg.Client): Promise<void> {
  await client.query(`INSERT INTO ingestion.restaurants (id, payload, deleted) VALUES ('r1', '{"Name":"Chez Ada","Cuisine":"French","Rating":4}', false), ('r3', NULL, true)`);
}

export function showCatalog(braze: BrazeServer, say: (s: string) => void): void {
  const items = braze.catalogItems(DEMO_CATALOG.name) ?? [];
  say(`   Catalog ${DEMO_CATALOG.name} holds ${items.length} item(s) (GET ${braze.url}/catalogs/${DEMO_CATALOG.name}/items with the API key):`);
  for (const item of items) say(`   ${JSON.stringify(item)}`);
}
