/**
 * Before a `send: changed` run: open the sync's diff store and line it up with the recorded
 * watermark. The store is trusted only when it is at the watermark's checkpoint (or one past it,
 * the commit a crash left unrecorded, which is undone). Anything else (no store, a deleted or
 * unreadable one, a definition that changed, a store from another state) forgets the hashes and
 * the run sends every attribute: a doubt costs data points, never a skipped value. Each such
 * case is said in the run's warnings.
 */
import { hash } from 'node:crypto';
import { DiffStoreUnreadableError, type DiffStore, type DiffStoreFactory } from './diff-store';

export interface OpenedDiff {
  store: DiffStore;
  /** Why this run sends every attribute, when it does. */
  notice?: string;
}

const SENDS_ALL = 'this run sends every attribute (nothing is skipped) and records what Braze accepts';

/**
 * `recordedSeq`: the diff checkpoint the watermark recorded (state's `diff_seq`; 0 when none).
 * `stale`: a run since then sent attributes the store did not record (state's `diff_stale`).
 */
export async function openDiffStore(factory: DiffStoreFactory, fingerprint: string, recordedSeq: number, stale = false): Promise<OpenedDiff> {
  let store: DiffStore;
  let unreadable: string | undefined;
  try {
    store = await factory.open();
  } catch (err) {
    if (!(err instanceof DiffStoreUnreadableError)) throw err;
    const aside = await factory.discard('corrupt');
    unreadable = `${err.message} It was moved aside${aside ? ` to ${aside}` : ''} and a new one started: ${SENDS_ALL}.`;
    store = await factory.open();
  }
  const meta = store.meta();
  const restart = async (notice: string): Promise<OpenedDiff> => {
    await store.reset(fingerprint, recordedSeq);
    return { store, notice };
  };
  if (unreadable) return restart(unreadable);
  if (meta.fingerprint === undefined) {
    return restart(
      recordedSeq > 0
        ? `The diff store at ${factory.location} is missing although earlier runs recorded hashes (deleted?): a new one started, and ${SENDS_ALL}.`
        : `No hashes recorded yet for this sync: ${SENDS_ALL}.`,
    );
  }
  if (stale) {
    return restart(`An earlier run could not use the diff store and sent every attribute without recording them, so the hashes no longer say what Braze holds: they were forgotten, and ${SENDS_ALL}.`);
  }
  if (meta.fingerprint !== fingerprint) {
    return restart(`The sync's table, connection, Braze workspace or send mode changed since its hashes were recorded: they were forgotten, and ${SENDS_ALL}.`);
  }
  if (meta.seq === recordedSeq) return { store };
  if (meta.seq === recordedSeq + 1) {
    // The last run stopped between recording hashes and moving the watermark: undo those hashes,
    // so the rows it re-reads are compared with what the watermark says was delivered.
    try {
      await store.rollback();
      return { store };
    } catch {
      // No undo kept: fall through to starting over.
    }
  }
  return restart(
    `The diff store at ${factory.location} is at checkpoint ${meta.seq} but the watermark recorded ${recordedSeq} (state restored from a backup, or the store copied from elsewhere?): its hashes were forgotten, and ${SENDS_ALL}.`,
  );
}

/**
 * What the hashes are valid for: the Braze workspace, where the rows come from, and the mode.
 * Changing any of these forgets them.
 */
export function diffFingerprint(parts: { braze: string; source: string; table: string; dataType: string; send: string }): string {
  return hash('sha256', JSON.stringify([parts.braze, parts.source, parts.table, parts.dataType, parts.send]), 'hex').slice(0, 32);
}
