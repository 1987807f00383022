/**
 * Housekeeping of a file store's run history (`runs/` of one sync) without reading all of it: a
 * sync on a 15-minute schedule keeps up to 1,000 run files, and at nearly every start none of them
 * needs anything (reading them all took 0.2 s a start). One directory listing gives the runs,
 * newest first, and which of them have row errors. A run file is read only when
 * - it is newer than the last housekeeping: it may have been left `running` by a process that
 *   stopped. `.housekept` holds the newest id the last housekeeping went through; saving a
 *   `running` record at or before that id (an import, a clock set back) removes it, so the next
 *   housekeeping reads every run again;
 * - the start time its id begins with (`newRunId`) is within a day of an age limit: the exact age
 *   is then taken from the record, as before.
 * Runs past the count limits go without being read.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readJsonFile, readTextIfExists, writeFileAtomic } from './atomic-file';
import { DAY_MS, interruptedRun, MAX_RUNS, MAX_RUNS_WITH_ERRORS, retentionVerdict, ROW_ERROR_RETENTION_DAYS, RUN_RETENTION_DAYS } from './retention';
import { runIdTime, type RunRecord } from './run-record';

const RUN_SUFFIX = '.json';
const ERRORS_SUFFIX = '.errors.jsonl';
const MARKER = '.housekept';

export const runFileName = (id: string) => `${id}${RUN_SUFFIX}`;
export const errorsFileName = (id: string) => `${id}${ERRORS_SUFFIX}`;

/** Run ids newest first, and the ids with a row-errors file; nothing when `runsDir` does not exist. */
export async function listRunFiles(runsDir: string): Promise<{ ids: string[]; withErrors: Set<string> }> {
  let names: string[];
  try {
    names = await fs.readdir(runsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ids: [], withErrors: new Set() };
    throw err;
  }
  const ids: string[] = [];
  const withErrors = new Set<string>();
  for (const name of names) {
    if (name.startsWith('.')) continue;
    if (name.endsWith(ERRORS_SUFFIX)) withErrors.add(name.slice(0, -ERRORS_SUFFIX.length));
    else if (name.endsWith(RUN_SUFFIX)) ids.push(name.slice(0, -RUN_SUFFIX.length));
  }
  return { ids: ids.sort().reverse(), withErrors };
}

export async function housekeepRuns(runsDir: string, now: Date): Promise<void> {
  const { ids, withErrors } = await listRunFiles(runsDir);
  const housekept = await readMarker(runsDir);
  const rm = (name: string) => fs.rm(path.join(runsDir, name), { force: true });
  const dropErrors = async (id: string) => {
    if (withErrors.has(id)) await rm(errorsFileName(id));
  };
  for (const [i, id] of ids.entries()) {
    const overCount = i >= MAX_RUNS;
    const overErrorCount = i >= MAX_RUNS_WITH_ERRORS;
    const mayBeRunning = housekept === undefined || id > housekept;
    const errorsMayAge = withErrors.has(id) && !overErrorCount && nearAge(id, now, ROW_ERROR_RETENTION_DAYS);
    const mayNeedRecord = !overCount && (mayBeRunning || nearAge(id, now, RUN_RETENTION_DAYS) || errorsMayAge);
    let run: RunRecord | undefined;
    // A run not read is inside both age limits by the start time in its id.
    let ageMs = 0;
    if (mayNeedRecord) {
      run = await readJsonFile<RunRecord>(path.join(runsDir, runFileName(id))).catch(() => undefined);
      ageMs = run ? now.getTime() - Date.parse(run.started_at) : Number.POSITIVE_INFINITY;
    }
    const verdict = retentionVerdict({ ageMs, overCount, overErrorCount });
    if (verdict === 'drop') {
      await rm(runFileName(id));
      await dropErrors(id);
      continue;
    }
    if (verdict === 'drop-errors') await dropErrors(id);
    if (run?.status === 'running') await writeFileAtomic(path.join(runsDir, runFileName(id)), JSON.stringify(interruptedRun(run), null, 2) + '\n');
  }
  // Neither atomic nor fsynced: a marker lost or torn by a crash only makes the next housekeeping read every run.
  if (ids[0] !== undefined && ids[0] !== housekept) await fs.writeFile(path.join(runsDir, MARKER), ids[0]);
}

/** Called before a `running` record is saved: one at or before the last housekeeping's newest id would be missed by it. */
export async function beforeSavingRunning(runsDir: string, id: string): Promise<void> {
  const housekept = await readMarker(runsDir);
  if (housekept !== undefined && id <= housekept) await fs.rm(path.join(runsDir, MARKER), { force: true });
}

async function readMarker(runsDir: string): Promise<string | undefined> {
  return (await readTextIfExists(path.join(runsDir, MARKER)))?.trim();
}

/** Whether the run may be past `days` by the start time its id begins with (a day early; any id of another shape may). */
function nearAge(id: string, now: Date, days: number): boolean {
  const started = runIdTime(id);
  return started === undefined || now.getTime() - started > (days - 1) * DAY_MS;
}
