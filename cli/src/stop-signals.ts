/** Exit code after an interrupt (128 + SIGINT), the shell convention. */
export const EXIT_CANCELLED = 130;

/**
 * Runs `body` with an AbortSignal that SIGINT or SIGTERM aborts (its reason is the signal's name),
 * so long-running commands stop gracefully and commit what they did. A second signal means "now":
 * the process exits at once with 130; nothing is lost, the next run resumes from the last commit.
 */
export async function withStopSignals<T>(body: (stop: AbortSignal) => Promise<T>, onFirstSignal?: (signal: NodeJS.Signals) => void): Promise<T> {
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) process.exit(EXIT_CANCELLED);
    onFirstSignal?.(signal);
    stop.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body(stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
