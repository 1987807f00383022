/**
 * Sync state on disk, one directory per sync:
 *   state.json               watermark, recorded data type, last connection test (atomic writes)
 *   lock                     pid of the process running a job (see lock-file.ts)
 *   runs/<id>.json           one run record each (atomic writes)
 *   runs/<id>.errors.jsonl   row-level errors of that run, appended and fsynced before commits
 * Retention: run records for RUN_RETENTION_DAYS / MAX_RUNS, row errors for ROW_ERROR_RETENTION_DAYS
 * / MAX_RUNS_WITH_ERRORS (Braze keeps row logs 30 days, run metadata a year).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readJsonFile, writeFileAtomic } from './atomic-file';
import { acquireLock, type HeldLock } from './lock-file';
import type { RowErrorRecord, RunRecord } from './run-record';
import type { RowErrorSink, SyncStateStore } from './state-store';
import { STATE_FILE_NAME, type SyncState } from './sync-state';

export const RUN_RETENTION_DAYS = 400;
export const MAX_RUNS = 1000;
export const ROW_ERROR_RETENTION_DAYS = 30;
export const MAX_RUNS_WITH_ERRORS = 50;
export const MAX_ROW_ERRORS_PER_RUN = 10_000;
const DAY_MS = 86_400_000;

export function createFileStateStore(dir: string): SyncStateStore {
  const runsDir = path.join(dir, 'runs');
  const runFile = (id: string) => path.join(runsDir, `${id}.json`);
  const errorsFile = (id: string) => path.join(runsDir, `${id}.errors.jsonl`);

  async function runIds(): Promise<string[]> {
    try {
      return (await fs.readdir(runsDir))
        .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
        .map((f) => f.slice(0, -'.json'.length))
        .sort()
        .reverse();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  return {
    dir,
    readState: () => readJsonFile<SyncState>(path.join(dir, STATE_FILE_NAME)),
    writeState: (state) => writeFileAtomic(path.join(dir, STATE_FILE_NAME), JSON.stringify(state, null, 2) + '\n'),
    async lock(command?: string): Promise<HeldLock> {
      await fs.mkdir(dir, { recursive: true });
      return acquireLock(path.join(dir, 'lock'), command);
    },
    saveRun: (run) => writeFileAtomic(runFile(run.id), JSON.stringify(run, null, 2) + '\n'),
    async listRuns(limit = Number.POSITIVE_INFINITY) {
      const out: RunRecord[] = [];
      for (const id of await runIds()) {
        if (out.length >= limit) break;
        const run = await readJsonFile<RunRecord>(runFile(id)).catch(() => undefined);
        if (run) out.push(run);
      }
      return out;
    },
    async rowErrorSink(runId) {
      await fs.mkdir(runsDir, { recursive: true });
      return openErrorSink(errorsFile(runId));
    },
    async readRowErrors(runId, limit = Number.POSITIVE_INFINITY) {
      let text: string;
      try {
        text = await fs.readFile(errorsFile(runId), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const out: RowErrorRecord[] = [];
      for (const line of text.split('\n')) {
        if (out.length >= limit) break;
        if (!line) continue;
        try {
          out.push(JSON.parse(line) as RowErrorRecord);
        } catch {
          // A torn last line from a crash: its rows were never committed, so they are re-read.
        }
      }
      return out;
    },
    async housekeeping(now) {
      const ids = await runIds();
      for (const [i, id] of ids.entries()) {
        const run = await readJsonFile<RunRecord>(runFile(id)).catch(() => undefined);
        const started = run ? Date.parse(run.started_at) : 0;
        const age = now.getTime() - started;
        if (!run || i >= MAX_RUNS || age > RUN_RETENTION_DAYS * DAY_MS) {
          await fs.rm(runFile(id), { force: true });
          await fs.rm(errorsFile(id), { force: true });
          continue;
        }
        if (i >= MAX_RUNS_WITH_ERRORS || age > ROW_ERROR_RETENTION_DAYS * DAY_MS) await fs.rm(errorsFile(id), { force: true });
        if (run.status === 'running') {
          await writeFileAtomic(
            runFile(id),
            JSON.stringify(
              {
                ...run,
                status: 'error',
                interrupted: true,
                error: 'The process running this job stopped before it finished (killed or crashed). Rows delivered before its last checkpoint were kept; later runs resumed from there.',
              } satisfies RunRecord,
              null,
              2,
            ) + '\n',
          );
        }
      }
    },
  };
}

async function openErrorSink(file: string): Promise<RowErrorSink> {
  const handle = await fs.open(file, 'a', 0o600);
  let buffered: string[] = [];
  let written = 0;
  let chain: Promise<void> = Promise.resolve();
  const drain = () => {
    chain = chain.then(async () => {
      if (buffered.length === 0) return;
      const text = buffered.join('');
      buffered = [];
      await handle.write(text);
      await handle.datasync();
    });
    return chain;
  };
  return {
    append(records) {
      for (const r of records) {
        if (written >= MAX_ROW_ERRORS_PER_RUN) return;
        written++;
        buffered.push(JSON.stringify(r) + '\n');
      }
    },
    flush: drain,
    async close() {
      await drain();
      await handle.close();
    },
  };
}
