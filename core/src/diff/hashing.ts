/**
 * Hashes the diff store keeps instead of values and identifiers: 64 bits per attribute name and per
 * value, 128 bits per item identity. They are computed over spans of the text in place (no
 * substring is built) with a multiply-xorshift hash in two 32-bit lanes (128 bits: two runs with
 * different seeds): fast in plain JavaScript, where a row's diffing must cost well under a
 * microsecond of hashing (node:crypto's MD5 cost more than a microsecond per identifier, plus a
 * Buffer), and well distributed, though not cryptographic. The texts are the user's own data,
 * nobody chooses them to collide; with 64 bits, two different values collide about once in 2^64
 * comparisons, and 128 bits keep identity collisions negligible for billions of profiles. A fixed
 * 16-byte key means long or unicode identifiers cost the same, and the store holds no identifier
 * in clear.
 */

/** The hash of `text[start, end)` seeded with (`seed1`, `seed2`), in `out[at]` and `out[at + 1]`. */
export function hashSpan(text: string, start: number, end: number, seed1: number, seed2: number, out: Uint32Array, at: number): void {
  let h1 = 0xdeadbeef ^ seed1;
  let h2 = 0x41c6ce57 ^ seed2;
  for (let i = start; i < end; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 ^= end - start;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  out[at] = h1 >>> 0;
  out[at + 1] = h2 >>> 0;
}

/** The store key of an item, from its identity text (`external_id\u0001u1`, …), written into `out` (16 bytes). */
export function itemKeyInto(identity: string, out: Buffer): Buffer {
  hashSpan(identity, 0, identity.length, 0x9e3779b9, 0x7f4a7c15, lanes, 0);
  hashSpan(identity, 0, identity.length, 0x85ebca6b, 0xc2b2ae35, lanes, 2);
  for (let i = 0; i < 4; i++) out.writeUInt32LE(lanes[i] as number, i * 4);
  return out;
}

/** The store key of an item, in a Buffer of its own. */
export function itemKey(identity: string): Buffer {
  return itemKeyInto(identity, Buffer.allocUnsafe(16));
}

const lanes = new Uint32Array(4);
