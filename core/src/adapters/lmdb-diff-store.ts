/**
 * The local diff store: an LMDB environment in the sync's state directory (`diff/`), through the
 * `lmdb` package (memory-mapped B+tree, ACID transactions, one writer and many readers across
 * processes, prebuilt binaries for Node 20). Item records are values under their 16-byte keys, so
 * JS memory holds only what a run is working on, whatever the number of profiles. Two short keys
 * hold the store's own data: `m` (JSON: sequence number, fingerprint) and `u` (the undo of the
 * last commit: per key, the record before and after it). lmdb is loaded when a store is first
 * opened, so hosts that never diff (or can't load native modules) don't need it.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { RootDatabase } from 'lmdb';
import { DiffStoreUnreadableError, type DiffStore, type DiffStoreFactory, type DiffStoreMeta } from '../diff/diff-store';
import { asBuffer, sameBytes, undoEntries, undoEntry } from '../diff/undo-record';

export const DIFF_DIR_NAME = 'diff';

const META_KEY = Buffer.from('m');
const UNDO_KEY = Buffer.from('u');

type Db = RootDatabase<Buffer, Uint8Array>;

export function lmdbDiffStoreFactory(syncDir: string): DiffStoreFactory {
  const dir = path.join(syncDir, DIFF_DIR_NAME);
  return {
    location: dir,
    async open() {
      const { open } = await loadLmdb();
      let db: Db;
      const damage = await headerDamage(path.join(dir, 'data.mdb'));
      if (damage) throw new DiffStoreUnreadableError(dir, damage);
      try {
        await fs.mkdir(dir, { recursive: true, mode: 0o700 });
        db = open({ path: dir, encoding: 'binary', keyEncoding: 'binary', overlappingSync: false, compression: false });
      } catch (err) {
        throw new DiffStoreUnreadableError(dir, (err as Error).message);
      }
      return lmdbDiffStore(db, dir);
    },
    async exists() {
      return fs.stat(path.join(dir, 'data.mdb')).then(
        () => true,
        () => false,
      );
    },
    async discard(keepAs) {
      if (keepAs !== 'corrupt') {
        await fs.rm(dir, { recursive: true, force: true });
        return undefined;
      }
      const aside = `${dir}.corrupt-${new Date().toISOString().replace(/[-:.]/g, '')}`;
      await fs.rename(dir, aside).catch(() => fs.rm(dir, { recursive: true, force: true }));
      return aside;
    },
  };
}

/** lmdb, or why it can't load here: no prebuilt binary for this platform (the VS Code extension carries linux-x64's only). */
async function loadLmdb(): Promise<typeof import('lmdb')> {
  try {
    return await import('lmdb');
  } catch (err) {
    throw new Error(
      `lmdb, which keeps the hashes on this machine, can't be loaded on ${process.platform}-${process.arch} (${(err as Error).message.split('\n')[0]}). ` +
        'The VS Code extension carries it for linux-x64 only: elsewhere, run send: changed syncs with the CLI, or keep their state (and hashes) in a state database',
    );
  }
}

function lmdbDiffStore(db: Db, dir: string): DiffStore {
  let meta = readMeta(db, dir);
  const writeMeta = (next: DiffStoreMeta) => {
    db.put(META_KEY, Buffer.from(JSON.stringify(next)));
    meta = next;
  };
  return {
    location: dir,
    meta: () => meta,
    // Valid until the next read: every caller decodes it at once, and the copy getBinary makes costs more than the read.
    get: (key) => db.getBinaryFast(key),
    async commit(seq, writes) {
      await db.transaction(() => {
        const undo: Buffer[] = [];
        for (const w of writes) {
          const before = db.getBinary(w.key);
          if (w.value) db.put(w.key, asBuffer(w.value));
          else db.remove(w.key);
          undo.push(undoEntry(w, before));
        }
        db.put(UNDO_KEY, Buffer.concat(undo));
        writeMeta({ ...meta, seq });
      });
    },
    async rollback() {
      const undo = db.getBinary(UNDO_KEY);
      if (!undo || meta.seq === 0) throw new Error('nothing to undo');
      await db.transaction(() => {
        for (const { key, before, after } of undoEntries(undo)) {
          const now = db.getBinary(key);
          // Only where the record is still what that commit wrote (a user delete may have forgotten it since).
          if (!sameBytes(now, after)) continue;
          if (before) db.put(key, before);
          else db.remove(key);
        }
        db.remove(UNDO_KEY);
        writeMeta({ ...meta, seq: meta.seq - 1 });
      });
    },
    async reset(fingerprint, seq) {
      await db.clearAsync();
      await db.transaction(() => writeMeta({ seq, fingerprint }));
    },
    async forget(keys) {
      if (keys.length === 0) return;
      await db.transaction(() => {
        for (const k of keys) db.remove(k);
      });
    },
    async sizeBytes() {
      const stat = await fs.stat(path.join(dir, 'data.mdb'));
      return stat.blocks * 512;
    },
    close: () => db.close(),
  };
}

/** LMDB's meta pages: a 24-byte page header, then the magic number, on each of the first two pages. */
const MAGIC = 0xbeefc0de;
const MAGIC_AT = 24;
const PAGE_SIZES = [4096, 8192, 16384, 32768, 65536];
const LARGEST_PAGE = 65536;

/**
 * Why the data file is not an LMDB environment, checked before LMDB maps it: LMDB trusts its file
 * (no checksums), and mapping one that is not its own can crash the process rather than fail.
 * Undefined when it looks sound, or does not exist yet.
 */
async function headerDamage(file: string): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    const handle = await fs.open(file, 'r');
    try {
      bytes = Buffer.alloc(LARGEST_PAGE + MAGIC_AT + 4);
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
      bytes = bytes.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : (err as Error).message;
  }
  if (bytes.length === 0) return undefined; // created, never written: LMDB initialises it
  const magicAt = (at: number) => bytes.length >= at + 4 && bytes.readUInt32LE(at) === MAGIC;
  if (!magicAt(MAGIC_AT)) return 'data.mdb is not an LMDB file';
  if (!PAGE_SIZES.some((size) => magicAt(size + MAGIC_AT))) return 'data.mdb is cut short or its second meta page is damaged';
  return undefined;
}

function readMeta(db: Db, dir: string): DiffStoreMeta {
  let raw: Buffer | undefined;
  try {
    raw = db.getBinary(META_KEY);
  } catch (err) {
    throw new DiffStoreUnreadableError(dir, (err as Error).message);
  }
  if (!raw) return { seq: 0, fingerprint: undefined };
  try {
    const parsed = JSON.parse(raw.toString('utf8')) as Partial<DiffStoreMeta>;
    if (typeof parsed.seq === 'number' && Number.isInteger(parsed.seq) && parsed.seq >= 0 && typeof parsed.fingerprint === 'string') return { seq: parsed.seq, fingerprint: parsed.fingerprint };
  } catch {
    // reported below
  }
  throw new DiffStoreUnreadableError(dir, 'its own record (sequence number, fingerprint) is damaged');
}
