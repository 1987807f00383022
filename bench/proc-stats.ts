/**
 * CPU and memory accounting from /proc (Linux) for `npm run bench:sync`. The machine may be shared,
 * so every timed run also reports the CPU seconds each process used: a slow run whose processes
 * used little CPU was waiting (on a link, a lock or another tenant), not working.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestPostgres } from '../test/support/postgres';

const TICKS_PER_SECOND = 100;

/** Fields of /proc/PID/stat after the command name (which may itself contain spaces). */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // the process is gone
  }
}

/** [utime+stime, cutime+cstime] of a process in seconds; undefined once it is gone. */
export function cpuOf(pid: number | string): [number, number] | undefined {
  const f = statFields(pid);
  // state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
  return f && [(Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND, (Number(f[13]) + Number(f[14])) / TICKS_PER_SECOND];
}

function parentOf(pid: string): number | undefined {
  const f = statFields(pid);
  return f && Number(f[1]);
}

function postmasterPid(db: TestPostgres): number {
  return Number(readFileSync(path.join(db.server.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

export function backends(db: TestPostgres): string[] {
  const postmaster = postmasterPid(db);
  return readdirSync('/proc').filter((pid) => /^\d+$/.test(pid) && parentOf(pid) === postmaster);
}

/** CPU seconds used so far by a PostgreSQL server: the postmaster, its live backends and the ones it reaped. */
export function postgresCpu(db: TestPostgres): number {
  const [own = 0, reaped = 0] = cpuOf(postmasterPid(db)) ?? [];
  return own + reaped + backends(db).reduce((n, pid) => n + (cpuOf(pid)?.[0] ?? 0), 0);
}

/** Waits (at most 2 s) until the backends started since `before` are gone, so their CPU time has been reaped. */
export async function backendsGone(db: TestPostgres, before: string[]): Promise<void> {
  for (let i = 0; i < 200 && backends(db).some((pid) => !before.includes(pid)); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** CPU seconds of this process's finished children (psql, the CLI runs). */
export const reapedChildrenCpu = () => cpuOf('self')?.[1] ?? 0;

export const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

/**
 * Follows a child's peak RSS (VmHWM, the kernel's own high-water mark, so a sample between two
 * peaks loses nothing) every 20 ms and whenever `sample()` is called; VmHWM dies with the process,
 * so the last sample before exit is what counts.
 */
export function watchPeakRss(pid: number): { sample(): void; stopMb(): number } {
  let peakKb = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m?.[1]) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // exited
    }
  };
  const timer = setInterval(sample, 20);
  return {
    sample,
    stopMb() {
      clearInterval(timer);
      return peakKb / 1024;
    },
  };
}
