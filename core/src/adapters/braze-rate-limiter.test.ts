import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter, type RateLimitReport } from './braze-rate-limiter';
import { VirtualTime } from '../../testing/virtual-time';

/** A fixed-window budget like the local server's, evaluated in virtual time. */
function virtualBudget(limit: number, windowMs: number) {
  const used = new Map<number, number>();
  let rejected = 0;
  return {
    used,
    get rejected() {
      return rejected;
    },
    /** Counts a request arriving at `at`; returns the headers its answer carries. */
    hit(at: number): RateLimitReport & { ok: boolean } {
      const start = Math.floor(at / windowMs) * windowMs;
      const n = used.get(start) ?? 0;
      const ok = n < limit;
      if (ok) used.set(start, n + 1);
      else rejected++;
      return { ok, limit, remaining: ok ? limit - n - 1 : 0, resetAt: Math.ceil((start + windowMs) / 1000) * 1000 };
    },
  };
}

async function simulate(options: { limit: number; windowMs: number; concurrency: number; workers: number; requests: number; latencyMs: number }) {
  const vt = new VirtualTime();
  const budget = virtualBudget(options.limit, options.windowMs);
  const pauses: number[] = [];
  const limiter = new RateLimiter({ concurrency: options.concurrency, now: vt.now, sleep: vt.sleep, onPause: (ms) => pauses.push(ms) });
  let next = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const start = vt.now();
  const worker = async () => {
    while (next < options.requests) {
      next++;
      await limiter.acquire();
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const answer = budget.hit(vt.now());
      await vt.sleep(options.latencyMs);
      inFlight--;
      limiter.release(answer);
      if (!answer.ok) next--; // retried
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
  return { budget, maxInFlight, pauses, elapsed: vt.now() - start, start };
}

test('paces to the budget: full windows, no request over the limit', async () => {
  const limit = 100;
  const windowMs = 1000;
  const r = await simulate({ limit, windowMs, concurrency: 8, workers: 16, requests: 1500, latencyMs: 5 });
  assert.equal(r.budget.rejected, 0, 'no request was answered 429');
  assert.ok(r.maxInFlight <= 8, `in flight ${r.maxInFlight}`);
  const windows = [...r.budget.used.entries()].sort((a, b) => a[0] - b[0]);
  // The first window is partial (the run starts mid-window) and so is the last.
  const full = windows.slice(1, -1);
  assert.ok(full.length >= 12, `${full.length} full windows`);
  for (const [startMs, used] of full) assert.ok(used >= 0.95 * limit, `window ${startMs - r.start}: ${used} of ${limit}`);
});

test('spreads requests over the window instead of bursting', async () => {
  const vt = new VirtualTime(Date.UTC(2026, 0, 1));
  const limiter = new RateLimiter({ concurrency: 4, now: vt.now, sleep: vt.sleep });
  // One answer tells the pacer: 10 requests left in the 1 s before the reset.
  await limiter.acquire();
  limiter.release({ limit: 100, remaining: 10, resetAt: vt.now() + 1000 });
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    await limiter.acquire();
    times.push(vt.now());
    limiter.release();
  }
  const start = Date.UTC(2026, 0, 1);
  // Evenly about 100 ms apart; the last one still before the reset.
  assert.ok(times[0] !== undefined && times[0] - start <= 100, `first at ${(times[0] ?? 0) - start}`);
  const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
  assert.ok(gaps.every((g) => g >= 80 && g <= 120), `gaps ${gaps.join(',')} (times ${times.map((t) => t - start).join(',')})`);
  assert.ok((times[9] ?? 0) - start <= 1000, `last at ${(times[9] ?? 0) - start}`);
});

test('pauses everyone until Reset when Remaining is 0, and reports the pause once', async () => {
  const vt = new VirtualTime(Date.UTC(2026, 0, 1));
  const pauses: number[] = [];
  const limiter = new RateLimiter({ concurrency: 4, now: vt.now, sleep: vt.sleep, onPause: (ms) => pauses.push(ms) });
  await limiter.acquire();
  const resetAt = vt.now() + 3000;
  limiter.release({ limit: 5, remaining: 0, resetAt });
  const granted: number[] = [];
  await Promise.all(
    [1, 2, 3].map(async () => {
      await limiter.acquire();
      granted.push(vt.now());
      limiter.release({ limit: 5, remaining: 4, resetAt: resetAt + 3000 });
    }),
  );
  assert.ok(granted.every((t) => t >= resetAt), 'no request before the reset');
  assert.deepEqual(pauses, [3010]);
});

test('before it knows the window it lets at most min(concurrency, Limit) probe', async () => {
  const vt = new VirtualTime(Date.UTC(2026, 0, 1));
  const limiter = new RateLimiter({ concurrency: 8, now: vt.now, sleep: vt.sleep });
  await limiter.acquire();
  limiter.release({ limit: 2 }); // Limit only, no window
  let granted = 0;
  const waiting = Array.from({ length: 5 }, () => limiter.acquire().then(() => granted++));
  await new Promise((r) => setImmediate(r));
  assert.equal(granted, 2);
  limiter.release({ limit: 2 });
  await new Promise((r) => setImmediate(r));
  assert.equal(granted, 3);
  for (let i = 0; i < 3; i++) limiter.release({ limit: 2 });
  await Promise.all(waiting);
});

test('block() holds every sender; answers from a finished window are ignored', async () => {
  const vt = new VirtualTime(Date.UTC(2026, 0, 1));
  const limiter = new RateLimiter({ concurrency: 2, now: vt.now, sleep: vt.sleep });
  const until = vt.now() + 750;
  limiter.block(until);
  await limiter.acquire();
  assert.ok(vt.now() >= until);
  // A stale answer (its window reset long ago) must not stop the pacer.
  limiter.release({ limit: 10, remaining: 0, resetAt: vt.now() - 5000 });
  const before = vt.now();
  await limiter.acquire();
  assert.equal(vt.now(), before);
  limiter.release();
});

test('an abort while queued rejects at once with an AbortError; close() rejects the rest', async () => {
  const vt = new VirtualTime(Date.UTC(2026, 0, 1));
  const limiter = new RateLimiter({ concurrency: 1, now: vt.now, sleep: vt.sleep });
  await limiter.acquire(); // the only slot
  const controller = new AbortController();
  const aborted = limiter.acquire(controller.signal);
  const closed = limiter.acquire();
  controller.abort();
  await assert.rejects(aborted, { name: 'AbortError' });
  limiter.close();
  await assert.rejects(closed, /closed/);
  await assert.rejects(limiter.acquire(), /closed/);
  const already = new AbortController();
  already.abort(new Error('stop'));
  await assert.rejects(new RateLimiter({ concurrency: 1, now: vt.now, sleep: vt.sleep }).acquire(already.signal), (e: Error) => e.name === 'AbortError' && (e.cause as Error).message === 'stop');
});
