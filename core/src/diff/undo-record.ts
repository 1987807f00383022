/**
 * The undo of a diff store's last commit, as one byte string every store keeps the same way: per
 * key written, its record before and after the commit. Rolling back restores a key only where it
 * still holds the "after" (a user delete may have forgotten it since).
 *   per key: u8 key length · key · u32 before length (ABSENT) · before · u32 after length · after
 */
import type { DiffWrite } from './diff-store';

const ABSENT = 0xffffffff;

export interface UndoEntry {
  key: Buffer;
  before: Buffer | undefined;
  after: Buffer | undefined;
}

/** One write's undo: `before` is the key's record before the commit (undefined: none). */
export function undoEntry(w: DiffWrite, before: Uint8Array | undefined): Buffer {
  const after = w.value;
  const out = Buffer.allocUnsafe(1 + w.key.length + 8 + (before?.length ?? 0) + (after?.length ?? 0));
  let at = out.writeUInt8(w.key.length, 0);
  at += Buffer.from(w.key).copy(out, at);
  at = out.writeUInt32LE(before ? before.length : ABSENT, at);
  if (before) at += asBuffer(before).copy(out, at);
  at = out.writeUInt32LE(after ? after.length : ABSENT, at);
  if (after) asBuffer(after).copy(out, at);
  return out;
}

export function* undoEntries(undo: Buffer): Generator<UndoEntry> {
  let at = 0;
  const part = (): Buffer | undefined => {
    const len = undo.readUInt32LE(at);
    at += 4;
    if (len === ABSENT) return undefined;
    const b = Buffer.from(undo.subarray(at, at + len));
    at += len;
    return b;
  };
  while (at < undo.length) {
    const keyLen = undo.readUInt8(at++);
    const key = Buffer.from(undo.subarray(at, at + keyLen));
    at += keyLen;
    const before = part();
    const after = part();
    yield { key, before, after };
  }
}

export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  return Buffer.compare(a, b) === 0;
}

/** A view of `bytes` as a Buffer, without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
