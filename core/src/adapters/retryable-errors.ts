/**
 * Errors after which the same read can simply be run again. Redshift reports a serializable
 * isolation violation as error 1023 (SQLSTATE 40001 on PostgreSQL and newer Redshift drivers), and
 * "Invalid snapshot identifier" when a concurrent transaction's snapshot went away; both say
 * nothing about the data or the user's setup, and a second try normally succeeds.
 */
interface PgLikeError {
  code?: unknown;
  message?: unknown;
}

const RETRYABLE_CODES = new Set(['40001', '40P01']);
const RETRYABLE_MESSAGES = [/\b1023\b.*serializable isolation/i, /serializable isolation violation/i, /invalid snapshot identifier/i];

export function isRetryableReadError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as PgLikeError;
  if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
  return typeof message === 'string' && RETRYABLE_MESSAGES.some((re) => re.test(message));
}

/**
 * A statement ended by a timeout: the server's statement_timeout or a WLM rule (57014), or pg's own
 * read timeout. A streamed read that was making progress goes on from where it was; one that never
 * got going would only time out again, so the caller decides with that in mind.
 */
export function isStatementTimeout(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as PgLikeError;
  return code === '57014' || message === 'Query read timeout';
}

/** Tries of one query before its error is final (the first included). */
export const READ_ATTEMPTS = 3;

/** Backoff before try `attempt` (1-based, so the first retry waits ~250 ms). */
export function retryDelayMs(attempt: number): number {
  return 250 * 2 ** (attempt - 1);
}
