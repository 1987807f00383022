/**
 * Sync state on disk, one directory per sync:
 *   state.json               watermark, recorded data type, last connection test (atomic writes)
 *   watermark.journal        checkpoints since state.json was written (appended and fsynced);
 *                            `readState` applies them, `writeState` starts over
 *   lock                     pid of the process running a job (see lock-file.ts)
 *   runs/<id>.json           one run record each (atomic writes)
 *   runs/<id>.errors.jsonl   row-level errors of that run, appended and fsynced before commits
 *   runs/.housekept          the newest run the last housekeeping went through
 * Retention: run records for RUN_RETENTION_DAYS / MAX_RUNS, row errors for ROW_ERROR_RETENTION_DAYS
 * / MAX_RUNS_WITH_ERRORS (Braze keeps row logs 30 days, run metadata a year), kept by
 * file-run-housekeeping.ts without reading every run at every start.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { applyWatermarkDeltas, lastDiffSeq } from './watermark-journal';
import { readJsonFile, readTextIfExists, syncDir, writeFileAtomic } from './atomic-file';
import { acquireLock, type HeldLock } from './lock-file';
import type { RowErrorRecord, RunRecord } from './run-record';
import type { RowErrorSink, SyncStateStore, WatermarkDelta } from './state-store';
import { STATE_FILE_NAME, type SyncState } from './sync-state';
import { bufferedErrorSink } from './row-error-buffer';
import { beforeSavingRunning, errorsFileName, housekeepRuns, listRunFiles, runFileName } from './file-run-housekeeping';


export const JOURNAL_FILE_NAME = 'watermark.journal';

/**
 * state.json as stored: the state, plus the id of the journal that continues it. A journal whose
 * first line names another id belongs to an older snapshot (the process died between writing
 * state.json and deleting the journal) and is ignored.
 */
type StoredState = SyncState & { watermark_journal?: string };

export function createFileStateStore(dir: string): SyncStateStore {
  const stateFile = path.join(dir, STATE_FILE_NAME);
  const journalFile = path.join(dir, JOURNAL_FILE_NAME);
  /** Journal id of the snapshot this store last read or wrote. */
  let journalId: string | undefined;
  /** Whether the journal file on disk continues that snapshot (so appends go after its records). */
  let journalOnDisk = false;
  let appender: fs.FileHandle | undefined;
  const runsDir = path.join(dir, 'runs');
  const runFile = (id: string) => path.join(runsDir, runFileName(id));
  const errorsFile = (id: string) => path.join(runsDir, errorsFileName(id));

  const runIds = async () => (await listRunFiles(runsDir)).ids;

  async function readState(): Promise<SyncState | undefined> {
    const stored = await readJsonFile<StoredState>(stateFile);
    await closeAppender();
    journalId = stored?.watermark_journal;
    journalOnDisk = false;
    if (!stored) return undefined;
    const { watermark_journal: _id, ...state } = stored;
    if (journalId === undefined) return state;
    const deltas = await readJournal(journalFile, journalId);
    if (deltas === undefined) return state;
    journalOnDisk = true;
    if (deltas.length > 0) state.watermark = applyWatermarkDeltas(state.watermark, deltas);
    const diffSeq = lastDiffSeq(deltas);
    if (diffSeq !== undefined) state.diff_seq = diffSeq;
    return state;
  }

  async function writeState(state: SyncState): Promise<void> {
    await closeAppender();
    const id = randomBytes(6).toString('hex');
    await writeFileAtomic(stateFile, JSON.stringify({ ...state, watermark_journal: id } satisfies StoredState, null, 2) + '\n');
    journalId = id;
    journalOnDisk = false;
    // No need to make the removal durable: a journal left behind names the previous id.
    await fs.rm(journalFile, { force: true });
  }

  async function closeAppender(): Promise<void> {
    const handle = appender;
    appender = undefined;
    await handle?.close();
  }

  async function openAppender(): Promise<fs.FileHandle> {
    if (appender) return appender;
    if (journalId === undefined) {
      const state = await readState();
      if (!state) throw new Error(`${stateFile} does not exist: write the state before journalling checkpoints.`);
      if (journalId === undefined) await writeState(state); // state.json from before journals
    }
    if (journalOnDisk) {
      appender = await fs.open(journalFile, 'a', 0o600);
    } else {
      const handle = await fs.open(journalFile, 'w', 0o600);
      try {
        await handle.write(JSON.stringify({ journal: journalId }));
        await handle.sync();
        await syncDir(dir);
      } catch (err) {
        await handle.close();
        throw err;
      }
      appender = handle;
      journalOnDisk = true;
    }
    return appender;
  }

  return {
    dir,
    readState,
    writeState,
    async appendWatermark(delta: WatermarkDelta) {
      const handle = await openAppender();
      // Each record starts a new line, so one torn by a crash never spoils the next.
      await handle.write('\n' + JSON.stringify(delta));
      await handle.datasync();
    },
    async lock(command?: string): Promise<HeldLock> {
      await fs.mkdir(dir, { recursive: true });
      const held = await acquireLock(path.join(dir, 'lock'), command);
      // Journal appends happen under the lock: giving it up closes the journal.
      return {
        ...held,
        async release() {
          try {
            await closeAppender();
          } finally {
            await held.release();
          }
        },
      };
    },
    async saveRun(run) {
      if (run.status === 'running') await beforeSavingRunning(runsDir, run.id);
      await writeFileAtomic(runFile(run.id), JSON.stringify(run, null, 2) + '\n');
    },
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
    housekeeping: (now) => housekeepRuns(runsDir, now),
  };
}

/**
 * The checkpoints of journal `id`, oldest first; undefined when the file is missing or continues
 * another snapshot. Lines that do not parse are records a crash cut short: their checkpoint never
 * completed, so nothing relied on them.
 */
async function readJournal(file: string, id: string): Promise<WatermarkDelta[] | undefined> {
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  if (parseLine(lines[0] ?? '')?.journal !== id) return undefined;
  const deltas: WatermarkDelta[] = [];
  for (let i = 1; i < lines.length; i++) {
    const record = parseLine(lines[i] ?? '');
    if (isDelta(record)) deltas.push(record);
  }
  return deltas;
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isDelta(value: Record<string, unknown> | undefined): value is Record<string, unknown> & WatermarkDelta {
  return (
    value !== undefined &&
    typeof value.updated_at === 'string' &&
    (value.recent_from === undefined || typeof value.recent_from === 'string') &&
    (value.diff_seq === undefined || typeof value.diff_seq === 'number') &&
    Array.isArray(value.groups) &&
    value.groups.every((g: unknown) => typeof g === 'object' && g !== null && typeof (g as { updated_at?: unknown }).updated_at === 'string' && Array.isArray((g as { keys?: unknown }).keys))
  );
}

async function openErrorSink(file: string): Promise<RowErrorSink> {
  const handle = await fs.open(file, 'a', 0o600);
  return bufferedErrorSink(
    async (records) => {
      await handle.write(records.map((r) => JSON.stringify(r) + '\n').join(''));
      await handle.datasync();
    },
    () => handle.close(),
  );
}
