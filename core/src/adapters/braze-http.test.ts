import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BrazeRequestError, createBrazeHttpClient, type BrazeHttpClient, type BrazeHttpClientOptions, type BrazeWaitInfo } from './braze-http';
import { startBrazeServer, type BrazeServer, type BrazeServerOptions } from '../braze-server/braze-server';
import { VirtualTime } from '../../testing/virtual-time';
import { preparedTrackBody } from '../sync/json-texts';
import { mapRow } from '../sync/row-mapping';

const KEY = 'sk-live-THE-SECRET-KEY-0123456789';

interface Harness {
  server: BrazeServer;
  client: BrazeHttpClient;
  waits: BrazeWaitInfo[];
  vt: VirtualTime;
}

/** A local server and a client sharing one virtual clock, so waits cost no real time. */
async function withHarness(
  serverOptions: Partial<BrazeServerOptions>,
  clientOptions: Partial<BrazeHttpClientOptions>,
  body: (h: Harness) => Promise<void>,
  vt = new VirtualTime(Date.UTC(2026, 10, 28, 10, 0, 0, 250)),
): Promise<void> {
  const server = await startBrazeServer({ apiKeys: [KEY], now: vt.now, ...serverOptions });
  const waits: BrazeWaitInfo[] = [];
  const client = createBrazeHttpClient({
    baseUrl: server.url,
    apiKey: KEY,
    concurrency: 4,
    clock: vt.clock,
    sleep: vt.sleep,
    random: () => 0.5,
    onWait: (w) => waits.push(w),
    ...clientOptions,
  });
  try {
    await body({ server, client, waits, vt });
  } finally {
    await client.close();
    await server.close();
  }
}

const attrs = (...ids: string[]) => ({ attributes: ids.map((external_id) => ({ external_id, seen: true })) });

async function rejection(promise: Promise<unknown>): Promise<BrazeRequestError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof BrazeRequestError, `expected a BrazeRequestError, got ${String(err)}`);
    assert.ok(!err.message.includes(KEY) && !String(err.stack).includes(KEY) && !JSON.stringify(err.details).includes(KEY), 'the API key never appears in errors');
    return err;
  }
  throw new Error('expected the request to fail');
}

test('track: 201 with the status and no object errors; the update reaches the profile', async () => {
  await withHarness({}, {}, async ({ server, client }) => {
    const result = await client.track(attrs('u1', 'u2'));
    assert.deepEqual(result, { status: 201, objectErrors: [] });
    assert.equal(server.profiles({ external_id: 'u2' })[0]?.attributes.seen, true);
    assert.deepEqual(client.stats(), { requests: 1, statusCounts: { '201': 1 }, rateLimited: 0, retries: 0, networkErrors: 0 });
  });
});

test('track: a prepared body (texts from mapRow) arrives intact', async () => {
  await withHarness({}, {}, async ({ server, client }) => {
    const mapped = mapRow({ updatedAt: '2026-11-28 10:00:00.5+00', ids: { external_id: 'prep' }, payload: '{"name":"opened","properties":{"k":"é"}}' }, 'custom_events');
    assert.ok(mapped.ok && mapped.kind === 'events');
    const result = await client.track(preparedTrackBody('events', [mapped]));
    assert.deepEqual(result, { status: 201, objectErrors: [] });
    assert.deepEqual(server.profiles({ external_id: 'prep' })[0]?.events, [{ name: 'opened', properties: { k: 'é' }, time: '2026-11-28T10:00:00.500000Z' }]);
  });
});

test('track: per-object errors come back by array and index', async () => {
  await withHarness({}, {}, async ({ client }) => {
    const result = await client.track({
      attributes: [{ external_id: 'ok' }, { external_id: 'blocked-1' }, { nobody: true }],
      events: [{ external_id: 'ok', name: 'e', time: '2026-11-28T10:00:00Z' }, { external_id: 'ok', name: 'e' }],
    });
    assert.equal(result.status, 201);
    assert.deepEqual(
      result.objectErrors.map((e) => [e.input_array, e.index]),
      [['attributes', 1], ['attributes', 2], ['events', 1]],
    );
    assert.equal(result.objectErrors[0]?.type, 'provided external_id is blacklisted and disallowed');
  });
});

test('deleteUsers: deletes and reports the count', async () => {
  await withHarness({}, {}, async ({ server, client }) => {
    await client.track(attrs('d1', 'd2'));
    assert.deepEqual(await client.deleteUsers({ external_ids: ['d1', 'd2'] }), { status: 201, deleted: 2 });
    assert.equal(server.stats().profiles, 0);
    const tooMany = await rejection(client.deleteUsers({ external_ids: Array.from({ length: 51 }, (_, i) => `x${i}`) }));
    assert.equal(tooMany.details.status, 400);
    assert.match(tooMany.message, /at most 50/);
  });
});

