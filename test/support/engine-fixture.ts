/**
 * What the in-process engine tests share: a throwaway PostgreSQL and the local Braze server (a
 * budget that never limits), started before the file's tests and stopped after them.
 * `useEngineFixture()` registers the hooks of the calling test file.
 */
import { after, before } from 'node:test';
import { startBrazeServer, type BrazeServer } from '../../core/src/braze-server/braze-server';
import { startTestPostgres, type TestPostgres } from './postgres';
import { API_KEY } from './sync-harness';

export interface EngineFixture {
  readonly db: TestPostgres;
  readonly braze: BrazeServer;
  /** Called on every API request the Braze server receives (to act mid-run). */
  onRequest: (() => void) | undefined;
}

export function useEngineFixture(): EngineFixture {
  let db: TestPostgres | undefined;
  let braze: BrazeServer | undefined;
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`The engine fixture's ${what} is not started (use it inside tests).`);
    return value;
  };
  const fixture: EngineFixture = {
    get db() {
      return started(db, 'PostgreSQL');
    },
    get braze() {
      return started(braze, 'Braze server');
    },
    onRequest: undefined,
  };
  before(async () => {
    db = await startTestPostgres();
    braze = await startBrazeServer({ port: 0, apiKeys: [API_KEY], budget: { limit: 1_000_000, windowMs: 1000 }, onRequest: () => fixture.onRequest?.() });
  });
  after(async () => {
    await braze?.close();
    await db?.stop();
  });
  return fixture;
}

/** Runs `run` while the Braze server answers 503 to every request from the `n`th on (retries run out), then lifts the fault. */
export async function brazeDownFrom<T>(fx: EngineFixture, n: number, run: () => Promise<T>): Promise<T> {
  let requests = 0;
  fx.onRequest = () => {
    if (++requests === n) fx.braze.setFaults({ rate: 1, kinds: [503] });
  };
  try {
    return await run();
  } finally {
    fx.onRequest = undefined;
    fx.braze.setFaults({});
  }
}
