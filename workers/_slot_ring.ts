// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * A lock-free bounded multi-producer multi-consumer queue of numbers in
 * shared memory: the buffer of a buffered {@linkcode SharedChannel} whose
 * codec has a fixed slot size (`int32`, `float64`). It is Dmitry Vyukov's
 * bounded MPMC queue: each slot carries a sequence word that says whose
 * turn it is, so a producer and a consumer touch different words and never
 * wait for each other's critical section. A channel lock taken for every
 * value made the two threads of a producer-consumer pair take turns; this
 * lets them run at once.
 *
 * ## Memory
 *
 * Two words of the channel header, each on its own cache line, and
 * `capacity` slots in the channel's data region. A slot keeps its turn word
 * next to its value, so handing one value over moves one cache line, not
 * two:
 *
 * | where | name | meaning |
 * | --- | --- | --- |
 * | header word `tail` | `TAIL` | `ticket << 1 \| closed`: the next producer ticket, and bit 0 set once the channel is closed |
 * | header word `head` | `HEAD` | the next consumer ticket |
 * | slot `i`, bytes 0–3 | turn | `2 * turn`: slot `i` is empty, waiting for the producer of lap `turn`; `2 * turn + 1`: it holds that producer's value |
 * | slot `i`, bytes 4–7 | value (`int32`) | the value, in an 8-byte slot |
 * | slot `i`, bytes 8–15 | value (`float64`) | the value, in a 16-byte slot (bytes 4–7 are padding) |
 *
 * Ticket `t` uses slot `t % capacity` on lap `turn = floor(t / capacity)`.
 * Tickets count modulo `capacity * laps`, with `laps = floor(2^29 /
 * capacity)`, so they fit in 30 bits and laps wrap cleanly.
 *
 * ## Protocol
 *
 * - Put: read the slot of ticket `t`; if it is empty for lap `turn`, claim
 *   `t` by compare-and-swap on `TAIL`, write the value, then store
 *   `2 * turn + 1`. A slot still holding lap `turn - 1`'s value means the
 *   queue is full. A set closed bit fails every later claim, so no value
 *   enters after `close`.
 * - Take: read the slot of ticket `t`; if it holds lap `turn`'s value,
 *   claim `t` on `HEAD`, read the value, then store `2 * (turn + 1)`.
 *   An empty slot means an empty queue, unless `TAIL` is past `t`: then a
 *   producer claimed `t` and is writing it. Once `TAIL` is closed and equal
 *   to `HEAD` the queue is drained.
 * - Each object keeps its last seen `TAIL` / `HEAD` as a guess and lets the
 *   compare-and-swap correct it, which saves a shared read per call when
 *   one thread produces and another consumes.
 *
 * The queue only moves values; whoever waits for room or for a value uses
 * the channel's futex words (see `shared_channel.ts`).
 *
 * Limitation: a producer terminated between its claim and its store leaves
 * the slot claimed but never filled; consumers of that ticket then wait
 * for it forever.
 */

/** {@linkcode SlotRing.put} results. */
export const PUT_OK = 0;
export const PUT_FULL = 1;
export const PUT_CLOSED = 2;

/** {@linkcode SlotRing.take} results other than a value. */
export const RING_EMPTY: unique symbol = Symbol("empty");
export const RING_DRAINED: unique symbol = Symbol("drained");

/** The largest capacity a slot ring serves: 2^20 slots. */
export const MAX_RING_CAPACITY = 1 << 20;

/** Bytes of the data region a ring of `capacity` `slot`-byte values uses. */
export function ringBytes(capacity: number, slot: number): number {
  return capacity * slot * 2;
}

/** A slot ring over shared memory; one object per thread. */
export class SlotRing {
  readonly #words: Int32Array;
  readonly #tail: number;
  readonly #head: number;
  /** The slots as 32-bit words: slot `i`'s turn is word `#stride * i`. */
  readonly #seqs: Int32Array;
  readonly #stride: number;
  /** Float64 values: slot `i`'s is element `2 * i + 1`. */
  readonly #f64: Float64Array | null;
  readonly #capacity: number;
  readonly #laps: number;
  /** Tickets count modulo this: `capacity * laps`. */
  readonly #wrap: number;
  #tailGuess = 0;
  #headGuess = 0;

  /**
   * Opens the ring whose `TAIL` and `HEAD` are `words[tail]` and
   * `words[head]`, with its arrays at byte `offset` of `buffer`. A new
   * ring's words and arrays are all zero: empty, every slot on lap 0.
   * `laps` overrides how many laps tickets count before they wrap (tests
   * use a few, to wrap quickly; at least 2, so that a full ring and an
   * empty one have different tickets); every object of one ring must agree.
   */
  constructor(
    words: Int32Array,
    tail: number,
    head: number,
    buffer: SharedArrayBuffer,
    offset: number,
    capacity: number,
    slot: 4 | 8,
    laps: number = Math.floor(2 ** 29 / capacity),
  ) {
    this.#words = words;
    this.#tail = tail;
    this.#head = head;
    this.#capacity = capacity;
    this.#laps = laps;
    this.#wrap = capacity * this.#laps;
    this.#seqs = new Int32Array(buffer, offset, capacity * slot / 2);
    this.#stride = slot / 2;
    this.#f64 = slot === 8
      ? new Float64Array(buffer, offset, capacity * 2)
      : null;
  }