test('401: a clear error naming the fix, no retry, and the key is never echoed', async () => {
  await withHarness({ apiKeys: ['another-key'] }, {}, async ({ server, client }) => {
    const err = await rejection(client.track(attrs('u1')));
    assert.equal(err.message, 'Braze rejected the API key (401): check braze.api_key / the instance or endpoint; the key needs users.track.');
    assert.deepEqual(err.details, { status: 401, attempts: 1, transient: false });
    assert.equal(server.stats().requests, 1);
    const del = await rejection(client.deleteUsers({ external_ids: ['x'] }));
    assert.match(del.message, /the key needs users\.delete/);
  });
});

test('400 Max Input Length Exceeded and 413 are not retried and say to lower batch_size', async () => {
  await withHarness({ maxBodyBytes: 32 * 1024 }, {}, async ({ server, client }) => {
    const long = await rejection(client.track(attrs(...Array.from({ length: 76 }, (_, i) => `u${i}`))));
    assert.equal(long.details.status, 400);
    assert.match(long.message, /400 Max Input Length Exceeded\): lower batch_size/);
    const big = await rejection(client.track({ attributes: [{ external_id: 'u', blob: 'x'.repeat(40 * 1024) }] }));
    assert.equal(big.details.status, 413);
    assert.match(big.message, /lower batch_size so each request stays under 4 MB/);
    assert.equal(server.stats().requests, 2, 'no retries');
  });
});

test('429 with Reset: the client waits until the reset before it sends again, and never hammers', async () => {
  const vt = new VirtualTime(Date.UTC(2026, 10, 28, 10, 0, 1, 500));
  // Three requests probe the unknown window at once; the budget has room for one.
  await withHarness(
    { budget: { limit: 1, windowMs: 3000 } },
    { concurrency: 3 },
    async ({ server, client, waits }) => {
      const results = await Promise.all([client.track(attrs('a')), client.track(attrs('b')), client.track(attrs('c'))]);
      assert.ok(results.every((r) => r.status === 201));
      const reset = Date.UTC(2026, 10, 28, 10, 0, 3);
      const log = server.state().requests;
      const limited = log.filter((r) => r.status === 429);
      assert.equal(limited.length, 2, 'only the blind probes were answered 429');
      assert.ok(limited.every((r) => r.at < reset));
      const later = log.filter((r) => r.at >= reset);
      assert.deepEqual(later.map((r) => r.status), [201, 201], 'the retries came after the reset, one per window');
      assert.ok(log.filter((r) => r.status !== 429).every((r, i, all) => i === 0 || Math.floor(r.at / 3000) !== Math.floor((all[i - 1]?.at ?? 0) / 3000)));
      assert.ok(waits.some((w) => w.reason === '429' && w.status === 429 && w.ms > 0));
      assert.equal(client.stats().rateLimited, 2);
    },
    vt,
  );
});

test('an injected 429 makes every sender wait for the reset', async () => {
  await withHarness({ faults: { next: [429] } }, { concurrency: 1 }, async ({ server, client, waits }) => {
    await client.track(attrs('a'));
    const [first, second] = server.state().requests;
    assert.equal(first?.status, 429);
    const reset = Math.ceil(((first?.at ?? 0) + 1) / 3000) * 3000;
    assert.ok((second?.at ?? 0) >= reset, 'the retry arrived after X-RateLimit-Reset');
    assert.equal(second?.status, 201);
    assert.deepEqual(waits.map((w) => w.reason), ['429', 'rate-limit']);
  });
});

test('429 without rate-limit headers: exponential backoff and all senders pause', async () => {
  let calls = 0;
  const stub = await stubServer((_req, res) => {
    calls++;
    if (calls <= 2) {
      res.writeHead(429, { 'content-type': 'application/json' });
      res.end('{"message":"slow down"}');
    } else {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{"message":"success"}');
    }
  });
  const vt = new VirtualTime();
  const waits: BrazeWaitInfo[] = [];
  const client = createBrazeHttpClient({ baseUrl: stub.url, apiKey: KEY, concurrency: 1, clock: vt.clock, sleep: vt.sleep, random: () => 0.5, baseDelayMs: 100, onWait: (w) => waits.push(w) });
  try {
    const start = vt.now();
    assert.equal((await client.track(attrs('a'))).status, 201);
    assert.deepEqual(waits.filter((w) => w.reason === '429').map((w) => w.ms), [75, 150]);
    assert.ok(vt.now() - start >= 225);
  } finally {
    await client.close();
    await stub.close();
  }
});

