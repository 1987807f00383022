/**
 * Hashes the diff store keeps instead of values: 64 bits per attribute name and per value, 128 bits
 * per item identifier. Value and name hashes are computed over spans of the PAYLOAD text in place
 * (no substring is built), with a 64-bit multiply-xorshift hash in two 32-bit lanes: fast in plain
 * JavaScript and well distributed, though not cryptographic (the texts are the user's own data,
 * nobody chooses them to collide; the odds of two different values colliding are 1 in 2^64 per
 * comparison). Identifiers go through MD5 (node:crypto), once per row: a fixed 16-byte key, so
 * long or unicode identifiers cost the same and the store holds no identifier in clear.
 */
import { hash } from 'node:crypto';

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

/** The store key of an item: 16 bytes from its identity text (`external_id\u0001u1`, …). */
export function itemKey(identity: string): Buffer {
  return hash('md5', identity, 'buffer');
}
