/** A `brazesync scheduler` child's JSON log lines as they come, with a way to wait for one. */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { LogEntry } from '../../core/src/scheduler/log';

export function follow(child: ChildProcess) {
  const entries: LogEntry[] = [];
  const raw: string[] = [];
  let waiters: { match: (e: LogEntry) => boolean; resolve: (e: LogEntry) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    raw.push(line);
    const entry = JSON.parse(line) as LogEntry;
    entries.push(entry);
    for (const w of waiters.filter((x) => x.match(entry))) w.resolve(entry);
    waiters = waiters.filter((x) => !x.match(entry));
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    entries,
    raw,
    stderr: () => stderr,
    exit,
    waitFor(match: (e: LogEntry) => boolean): Promise<LogEntry> {
      const seen = entries.find(match);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}
