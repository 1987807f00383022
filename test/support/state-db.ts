/** A shared state database on the test PostgreSQL: its URL, and a backend opened on it. */
import { after, before } from 'node:test';
import { openPgStateBackend, type PgBackendOptions, type PgStateBackend } from '../../core/src/adapters/pg-state/pg-state-backend';
import { resolveStateSettings } from '../../core/src/adapters/pg-state/state-config';
import { startTestPostgres, type TestPostgres } from './postgres';

export function stateUrl(db: Pick<TestPostgres, 'host' | 'port' | 'database'>, login: { user: string; password: string }): string {
  return `postgres://${encodeURIComponent(login.user)}:${encodeURIComponent(login.password)}@${db.host}:${db.port}/${db.database}?sslmode=disable`;
}

export function openTestStateBackend(url: string, schema: string, options: PgBackendOptions = {}): PgStateBackend {
  const settings = resolveStateSettings({ flag: url, env: () => undefined, schema });
  if (!settings) throw new Error('no state settings');
  return openPgStateBackend(settings, options);
}

export interface StateDatabase {
  readonly db: TestPostgres;
  readonly backend: PgStateBackend;
}

/** A test file's PostgreSQL and a state backend on it in `schema`, started before its tests and stopped after them. */
export function useStateDatabase(schema: string, options: PgBackendOptions = {}): StateDatabase {
  let db: TestPostgres | undefined;
  let backend: PgStateBackend | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('The state database is not started (use it inside tests).');
    return value;
  };
  before(async () => {
    db = await startTestPostgres();
    backend = openTestStateBackend(stateUrl(db, db), schema, options);
  });
  after(async () => {
    await backend?.close();
    await db?.stop();
  });
  return {
    get db() {
      return started(db);
    },
    get backend() {
      return started(backend);
    },
  };
}
