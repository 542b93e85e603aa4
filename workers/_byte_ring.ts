// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * {@linkcode ByteRing}: the records of a `SharedChannel` kept under its
 * lock (`_locked_store.ts`): a ring of records in the data region, which
 * grows. Every method runs with the channel lock held.
 *
 * | header word | name | meaning |
 * | --- | --- | --- |
 * | 7 | `HEAD` | offset of the first record |
 * | 8 | `TAIL` | offset where the next record goes |
 * | 9 | `USED` | bytes in use (committed records and the offer) |
 * | 10 | `RING_SIZE` | the ring's size in bytes; a multiple of 8; grows, never shrinks |
 * | 6, 17 | `OFFERED`, `OFFER_POS` | read by a growth, which moves the offer record |
 *
 * Offsets are in bytes from the data region's start. A record of a
 * fixed-size codec is one 4- or 8-byte typed-array slot, aligned to its
 * size. A record of a variable-size codec is a 4-byte length `n` (aligned
 * to 4), then `n` payload bytes, which may wrap around the end of the ring,
 * then padding to a multiple of 4. `USED === 0` implies `HEAD === TAIL ===
 * 0`; a ring of length-prefixed records emptied by a take (or a dropped
 * offer) then holds -1 (`NO_RECORD`) in the length word at offset 0, where
 * its next record goes, which a receiver polls outside the lock
 * ({@linkcode ByteRing.awaitRecord}).
 *
 * The ring grows by doubling (`SharedArrayBuffer.prototype.grow`), up to
 * `maxBytes`, so no value size has to be known in advance; each thread maps
 * fixed-length views of it and remaps them when another thread grew it (V8
 * reads length-tracking views of a growable buffer many times slower).
 */

import { pooledCopyWords } from "./_byte_pool.ts";
import {
  CLOSED,
  DATA,
  HEAD,
  OFFER_POS,
  OFFERED,
  type Raw,
  RING_SIZE,
  TAIL,
  USED,
} from "./_channel_words.ts";

/**
 * The length word an emptied ring of length-prefixed records leaves at
 * offset 0, where its next record goes: no record has a negative length.
 */
const NO_RECORD = -1;

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** The ring of one channel object. */
export class ByteRing {
  readonly #buffer: SharedArrayBuffer;
  readonly #h: Int32Array;
  /** The codec's slot size: 4 or 8, or 0 for length-prefixed records. */
  readonly #slot: number;
  /** Whether taken records may be pooled views (`_byte_pool.ts`). */
  readonly #pooled: boolean;
  // Fixed-length views of the ring: V8 reads and writes them many times
  // faster than length-tracking views of a growable buffer. `#viewed` is
  // the ring size they cover; a thread whose views are older than a growth
  // made elsewhere remaps them before it touches the ring.
  #u8!: Uint8Array;
  #i32!: Int32Array;
  #f64!: Float64Array;
  #viewed = 0;

  /**
   * The ring of `buffer` with header `h`, of records of `slot` bytes (0 for
   * length-prefixed ones); `pooled` lets taken records be views of a shared
   * pool, for a codec that decodes them at once and keeps no reference.
   */
  constructor(
    buffer: SharedArrayBuffer,
    h: Int32Array,
    slot: number,
    pooled: boolean,
  ) {
    this.#buffer = buffer;
    this.#h = h;
    this.#slot = slot;
    this.#pooled = pooled;
    this.#map(h[RING_SIZE]);
  }

