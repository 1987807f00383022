/**
 * One item's record in the diff store: when it was last sent whole, and per attribute (by name
 * hash) the hash of the value Braze last accepted. 8 bytes of header, then 16 bytes per attribute:
 *   u8 version (1) · 3 bytes zero · u32 minutes since 1970 of the last full send (0: never)
 *   per attribute: u32 name hash lane 1, lane 2 · u32 value hash lane 1, lane 2 (little-endian)
 * A record that does not parse is treated as absent: its item is sent whole, never skipped.
 */
import { endianness } from 'node:os';

const VERSION = 1;
const LITTLE_ENDIAN = endianness() === 'LE';
const HEADER = 8;
const ENTRY = 16;

export class ItemRecord {
  /** Four u32 per attribute: name lanes, then value lanes. */
  private words: Uint32Array;
  private n: number;

  private constructor(words: Uint32Array, n: number, public fullAtMinutes: number) {
    this.words = words;
    this.n = n;
  }

  static empty(): ItemRecord {
    return new ItemRecord(new Uint32Array(16), 0, 0);
  }

  static decode(bytes: Uint8Array | undefined): ItemRecord | undefined {
    return ItemRecord.decodeInto(bytes, undefined);
  }

  /** Decodes into `into` (reusing its memory) when given, else into a new record. */
  static decodeInto(bytes: Uint8Array | undefined, into: ItemRecord | undefined): ItemRecord | undefined {
    if (!bytes || bytes.length < HEADER || bytes[0] !== VERSION || (bytes.length - HEADER) % ENTRY !== 0) return undefined;
    const n = (bytes.length - HEADER) / ENTRY;
    const record = into ?? new ItemRecord(new Uint32Array(Math.max(16, n * 4)), 0, 0);
    if (record.words.length < n * 4) record.words = new Uint32Array(n * 8);
    const fullAt = (bytes[4] ?? 0) | ((bytes[5] ?? 0) << 8) | ((bytes[6] ?? 0) << 16) | ((bytes[7] ?? 0) << 24);
    if (LITTLE_ENDIAN) {
      // One copy of the entries into the (aligned) words: the layout is little-endian u32s already.
      new Uint8Array(record.words.buffer, record.words.byteOffset, n * ENTRY).set(bytes.subarray(HEADER));
    } else {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i < n * 4; i++) record.words[i] = view.getUint32(HEADER + i * 4, true);
    }
    record.n = n;
    record.fullAtMinutes = fullAt >>> 0;
    return record;
  }

  clone(): ItemRecord {
    return new ItemRecord(this.words.slice(0, Math.max(16, this.n * 4)), this.n, this.fullAtMinutes);
  }

  get size(): number {
    return this.n;
  }

  /** Index of the attribute with name hash (a1, a2), or -1. */
  find(a1: number, a2: number): number {
    const w = this.words;
    for (let i = 0; i < this.n; i++) if (w[i * 4] === a1 && w[i * 4 + 1] === a2) return i;
    return -1;
  }

  /** Whether the attribute's recorded value hash is (v1, v2). */
  holds(a1: number, a2: number, v1: number, v2: number): boolean {
    const i = this.find(a1, a2);
    return i >= 0 && this.words[i * 4 + 2] === v1 && this.words[i * 4 + 3] === v2;
  }

  set(a1: number, a2: number, v1: number, v2: number): void {
    let i = this.find(a1, a2);
    if (i < 0) {
      if ((this.n + 1) * 4 > this.words.length) {
        const grown = new Uint32Array(this.words.length * 2);
        grown.set(this.words);
        this.words = grown;
      }
      i = this.n++;
      this.words[i * 4] = a1;
      this.words[i * 4 + 1] = a2;
    }
    this.words[i * 4 + 2] = v1;
    this.words[i * 4 + 3] = v2;
  }

  /** No attributes and no full send: what a `PUT` starts from, as it replaces the item. */
  clear(): void {
    this.n = 0;
    this.fullAtMinutes = 0;
  }

  remove(a1: number, a2: number): void {
    const i = this.find(a1, a2);
    if (i < 0) return;
    const last = --this.n;
    this.words.copyWithin(i * 4, last * 4, last * 4 + 4);
  }

  encode(): Uint8Array {
    const bytes = new Uint8Array(HEADER + this.n * ENTRY);
    bytes[0] = VERSION;
    const view = new DataView(bytes.buffer);
    view.setUint32(4, this.fullAtMinutes >>> 0, true);
    if (LITTLE_ENDIAN) bytes.set(new Uint8Array(this.words.buffer, this.words.byteOffset, this.n * ENTRY), HEADER);
    else for (let i = 0; i < this.n * 4; i++) view.setUint32(HEADER + i * 4, this.words[i] ?? 0, true);
    return bytes;
  }
}
