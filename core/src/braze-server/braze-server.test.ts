import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBrazeServer, type BrazeServer, type BrazeServerOptions } from './braze-server';
import { VirtualTime } from '../../testing/virtual-time';

const KEY = 'local-test-key';

async function withServer(options: Partial<BrazeServerOptions>, body: (server: BrazeServer) => Promise<void>): Promise<void> {
  const server = await startBrazeServer({ apiKeys: [KEY], ...options });
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

interface Reply {
  status: number;
  json: Record<string, unknown>;
  /** The body as sent. */
  text: string;
  headers: Headers;
}

async function call(server: BrazeServer, path: string, body: unknown, init: { key?: string | null; method?: string; raw?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.key !== null) headers.authorization = `Bearer ${init.key ?? KEY}`;
  const method = init.method ?? 'POST';
  const res = await fetch(server.url + path, { method, headers, ...(method === 'GET' ? {} : { body: init.raw ?? JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as Record<string, unknown>, text, headers: res.headers };
}

const track = (server: BrazeServer, body: unknown, init?: { key?: string | null; raw?: string }) => call(server, '/users/track', body, init);

test('POST /users/track applies attributes, events and purchases to profiles', async () => {
  await withServer({}, async (server) => {
    const r = await track(server, {
      attributes: [
        { external_id: 'u1', first_name: 'Ada', tags: ['a'], visits: 1, gone: 'x' },
        { external_id: 'u1', tags: { add: ['b', 'a'], remove: [] }, visits: { inc: 2 }, gone: null },
        { user_alias: { alias_name: 'n', alias_label: 'crm' }, _update_existing_only: false, plan: 'pro' },
        { email: 'Mixed@Example.com', city: 'Paris' },
        { phone: '+15550100', city: 'Lyon' },
      ],
      events: [{ external_id: 'u1', name: 'rented', time: '2026-11-28T10:00:00.123456Z', properties: { movie: 'x' } }],
      purchases: [{ external_id: 'u1', product_id: 'p1', currency: 'USD', price: 9.99, quantity: 2, time: '2026-11-28T10:00:00Z' }],
    });
    assert.equal(r.status, 201);
    assert.deepEqual(r.json, { message: 'success', attributes_processed: 5, events_processed: 1, purchases_processed: 1 });
    assert.match(r.headers.get('x-ratelimit-limit') ?? '', /^3000$/);

    const [u1] = server.profiles({ external_id: 'u1' });
    assert.ok(u1);
    assert.deepEqual(u1.attributes, { first_name: 'Ada', tags: ['a', 'b'], visits: 3 });
    assert.deepEqual(u1.events, [{ name: 'rented', time: '2026-11-28T10:00:00.123456Z', properties: { movie: 'x' } }]);
    assert.deepEqual(u1.purchases, [{ product_id: 'p1', currency: 'USD', price: 9.99, quantity: 2, time: '2026-11-28T10:00:00Z' }]);
    assert.equal(server.profiles({ user_alias: { alias_name: 'n', alias_label: 'crm' } })[0]?.attributes.plan, 'pro');
    assert.equal(server.profiles({ email: 'mixed@example.com' })[0]?.attributes.city, 'Paris', 'emails match case-insensitively');
    assert.equal(server.profiles({ phone: '+15550100' })[0]?.attributes.city, 'Lyon');

    const http = await call(server, '/_local/profiles?external_id=u1', undefined, { method: 'GET' });
    assert.deepEqual((http.json.profiles as unknown[])[0], u1);
    const all = await call(server, '/_local/profiles', undefined, { method: 'GET' });
    assert.equal((all.json.profiles as unknown[]).length, 4);
    const some = await call(server, '/_local/profiles?limit=2', undefined, { method: 'GET' });
    assert.deepEqual([(some.json.profiles as unknown[]).length, some.json.total], [2, 4]);
    assert.equal((await call(server, '/_local/profiles?limit=x', undefined, { method: 'GET' })).status, 400);
  });
});

test('attribute operators: _merge_objects deep-merges, inc starts at 0, __proto__ is plain data', async () => {
  await withServer({}, async (server) => {
    await track(server, { attributes: [{ external_id: 'm', address: { city: 'Paris', geo: { lat: 1 } }, n: { inc: 5 } }] });
    await track(server, {
      attributes: [
        { external_id: 'm', _merge_objects: true, address: { zip: '75001', geo: { lon: 2 } } },
        { external_id: 'm', prefs: { a: 1 } },
        { external_id: 'm', prefs: { b: 2 } },
      ],
    });
    await track(server, undefined, { raw: '{"attributes":[{"external_id":"m","__proto__":{"polluted":true}}]}' });
    const [m] = server.profiles({ external_id: 'm' });
    assert.ok(m);
    assert.deepEqual(m.attributes.address, { city: 'Paris', geo: { lat: 1, lon: 2 }, zip: '75001' });
    assert.deepEqual(m.attributes.prefs, { b: 2 }, 'without _merge_objects an object is replaced');
    assert.equal(m.attributes.n, 5);
    assert.ok(Object.hasOwn(m.attributes, '__proto__'));
    assert.equal(Object.getPrototypeOf(m.attributes), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

test('creation rules: braze_id and alias events never create users; _update_existing_only is honoured', async () => {
  await withServer({}, async (server) => {
    const r = await track(server, {
      attributes: [
        { braze_id: 'unknown', x: 1 },
        { user_alias: { alias_name: 'a', alias_label: 'l' }, x: 1 },
        { external_id: 'only-existing', _update_existing_only: true, x: 1 },
      ],
      events: [{ user_alias: { alias_name: 'b', alias_label: 'l' }, name: 'e', time: '2026-01-01T00:00:00Z' }],
    });
    assert.equal(r.status, 201);
    assert.equal(r.json.errors, undefined);
    assert.equal(server.stats().profiles, 0);

    await track(server, { attributes: [{ external_id: 'u2', x: 1 }] });
    const [u2] = server.profiles({ external_id: 'u2' });
    assert.ok(u2);
    await track(server, { attributes: [{ braze_id: u2.braze_id, y: 2, email: 'u2@example.com' }] });
    assert.deepEqual(server.profiles({ external_id: 'u2' })[0]?.attributes, { x: 1, y: 2 });
    assert.equal(server.profiles({ email: 'u2@example.com' })[0]?.external_id, 'u2', 'email set as an attribute is indexed');
    // Shared email: the identified profile wins over a newer email-only one.
    await track(server, { attributes: [{ email: 'shared@example.com' }, { external_id: 'u3', email: 'shared@example.com' }] });
    await track(server, { attributes: [{ email: 'shared@example.com', hit: true }] });
    assert.equal(server.profiles({ external_id: 'u3' })[0]?.attributes.hit, true);
  });
});

test('per-object errors are reported by array and index while the rest applies', async () => {
  await withServer({}, async (server) => {
    const r = await track(server, {
      attributes: [{ external_id: 'ok1', a: 1 }, { a: 2 }, { external_id: 'blocked-7', a: 3 }, { external_id: 'x', braze_id: 'y' }, 'nope'],
      events: [{ external_id: 'ok1', time: '2026-01-01T00:00:00Z' }, { external_id: 'ok1', name: 'e' }, { external_id: 'ok1', name: 'e', time: 'soon' }, { external_id: 'ok1', name: 'fine', time: '2026-01-01T00:00:00:000+0000' }],
      purchases: [
        { external_id: 'ok1', product_id: 'p', currency: 'usd', price: 1, time: '2026-01-01T00:00:00Z' },
        { external_id: 'ok1', product_id: 'p', currency: 'USD', price: 1, quantity: 101, time: '2026-01-01T00:00:00Z' },
        { external_id: 'ok1', product_id: 'p', currency: 'USD', price: '1', time: '2026-01-01T00:00:00Z' },
        { external_id: 'ok1', currency: 'USD', price: 1, time: '2026-01-01T00:00:00Z' },
      ],
    });
    assert.equal(r.status, 201);
    assert.equal(r.json.attributes_processed, 1);
    assert.equal(r.json.events_processed, 1);
    assert.equal(r.json.purchases_processed, 0);
    const errors = r.json.errors as { type: string; input_array: string; index: number }[];
    assert.deepEqual(
      errors.map((e) => `${e.input_array}[${e.index}]`),
      ['attributes[1]', 'attributes[2]', 'attributes[3]', 'attributes[4]', 'events[0]', 'events[1]', 'events[2]', 'purchases[0]', 'purchases[1]', 'purchases[2]', 'purchases[3]'],
    );
    assert.match(errors[0]?.type ?? '', /'external_id' or 'braze_id' or 'user_alias'/);
    assert.equal(errors[1]?.type, 'provided external_id is blacklisted and disallowed');
    assert.match(errors[2]?.type ?? '', /only one of/);
    assert.match(errors[4]?.type ?? '', /'name' is required/);
    assert.match(errors[5]?.type ?? '', /'time' is required/);
    assert.match(errors[6]?.type ?? '', /ISO 8601/);
    assert.match(errors[7]?.type ?? '', /ISO 4217/);
    assert.match(errors[8]?.type ?? '', /'quantity'/);
    assert.match(errors[9]?.type ?? '', /'price'/);
    assert.match(errors[10]?.type ?? '', /'product_id'/);
    assert.deepEqual(server.profiles({ external_id: 'ok1' })[0]?.attributes, { a: 1 });
    assert.equal(server.profiles({ external_id: 'blocked-7' }).length, 0);
    assert.equal(server.stats().objects.errors, 11);
  });
});

test('request-level errors: 401, 400 (JSON, shape, 75 objects), 413, 404, 405', async () => {
  await withServer({ maxBodyBytes: 64 * 1024 }, async (server) => {
    const bad = await track(server, { attributes: [] }, { key: 'wrong-key' });
    assert.equal(bad.status, 401);
    assert.match(String(bad.json.message), /^Invalid API key/);
    assert.ok(!bad.text.includes('wrong-key'), `the refused key is echoed: ${bad.text}`);
    // A valid key that is not this server's is not echoed either.
    const other = await track(server, { attributes: [] }, { key: `${KEY}-other` });
    assert.equal(other.status, 401);
    assert.ok(!other.text.includes(KEY), `a key is echoed: ${other.text}`);
    assert.equal((await track(server, { attributes: [] }, { key: null })).status, 401);

    const json = await track(server, undefined, { raw: '{"attributes": [' });
    assert.equal(json.status, 400);
    assert.match(String(json.json.message), /Invalid JSON/);
    assert.equal((await track(server, [1])).status, 400);
    assert.equal((await track(server, { attributes: {} })).status, 400);
    assert.equal((await track(server, {})).status, 400);

    const objects = (n: number) => Array.from({ length: n }, (_, i) => ({ external_id: `u${i}` }));
    const tooMany = await track(server, { attributes: objects(40), events: objects(36) });
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.json.message, 'Max Input Length Exceeded');
    assert.equal((await track(server, { attributes: objects(75) })).status, 201);

    const big = await track(server, { attributes: [{ external_id: 'u', blob: 'x'.repeat(70 * 1024) }] });
    assert.equal(big.status, 413);

    const nowhere = await call(server, '/users/nowhere', {});
    assert.equal(nowhere.status, 404);
    assert.equal((await call(server, '/users/track', undefined, { method: 'GET' })).status, 405);
    assert.deepEqual(server.stats().statusCounts, { '401': 3, '400': 5, '201': 1, '413': 1, '405': 1 });
  });
});

test('the default body limit is 4 MB', async () => {
  await withServer({}, async (server) => {
    const justUnder = await track(server, { attributes: [{ external_id: 'u', blob: 'x'.repeat(4 * 1024 * 1024 - 100) }] });
    assert.equal(justUnder.status, 201);
    const over = await track(server, { attributes: [{ external_id: 'u', blob: 'x'.repeat(4 * 1024 * 1024) }] });
    assert.equal(over.status, 413);
  });
});

test('POST /users/delete removes profiles; more than 50 ids is a 400', async () => {
  await withServer({}, async (server) => {
    await track(server, { attributes: [{ external_id: 'd1' }, { external_id: 'd2' }, { user_alias: { alias_name: 'n', alias_label: 'l' }, _update_existing_only: false }] });
    const [d2] = server.profiles({ external_id: 'd2' });
    assert.ok(d2);
    const r = await call(server, '/users/delete', { external_ids: ['d1', 'missing'], braze_ids: [d2.braze_id], user_aliases: [{ alias_name: 'n', alias_label: 'l' }] });
    assert.equal(r.status, 201);
    assert.deepEqual(r.json, { message: 'success', deleted: 4 });
    assert.equal(server.stats().profiles, 0);
    assert.equal(server.stats().objects.deleted, 3);
    const tooMany = await call(server, '/users/delete', { external_ids: Array.from({ length: 51 }, (_, i) => `x${i}`) });
    assert.equal(tooMany.status, 400);
    assert.match(String(tooMany.json.message), /at most 50/);
    assert.equal((await call(server, '/users/delete', { email_addresses: [{ email: 'a@b.co' }] })).status, 400);
    assert.equal((await call(server, '/users/delete', { external_ids: [1] })).status, 400);
  });
});

test('rate limit: fixed windows aligned to the clock, headers on every answer, 429 when spent', async () => {
  const vt = new VirtualTime(Date.UTC(2026, 0, 1, 0, 0, 1, 500));
  await withServer({ budget: { limit: 2, windowMs: 3000 }, now: vt.now }, async (server) => {
    const a = await track(server, { attributes: [{ external_id: 'u' }] });
    const b = await track(server, { attributes: [{ external_id: 'u' }] });
    const c = await track(server, { attributes: [{ external_id: 'u' }] });
    const reset = String(Date.UTC(2026, 0, 1, 0, 0, 3) / 1000);
    assert.deepEqual([a.status, b.status, c.status], [201, 201, 429]);
    assert.deepEqual(
      [a, b, c].map((r) => [r.headers.get('X-RateLimit-Limit'), r.headers.get('X-RateLimit-Remaining'), r.headers.get('X-RateLimit-Reset')]),
      [['2', '1', reset], ['2', '0', reset], ['2', '0', reset]],
    );
    const unauthorised = await track(server, { attributes: [] }, { key: 'nope' });
    assert.equal(unauthorised.headers.get('x-ratelimit-reset'), reset);
    vt.advance(1500); // 00:00:03.000: a new window
    const d = await track(server, { attributes: [{ external_id: 'u' }] });
    assert.equal(d.status, 201);
    assert.equal(d.headers.get('x-ratelimit-remaining'), '1');
    assert.equal(server.stats().rateLimited, 1);
    assert.deepEqual(
      server.stats().trackWindows.map((w) => [w.used, w.rejected]),
      [[2, 1], [1, 0]],
    );
  });
});

test('faults: scripted 5xx, 429 and dropped connections, then a random rate', async () => {
  let seed = 1;
  const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  await withServer({ faults: { next: [503, 429, 'drop', 500] }, random }, async (server) => {
    const body = { attributes: [{ external_id: 'f' }] };
    assert.equal((await track(server, body)).status, 503);
    const limited = await track(server, body);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');
    await assert.rejects(track(server, body), /fetch failed/);
    assert.equal((await track(server, body)).status, 500);
    assert.equal((await track(server, body)).status, 201);
    assert.deepEqual(server.stats().statusCounts, { '503': 1, '429': 1, dropped: 1, '500': 1, '201': 1 });
    assert.deepEqual(
      server.state().requests.map((r) => r.fault ?? r.status),
      [503, 429, 'drop', 500, 201],
    );

    const set = await call(server, '/_local/faults', { rate: 0.5, kinds: [502] });
    assert.equal(set.status, 200);
    let failed = 0;
    for (let i = 0; i < 40; i++) if ((await track(server, body)).status === 502) failed++;
    assert.ok(failed > 5 && failed < 35, `${failed} of 40 failed at rate 0.5`);
    assert.equal((await call(server, '/_local/faults', { rate: 2 })).status, 400);
    assert.equal((await call(server, '/_local/faults', { next: [418] })).status, 400);
    assert.equal((await call(server, '/_local/faults', { nxt: [] })).status, 400);
  });
});

test('/_local/stats and /_local/reset', async () => {
  await withServer({}, async (server) => {
    await track(server, { attributes: [{ external_id: 'u' }], events: [{ external_id: 'u', name: 'e', time: '2026-01-01T00:00:00Z' }] });
    const stats = await call(server, '/_local/stats', undefined, { method: 'GET' });
    assert.equal(stats.json.requests, 1);
    assert.deepEqual(stats.json.objects, { attributes: 1, events: 1, purchases: 0, deleted: 0, errors: 0, catalog_items: 0, catalog_edited: 0, catalog_deleted: 0 });
    assert.equal(stats.json.profiles, 1);
    assert.equal((await call(server, '/_local/reset', {})).status, 200);
    assert.equal(server.stats().requests, 0);
    assert.equal(server.stats().profiles, 0);
    assert.equal(server.state().requests.length, 0);
    assert.equal((await call(server, '/_local/nothing', undefined, { method: 'GET' })).status, 404);
  });
});

test('refuses to start without an API key', async () => {
  await assert.rejects(startBrazeServer({ apiKeys: [] }), /at least one non-empty API key/);
});