  /** Points the views at the first `size` bytes of the data region. */
  #map(size: number): void {
    const buffer = this.#buffer;
    this.#u8 = new Uint8Array(buffer, DATA, size);
    this.#i32 = new Int32Array(buffer, DATA, size >> 2);
    this.#f64 = new Float64Array(buffer, DATA, size >> 3);
    this.#viewed = size;
  }

  /** The bytes a record of `encoded` takes. */
  recordBytes(encoded: Raw): number {
    return this.#slot !== 0
      ? this.#slot
      : 4 + pad4((encoded as Uint8Array).length);
  }

  /** The most bytes the ring may grow to. */
  limit(): number {
    return (this.#buffer.maxByteLength - DATA) & ~7;
  }

  /** Writes a record at the tail, growing the ring if needed; its offset. */
  append(encoded: Raw): number {
    const h = this.#h;
    const need = this.recordBytes(encoded);
    if (h[USED] + need > h[RING_SIZE]) this.#grow(h[USED] + need);
    const ring = h[RING_SIZE];
    if (ring !== this.#viewed) this.#map(ring);
    const pos = h[TAIL];
    const slot = this.#slot;
    if (slot === 8) {
      this.#f64[pos >> 3] = encoded as number;
    } else if (slot === 4) {
      this.#i32[pos >> 2] = encoded as number;
    } else {
      const bytes = encoded as Uint8Array;
      const n = bytes.length;
      this.#i32[pos >> 2] = n;
      let start = pos + 4;
      if (start === ring) start = 0;
      const first = Math.min(n, ring - start);
      this.#u8.set(first === n ? bytes : bytes.subarray(0, first), start);
      if (first < n) this.#u8.set(bytes.subarray(first), 0);
    }
    h[TAIL] = (pos + need) % ring;
    h[USED] += need;
    return pos;
  }

  /** Removes the head record and returns its value (a private copy). */
  take(): Raw {
    const h = this.#h;
    const raw = this.#read(h[HEAD]);
    const need = this.#readBytes;
    const used = h[USED] - need;
    h[USED] = used;
    if (used === 0) this.#emptied();
    else h[HEAD] = (h[HEAD] + need) % h[RING_SIZE];
    return raw;
  }

  /**
   * Removes the last record, of `bytes` bytes at offset `pos` (the offer,
   * taken while records reserved for another receiver come before it),
   * and returns its value (a private copy).
   */
  takeLast(pos: number, bytes: number): Raw {
    const raw = this.#read(pos);
    this.dropLast(pos, bytes);
    return raw;
  }

  /** The size of the record {@linkcode ByteRing.#read} read last. */
  #readBytes = 0;

  /** The value of the record at offset `pos` (a private copy). */
  #read(pos: number): Raw {
    const h = this.#h;
    const ring = h[RING_SIZE];
    if (ring !== this.#viewed) this.#map(ring);
    const slot = this.#slot;
    let raw: Raw;
    let need = slot;
    if (slot === 8) {
      raw = this.#f64[pos >> 3];
    } else if (slot === 4) {
      raw = this.#i32[pos >> 2];
    } else {
      const n = this.#i32[pos >> 2];
      need = 4 + pad4(n);
      let start = pos + 4;
      if (start === ring) start = 0;
      if (this.#pooled) {
        raw = pooledCopyWords(this.#i32, start >> 2, ring >> 2, n);
      } else {
        const out = new Uint8Array(n);
        const first = Math.min(n, ring - start);
        out.set(this.#u8.subarray(start, start + first));
        if (first < n) out.set(this.#u8.subarray(0, n - first), first);
        raw = out;
      }
    }
    this.#readBytes = need;
    return raw;
  }

  /**
   * The ring holds no record: the next goes at offset 0. A ring of
   * length-prefixed records marks that word {@linkcode NO_RECORD}, for
   * {@linkcode ByteRing.awaitRecord}.
   */
  #emptied(): void {
    const h = this.#h;
    h[HEAD] = h[TAIL] = 0;
    if (this.#slot === 0) this.#i32[0] = NO_RECORD;
  }

  /**
   * Outside the lock, for a receiver about to take it: if the ring looks
   * empty, polls, at most `spins` times, until a record's length is
   * written at offset 0 (where the next record goes) or the channel is
   * closed. It reads the word the sender's append writes, on the line the
   * receiver then reads the record from, not the header's line, which the
   * sender holding the lock is writing. A hint only: the caller takes the
   * lock and looks again. Length-prefixed records only.
   */
  awaitRecord(spins: number): void {
    const h = this.#h;
    if (Atomics.load(h, USED) !== 0) return;
    const i32 = this.#i32;
    for (let i = 1; i <= spins && Atomics.load(i32, 0) === NO_RECORD; i++) {
      if ((i & 63) === 0 && Atomics.load(h, CLOSED) !== 0) return;
    }
  }

  /** Removes the last record, of `bytes` bytes at offset `pos`. */
  dropLast(pos: number, bytes: number): void {
    const h = this.#h;
    const used = h[USED] - bytes;
    h[USED] = used;
    if (used === 0) this.#emptied();
    else h[TAIL] = pos;
  }

  /**
   * Grows the ring to hold at least `min` bytes. A wrapped ring's front
   * part, `[HEAD, old size)`, moves to the end of the grown ring, so the
   * records stay in order; the offer's offset moves with it.
   */
  #grow(min: number): void {
    const h = this.#h;
    const old = h[RING_SIZE];
    const limit = this.limit();
    let size = old * 2;
    while (size < min) size *= 2;
    if (size > limit) size = limit;
    if (size < min) {
      throw new RangeError(
        `Cannot send on shared channel: the ring is full at its limit of ` +
          `${limit} bytes; receive values first or create it with a larger maxBytes`,
      );
    }
    this.#buffer.grow(DATA + size);
    this.#map(size);
    const head = h[HEAD];
    const used = h[USED];
    if (used > 0 && head + used > old) {
      const delta = size - old;
      this.#u8.copyWithin(head + delta, head, old);
      if (h[OFFERED] !== 0 && h[OFFER_POS] >= head) h[OFFER_POS] += delta;
      h[HEAD] = head + delta;
    } else if (used > 0 && head + used === old) {
      h[TAIL] = old;
    }
    h[RING_SIZE] = size;
  }
}
