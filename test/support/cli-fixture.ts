/**
 * What the CLI test files share: a real PostgreSQL with `ingestion.users` and a read-only
 * `braze_user`, the local Braze server (2 ms of latency, so runs last long enough to interrupt),
 * a temp directory for definitions and state, and helpers to run the built CLI against them.
 * `useCliFixture()` registers the before/after hooks of the calling test file.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startBrazeServer, type BrazeServer } from '../../core/src/braze-server/braze-server';
import { createFileStateStore } from '../../core/src/state/file-state-store';
import type { SyncState } from '../../core/src/state/sync-state';
import { rowKey } from '../../core/src/sync/row-key';
import { parseTimestampMicros } from '../../core/src/model/timestamps';
import { assertCliBuilt, definitionText, startCli, type CliResult } from './cli';
import { startTestPostgres, type TestPostgres } from './postgres';

export const API_KEY = 'cli-test-key-0d9f8e7c6b5a';
export const READER_PASSWORD = 'reader-pw-5c4b3a29';

export interface CliFixture {
  readonly db: TestPostgres;
  readonly braze: BrazeServer;
  /** Temp directory; state lives in `<dir>/state` (BRAZESYNC_STATE_DIR). */
  readonly dir: string;
  /** A definition file for sync `users` reading `table` as `braze_user` over 127.0.0.1. */
  definition(table: string, extra?: { ssl?: string; user?: string; batchSize?: number; dataType?: string; catalog?: string; send?: string }): string;
  cli(args: string[], env?: Record<string, string>): ReturnType<typeof startCli>;
  run(args: string[], env?: Record<string, string>): Promise<CliResult>;
  /** Resolves once the Braze server has received `count` more API requests. */
  afterRequests(count: number): Promise<void>;
  /** The state directory of sync `users` of `file`. */
  syncDir(file: string): string;
  /** The recorded state as the next run sees it: state.json with its watermark journal applied. */
  recordedState(file: string): Promise<SyncState | undefined>;
  /** Creates `ingestion.<name>` (UPDATED_AT, EXTERNAL_ID, PAYLOAD) readable by braze_user. */
  table(name: string): Promise<string>;
  /** Fails unless every row of `table` below the watermark, and every boundary row, reached Braze. */
  assertWatermarkBehindDelivery(table: string, state: SyncState | undefined, context: string): Promise<void>;
}

export function useCliFixture(): CliFixture {
  let db: TestPostgres | undefined;
  let braze: BrazeServer | undefined;
  let dir: string | undefined;
  let requestHook: (() => void) | undefined;
  let fileSeq = 0;
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`The CLI fixture's ${what} is not started (use it inside tests).`);
    return value;
  };

  before(async () => {
    assertCliBuilt();
    db = await startTestPostgres();
    braze = await startBrazeServer({ port: 0, apiKeys: [API_KEY], budget: { limit: 1_000_000, windowMs: 1000 }, latencyMs: 2, onRequest: () => requestHook?.() });
    dir = mkdtempSync(path.join(os.tmpdir(), 'brazesync-cli-'));
    await db.createExampleTable('ingestion', 'users');
    await db.createReader('braze_user', READER_PASSWORD, ['ingestion.users']);
  });
  after(async () => {
    await braze?.close();
    await db?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const fixture: CliFixture = {
    get db() {
      return ready(db, 'PostgreSQL');
    },
    get braze() {
      return ready(braze, 'Braze server');
    },
    get dir() {
      return ready(dir, 'directory');
    },
    definition(table, extra = {}) {
      const file = path.join(fixture.dir, `f${++fileSeq}.brazesync.yaml`);
      const { db: pgServer, braze: server } = fixture;
      writeFileSync(file, definitionText({ brazeUrl: server.url, host: '127.0.0.1', port: pgServer.port, database: pgServer.database, user: 'braze_user', table, ...extra }));
      return file;
    },
    cli: (args, env = {}) => startCli(args, { TEST_BRAZE_KEY: API_KEY, TEST_PG_PASSWORD: READER_PASSWORD, BRAZESYNC_STATE_DIR: path.join(fixture.dir, 'state'), ...env }),
    run: (args, env) => fixture.cli(args, env).done,
    afterRequests(count) {
      return new Promise((resolve) => {
        let seen = 0;
        requestHook = () => {
          if (++seen === count) {
            requestHook = undefined;
            resolve();
          }
        };
      });
    },
    syncDir: (file) => path.join(fixture.dir, 'state', path.basename(file).replace('.brazesync.yaml', ''), 'users'),
    recordedState: (file) => createFileStateStore(fixture.syncDir(file)).readState(),
    async table(name) {
      const t = `ingestion.${name}`;
      await fixture.db.query(`CREATE TABLE ${t} (updated_at timestamptz, external_id varchar(256), payload varchar(65535))`);
      await fixture.db.query(`GRANT SELECT ON ${t} TO braze_user`);
      return t;
    },
    async assertWatermarkBehindDelivery(table, state, context) {
      const watermark = state?.watermark;
      if (!watermark) return;
      const got = new Set(fixture.braze.profiles().flatMap((p) => (p.external_id ? [p.external_id] : [])));
      const below = await fixture.db.query<{ external_id: string }>(`SELECT external_id FROM ${table} WHERE updated_at < $1`, [watermark.updated_at]);
      for (const r of below.rows) assert.ok(got.has(r.external_id), `${r.external_id} is below the watermark but was never delivered (${context})`);
      const at = await fixture.db.query<{ updated_at: string; external_id: string; payload: string }>(`SELECT updated_at::text, external_id, payload FROM ${table} WHERE updated_at = $1`, [watermark.updated_at]);
      const micros = parseTimestampMicros(watermark.updated_at);
      const deliveredKeys = new Set(at.rows.filter((r) => got.has(r.external_id)).map((r) => rowKey({ updatedAt: r.updated_at, ids: { external_id: r.external_id }, payload: r.payload }, micros)));
      for (const key of watermark.boundary_keys) assert.ok(deliveredKeys.has(key), `boundary key ${key} is not a delivered row (${context})`);
    },
  };
  return fixture;
}
