/**
 * Wraps `fn` so that a burst of calls runs it once, `ms` after the first call of the burst;
 * calls while it is pending join that run. `cancel` drops a pending run.
 */
export function coalesce(ms: number, fn: () => void): (() => void) & { cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
  return Object.assign(run, {
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  });
}