test('5xx answers are retried with exponential backoff and jitter, then succeed', async () => {
  await withHarness({ faults: { next: [500, 502, 503] } }, { baseDelayMs: 200, random: () => 1 }, async ({ server, client, waits }) => {
    assert.equal((await client.track(attrs('a'))).status, 201);
    assert.deepEqual(waits, [
      { reason: 'retry', ms: 200, status: 500 },
      { reason: 'retry', ms: 400, status: 502 },
      { reason: 'retry', ms: 800, status: 503 },
    ]);
    assert.deepEqual(server.state().requests.map((r) => r.status), [500, 502, 503, 201]);
    assert.equal(client.stats().retries, 3);
  });
});

test('dropped connections are retried, then succeed', async () => {
  await withHarness({ faults: { next: ['drop', 'drop'] } }, {}, async ({ server, client, waits }) => {
    assert.equal((await client.track(attrs('a'))).status, 201);
    assert.deepEqual(server.state().requests.map((r) => r.status), [0, 0, 201]);
    assert.equal(client.stats().networkErrors, 2);
    assert.deepEqual(waits.map((w) => [w.reason, w.status]), [['retry', undefined], ['retry', undefined]]);
    assert.equal(server.profiles({ external_id: 'a' }).length, 1);
  });
});

test('retries exhausted: a clean error with the last status and what to do', async () => {
  await withHarness({ faults: { next: [503, 503, 503, 503] } }, { maxRetries: 2 }, async ({ server, client }) => {
    const err = await rejection(client.track(attrs('a')));
    assert.deepEqual(err.details, { status: 503, attempts: 3, transient: true });
    assert.match(err.message, /Braze kept failing for POST \/users\/track \(last answer 503 Injected fault: Service Unavailable\) after 3 attempts/);
    assert.match(err.message, /status\.braze\.com/);
    assert.equal(server.stats().requests, 3);
  });
  await withHarness({ faults: { rate: 1, kinds: [429] } }, { maxRetries: 3 }, async ({ client }) => {
    const err = await rejection(client.track(attrs('a')));
    assert.match(err.message, /kept answering 429 \(rate limited\) for POST \/users\/track after 4 attempts/);
  });
});

test('unreachable endpoint: retried, then "could not reach Braze" without the key', async () => {
  const stub = await stubServer(() => undefined);
  await stub.close(); // nothing listens on this port any more
  const vt = new VirtualTime();
  const client = createBrazeHttpClient({ baseUrl: stub.url, apiKey: KEY, maxRetries: 2, clock: vt.clock, sleep: vt.sleep });
  try {
    const err = await rejection(client.track(attrs('a')));
    assert.equal(err.details.code, 'ECONNREFUSED');
    assert.equal(err.details.attempts, 3);
    assert.match(err.message, new RegExp(`Could not reach Braze at ${stub.url.replace(/[.]/g, '\\.')} after 3 attempts`));
  } finally {
    await client.close();
  }
});

test('abort while waiting for the rate-limit reset rejects at once with an AbortError', async () => {
  const vt = new VirtualTime(Date.UTC(2026, 10, 28, 10, 0, 0, 5));
  const controller = new AbortController();
  // Real timers, frozen clock: the wait for the reset would last ~60 s if the abort were ignored.
  await withHarness(
    { budget: { limit: 1, windowMs: 60_000 } },
    { sleep: undefined, onWait: (w) => w.reason === 'rate-limit' && controller.abort() },
    async ({ server, client }) => {
      await client.track(attrs('a'));
      await assert.rejects(client.track(attrs('b'), controller.signal), { name: 'AbortError' });
      assert.equal(server.stats().requests, 1, 'the waiting request was never sent');
      assert.equal(client.stats().requests, 1);
      // Later calls still work and a pre-aborted signal rejects without sending.
      await assert.rejects(client.track(attrs('c'), controller.signal), { name: 'AbortError' });
    },
    vt,
  );
});

test('abort during a request rejects at once with an AbortError', { timeout: 20_000 }, async () => {
  const controller = new AbortController();
  await withHarness({ latencyMs: 60_000, onRequest: () => controller.abort() }, {}, async ({ client }) => {
    await assert.rejects(client.track(attrs('a'), controller.signal), { name: 'AbortError' });
    assert.equal(client.stats().networkErrors, 0);
  });
});

