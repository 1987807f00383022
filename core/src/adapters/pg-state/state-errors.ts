/**
 * What went wrong with the state database, said so a user can fix it: which database (host, port,
 * database, schema: never the URL or its password), what happened and what to do. Errors this
 * program raises on purpose (busy sync, lost lease, newer schema) pass through unchanged.
 */
import { JobInProgressError } from '../../state/lock-file';
import { errorMessage } from '../../sync/sync-errors';
import { LeaseLostError } from './pg-lease';
import { SchemaCreateDeniedError, StateSchemaTooNewError } from './migrations';
import type { PgStateSettings } from './state-config';

export class StateDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateDatabaseError';
  }
}

type Target = Pick<PgStateSettings, 'description' | 'user' | 'database' | 'schema' | 'redact'>;

export function explainStateError(err: unknown, target: Target): Error {
  if (err instanceof SchemaCreateDeniedError) {
    return new StateDatabaseError(
      `User "${target.user}" may not create schema "${target.schema}" in the state database (${target.description}); nothing was changed. ` +
        `Ask an administrator to run CREATE SCHEMA ${target.schema} AUTHORIZATION "${target.user}" (or GRANT CREATE ON DATABASE ${target.database} TO "${target.user}"), or run \`brazesync state migrate\` once as a user who may.`,
    );
  }
  if (err instanceof StateDatabaseError || err instanceof StateSchemaTooNewError || err instanceof LeaseLostError || err instanceof JobInProgressError) return err;
  const e = err as { code?: string; message?: string };
  const where = `the state database (${target.description})`;
  const detail = target.redact(errorMessage(err));
  switch (e.code) {
    case 'ECONNREFUSED':
      return new StateDatabaseError(`Cannot reach ${where}: connection refused. Check the host and port of the state URL and that PostgreSQL is running there; nothing was recorded.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StateDatabaseError(`Cannot reach ${where}: its host name does not resolve. Check the host of the state URL.`);
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return new StateDatabaseError(`Lost ${where} (${detail}). Runs record nothing until it is back; the next run resumes from the last recorded watermark.`);
    case '28P01':
    case '28000':
      return new StateDatabaseError(`${capital(where)} refused the login of user "${target.user}": wrong password, or the server does not let this user in from here. Fix the user or password in the state URL.`);
    case '3D000':
      return new StateDatabaseError(`${capital(where)} has no database "${target.database}". Create it, or fix the database name in the state URL.`);
    case '42501':
      return new StateDatabaseError(
        `User "${target.user}" may not use the tables of schema "${target.schema}" in ${where} (${detail}). ` +
          `Have its owner run GRANT USAGE ON SCHEMA ${target.schema} TO "${target.user}"; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${target.schema} TO "${target.user}"; GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${target.schema} TO "${target.user}", or use the owner's login.`,
      );
    case '57P01':
    case '57P03':
      return new StateDatabaseError(`${capital(where)} is shutting down or starting up (${detail}). Runs record nothing until it is back; the next run resumes from the last recorded watermark.`);
  }
  if (/does not support SSL/i.test(detail)) return new StateDatabaseError(`${capital(where)} does not accept TLS. Set \`state.ssl: disable\` (or sslmode=disable in the URL) if it is on a trusted network.`);
  if (/timeout|terminated/i.test(detail)) return new StateDatabaseError(`Lost ${where} (${detail}). Runs record nothing until it is back; the next run resumes from the last recorded watermark.`);
  return new StateDatabaseError(`${capital(where)} failed: ${detail}`);
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
