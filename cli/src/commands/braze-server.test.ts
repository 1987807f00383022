import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { UsageError, type CliIo } from '../command';
import { runBrazeServer } from './braze-server';

/** An io whose stdout resolves `url` as soon as the server prints where it listens. */
function captureIo(env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  let found: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (found = resolve));
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        append(chunk.toString());
        done();
      },
    });
  const io: CliIo = {
    stdout: sink((s) => {
      out += s;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) found(m[1]);
    }),
    stderr: sink((s) => (err += s)),
    env,
    cwd: process.cwd(),
  };
  return { io, url, out: () => out, err: () => err };
}

test('braze-server serves /users/track with the given key and budget until stopped', async () => {
  const { io, url, out } = captureIo();
  const stop = new AbortController();
  const running = runBrazeServer(['--port', '0', '--api-key', 'k1', '--api-key', 'k2', '--budget', '10/1.5', '--latency', '1', '--fail-rate', '0'], io, stop.signal);
  const base = await url;
  const res = await fetch(`${base}/users/track`, {
    method: 'POST',
    headers: { authorization: 'Bearer k2', 'content-type': 'application/json' },
    body: JSON.stringify({ attributes: [{ external_id: 'cli-user', a: 1 }] }),
  });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('x-ratelimit-limit'), '10');
  const profiles = (await (await fetch(`${base}/_local/profiles?external_id=cli-user`)).json()) as { profiles: { attributes: unknown }[] };
  assert.deepEqual(profiles.profiles[0]?.attributes, { a: 1 });
  stop.abort();
  assert.equal(await running, 0);
  assert.match(out(), /10 requests per 1\.5 s, 2 API keys, latency 1 ms/);
  assert.match(out(), /Stopped after 1 API request; 1 profile held\./);
  await assert.rejects(fetch(`${base}/_local/stats`), 'the server is closed');
});

test('braze-server takes the key from BRAZE_API_KEY and never prints it', async () => {
  const { io, url, out, err } = captureIo({ BRAZE_API_KEY: 'env-secret-key' });
  const stop = new AbortController();
  const running = runBrazeServer(['--port', '0'], io, stop.signal);
  const base = await url;
  const denied = await fetch(`${base}/users/track`, { method: 'POST', headers: { authorization: 'Bearer other' }, body: '{}' });
  assert.equal(denied.status, 401);
  const ok = await fetch(`${base}/users/track`, { method: 'POST', headers: { authorization: 'Bearer env-secret-key' }, body: '{"attributes":[]}' });
  assert.equal(ok.status, 201);
  stop.abort();
  assert.equal(await running, 0);
  assert.ok(!out().includes('env-secret-key') && !err().includes('env-secret-key'));
  assert.match(out(), /3000 requests per 3 s, 1 API key\n/);
});

test('braze-server usage errors name the fix', async () => {
  const cases: [string[], RegExp][] = [
    [['--port', '0'], /no API key: set BRAZE_API_KEY/],
    [['--port', '70000', '--api-key', 'k'], /--port must be a port number/],
    [['--budget', '3000', '--api-key', 'k'], /--budget must be REQUESTS\/SECONDS such as 3000\/3/],
    [['--budget', '0/3', '--api-key', 'k'], /--budget must be/],
    [['--fail-rate', '1.5', '--api-key', 'k'], /--fail-rate must be a probability from 0 to 1/],
    [['--latency=-3', '--api-key', 'k'], /--latency must be a whole number/],
    [['--api-key', ''], /--api-key must not be empty/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--api-key', 'k', '--catalog', 'restaurants:Name'], /"Name" in --catalog restaurants:Name is not FIELD:TYPE/],
    [['--api-key', 'k', '--catalog', 'missing-file.json'], /cannot read --catalog missing-file\.json: ENOENT/],
  ];
  for (const [args, message] of cases) {
    await assert.rejects(runBrazeServer(args, captureIo().io, AbortSignal.abort()), (e: Error) => e instanceof UsageError && message.test(e.message), args.join(' '));
  }
});

test('braze-server reports a port in use', async () => {
  const first = captureIo();
  const stop = new AbortController();
  const running = runBrazeServer(['--port', '0', '--api-key', 'k'], first.io, stop.signal);
  const port = new URL(await first.url).port;
  await assert.rejects(runBrazeServer(['--port', port, '--api-key', 'k'], captureIo().io, AbortSignal.abort()), new RegExp(`port ${port} is already in use: pass --port N, or --port 0`));
  stop.abort();
  assert.equal(await running, 0);
});

test('braze-server --catalog: catalogs from a spec and from a JSON file take items and give them back', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brazesync-catalogs-'));
  try {
    writeFileSync(path.join(dir, 'menus.json'), JSON.stringify({ catalogs: [{ name: 'menus', fields: [{ name: 'Dish', type: 'string' }] }] }));
    const { io, url, out } = captureIo();
    io.cwd = dir;
    const stop = new AbortController();
    const running = runBrazeServer(['--port', '0', '--api-key', 'k', '--catalog', 'restaurants:Name:string,Rating:number', '--catalog', 'menus.json'], io, stop.signal);
    const base = await url;
    const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };
    const put = await fetch(`${base}/catalogs/restaurants/items`, { method: 'PUT', headers, body: JSON.stringify({ items: [{ id: 'r1', Name: 'Ada', Rating: 5 }] }) });
    assert.equal(put.status, 202);
    const wrong = await fetch(`${base}/catalogs/menus/items`, { method: 'PUT', headers, body: JSON.stringify({ items: [{ id: 'm1', Dish: 7 }] }) });
    assert.equal(wrong.status, 400);
    const got = (await (await fetch(`${base}/catalogs/restaurants/items`, { headers })).json()) as { items: unknown[] };
    assert.deepEqual(got.items, [{ id: 'r1', Name: 'Ada', Rating: 5 }]);
    stop.abort();
    assert.equal(await running, 0);
    assert.match(out(), /PUT\/PATCH\/DELETE\/GET \/catalogs\/\{catalog\}\/items for restaurants \(Name:string, Rating:number\); menus \(Dish:string\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
