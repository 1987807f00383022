/** A shared state database on the test PostgreSQL: its URL, and a backend opened on it. */
import { openPgStateBackend, type PgBackendOptions, type PgStateBackend } from '../../core/src/adapters/pg-state/pg-state-backend';
import { resolveStateSettings } from '../../core/src/adapters/pg-state/state-config';
import type { TestPostgres } from './postgres';

export function stateUrl(db: Pick<TestPostgres, 'host' | 'port' | 'database'>, login: { user: string; password: string }): string {
  return `postgres://${encodeURIComponent(login.user)}:${encodeURIComponent(login.password)}@${db.host}:${db.port}/${db.database}?sslmode=disable`;
}

export function openTestStateBackend(url: string, schema: string, options: PgBackendOptions = {}): PgStateBackend {
  const settings = resolveStateSettings({ flag: url, env: () => undefined, schema });
  if (!settings) throw new Error('no state settings');
  return openPgStateBackend(settings, options);
}
