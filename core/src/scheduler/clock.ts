/**
 * The scheduler's only view of time: tests drive a manual clock (see testing.ts); the system clock
 * re-reads the wall clock at least every minute, so a suspended machine or a clock change is
 * noticed, and waits longer than setTimeout's 24.8-day limit (monthly schedules) still work.
 */
export interface SchedulerClock {
  now(): Date;
  /** Calls `fire` once, at or after `at`; returns a function that cancels it. */
  setTimer(at: Date, fire: () => void): () => void;
}

const MAX_STEP_MS = 60_000;

export const systemSchedulerClock: SchedulerClock = {
  now: () => new Date(),
  setTimer(at, fire) {
    let handle: NodeJS.Timeout | undefined;
    const check = () => {
      const left = at.getTime() - Date.now();
      if (left <= 0) fire();
      else handle = setTimeout(check, Math.min(left, MAX_STEP_MS));
    };
    handle = setTimeout(check, 0);
    return () => clearTimeout(handle);
  },
};
