import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBrazeHttpClient, type BrazeHttpClient, type BrazeHttpClientOptions } from './braze-http';
import { startBrazeServer, type BrazeServer, type BrazeServerOptions } from '../braze-server/braze-server';
import { parseCatalogSpec } from '../braze-server/catalog-spec';
import { VirtualTime } from '../../testing/virtual-time';
import { CatalogUnavailableError, type BrazeClient, type CatalogItemsRequest, type CatalogResult, type SourceRow } from '../sync/ports';
import { mapCatalogRow } from '../sync/catalog-mapping';
import { CatalogRequests, type CatalogOp } from '../sync/catalog-requests';

const KEY = 'sk-live-THE-SECRET-KEY-0123456789';
const RESTAURANTS = parseCatalogSpec('restaurants:Name:string,Rating:number');

async function withClient(serverOptions: Partial<BrazeServerOptions>, body: (server: BrazeServer, client: BrazeHttpClient, vt: VirtualTime) => Promise<void>, clientOptions: Partial<BrazeHttpClientOptions> = {}): Promise<void> {
  const vt = new VirtualTime(Date.UTC(2026, 10, 28, 10, 0, 0, 250));
  const server = await startBrazeServer({ apiKeys: [KEY], now: vt.now, catalogs: [RESTAURANTS], ...serverOptions });
  const client = createBrazeHttpClient({ baseUrl: server.url, apiKey: KEY, concurrency: 4, clock: vt.clock, sleep: vt.sleep, random: () => 0.5, ...clientOptions });
  try {
    await body(server, client, vt);
  } finally {
    await client.close();
    await server.close();
  }
}

const items = (...list: Record<string, unknown>[]): CatalogItemsRequest => ({ items: list });

test('PUT, DELETE and PATCH /catalogs/{catalog}/items: 202; a 400 about items comes back naming them', async () => {
  await withClient({}, async (server, client) => {
    assert.deepEqual(await client.replaceCatalogItems('restaurants', items({ id: 'r1', Name: 'Ada' }, { id: 'r2', Rating: 4 })), { status: 202 });
    assert.deepEqual(await client.deleteCatalogItems('restaurants', items({ id: 'r2' })), { status: 202 });
    assert.deepEqual(await client.editCatalogItems('restaurants', items({ id: 'r1', Rating: 3 })), { status: 202 });
    assert.deepEqual(server.catalogItems('restaurants'), [{ id: 'r1', Name: 'Ada', Rating: 3 }]);
    assert.deepEqual(server.state().requests.map((r) => r.method), ['PUT', 'DELETE', 'PATCH']);
    const rejected = await client.replaceCatalogItems('restaurants', items({ id: 'r3', Name: 'x' }, { id: 'r4', Colour: 'red' }));
    assert.deepEqual(rejected, { status: 400, rejected: [{ type: 'invalid-fields', message: 'Some of the fields given do not exist in the catalog', ids: ['r4'] }] });
  });
});

test('a missing catalog and used-up storage stop at once with what to do; 429 and 5xx are retried', async () => {
  await withClient({ catalogs: [{ ...RESTAURANTS, max_items: 1 }] }, async (server, client) => {
    await assert.rejects(client.replaceCatalogItems('menus', items({ id: 'm1' })), (err: unknown) => {
      assert.ok(err instanceof CatalogUnavailableError);
      assert.equal(err.reason, 'catalog-not-found');
      assert.match(err.message, /Braze has no catalog "menus" \(404 catalog-not-found\): create it in Braze/);
      return true;
    });
    assert.equal(server.stats().requests, 1, 'not retried');
    await client.replaceCatalogItems('restaurants', items({ id: 'r1' }));
    await assert.rejects(client.replaceCatalogItems('restaurants', items({ id: 'r2' })), (err: unknown) => err instanceof CatalogUnavailableError && err.reason === 'storage' && /catalog storage is used up/.test(err.message));
    server.setFaults({ next: [429, 503, 'drop'] });
    assert.deepEqual(await client.deleteCatalogItems('restaurants', items({ id: 'r1' })), { status: 202 });
    assert.deepEqual(server.catalogItems('restaurants'), []);
    assert.equal(client.stats().retries, 3);
  });
});