  /** Adds a value at the tail: `PUT_OK`, `PUT_FULL` or `PUT_CLOSED`. */
  put(value: number): number {
    const words = this.#words;
    const seqs = this.#seqs;
    const capacity = this.#capacity;
    let pos = this.#tailGuess;
    for (;;) {
      if ((pos & 1) !== 0) return PUT_CLOSED;
      const t = pos >>> 1;
      const i = t % capacity;
      const turn = (t - i) / capacity;
      const at = i * this.#stride;
      const s = Atomics.load(seqs, at);
      if (s === 2 * turn) {
        const next = t + 1 === this.#wrap ? 0 : t + 1;
        const seen = Atomics.compareExchange(words, this.#tail, pos, next << 1);
        if (seen === pos) {
          if (this.#f64 !== null) this.#f64[2 * i + 1] = value;
          else seqs[at + 1] = value;
          Atomics.store(seqs, at, s + 1);
          this.#tailGuess = next << 1;
          return PUT_OK;
        }
        pos = seen;
        continue;
      }
      // Not empty for this lap: full if `pos` is still the tail (the slot
      // holds the previous lap's value), else our guess was stale.
      const now = Atomics.load(words, this.#tail);
      if (now === pos) {
        this.#tailGuess = pos;
        return PUT_FULL;
      }
      pos = now;
    }
  }

  /** Removes the value at the head, or says it is empty or drained. */
  take(): number | typeof RING_EMPTY | typeof RING_DRAINED {
    const words = this.#words;
    const seqs = this.#seqs;
    const capacity = this.#capacity;
    let t = this.#headGuess;
    for (;;) {
      const i = t % capacity;
      const turn = (t - i) / capacity;
      const at = i * this.#stride;
      const s = Atomics.load(seqs, at);
      if (s === 2 * turn + 1) {
        const next = t + 1 === this.#wrap ? 0 : t + 1;
        const seen = Atomics.compareExchange(words, this.#head, t, next);
        if (seen === t) {
          const value = this.#f64 !== null
            ? this.#f64[2 * i + 1]
            : seqs[at + 1];
          Atomics.store(seqs, at, turn + 1 === this.#laps ? 0 : s + 1);
          this.#headGuess = next;
          return value;
        }
        t = seen;
        continue;
      }
      const now = Atomics.load(words, this.#head);
      if (now !== t) {
        t = now;
        continue;
      }
      this.#headGuess = t;
      const tail = Atomics.load(words, this.#tail);
      if ((tail >>> 1) === t) {
        return (tail & 1) !== 0 ? RING_DRAINED : RING_EMPTY;
      }
      // A producer claimed ticket t and is writing its value. If the ring is
      // closed, no later put can fill t for us: wait for that write.
      if ((tail & 1) === 0) return RING_EMPTY;
    }
  }

  /** The number of values in the ring; racy, for `len(ch)` and hints. */
  size(): number {
    const tail = Atomics.load(this.#words, this.#tail) >>> 1;
    const head = Atomics.load(this.#words, this.#head);
    let n = tail - head;
    if (n < 0) n += this.#wrap;
    return n > this.#capacity ? this.#capacity : n;
  }

  /**
   * Whether a put would find room or the ring closed; racy, a hint. Room
   * means the tail's slot is empty for its lap, not just a gap between the
   * tickets: a consumer may have claimed a value it has not yet read.
   */
  canPut(): boolean {
    const pos = Atomics.load(this.#words, this.#tail);
    if ((pos & 1) !== 0) return true;
    const t = pos >>> 1;
    const i = t % this.#capacity;
    const turn = (t - i) / this.#capacity;
    return Atomics.load(this.#seqs, i * this.#stride) === 2 * turn;
  }

  /**
   * Whether a take would find a value or the ring drained; racy, a hint. A
   * value counts once it is written, not when its producer claims its slot.
   */
  canTake(): boolean {
    const t = Atomics.load(this.#words, this.#head);
    const i = t % this.#capacity;
    const turn = (t - i) / this.#capacity;
    if (Atomics.load(this.#seqs, i * this.#stride) === 2 * turn + 1) {
      return true;
    }
    const tail = Atomics.load(this.#words, this.#tail);
    return (tail & 1) !== 0 && (tail >>> 1) === t;
  }

  /** Fails every later put; values already in the ring stay for takers. */
  close(): void {
    Atomics.or(this.#words, this.#tail, 1);
  }
}
