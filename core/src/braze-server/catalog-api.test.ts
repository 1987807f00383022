import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBrazeServer, type BrazeServer } from './braze-server';
import { parseCatalogJson, parseCatalogSpec } from './catalog-spec';

const KEY = 'local-test-key';

async function withServer(body: (server: BrazeServer) => Promise<void>): Promise<void> {
  const server = await startBrazeServer({ apiKeys: [KEY], catalogs: [parseCatalogSpec('restaurants:Name:string,Rating:number,Open:boolean,Opened_At:time,Tags:array')] });
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

async function call(server: BrazeServer, method: string, path: string, body?: unknown) {
  const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

test('PUT /catalogs/{catalog}/items replaces items (202), DELETE removes them, GET reads them back', async () => {
  await withServer(async (server) => {
    const put = await call(server, 'PUT', '/catalogs/restaurants/items', { items: [{ id: 'r1', Name: 'Ada', Rating: 5 }, { id: 'r2', Name: 'Bo', Tags: ['x'] }] });
    assert.equal(put.status, 202);
    assert.deepEqual(put.json, { message: 'success' });
    assert.equal(put.headers.get('x-ratelimit-limit'), '16000', 'the catalog bucket: 16,000 per minute');
    assert.equal((await call(server, 'PUT', '/catalogs/restaurants/items', { items: [{ id: 'r1', Name: 'Ada 2' }] })).status, 202);
    assert.deepEqual(server.catalogItems('restaurants'), [{ id: 'r1', Name: 'Ada 2' }, { id: 'r2', Name: 'Bo', Tags: ['x'] }], 'PUT replaces the whole item');
    assert.equal((await call(server, 'DELETE', '/catalogs/restaurants/items', { items: [{ id: 'r2' }, { id: 'never-there' }] })).status, 202);
    const get = await call(server, 'GET', '/catalogs/restaurants/items');
    assert.equal(get.status, 200);
    assert.deepEqual(get.json, { items: [{ id: 'r1', Name: 'Ada 2' }], message: 'success' });
    assert.deepEqual(server.stats().objects.catalog_items, 3);
    assert.deepEqual(server.stats().objects.catalog_deleted, 2);
  });
});

test('PATCH /catalogs/{catalog}/items edits the given fields (202) and keeps the others; validated as PUT; 404 for a missing catalog', async () => {
  await withServer(async (server) => {
    assert.equal((await call(server, 'PUT', '/catalogs/restaurants/items', { items: [{ id: 'r1', Name: 'Ada', Rating: 5, Tags: ['x'] }] })).status, 202);
    const patch = await call(server, 'PATCH', '/catalogs/restaurants/items', { items: [{ id: 'r1', Rating: 4 }, { id: 'not-there', Name: 'New' }] });
    assert.deepEqual([patch.status, patch.json], [202, { message: 'success' }]);
    assert.equal(patch.headers.get('x-ratelimit-limit'), '16000', 'the shared catalog bucket');
    const get = await call(server, 'GET', '/catalogs/restaurants/items');
    assert.deepEqual(get.json.items, [{ id: 'r1', Name: 'Ada', Rating: 4, Tags: ['x'] }], 'the other fields kept; an id the catalog lacks is not created');
    const bad = await call(server, 'PATCH', '/catalogs/restaurants/items', { items: [{ id: 'r1', Name: 'Bo' }, { id: 'r1x', Colour: 'red' }, { id: 'r1y', Rating: 'five' }] });
    assert.equal(bad.status, 400);
    assert.deepEqual(((bad.json.errors as { id: string; parameter_values: string[] }[]) ?? []).map((e) => [e.id, e.parameter_values]), [['invalid-fields', ['r1x']], ['unable-to-coerce-value', ['r1y']]]);
    assert.equal(server.catalogItems('restaurants')?.[0]?.Name, 'Ada', 'a refused request applies nothing');
    const missing = await call(server, 'PATCH', '/catalogs/menus/items', { items: [{ id: 'm1' }] });
    assert.deepEqual([missing.status, (missing.json.errors as { id: string }[])[0]?.id], [404, 'catalog-not-found']);
    assert.deepEqual([server.stats().objects.catalog_edited, server.stats().catalogFields], [2, 3 + 1 + 1]);
  });
});

test('GET pages 50 items with a Link header', async () => {
  await withServer(async (server) => {
    for (let n = 0; n < 3; n++) {
      const items = Array.from({ length: 40 }, (_, i) => ({ id: `r${n * 40 + i}` }));
      assert.equal((await call(server, 'PUT', '/catalogs/restaurants/items', { items })).status, 202);
    }
    const first = await call(server, 'GET', '/catalogs/restaurants/items');
    assert.equal((first.json.items as unknown[]).length, 50);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
    assert.ok(next);
    const second = await call(server, 'GET', next);
    assert.equal((second.json.items as { id: string }[])[0]?.id, 'r50');
  });
});

test("invalid items are refused whole with Braze's error shape, naming the items", async () => {
  await withServer(async (server) => {
    const r = await call(server, 'PUT', '/catalogs/restaurants/items', { items: [{ id: 'ok', Name: 'x' }, { id: 'bad1', Nope: 1 }, { id: 'bad2', Rating: 'five' }] });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, {
      errors: [
        { id: 'invalid-fields', message: 'Some of the fields given do not exist in the catalog', parameters: ['id'], parameter_values: ['bad1'] },
        { id: 'unable-to-coerce-value', message: "Item types can't be converted", parameters: ['id'], parameter_values: ['bad2'] },
      ],
      message: 'Invalid Request',
    });
    assert.deepEqual(server.catalogItems('restaurants'), [], 'nothing applied');
    const ids = async (items: unknown[]) => ((await call(server, 'PUT', '/catalogs/restaurants/items', { items })).json.errors as { id: string }[])[0]?.id;
    assert.equal(await ids([{ id: 'a b' }]), 'invalid-ids');
    assert.equal(await ids([{ id: 'x'.repeat(251) }]), 'ids-too-large');
    assert.equal(await ids([{ id: 5 }]), 'ids-not-strings');
    assert.equal(await ids([{ Name: 'x' }]), 'items-missing-ids');
    assert.equal(await ids([{ id: 'a' }, { id: 'a' }]), 'ids-not-unique');
    assert.equal(await ids(Array.from({ length: 51 }, (_, i) => ({ id: `i${i}` }))), 'request-includes-too-many-items');
    assert.equal(await ids([{ id: 'a', Name: 'x'.repeat(5001) }]), 'items-too-large');
  });
});

test('a missing catalog is 404 catalog-not-found; POST /catalogs creates one; storage runs out', async () => {
  await withServer(async (server) => {
    const missing = await call(server, 'PUT', '/catalogs/menus/items', { items: [{ id: 'm1' }] });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { errors: [{ id: 'catalog-not-found', message: 'Could not find catalog', parameters: ['catalog_name'], parameter_values: ['menus'] }], message: 'Invalid Request' });
    assert.equal((await call(server, 'GET', '/catalogs/menus/items')).status, 404);
    const created = await call(server, 'POST', '/catalogs', { catalogs: [{ name: 'menus', fields: [{ name: 'id', type: 'string' }, { name: 'Dish', type: 'string' }], max_items: 1 }] });
    assert.equal(created.status, 201);
    assert.equal((await call(server, 'PUT', '/catalogs/menus/items', { items: [{ id: 'm1', Dish: 'soup' }] })).status, 202);
    const full = await call(server, 'PUT', '/catalogs/menus/items', { items: [{ id: 'm2', Dish: 'pie' }] });
    assert.equal(full.status, 400);
    assert.equal((full.json.errors as { id: string }[])[0]?.id, 'catalog-storage-exceeded');
    assert.deepEqual(((await call(server, 'GET', '/catalogs')).json.catalogs as { name: string; num_items: number }[]).map((c) => [c.name, c.num_items]), [['restaurants', 0], ['menus', 1]]);
  });
});

test('catalog specs and files: fields and types checked, with the fix', () => {
  assert.deepEqual(parseCatalogSpec('restaurants:Name:string,Rating:number'), { name: 'restaurants', fields: [{ name: 'Name', type: 'string' }, { name: 'Rating', type: 'number' }] });
  assert.throws(() => parseCatalogSpec('restaurants:Name'), /not FIELD:TYPE/);
  assert.throws(() => parseCatalogSpec('restaurants:Name:text'), /use one of string, number/);
  assert.throws(() => parseCatalogSpec('rest aurants'), /letters, digits/);
  assert.deepEqual(parseCatalogJson('{"catalogs":[{"name":"a","fields":[{"name":"X","type":"boolean"}],"max_items":3}]}', 'c.json'), [{ name: 'a', fields: [{ name: 'X', type: 'boolean' }], max_items: 3 }]);
  assert.throws(() => parseCatalogJson('{', 'c.json'), /c\.json is not valid JSON/);
});