test('catalog requests have their own rate-limit bucket: a spent /users/track budget does not hold them', async () => {
  const server = await startBrazeServer({ apiKeys: [KEY], catalogs: [RESTAURANTS], budget: { limit: 1, windowMs: 600_000 } });
  const client = createBrazeHttpClient({ baseUrl: server.url, apiKey: KEY, concurrency: 4 });
  const stop = new AbortController();
  try {
    await client.track({ attributes: [{ external_id: 'u1', a: 1 }] });
    let trackSettled = false;
    const second = client.track({ attributes: [{ external_id: 'u2', a: 1 }] }, stop.signal).finally(() => (trackSettled = true));
    second.catch(() => undefined);
    assert.deepEqual(await client.replaceCatalogItems('restaurants', items({ id: 'r1' })), { status: 202 });
    assert.equal(trackSettled, false, 'the second /users/track call still waits for its window');
    stop.abort();
    await assert.rejects(second, { name: 'AbortError' });
    assert.equal(server.stats().statusCounts['429'] ?? 0, 0, 'the client waited instead of being refused');
  } finally {
    await client.close();
    await server.close();
  }
});

/** A catalog row mapped as delivery maps it (send: all): the item to replace, or its delete. */
function catalogRow(id: string, payload: string | null, deleted?: boolean): CatalogOp {
  const row: SourceRow = { updatedAt: '2026-11-28 10:00:00+00', ids: {}, payload, item: { id, ...(deleted !== undefined ? { deleted } : {}) } };
  const mapped = mapCatalogRow(row);
  if (!mapped.ok) throw new Error(mapped.reason);
  return mapped;
}

test('CatalogRequests: at most 50 items, one operation and each id once per request; bad items fail alone', async () => {
  await withClient({}, async (server, client) => {
    const requests = new CatalogRequests<string>('restaurants', client, 75);
    const batches = [];
    for (let i = 0; i < 60; i++) batches.push(...requests.add(catalogRow(`r${i}`, `{"Name":"n${i}"}`), `row${i}`));
    assert.deepEqual(batches.map((b) => b.ids.length), [50]);
    batches.push(...requests.add(catalogRow('r55', '{"Name":"again"}'), 'again'), ...requests.add(catalogRow('r1', null, true), 'gone'), ...requests.close());
    assert.deepEqual(batches.map((b) => [b.op, b.ids.length]), [['put', 50], ['put', 10], ['put', 1], ['delete', 1]], 'a repeated id or another operation starts a new request');
    const failures = (await Promise.all(batches.map((b) => requests.send(b)))).flat();
    assert.deepEqual(failures, []);
    const held = server.catalogItems('restaurants') ?? [];
    assert.equal(held.length, 59);
    assert.deepEqual(held.find((i) => i.id === 'r55'), { id: 'r55', Name: 'again' }, 'the later row wins');

    const bad = requests.add(catalogRow('b1', '{"Name":"ok"}'), 'ok1')
      .concat(requests.add(catalogRow('b2', '{"Colour":"red"}'), 'bad'), requests.add(catalogRow('b3', '{"Rating":5}'), 'ok3'), requests.close());
    const [batch] = bad;
    assert.ok(batch);
    assert.deepEqual(await requests.send(batch), [{ row: 'bad', reason: 'Braze rejected the item (invalid-fields): Some of the fields given do not exist in the catalog', identifier: 'id=b2' }]);
    assert.deepEqual(server.catalogItems('restaurants')?.filter((i) => String(i.id).startsWith('b')), [{ id: 'b1', Name: 'ok' }, { id: 'b3', Rating: 5 }]);
  });
});

test('CatalogRequests: a rejection naming no item is split until the bad item is alone', async () => {
  const sent: string[][] = [];
  const braze: BrazeClient = {
    track: () => Promise.reject(new Error('unused')),
    deleteUsers: () => Promise.reject(new Error('unused')),
    deleteCatalogItems: () => Promise.reject(new Error('unused')),
    editCatalogItems: () => Promise.reject(new Error('unused')),
    replaceCatalogItems(_catalog, body): Promise<CatalogResult> {
      const ids = body.items.map((i) => String(i.id));
      sent.push(ids);
      return Promise.resolve(ids.includes('x3') ? { status: 400, rejected: [{ type: 'arbitrary-error', message: 'Something went wrong', ids: [] }] } : { status: 202 });
    },
  };
  const requests = new CatalogRequests<string>('c', braze, 50);
  for (const id of ['x1', 'x2', 'x3', 'x4']) requests.add(catalogRow(id, '{}'), id);
  const [batch] = requests.close();
  assert.ok(batch);
  assert.deepEqual(await requests.send(batch), [{ row: 'x3', reason: 'Braze rejected the item (arbitrary-error: Something went wrong).', identifier: 'id=x3' }]);
  assert.deepEqual(sent, [['x1', 'x2', 'x3', 'x4'], ['x1', 'x2'], ['x3', 'x4'], ['x3'], ['x4']]);
});
