/**
 * One job per sync across processes: an exclusive-create lock file holding the owner's pid. A
 * lock whose process is gone (crash, kill -9) is stale and is taken over; a live one is refused.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';

export interface LockOwner {
  pid: number;
  host: string;
  started_at: string;
  command?: string;
}

export class JobInProgressError extends Error {
  constructor(
    readonly owner: LockOwner,
    /** Where the lock is kept: a file, or the state database's lease. */
    readonly lockFile: string,
    message = `Another job is in progress for this sync (pid ${owner.pid} on ${owner.host}, started ${owner.started_at}). Wait for it to finish; if that process no longer exists, delete ${lockFile}.`,
  ) {
    super(message);
    this.name = 'JobInProgressError';
  }
}

export interface HeldLock {
  readonly file: string;
  /** True when a stale lock from a dead process was taken over (its run was interrupted). */
  readonly tookOver?: LockOwner;
  release(): Promise<void>;
}

function alive(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return true; // cannot check another machine: assume it runs
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockOwner>;
    return typeof parsed.pid === 'number' ? (parsed as LockOwner) : { pid: -1, host: os.hostname(), started_at: 'unknown' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Empty or torn: the writer died between create and write, so nobody holds it.
    return { pid: -1, host: os.hostname(), started_at: 'unknown' };
  }
}

export async function acquireLock(file: string, command?: string): Promise<HeldLock> {
  const me: LockOwner = { pid: process.pid, host: os.hostname(), started_at: new Date().toISOString(), ...(command ? { command } : {}) };
  let tookOver: LockOwner | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const handle = await fs.open(file, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(me));
        await handle.sync();
      } finally {
        await handle.close();
      }
      return {
        file,
        ...(tookOver ? { tookOver } : {}),
        async release() {
          const owner = await readOwner(file);
          if (owner?.pid === me.pid && owner.started_at === me.started_at) await fs.rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await readOwner(file);
    if (!owner) continue; // released meanwhile
    if (alive(owner)) throw new JobInProgressError(owner, file);
    // Stale: move it aside under a unique name; only one contender's rename of this file succeeds.
    const aside = `${file}.stale.${process.pid}`;
    try {
      await fs.rename(file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const moved = await readOwner(aside);
    if (moved && moved.pid !== owner.pid && alive(moved)) {
      // We moved a lock a live process had just created: give it back and yield.
      await fs.link(aside, file).catch(() => undefined);
      await fs.rm(aside, { force: true });
      throw new JobInProgressError(moved, file);
    }
    await fs.rm(aside, { force: true });
    tookOver = owner;
  }
  throw new Error(`Could not acquire ${file}: it keeps changing hands.`);
}