test('abort during a retry backoff rejects with an AbortError', async () => {
  const controller = new AbortController();
  await withHarness({ faults: { next: [503] } }, { sleep: undefined, baseDelayMs: 60_000, onWait: () => controller.abort() }, async ({ server, client }) => {
    await assert.rejects(client.track(attrs('a'), controller.signal), { name: 'AbortError' });
    assert.equal(server.stats().requests, 1);
  });
});

test('concurrent calls share the pool: at most `concurrency` requests and connections', async () => {
  await withHarness({ latencyMs: 15 }, { concurrency: 4 }, async ({ server, client }) => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => client.track(attrs(`c${i}`))));
    const stats = server.stats();
    assert.equal(stats.requests, 40);
    assert.equal(stats.maxConcurrent, 4);
    assert.equal(stats.connections, 4, 'keep-alive connections are reused');
  });
});

test('paces a burst of calls to the budget without 429s', async () => {
  await withHarness({ budget: { limit: 20, windowMs: 1000 } }, { concurrency: 4 }, async ({ server, client }) => {
    await Promise.all(Array.from({ length: 120 }, (_, i) => client.track(attrs(`p${i}`))));
    const stats = server.stats();
    assert.equal(stats.rateLimited, 0);
    assert.equal(stats.statusCounts['201'], 120);
    const windows = stats.trackWindows;
    assert.ok(windows.every((w) => w.used <= 20));
    // Virtual time runs ahead of real I/O here, so a window may close with answers still due and
    // up to `concurrency` requests of budget unused; braze-rate-limiter.test.ts measures the
    // utilisation itself with simulated latency.
    for (const w of windows.slice(1, -1)) assert.ok(w.used >= 20 - 4, `window used ${w.used} of 20`);
  });
});

test('errors from other answers: 403, 404, 400 with the key echoed, HTML 502, 301', async () => {
  const answers: [number, string][] = [
    [403, '{"message":"Access Denied"}'],
    [404, '{"message":"Not Found"}'],
    [400, `{"message":"bad header Bearer ${KEY}"}`],
    [502, '<html><body>Bad Gateway</body></html>'],
    [301, ''],
  ];
  const stub = await stubServer((_req, res) => {
    const [status, body] = answers.shift() ?? [201, '{}'];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  });
  const vt = new VirtualTime();
  const client = createBrazeHttpClient({ baseUrl: `${stub.url}/`, apiKey: KEY, maxRetries: 0, clock: vt.clock, sleep: vt.sleep });
  try {
    assert.match((await rejection(client.track(attrs('a')))).message, /403 Access Denied\): the API key lacks the users\.track permission/);
    assert.match((await rejection(client.track(attrs('a')))).message, /404 .*check braze\.instance \/ braze\.endpoint/);
    const echoed = await rejection(client.track(attrs('a')));
    assert.match(echoed.message, /invalid \(400 bad header Bearer \[redacted\]\)/);
    const html = await rejection(client.track(attrs('a')));
    assert.deepEqual(html.details, { status: 502, attempts: 1, transient: true });
    assert.match(html.message, /502 Bad Gateway/);
    assert.match((await rejection(client.track(attrs('a')))).message, /301 Moved Permanently .*the endpoint redirects; use the REST endpoint of your instance/);
  } finally {
    await client.close();
    await stub.close();
  }
});

test('a base URL with a path prefix is kept; bad URLs and empty keys are refused', async () => {
  const paths: string[] = [];
  const stub = await stubServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end('{"message":"success"}');
  });
  const client = createBrazeHttpClient({ baseUrl: `${stub.url}/proxy/braze/`, apiKey: KEY });
  try {
    await client.track(attrs('a'));
    assert.deepEqual(paths, ['/proxy/braze/users/track']);
  } finally {
    await client.close();
    await stub.close();
  }
  assert.throws(() => createBrazeHttpClient({ baseUrl: 'rest.iad-01.braze.com', apiKey: KEY }), /is not a URL: use the REST endpoint/);
  assert.throws(() => createBrazeHttpClient({ baseUrl: 'ftp://x', apiKey: KEY }), /must use https/);
  assert.throws(() => createBrazeHttpClient({ baseUrl: `https://user:${KEY}@x.example`, apiKey: KEY }), (e: Error) => /must not contain credentials/.test(e.message) && !e.message.includes(KEY));
  assert.throws(() => createBrazeHttpClient({ baseUrl: 'https://rest.iad-01.braze.com', apiKey: ' ' }), /braze\.api_key is empty/);
});

async function stubServer(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
