/**
 * The server must survive any input: every request and notification handler runs through
 * `guarded`, which logs an exception with its stack and answers with an empty result instead of
 * letting it reach the connection (a rejected request) or the process (a crash).
 */

export type ErrorLog = (message: string) => void;

export function describeError(err: unknown): string {
  return err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
}

/**
 * Wraps `handler` so that a throw or rejection is logged as `<what> failed: …` and `fallback` is
 * returned. Example: `connection.onHover(guarded(log, 'hover', null, (params) => …))`.
 */
export function guarded<A extends unknown[], R>(log: ErrorLog, what: string, fallback: R, handler: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    try {
      return await handler(...args);
    } catch (err) {
      log(`${what} failed: ${describeError(err)}`);
      return fallback;
    }
  };
}
