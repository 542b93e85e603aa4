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
 * `USED` never passes `maxBytes`: a store appends a record only if it
 * {@linkcode ByteRing.fits}, and otherwise waits as on a full buffer.
 *
 * A record is copied in and out word by word (`Int32Array` loops, which
 * beat `Uint8Array.prototype.set` for records of a few hundred bytes); a
 * take for a caller that decodes at once copies into this thread's scratch
 * space rather than a pooled view (`_byte_pool.ts`).
 */

import { pooledCopyWords, scratchCopyWords } from "./_byte_pool.ts";
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

/**
 * Records up to this many bytes are copied in word by word (a JS loop
 * beats `Uint8Array.prototype.set`'s call into the runtime for them).
 */
const WORD_COPY_MAX = 4096;

/**
 * The largest source buffer {@linkcode ByteRing.append} reads as words: the
 * entry below keeps its buffer alive until another takes its place, so a
 * user's large buffer (a `bytes` value) is copied with `set` instead.
 */
const SOURCE_MAX = 1 << 20;

/**
 * The last source buffer {@linkcode ByteRing.append} copied words from, and
 * its words: encodings come from a few buffers (the structured encoder's
 * scratch space, the byte pool), so one entry hits nearly every time. Null
 * words: the buffer cannot be read as words (its length is not a multiple
 * of 4, it is larger than {@linkcode SOURCE_MAX}, or it can grow or
 * shrink).
 */
let source: ArrayBufferLike | null = null;
let sourceWords: Int32Array | null = null;

/** `buffer` as words, or null if it is not read so. */
function wordsOf(buffer: ArrayBufferLike): Int32Array | null {
  const b = buffer as ArrayBuffer & { growable?: boolean };
  if (
    (b.byteLength & 3) !== 0 || b.byteLength > SOURCE_MAX ||
    b.resizable === true || b.growable === true
  ) {
    return null;
  }
  return new Int32Array(b);
}

/** The ring of one channel object. */
export class ByteRing {
  readonly #buffer: SharedArrayBuffer;
  readonly #h: Int32Array;
  /** The codec's slot size: 4 or 8, or 0 for length-prefixed records. */
  readonly #slot: number;
  /** Whether taken records may be pooled views (`_byte_pool.ts`). */
  readonly #pooled: boolean;
  /** The most bytes the ring may grow to (the buffer's bound is fixed). */
  readonly #limit: number;
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
    this.#limit = (buffer.maxByteLength - DATA) & ~7;
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
    return this.#limit;
  }

  /**
   * Whether a record of `need` bytes fits beside those in use, once the
   * ring has grown as far as it may: false means the sender waits for
   * receivers to free bytes, as for a full buffer.
   */
  fits(need: number): boolean {
    return this.#h[USED] + need <= this.#limit;
  }

  /**
   * Writes a record at the tail, growing the ring if needed; its offset.
   * The caller has checked that it {@linkcode ByteRing.fits} (past the
   * limit, the growth throws a `RangeError`).
   */
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
      const i32 = this.#i32;
      i32[pos >> 2] = n;
      let start = pos + 4;
      if (start === ring) start = 0;
      const from = bytes.byteOffset;
      let words: Int32Array | null = null;
      if (n <= WORD_COPY_MAX && (from & 3) === 0) {
        const buffer = bytes.buffer;
        if (buffer !== source) {
          sourceWords = wordsOf(buffer);
          source = sourceWords === null ? null : buffer;
        }
        words = sourceWords;
      }
      if (words !== null && from + pad4(n) <= words.length << 2) {
        // Whole words: the last one's bytes past `n` land in the record's
        // padding.
        const end = ring >> 2;
        let j = start >> 2;
        let i = from >> 2;
        for (let k = (n + 3) >> 2; k > 0; k--) {
          i32[j++] = words[i++];
          if (j === end) j = 0;
        }
      } else {
        const first = Math.min(n, ring - start);
        this.#u8.set(first === n ? bytes : bytes.subarray(0, first), start);
        if (first < n) this.#u8.set(bytes.subarray(first), 0);
      }
    }
    h[TAIL] = (pos + need) % ring;
    h[USED] += need;
    return pos;
  }

  /**
   * Removes the head record and returns its value (a private copy). With
   * `transient` (a decoding codec's record, decoded before anything else
   * takes one on this thread), the copy is a view of this thread's scratch
   * space (`_byte_pool.ts`), which the next such take overwrites.
   */
  take(transient = false): Raw {
    const h = this.#h;
    const raw = this.#read(h[HEAD], transient);
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

  /**
   * The value of the record at offset `pos`: a private copy, or with
   * `transient` a view of this thread's scratch space (see `take`).
   */
  #read(pos: number, transient = false): Raw {
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
        raw = transient
          ? scratchCopyWords(this.#i32, start >> 2, ring >> 2, n)
          : pooledCopyWords(this.#i32, start >> 2, ring >> 2, n);
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
