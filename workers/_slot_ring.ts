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
 * two. Up to {@linkcode MAX_PADDED_CAPACITY} slots (and if `maxBytes`
 * allows), each slot fills a 64-byte cache line, so a consumer a few values
 * behind its producer never writes the line the producer is writing: on a
 * 2-core machine that took a bare float64 producer-consumer pair from
 * about 88 to 54 ns per value, and `SharedChannel`'s `sendSync`/`recvSync`
 * pair from about 85 to 64. Larger rings pack their slots (8 bytes for
 * `int32`, 16 for `float64`):
 *
 * | where | name | meaning |
 * | --- | --- | --- |
 * | header word `tail` | `TAIL` | `ticket << 1 \| closed`: the next producer ticket, and bit 0 set once the channel is closed |
 * | header word `head` | `HEAD` | the next consumer ticket |
 * | slot `i`, bytes 0–3 | turn | bits 0–29: `2 * turn`, slot `i` is empty, waiting for the producer of lap `turn`; `2 * turn + 1`, it holds that producer's value. Bit 30 (`RECV_MARK`): a receiver waits for this word to change; bit 31 (`SEND_MARK`): a sender waits for it |
 * | slot `i`, bytes 4–7 | value (`int32`) | the value |
 * | slot `i`, bytes 8–15 | value (`float64`) | the value (bytes 4–7 are padding) |
 * | slot `i`, the rest | – | padding, up to the slot's size (64, 16 or 8 bytes) |
 *
 * Ticket `t` uses slot `t % capacity` on lap `turn = floor(t / capacity)`.
 * Tickets count modulo `capacity * laps`, with `laps = floor(2^29 /
 * capacity)`, so they fit in 30 bits and laps wrap cleanly.
 *
 * ## Protocol
 *
 * - Put: read the slot of ticket `t`; if it is empty for lap `turn`, claim
 *   `t` by compare-and-swap on `TAIL`, write the value, then swap in
 *   `2 * turn + 1`. A slot still holding lap `turn - 1`'s value means the
 *   queue is full. A set closed bit fails every later claim, so no value
 *   enters after `close`.
 * - Take: read the slot of ticket `t`; if it holds lap `turn`'s value,
 *   claim `t` on `HEAD`, read the value, then swap in `2 * (turn + 1)`.
 *   An empty slot means an empty queue, unless `TAIL` is past `t`: then a
 *   producer claimed `t` and is writing it. Once `TAIL` is closed and equal
 *   to `HEAD` the queue is drained.
 * - Runs (`putRun`, `takeRun`, for the batched `sendManySync` /
 *   `recvManySync`): check the slots of tickets `t`, `t + 1`, … one by one
 *   as above, claim all of them with one compare-and-swap (`t` to `t + k`),
 *   then fill or empty each. A slot found ready stays ready until its
 *   ticket's claimer changes it, so the check holds after the claim.
 * - Each object keeps its last seen `TAIL` / `HEAD` as a guess and lets the
 *   compare-and-swap correct it, which saves a shared read per call when
 *   one thread produces and another consumes.
 *
 * ## Waiting marks
 *
 * The queue only moves values; whoever waits for room or for a value sleeps
 * on the channel's futex words (see `shared_channel.ts`). To be woken, a
 * receiver first marks the slot it waits for (the head's) with
 * `RECV_MARK`, and a sender the slot it waits for (the tail's) with
 * `SEND_MARK`, by compare-and-swap against the state it saw. The swap that
 * next changes that slot's turn, put or take, returns the marks it cleared
 * in {@linkcode SlotRing.woke}, and its caller wakes those sides. A mark
 * and a swap are both read-modify-writes of one word, so either the swap
 * sees the mark or the mark's compare-and-swap sees the new turn and the
 * waiter does not sleep. A put or take that finds no mark reads nothing
 * else: the common case costs no shared read for waking.
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

/** Flags of {@linkcode SlotRing.woke}: which sides to wake. */
export const WAKE_RECEIVERS = 1;
export const WAKE_SENDERS = 2;

/** The mark bits of a turn word, and the turn bits. */
const RECV_MARK = 1 << 30;
const SEND_MARK = 1 << 31;
const TURN = ~(RECV_MARK | SEND_MARK);
/** Turns the marks a swap cleared into `WAKE_*` flags. */
const MARK_SHIFT = 30;

/** The largest capacity a slot ring serves: 2^20 slots. */
export const MAX_RING_CAPACITY = 1 << 20;

/** The largest capacity whose slots each get a cache line: 256 KiB. */
export const MAX_PADDED_CAPACITY = 4096;
/** The bytes of a padded slot: a cache line. */
const LINE = 64;

/**
 * The bytes per slot of a ring of `capacity` values of `value` bytes whose
 * data region may take up to `maxBytes`: a cache line if it fits (up to
 * {@linkcode MAX_PADDED_CAPACITY} slots), else `2 * value`; 0 if no slot
 * ring fits, or `capacity` is 0 or above {@linkcode MAX_RING_CAPACITY}.
 */
export function slotBytesFor(
  capacity: number,
  value: 4 | 8,
  maxBytes: number,
): number {
  if (capacity <= 0 || capacity > MAX_RING_CAPACITY) return 0;
  if (capacity <= MAX_PADDED_CAPACITY && capacity * LINE <= maxBytes) {
    return LINE;
  }
  return capacity * 2 * value <= maxBytes ? 2 * value : 0;
}

/** A slot ring over shared memory; one object per thread. */
export class SlotRing {
  readonly #words: Int32Array;
  readonly #tail: number;
  readonly #head: number;
  /**
   * The slots as 32-bit words: slot `i`'s turn is word `at = #stride * i`,
   * and an `int32` value word `at + 1`.
   */
  readonly #seqs: Int32Array;
  readonly #stride: number;
  /** Float64 values: slot `i`'s is element `at / 2 + 1`. */
  readonly #f64: Float64Array | null;
  readonly #capacity: number;
  readonly #laps: number;
  /** Tickets count modulo this: `capacity * laps`. */
  readonly #wrap: number;
  #tailGuess = 0;
  #headGuess = 0;
  /** The first ticket of the run `#claimRun` last claimed. */
  #runStart = 0;
  /**
   * The `WAKE_*` flags of the marks the last successful put or take
   * cleared: whom its caller must wake. Zero when nobody waits.
   */
  woke = 0;

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
    value: 4 | 8,
    slotBytes: number,
    laps: number = Math.floor(2 ** 29 / capacity),
  ) {
    this.#words = words;
    this.#tail = tail;
    this.#head = head;
    this.#capacity = capacity;
    this.#laps = laps;
    this.#wrap = capacity * this.#laps;
    this.#seqs = new Int32Array(buffer, offset, capacity * slotBytes / 4);
    this.#stride = slotBytes / 4;
    this.#f64 = value === 8
      ? new Float64Array(buffer, offset, capacity * slotBytes / 8)
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
      if ((s & TURN) === 2 * turn) {
        const next = t + 1 === this.#wrap ? 0 : t + 1;
        const seen = Atomics.compareExchange(words, this.#tail, pos, next << 1);
        if (seen === pos) {
          this.woke = this.#fill(at, turn, value);
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
      if ((s & TURN) === 2 * turn + 1) {
        const next = t + 1 === this.#wrap ? 0 : t + 1;
        const seen = Atomics.compareExchange(words, this.#head, t, next);
        if (seen === t) {
          const value = this.#valueAt(at);
          this.woke = this.#free(at, turn);
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

  /**
   * Adds up to `n` values, `values[from]` on, as one run of tickets claimed
   * with a single compare-and-swap: how many it added, 0 if the ring is
   * full or closed ({@linkcode SlotRing.put} tells which). `woke` holds the
   * marks of every slot it filled.
   */
  putRun(values: readonly number[], from: number, n: number): number {
    const k = this.#claimRun(n, 0);
    let woke = 0;
    for (let j = 0; j < k; j++) {
      const u = this.#ticket(this.#runStart + j);
      const i = u % this.#capacity;
      const turn = (u - i) / this.#capacity;
      woke |= this.#fill(i * this.#stride, turn, values[from + j]);
    }
    if (k > 0) this.woke = woke;
    return k;
  }

  /**
   * Removes up to `max` values as one run of tickets claimed with a single
   * compare-and-swap, appending them to `out`: how many it took, 0 if the
   * ring is empty or drained ({@linkcode SlotRing.take} tells which).
   * `woke` holds the marks of every slot it freed.
   */
  takeRun(max: number, out: number[]): number {
    const k = this.#claimRun(max, 1);
    let woke = 0;
    for (let j = 0; j < k; j++) {
      const u = this.#ticket(this.#runStart + j);
      const i = u % this.#capacity;
      const at = i * this.#stride;
      out.push(this.#valueAt(at));
      woke |= this.#free(at, (u - i) / this.#capacity);
    }
    if (k > 0) this.woke = woke;
    return k;
  }

  /**
   * Writes `value` into the claimed slot whose turn word is `at` and marks
   * it full for lap `turn`: the `WAKE_*` flags of the marks that cleared.
   */
  #fill(at: number, turn: number, value: number): number {
    if (this.#f64 !== null) this.#f64[at / 2 + 1] = value;
    else this.#seqs[at + 1] = value;
    return Atomics.exchange(this.#seqs, at, 2 * turn + 1) >>> MARK_SHIFT;
  }

  /** The value in the slot whose turn word is `at`. */
  #valueAt(at: number): number {
    return this.#f64 !== null ? this.#f64[at / 2 + 1] : this.#seqs[at + 1];
  }

  /**
   * Marks the claimed slot whose turn word is `at`, read on lap `turn`,
   * empty for the next lap: the `WAKE_*` flags of the marks that cleared.
   */
  #free(at: number, turn: number): number {
    const next = turn + 1 === this.#laps ? 0 : 2 * turn + 2;
    return Atomics.exchange(this.#seqs, at, next) >>> MARK_SHIFT;
  }

  /**
   * Claims a run of up to `most` tickets whose slots are ready: at the tail
   * for putting (`full` 0: empty slots), or at the head for taking (`full`
   * 1: slots holding values). Returns its length, with its first ticket in
   * `#runStart`; 0 if no slot is ready or, at the tail, the ring is closed.
   */
  #claimRun(most: number, full: 0 | 1): number {
    const words = this.#words;
    const atTail = full === 0;
    const index = atTail ? this.#tail : this.#head;
    let word = atTail ? this.#tailGuess : this.#headGuess;
    for (;;) {
      if (atTail && (word & 1) !== 0) return 0;
      const t = atTail ? word >>> 1 : word;
      const k = this.#readyRun(t, most, full);
      let next = word;
      if (k > 0) {
        const end = this.#ticket(t + k);
        next = atTail ? end << 1 : end;
        const seen = Atomics.compareExchange(words, index, word, next);
        if (seen !== word) {
          word = seen;
          continue;
        }
        this.#runStart = t;
      } else {
        // Nothing ready: done, unless our guess of the ticket was stale.
        const now = Atomics.load(words, index);
        if (now !== word) {
          word = now;
          continue;
        }
      }
      if (atTail) this.#tailGuess = next;
      else this.#headGuess = next;
      return k;
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
    return (Atomics.load(this.#seqs, i * this.#stride) & TURN) === 2 * turn;
  }

  /**
   * Whether a take would find a value or the ring drained; racy, a hint. A
   * value counts once it is written, not when its producer claims its slot.
   */
  canTake(): boolean {
    const t = Atomics.load(this.#words, this.#head);
    const i = t % this.#capacity;
    const turn = (t - i) / this.#capacity;
    const s = Atomics.load(this.#seqs, i * this.#stride);
    if ((s & TURN) === 2 * turn + 1) return true;
    const tail = Atomics.load(this.#words, this.#tail);
    return (tail & 1) !== 0 && (tail >>> 1) === t;
  }

  /**
   * A receiver is about to wait: marks the head's slot so that the put or
   * take that next changes it reports `WAKE_RECEIVERS`. False, marking
   * nothing, if the receiver need not wait: a value is there or the ring
   * is drained. The caller reads the futex word it will sleep on before
   * this call.
   */
  markTake(): boolean {
    const words = this.#words;
    const seqs = this.#seqs;
    for (;;) {
      const t = Atomics.load(words, this.#head);
      const i = t % this.#capacity;
      const turn = (t - i) / this.#capacity;
      const at = i * this.#stride;
      const s = Atomics.load(seqs, at);
      const state = s & TURN;
      if (state === 2 * turn + 1) return false;
      const tail = Atomics.load(words, this.#tail);
      if ((tail & 1) !== 0 && (tail >>> 1) === t) return false;
      // Empty for this lap, or the last lap's value not yet released by
      // its consumer; anything else means the head moved on: look again.
      if (state !== 2 * turn && state !== this.#lastFull(turn)) continue;
      if ((s & RECV_MARK) !== 0) return true;
      if (Atomics.compareExchange(seqs, at, s, s | RECV_MARK) === s) {
        return true;
      }
    }
  }

  /**
   * A sender is about to wait: marks the tail's slot so that the put or
   * take that next changes it reports `WAKE_SENDERS`. False, marking
   * nothing, if the sender need not wait: there is room or the ring is
   * closed. The caller reads the futex word it will sleep on before this
   * call.
   */
  markPut(): boolean {
    const words = this.#words;
    const seqs = this.#seqs;
    for (;;) {
      const pos = Atomics.load(words, this.#tail);
      if ((pos & 1) !== 0) return false;
      const t = pos >>> 1;
      const i = t % this.#capacity;
      const turn = (t - i) / this.#capacity;
      const at = i * this.#stride;
      const s = Atomics.load(seqs, at);
      const state = s & TURN;
      if (state === 2 * turn) return false;
      // The last lap's value, or its producer still writing it; anything
      // else means the tail moved on: look again.
      const last = this.#lastFull(turn);
      if (state !== last && state !== last - 1) continue;
      if ((s & SEND_MARK) !== 0) return true;
      if (Atomics.compareExchange(seqs, at, s, s | SEND_MARK) === s) {
        return true;
      }
    }
  }

  /**
   * How many slots, from ticket `t` on and at most `most`, are ready on
   * their lap: empty (`full` 0) or holding a value (`full` 1).
   */
  #readyRun(t: number, most: number, full: 0 | 1): number {
    const seqs = this.#seqs;
    const capacity = this.#capacity;
    let k = 0;
    for (; k < most; k++) {
      const u = this.#ticket(t + k);
      const i = u % capacity;
      const turn = (u - i) / capacity;
      const s = Atomics.load(seqs, i * this.#stride);
      if ((s & TURN) !== 2 * turn + full) break;
    }
    return k;
  }

  /** Ticket `t` (less than twice the wrap) counted modulo the wrap. */
  #ticket(t: number): number {
    return t < this.#wrap ? t : t - this.#wrap;
  }

  /** The turn word of a slot full with the value of the lap before `turn`. */
  #lastFull(turn: number): number {
    return 2 * (turn === 0 ? this.#laps : turn) - 1;
  }

  /** Fails every later put; values already in the ring stay for takers. */
  close(): void {
    Atomics.or(this.#words, this.#tail, 1);
  }
}
