// Copyright the denogo authors. MIT license.

/**
 * {@linkcode SharedChannel}: a Go channel whose state and buffer live in one
 * `SharedArrayBuffer`, so the main thread and any number of workers send and
 * receive on it, in parallel, without `postMessage`.
 *
 * ## Memory layout
 *
 * The buffer is a header of 32-bit words followed by the data region. The
 * values live in one of two rings there:
 *
 * - a **slot ring** (`_slot_ring.ts`) for a buffered channel whose codec
 *   has a fixed slot size (`int32`, `float64`) and a capacity up to 2^20:
 *   a lock-free queue of exactly `capacity` slots, so a producer and a
 *   consumer on two threads do not take turns on the lock;
 * - a **byte ring** of length-prefixed records, under the lock, for every
 *   other channel: unbuffered ones (whose rendezvous needs the offer
 *   protocol below) and variable-size codecs (whose records need a ring
 *   that grows).
 *
 * An unbuffered `int32` or `float64` channel also has a **hand-off cell**
 * in the header, where one `recvSync` at a time waits for a sender to hand
 * it a value directly, without the lock (see "Direct hand-off").
 *
 * All offsets are in bytes from the data region's start. Header words are
 * written under the lock (word 0), except those marked atomic, which
 * lock-free paths also read or change.
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 0 | `LOCK` | the channel lock: 0 free, 1 held, 2 held with sleepers (see `_lock.ts`) |
 * | 1 | `MAGIC` | `0x64676368` ("dgch"): marks a SharedChannel buffer (read-only) |
 * | 2 | `CODEC` | the codec's index in `CODEC_NAMES` (read-only) |
 * | 3 | `CAPACITY` | Go's `cap(ch)`; 0 for an unbuffered channel (read-only) |
 * | 4 | `CLOSED` | 1 once `close()` ran (atomic) |
 * | 5 | `COUNT` | byte ring: committed records at the front: buffered values, plus values handed to blocked receivers |
 * | 6 | `OFFERED` | byte ring: 1 if one more record follows the committed ones: a blocked sender's offer |
 * | 7 | `HEAD` | byte ring: offset of the first record |
 * | 8 | `TAIL` | byte ring: offset where the next record goes |
 * | 9 | `USED` | byte ring: bytes in use (committed records and the offer) |
 * | 10 | `RING_SIZE` | byte ring: its size in bytes; a multiple of 8; grows, never shrinks |
 * | 11 | `RECV_WAITING` | receivers blocked on this channel, on every thread (atomic) |
 * | 12 | `SEND_WAITING` | senders blocked on this channel, on every thread, the offerer included (atomic) |
 * | 13 | `RECV_WATCHERS` | blocked selects with a receive case on this channel, on every thread: they watch `RECV_SEQ` but are not counted as receivers (atomic) |
 * | 14 | `SEND_WATCHERS` | blocked selects with a send case on this channel: they watch `SEND_SEQ` (atomic) |
 * | 15 | `RECV_ASYNC` | the receivers of `RECV_WAITING` that wait with `waitAsync` rather than in `recvSync` (atomic) |
 * | 16 | `SEND_ASYNC` | the senders of `SEND_WAITING` that wait with `waitAsync` (atomic) |
 * | 17 | `OFFER_POS` | byte ring: offset of the offer record (valid while `OFFERED`) |
 * | 18 | `OFFER_BYTES` | byte ring: size of the offer record (valid while `OFFERED`) |
 * | 19 | `OFFER_TICKET` | ticket of the latest offer; a sender's offer is known by its ticket |
 * | 20 | `ACKED` | ticket of the latest offer a receiver took (received, or moved into the buffer) |
 * | 21 | `ID` | a random number naming the channel, so that the objects of one thread that open it find each other (read-only) |
 * | 22 | `SLOT_RING` | the slot ring's bytes per slot if the values live in one, else 0 (read-only) |
 * | 32 | `RECV_SEQ` | futex word receivers sleep on: bumped and notified when a value or an offer arrives, or on close (atomic) |
 * | 33 | `RECV_SLEEPING` | `recvSync` calls inside `Atomics.wait` on `RECV_SEQ` (or about to be) (atomic) |
 * | 48 | `SEND_SEQ` | futex word senders sleep on: bumped and notified when room frees, an offer is taken or dropped, a receiver starts waiting, or on close (atomic) |
 * | 49 | `SEND_SLEEPING` | `sendSync` calls inside `Atomics.wait` on `SEND_SEQ` (atomic) |
 * | 64 | `RING_TAIL` | slot ring: the producers' ticket word (atomic) |
 * | 80 | `RING_HEAD` | slot ring: the consumers' ticket word (atomic) |
 * | 96 | `CELL` | hand-off cell: its state, below; also the futex word its `recvSync` sleeps on (atomic) |
 * | 98–99 | `CELL_VALUE` | hand-off cell: the value, as a float64 (an `int32` fits exactly) |
 *
 * Words 0 to 22 share two cache lines; each futex word, each ticket word
 * and the cell have a line of their own, so threads spinning on one do not
 * slow the threads writing another. The data region starts at byte 448.
 *
 * The slot ring's turn words and values are laid out in `_slot_ring.ts`.
 * In the byte ring, a record of a fixed-size codec is one 4- or 8-byte
 * typed-array slot, aligned to its size. A record of a variable-size codec
 * is a 4-byte length `n` (aligned to 4), then `n` payload bytes, which may
 * wrap around the end of the ring, then padding to a multiple of 4. The
 * ring grows by doubling (`SharedArrayBuffer.prototype.grow`, under the
 * lock), up to `maxBytes`, so no value size has to be known in advance;
 * each thread maps fixed-length views of it and remaps them when another
 * thread grew it (V8 reads length-tracking views of a growable buffer many
 * times slower).
 *
 * ## Byte ring invariants (under the lock)
 *
 * - `COUNT <= CAPACITY + RECV_WAITING`: values beyond the capacity exist
 *   only when handed to receivers that are blocked and will take them. An
 *   unbuffered channel therefore holds a value only on its way from a sender
 *   to a waiting receiver, and `size` reports `min(COUNT, CAPACITY)`.
 * - `OFFERED = 1` implies `COUNT >= CAPACITY + RECV_WAITING`: a sender
 *   offers only when it cannot commit, and when a receive makes room the
 *   offer is committed at once (moved into the buffer and acknowledged),
 *   as Go's `chanrecv` moves a blocked sender's value to the buffer's tail.
 *   So the offer is always the last record, and a new sender never
 *   overtakes it.
 * - At most one offer exists. Other blocked senders sleep on `SEND_SEQ` and
 *   retry; a sender's value is written to shared memory only once (commit
 *   or offer).
 * - A send completes when its value is committed: buffered, handed to a
 *   blocked receiver (who will take it), or, for an offer, when `ACKED`
 *   reaches its ticket. `close()` drops the offer (its sender fails with
 *   `ChannelClosedError`) but keeps every committed value, which later
 *   receives drain.
 * - Every state change a sleeper could be waiting for bumps the matching
 *   `*_SEQ` word, if `*_WAITING` or `*_WATCHERS` is above 0. A sleeper
 *   increments `*_WAITING` and reads `*_SEQ` under the lock, then sleeps on
 *   that value, so no wake-up is lost. The bump is followed by a `notify`
 *   only if someone may be inside a wait: an async waiter or select, or a
 *   sync caller that has stopped spinning (`*_SLEEPING`, which it increments
 *   before `Atomics.wait`, while the waker bumps `*_SEQ` before reading it:
 *   either the waker sees the sleeper or the sleeper sees the new `*_SEQ`).
 *   A spinning sync caller sees the bump without the cost of a `notify`.
 *   `notify` and local wake-ups go to async waiters only if `*_ASYNC` or
 *   `*_WATCHERS` counts one.
 *
 * ## Waiting
 *
 * Async operations (`send`, `receive`, `for await`) never block a thread:
 * each channel object keeps a local FIFO of its blocked operations and at
 * most one `Atomics.waitAsync` per futex word; when it fires, the queue is
 * served in order under one lock acquisition. `sendSync` / `recvSync` sleep
 * in `Atomics.wait` (workers only). Across threads, values keep FIFO order
 * and each thread serves its own blocked operations in order, but blocked
 * operations of different threads are not strictly served in arrival order:
 * when woken together they race for the lock.
 *
 * A slot ring's puts and takes take no lock and read no waiter counts:
 * reading two counts on every put and take cost a producer-consumer pair
 * about a quarter of its time. Instead a waiter counts itself in
 * `*_WAITING` (and `*_ASYNC`, or `*_WATCHERS`) for `close` and `notify`,
 * reads `*_SEQ`, then marks the slot it waits for in the ring's turn word
 * (`_slot_ring.ts`) and sleeps on the value it read. The put or take that
 * next changes that slot swaps the mark out with the new turn and bumps
 * `*_SEQ`; a mark that comes too late fails its compare-and-swap, and the
 * waiter looks again instead of sleeping. A slot ring holds no offers: a
 * sender (or a select's send case) on a full one waits for room.
 *
 * ## Direct hand-off
 *
 * Under the lock, one unbuffered hand-off moves about eight cache lines
 * between the two threads (lock, counts, ring data, futex word, on two
 * channels for a round trip). Go's `chansend` copies the value straight to
 * a waiting receiver (`sendDirect`); the cell does the same in one line.
 * Its state word:
 *
 * | state | meaning | who moves it on |
 * | --- | --- | --- |
 * | 0 `FREE` | nobody waits in the cell | a `recvSync` claims it: `WAITING` |
 * | 1 `WAITING` | a `recvSync` waits, spinning | a sender: `FILLING`; the receiver, before `Atomics.wait`: `ASLEEP`; an offer or `close`: `FREE` |
 * | 2 `ASLEEP` | ... and sleeps on this word | as `WAITING`, and whoever moves it on notifies |
 * | 3 `FILLING` | a sender writes `CELL_VALUE` | that sender: `FULL` |
 * | 4 `FULL` | a committed value waits there | any receiver: `TAKING` |
 * | 5 `TAKING` | a receiver reads `CELL_VALUE` | that receiver: `FREE` |
 *
 * Every transition out of `WAITING`, `ASLEEP` and `FULL` is a
 * compare-and-swap, so exactly one sender fills a waiting cell and exactly
 * one receiver takes a full one. The rules that keep it consistent with
 * the byte ring:
 *
 * - Any send (`sendSync` without the lock; `send`, `trySend`, a select's
 *   send case, under it) fills a waiting cell before it looks at
 *   `RECV_WAITING`: the receiver there is a blocked receiver, as in Go. A
 *   sender does not fill the cell while `COUNT > 0`: its own earlier value
 *   may still be in the ring, and must not be overtaken.
 * - Every receiver takes a `FULL` cell's value before the ring's records,
 *   which are newer. So it is not lost if its receiver is gone, and a
 *   filling sender wakes blocked receivers (`RECV_SEQ`) for that case.
 * - A `recvSync` claims the cell and then checks `CLOSED` and `OFFERED`;
 *   `close` and a sender that offers set those and then push a waiting
 *   receiver out of the cell (`FREE`). One of the two sees the other, so
 *   the receiver goes on under the lock, where the offer or the close is.
 *   It also wakes selects watching to send, which may now commit.
 *
 * While an async operation waits it does not park with the deadlock
 * detector: another thread the detector cannot see may complete it. It
 * counts as an armed timer instead (`timerArmed()` in `_parking.ts`), which
 * says "something outside can still wake us" and keeps the detector quiet.
 *
 * ## Select
 *
 * `select` (in `select.ts`) takes shared channels as cases. A blocked
 * select is not counted in `RECV_WAITING`: it counts itself in
 * `RECV_WATCHERS` / `SEND_WATCHERS`, sleeps on the sequence words and polls
 * under the lock when they change; a select with a send case may leave its
 * value as the channel's offer, withdrawn before it commits any other case.
 * See `_select.ts` for why exactly one case commits.
 *
 * ## Limitations
 *
 * A worker terminated inside a channel operation's critical section leaves
 * the channel locked, and one terminated while blocked leaves its waiting
 * count behind (an unbuffered `trySend` may then succeed with no live
 * receiver; the value stays in the channel for the next receiver, it is not
 * lost). A worker terminated inside a slot ring's put, between claiming a
 * slot and filling it, leaves that slot's receivers waiting for good, and
 * one terminated between filling the hand-off cell and marking it `FULL`
 * leaves the cell's receiver waiting. In Deno, `terminate()` stops a
 * worker blocked in `sendSync`/`recvSync` only when Deno kills its
 * isolate, about two seconds later (denoland/deno#14003); until then it
 * keeps sending and receiving. Close or drain channels before terminating
 * their workers.
 *
 * @module
 */

import {
  ChannelClosedError,
  type ChannelWaitOptions,
  type ReceiveChannel,
  type ReceiveResult,
  type SendChannel,
  type TryReceiveResult,
} from "../channel.ts";
import { timerArmed, timerDisarmed } from "../_parking.ts";
import { type Codec, CODEC_NAMES, codecFor, type CodecName } from "./codec.ts";
import { MainThreadWaitError } from "./errors.ts";
import { canBlock, inWorker, lock, unlock } from "./_lock.ts";
import { wakeWatchers } from "./_watch.ts";
import { Blocked } from "./_blocked.ts";
import {
  PUT_CLOSED,
  PUT_FULL,
  PUT_OK,
  RING_DRAINED,
  RING_EMPTY,
  slotBytesFor,
  SlotRing,
  WAKE_RECEIVERS,
  WAKE_SENDERS,
} from "./_slot_ring.ts";
import {
  CLOSED as SELECT_CLOSED,
  NOT_READY,
  sharedSelect,
} from "../_selectable.ts";
import {
  blockSelect,
  OFFER_COMMITTED,
  OFFER_MADE,
  OFFER_NONE,
  type SharedOps,
  sharedOps,
  WITHDRAWN,
} from "./_select.ts";

const LOCK = 0;
const MAGIC = 1;
const CODEC = 2;
const CAPACITY = 3;
const CLOSED = 4;
const COUNT = 5;
const OFFERED = 6;
const HEAD = 7;
const TAIL = 8;
const USED = 9;
const RING_SIZE = 10;
const RECV_WAITING = 11;
const SEND_WAITING = 12;
const RECV_WATCHERS = 13;
const SEND_WATCHERS = 14;
const RECV_ASYNC = 15;
const SEND_ASYNC = 16;
const OFFER_POS = 17;
const OFFER_BYTES = 18;
const OFFER_TICKET = 19;
const ACKED = 20;
const ID = 21;
const SLOT_RING = 22;
const RECV_SEQ = 32;
const RECV_SLEEPING = 33;
const SEND_SEQ = 48;
const SEND_SLEEPING = 49;
const RING_TAIL = 64;
const RING_HEAD = 80;
const CELL = 96;
const CELL_VALUE = 98;
const HEADER_WORDS = 112;
/** Offset of the data region; a multiple of 64, so no ring slot shares a cache line with the header. */
const DATA = HEADER_WORDS * 4;

const MAGIC_VALUE = 0x64676368;
const MAX_INT32 = 0x7fffffff;
/** The default bound on the ring: address space is reserved, not memory. */
const DEFAULT_MAX_BYTES = 1 << 30;
const INITIAL_MAX_BYTES = 1 << 16;

/**
 * This thread's channel objects that have blocked operations, by channel
 * `ID`: the ones a local state change must serve directly.
 */
const localWaiting = new Map<number, Set<SharedChannel<unknown>>>();

/** Results of a poll that did not produce a value. */
const EMPTY: unique symbol = Symbol("empty");
const DRAINED: unique symbol = Symbol("closed");
type Raw = number | Uint8Array;

/** What became of an offer. */
const PENDING = 0;
const TAKEN = 1;
const DROPPED = 2;

/**
 * Polls of the futex word before `Atomics.wait` in the sync paths (a few
 * microseconds). Measured in bench/shared_bench.ts on a 2-core machine: the
 * unbuffered sendSync/recvSync ping-pong between two workers took 7.9 µs per
 * round trip with 256 polls and 1.25 µs with 2,000. The async paths never
 * spin: that would stall the thread's event loop.
 */
const SYNC_SPIN = 2_000;

/**
 * Polls of the hand-off cell by a `sendSync` that found no receiver there,
 * before it takes the lock path (a few microseconds at most).
 */
const GIVE_SPIN = 64;

/** States of the hand-off cell (word `CELL`). */
const CELL_FREE = 0;
const CELL_WAITING = 1;
const CELL_ASLEEP = 2;
const CELL_FILLING = 3;
const CELL_FULL = 4;
const CELL_TAKING = 5;

/** Options for the {@linkcode SharedChannel} constructor. */
export interface SharedChannelOptions {
  /**
   * How many values the channel buffers. `0` makes an unbuffered channel: a
   * send completes only when a receiver takes the value. Must be a
   * non-negative integer below 2³¹.
   *
   * @default {0}
   */
  capacity?: number;
  /**
   * How values are stored in shared memory; see `codec.ts`. `"float64"` and
   * `"int32"` are the fastest: a number goes straight into a typed-array
   * slot.
   *
   * @default {"structured"}
   */
  codec?: CodecName;
  /**
   * The most bytes the channel's ring may grow to. The ring starts small and
   * doubles as needed; this bound only reserves address space.
   *
   * @default {1073741824}
   */
  maxBytes?: number;
}

/**
 * What a worker needs to open a {@linkcode SharedChannel}: a plain,
 * structured-clonable object holding the `SharedArrayBuffer`. Post it to
 * the worker and open it there with {@linkcode SharedChannel.from}.
 *
 * @typeParam T The type of the channel's values (for type inference only).
 */
export interface SharedChannelHandle<T> {
  /** Marks the object as a shared channel's handle. */
  readonly kind: "SharedChannel";
  /** The channel's memory: header words and ring. */
  readonly buffer: SharedArrayBuffer;
  /** Never set: carries `T` for type inference. */
  readonly valueType?: T;
}

interface RecvWaiter {
  /** True for `for await`'s `next()`, false for `receive()`. */
  readonly iteration: boolean;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface SendWaiter {
  readonly value: unknown;
  readonly encoded: Raw;
  /** Whether `ticket` names this sender's offer in the ring. */
  offered: boolean;
  ticket: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

const CLOSED_RESULT: ReceiveResult<never> = Object.freeze({
  value: undefined,
  ok: false,
});
const DONE: IteratorReturnResult<undefined> = Object.freeze({
  value: undefined,
  done: true,
});
const EMPTY_TRY: TryReceiveResult<never> = Object.freeze({ state: "empty" });
const CLOSED_TRY: TryReceiveResult<never> = Object.freeze({ state: "closed" });
const RESOLVED: Promise<void> = Promise.resolve();

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Writes a new channel's read-only header words; the header. */
function initHeader(
  buffer: SharedArrayBuffer,
  codec: CodecName,
  capacity: number,
): Int32Array {
  const h = new Int32Array(buffer, 0, HEADER_WORDS);
  h[MAGIC] = MAGIC_VALUE;
  h[CODEC] = CODEC_NAMES.indexOf(codec);
  h[CAPACITY] = capacity;
  h[ID] = (Math.random() * 2 ** 32) | 0;
  return h;
}

function checkCapacity(capacity: unknown): number {
  if (
    typeof capacity !== "number" || !Number.isSafeInteger(capacity) ||
    capacity < 0 || capacity > MAX_INT32
  ) {
    throw new RangeError(
      `Cannot create shared channel: capacity must be a non-negative integer below 2^31, received ${
        String(capacity)
      }`,
    );
  }
  return capacity;
}

/**
 * A Go channel in shared memory, usable from the main thread and from
 * workers at once: many senders and many receivers on any threads.
 *
 * It has the methods and results of {@linkcode Channel} (`send`, `receive`
 * with Go's `ok`, `trySend`, `tryReceive`, `close`, `size`, `capacity`,
 * `closed`, `for await`) and the same semantics: unbuffered channels
 * rendezvous, buffered ones are FIFO, `close` lets receivers drain the
 * buffer and then get `ok: false`, a send on (or blocked on) a closed channel
 * throws {@linkcode ChannelClosedError}. Workers can also block their thread
 * with {@linkcode SharedChannel.sendSync} and {@linkcode SharedChannel.recvSync}.
 *
 * Values are copied through shared memory by a codec (see `codec.ts`):
 * receivers get equal values, not the same objects. A value the codec
 * cannot encode throws `CodecError` and leaves the channel as it was.
 *
 * To use a channel in a worker, post its {@linkcode SharedChannel.handle}
 * and open it there with {@linkcode SharedChannel.from}.
 *
 * @example Buffered channel on one thread
 * ```ts
 * import { SharedChannel } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * const ch = new SharedChannel<string>({ capacity: 2, codec: "string" });
 * await ch.send("a");
 * await ch.send("b");
 * ch.close();
 * assert.deepEqual(await Array.fromAsync(ch), ["a", "b"]);
 * ```
 *
 * @example Passing a channel to a worker
 * ```ts ignore
 * import { SharedChannel } from "@denogo/go/workers";
 *
 * // main.ts
 * const ch = new SharedChannel<number>({ capacity: 1024, codec: "float64" });
 * const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
 * worker.postMessage(ch.handle);
 * for await (const x of ch) console.log(x);
 *
 * // worker.ts
 * self.onmessage = (e) => {
 *   const ch = SharedChannel.from<number>(e.data);
 *   for (let i = 0; i < 10; i++) ch.sendSync(i);
 *   ch.close();
 * };
 * ```
 *
 * @typeParam T The type of the channel's values.
 */
export class SharedChannel<T>
  implements SendChannel<T>, ReceiveChannel<T>, Disposable, AsyncDisposable {
  readonly #buffer: SharedArrayBuffer;
  readonly #codec: Codec<T>;
  readonly #slot: number;
  readonly #capacity: number;
  /** The header words. */
  readonly #h: Int32Array;
  /**
   * The lock-free buffer of a buffered channel with a fixed-size codec, or
   * null: then the values live in the byte ring, under the lock.
   */
  readonly #ring: SlotRing | null;
  /**
   * The hand-off cell's value, for an unbuffered channel with a fixed-size
   * codec; else null (see "Direct hand-off").
   */
  readonly #cell: Float64Array | null;
  // Fixed-length views of the ring: V8 reads and writes them many times
  // faster than length-tracking views of a growable buffer. `#viewed` is
  // the ring size they cover; a thread whose views are older than a growth
  // made elsewhere remaps them before it touches the ring.
  #u8!: Uint8Array;
  #i32!: Int32Array;
  #f64!: Float64Array;
  #viewed = 0;
  /** This thread's blocked receives and sends on this channel object. */
  readonly #recv: Blocked<RecvWaiter>;
  readonly #send: Blocked<SendWaiter>;
  /** The channel's `ID` word. */
  readonly #id: number;
  /** The buffer `from()` asks the constructor to open. */
  static #opening: SharedArrayBuffer | undefined = undefined;

  static {
    type Ch = SharedChannel<unknown>;
    const ops: SharedOps = sharedOps;
    ops.words = (ch) => (ch as Ch).#h;
    ops.id = (ch) => (ch as Ch).#id;
    ops.seqIndex = (send) => send ? SEND_SEQ : RECV_SEQ;
    ops.encode = (ch, value) => (ch as Ch).#encodeChecked(value);
    ops.pollReceive = (ch) => (ch as Ch).#pollReceive();
    ops.pollSend = (ch, value, encoded) =>
      (ch as Ch).#pollSend(value, encoded as Raw);
    ops.watch = (ch, send, delta) => (ch as Ch).#watchSelect(send, delta);
    ops.looksReady = (ch, send, ticket) => (ch as Ch).#looksReady(send, ticket);
    ops.arm = (ch, send) => {
      const ring = (ch as Ch).#ring;
      return ring === null || (send ? ring.markPut() : ring.markTake());
    };
    ops.recvWatchers = (ch) => Atomics.load((ch as Ch).#h, RECV_WATCHERS);
    ops.offer = (ch, encoded) => (ch as Ch).#selectOffer(encoded as Raw);
    ops.offerState = (ch, ticket) => {
      const c = ch as Ch;
      lock(c.#h, LOCK);
      try {
        return c.#offerState(ticket);
      } finally {
        unlock(c.#h, LOCK);
      }
    };
    ops.withdraw = (ch, ticket, wake) =>
      (ch as Ch).#selectWithdraw(ticket, wake);
    ops.wakeSenders = (ch) => {
      const c = ch as Ch;
      lock(c.#h, LOCK);
      try {
        c.#wake(SEND_WAITING, SEND_SEQ);
      } finally {
        unlock(c.#h, LOCK);
      }
    };
    sharedSelect.isShared = (ch) => ch instanceof SharedChannel;
    sharedSelect.pollReceive = ops.pollReceive;
    sharedSelect.pollSend = (ch, value) =>
      ops.pollSend(ch, value, ops.encode(ch, value));
    sharedSelect.block = blockSelect;
  }

  // Select support (see `_select.ts`). --------------------------------------

  #encodeChecked(value: unknown): Raw {
    const encoded = this.#codec.encode(value as T);
    this.#checkSize(encoded);
    return encoded;
  }

  #pollReceive(): unknown {
    const raw = this.#receiveNow();
    if (raw === EMPTY) return NOT_READY;
    if (raw === DRAINED) return SELECT_CLOSED;
    return this.#decode(raw);
  }

  #pollSend(value: unknown, encoded: Raw): boolean {
    if (this.#ring !== null) return this.#ringPut(encoded as number, value);
    const h = this.#h;
    lock(h, LOCK);
    try {
      if (h[CLOSED] !== 0) throw new ChannelClosedError("send", value);
      return this.#tryCommit(encoded);
    } finally {
      unlock(h, LOCK);
    }
  }

  /** Counts a blocked select's case in (`delta` 1) or out (-1). */
  #watchSelect(send: boolean, delta: number): void {
    const h = this.#h;
    lock(h, LOCK);
    try {
      Atomics.add(h, send ? SEND_WATCHERS : RECV_WATCHERS, delta);
      // A select that may receive: selects that send here may offer now.
      if (!send && delta > 0 && this.#ring === null) this.#receiverWaits();
    } finally {
      unlock(h, LOCK);
    }
  }

  /**
   * Whether a case could proceed, read without the lock (a hint: a select
   * polls under the lock before it commits). `ticket` names the select's
   * own offer on this channel, if any, which its receive case must not
   * count.
   */
  #looksReady(send: boolean, ticket: number | undefined): boolean {
    const h = this.#h;
    if (Atomics.load(h, CLOSED) !== 0) return true;
    const ring = this.#ring;
    if (ring !== null) return send ? ring.canPut() : ring.canTake();
    if (this.#cell !== null) {
      const cell = Atomics.load(h, CELL);
      if (
        send
          ? cell === CELL_WAITING || cell === CELL_ASLEEP
          : cell === CELL_FULL
      ) {
        return true;
      }
    }
    const count = Atomics.load(h, COUNT);
    if (send) {
      return count < this.#capacity + Atomics.load(h, RECV_WAITING);
    }
    if (count > 0) return true;
    if (Atomics.load(h, OFFERED) === 0) return false;
    return ticket === undefined || Atomics.load(h, OFFER_TICKET) !== ticket;
  }

  /**
   * A select's conditional send: commits the value if there is room, else
   * offers it if no other offer exists. Returns the outcome, and in
   * `offerTicket` the offer's ticket and the `RECV_SEQ` values around it.
   */
  #selectOffer(encoded: Raw): number {
    const h = this.#h;
    if (this.#ring !== null) {
      // A slot ring never holds offers: a full one has no room to wait in.
      const ring = this.#ring;
      if (ring.put(encoded as number) !== PUT_OK) return OFFER_NONE;
      this.#wakeMarked(ring.woke);
      return OFFER_COMMITTED;
    }
    lock(h, LOCK);
    try {
      if (h[CLOSED] !== 0) return OFFER_NONE;
      if (this.#tryCommit(encoded)) return OFFER_COMMITTED;
      if (h[OFFERED] !== 0) return OFFER_NONE;
      sharedOps.seqBefore = h[RECV_SEQ];
      sharedOps.ticket = this.#offer(encoded);
      sharedOps.seqAfter = h[RECV_SEQ];
      return OFFER_MADE;
    } finally {
      unlock(h, LOCK);
    }
  }

  /**
   * Withdraws a select's offer if no receiver took it: `WITHDRAWN`, or
   * what became of it (`TAKEN`, `DROPPED` by close). With `wake`, senders
   * waiting for the offer slot are told it is free.
   */
  #selectWithdraw(ticket: number, wake: boolean): number {
    const h = this.#h;
    lock(h, LOCK);
    try {
      const state = this.#offerState(ticket);
      if (state !== PENDING) return state;
      this.#dropOffer();
      if (wake) this.#wake(SEND_WAITING, SEND_SEQ);
      return WITHDRAWN;
    } finally {
      unlock(h, LOCK);
    }
  }

  /**
   * Makes a shared channel: Go's `make(chan T, capacity)`, in shared memory.
   *
   * @example Usage
   * ```ts
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const ch = new SharedChannel<number>({ capacity: 8, codec: "float64" });
   * assert.equal(ch.capacity, 8);
   * assert.throws(() => new SharedChannel({ capacity: -1 }), RangeError);
   * ```
   *
   * @param options Capacity, codec and memory bound.
   * @throws {RangeError} If the capacity or `maxBytes` is out of range.
   * @throws {TypeError} If the codec name is unknown.
   */
  constructor(options: SharedChannelOptions = {}) {
    let buffer: SharedArrayBuffer;
    const open = SharedChannel.#opening;
    if (open !== undefined) {
      SharedChannel.#opening = undefined;
      buffer = open;
    } else {
      const capacity = checkCapacity(options.capacity ?? 0);
      const codec = codecFor<T>(options.codec ?? "structured");
      const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
      if (
        typeof maxBytes !== "number" || !Number.isSafeInteger(maxBytes) ||
        maxBytes < 64 || maxBytes > 2 ** 31
      ) {
        throw new RangeError(
          `Cannot create shared channel: maxBytes must be an integer in [64, 2^31], received ${
            String(maxBytes)
          }`,
        );
      }
      const max = maxBytes & ~7;
      const slot = codec.slotSize;
      const slotBytes = slot === 0 ? 0 : slotBytesFor(capacity, slot, max);
      if (slotBytes !== 0) {
        buffer = new SharedArrayBuffer(DATA + capacity * slotBytes);
        initHeader(buffer, codec.name, capacity)[SLOT_RING] = slotBytes;
      } else {
        const want = slot !== 0 ? slot * (capacity + 1) : 256 + 64 * capacity;
        const ring = Math.min(
          Math.max(8, (want + 7) & ~7),
          INITIAL_MAX_BYTES,
          max,
        );
        buffer = new SharedArrayBuffer(DATA + ring, {
          maxByteLength: DATA + max,
        });
        initHeader(buffer, codec.name, capacity)[RING_SIZE] = ring;
      }
    }
    this.#buffer = buffer;
    this.#h = new Int32Array(buffer, 0, HEADER_WORDS);
    this.#codec = codecFor<T>(CODEC_NAMES[this.#h[CODEC]]);
    this.#slot = this.#codec.slotSize;
    this.#capacity = this.#h[CAPACITY];
    this.#id = this.#h[ID];
    this.#recv = new Blocked(this.#h, RECV_SEQ, () => this.#serveReceivers());
    this.#send = new Blocked(this.#h, SEND_SEQ, () => this.#serveSenders());
    this.#cell = this.#capacity === 0 && this.#slot !== 0
      ? new Float64Array(buffer, CELL_VALUE * 4, 1)
      : null;
    if (this.#h[SLOT_RING] !== 0) {
      this.#ring = new SlotRing(
        this.#h,
        RING_TAIL,
        RING_HEAD,
        buffer,
        DATA,
        this.#capacity,
        this.#slot as 4 | 8,
        this.#h[SLOT_RING],
      );
    } else {
      this.#ring = null;
      this.#mapRing(this.#h[RING_SIZE]);
    }
  }

  /** Points the ring views at the first `size` bytes of the data region. */
  #mapRing(size: number): void {
    const buffer = this.#buffer;
    this.#u8 = new Uint8Array(buffer, DATA, size);
    this.#i32 = new Int32Array(buffer, DATA, size >> 2);
    this.#f64 = new Float64Array(buffer, DATA, size >> 3);
    this.#viewed = size;
  }

  /**
   * Opens, on this thread, a channel made on another: the other end of
   * {@linkcode SharedChannel.handle}. Both objects are the same channel.
   *
   * @example Usage
   * ```ts
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const a = new SharedChannel<number>({ capacity: 1, codec: "int32" });
   * const b = SharedChannel.from<number>(structuredClone(a.handle));
   * await a.send(7);
   * assert.deepEqual(await b.receive(), { value: 7, ok: true });
   * ```
   *
   * @typeParam T The type of the channel's values.
   * @param handle A channel's handle, usually received by `postMessage`.
   * @returns A channel object over the same shared memory.
   * @throws {TypeError} If `handle` is not a shared channel's handle.
   */
  static from<T>(handle: SharedChannelHandle<T>): SharedChannel<T> {
    const buffer = handle?.buffer;
    if (
      handle?.kind !== "SharedChannel" ||
      !(buffer instanceof SharedArrayBuffer) || buffer.byteLength < DATA ||
      new Int32Array(buffer, 0, HEADER_WORDS)[MAGIC] !== MAGIC_VALUE
    ) {
      throw new TypeError(
        "Cannot open shared channel: expected the handle of a SharedChannel " +
          "(channel.handle, sent with postMessage)",
      );
    }
    SharedChannel.#opening = buffer;
    return new SharedChannel<T>();
  }

  /**
   * The structured-clonable handle of this channel: post it to a worker and
   * open it there with {@linkcode SharedChannel.from}.
   *
   * @example Usage
   * ```ts
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const ch = new SharedChannel<number>({ codec: "float64" });
   * assert.ok(ch.handle.buffer instanceof SharedArrayBuffer);
   * ```
   */
  get handle(): SharedChannelHandle<T> {
    return { kind: "SharedChannel", buffer: this.#buffer };
  }

  /**
   * The name of the codec that stores the channel's values.
   *
   * @example Usage
   * ```ts
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedChannel({ codec: "json" }).codec, "json");
   * ```
   */
  get codec(): CodecName {
    return this.#codec.name;
  }

  /**
   * The number of values waiting in the buffer: Go's `len(ch)`. Always 0
   * for an unbuffered channel. Other threads may change it at any time.
   *
   * @example Usage
   * ```ts
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const ch = new SharedChannel<number>({ capacity: 2, codec: "int32" });
   * ch.trySend(1);
   * assert.equal(ch.size, 1);
   * ```
   */
  get size(): number {
    if (this.#ring !== null) return this.#ring.size();
    return Math.min(Atomics.load(this.#h, COUNT), this.#capacity);
  }

  /**
   * The buffer's capacity: Go's `cap(ch)`.
   *
   * @example Usage
   * ```ts
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedChannel().capacity, 0);
   * ```
   */
  get capacity(): number {
    return this.#capacity;
  }

  /**
   * Whether the channel has been closed, by any thread.
   *
   * @example Usage
   * ```ts
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const ch = new SharedChannel();
   * ch.close();
   * assert.equal(ch.closed, true);
   * ```
   */
  get closed(): boolean {
    return Atomics.load(this.#h, CLOSED) !== 0;
  }

  /**
   * Sends a value: Go's `ch <- value`. Resolves when a receiver has taken
   * the value (unbuffered) or it is in the buffer (buffered); until then
   * the caller is blocked, but the thread is not.
   *
   * @example Usage
   * ```ts
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const ch = new SharedChannel<number>({ capacity: 1, codec: "float64" });
   * await ch.send(0.5);
   * assert.equal(ch.size, 1);
   * ```
   *
   * @param value The value to send.
   * @param options A signal that cancels the send while it blocks.
   * @returns A promise that resolves once the value is delivered.
   * @throws {ChannelClosedError} If the channel is closed, or closes while
   *   the send is blocked (the promise rejects; the error holds the value).
   * @throws {CodecError} If the codec cannot encode the value (the promise
   *   rejects; the channel is untouched).
   */
  send(value: T, options?: ChannelWaitOptions): Promise<void> {
    let encoded: Raw;
    try {
      encoded = this.#codec.encode(value);
      this.#checkSize(encoded);
    } catch (error) {
      return Promise.reject(error);
    }
    const signal = options?.signal;
    const h = this.#h;
    const queued = this.#send.queue.length > 0;
    let ticket = 0;
    let offered = false;
    const ring = this.#ring;
    if (ring !== null) {
      const put = queued
        ? Atomics.load(h, CLOSED) !== 0 ? PUT_CLOSED : PUT_FULL
        : ring.put(encoded as number);
      if (put === PUT_OK) {
        this.#wakeMarked(ring.woke);
        return RESOLVED;
      }
      if (put === PUT_CLOSED) {
        return Promise.reject(new ChannelClosedError("send", value));
      }
      if (signal?.aborted) return Promise.reject(signal.reason);
      Atomics.add(h, SEND_WAITING, 1);
      Atomics.add(h, SEND_ASYNC, 1);
      const blocked = this.#blockSend(value, encoded, false, 0, signal);
      this.#rewatch(false);
      return blocked;
    }
    lock(h, LOCK);
    try {
      if (h[CLOSED] !== 0) {
        return Promise.reject(new ChannelClosedError("send", value));
      }
      if (!queued && this.#tryCommit(encoded)) return RESOLVED;
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (!queued && h[OFFERED] === 0) {
        ticket = this.#offer(encoded);
        offered = true;
      }
      Atomics.add(h, SEND_WAITING, 1);
      Atomics.add(h, SEND_ASYNC, 1);
      this.#send.watch(h[SEND_SEQ]);
    } catch (error) {
      return Promise.reject(error);
    } finally {
      unlock(h, LOCK);
    }
    return this.#blockSend(value, encoded, offered, ticket, signal);
  }

  /** Queues a blocked send (already counted in `SEND_WAITING`). */
  #blockSend(
    value: unknown,
    encoded: Raw,
    offered: boolean,
    ticket: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const w: SendWaiter = {
        value,
        encoded,
        offered,
        ticket,
        resolve,
        reject,
        signal,
        onAbort: undefined,
      };
      if (this.#send.queue.push(w) === 1) this.#queueStarted();
      if (signal !== undefined) {
        w.onAbort = () => this.#abortSend(w);
        signal.addEventListener("abort", w.onAbort, { once: true });
      }
    });
  }

  /**
   * Receives a value: Go's `v, ok := <-ch`. Resolves with `ok: true` and
   * the value once one is available, or with `ok: false` once the channel
   * is closed and drained. Never rejects because of the channel; an aborted
   * `signal` rejects it (unless a value was already handed to it).
   *
   * @example Usage
   * ```ts
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const ch = new SharedChannel<string>({ capacity: 1, codec: "string" });
   * await ch.send("hi");
   * ch.close();
   * assert.deepEqual(await ch.receive(), { value: "hi", ok: true });
   * assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
   * ```
   *
   * @param options A signal that cancels the receive while it blocks.
   * @returns The value and whether it came from a send.
   */
  receive(options?: ChannelWaitOptions): Promise<ReceiveResult<T>> {
    return this.#receive(false, options?.signal) as Promise<ReceiveResult<T>>;
  }

  /**
   * Sends without blocking: Go's `select { case ch <- v: default: }`. On an
   * unbuffered channel it succeeds only if a receiver is blocked waiting.
   *
   * @example Usage
   * ```ts
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const ch = new SharedChannel<number>({ capacity: 1, codec: "int32" });
   * assert.equal(ch.trySend(1), true);
   * assert.equal(ch.trySend(2), false); // full
   * ```
   *
   * @param value The value to send.
   * @returns True if the value was buffered or handed to a receiver, false
   *   if the send would block.
   * @throws {ChannelClosedError} If the channel is closed.
   * @throws {CodecError} If the codec cannot encode the value.
   */
  trySend(value: T): boolean {
    return this.#pollSend(value, this.#encodeChecked(value));
  }

  /**
   * Receives without blocking: Go's `select { case v, ok := <-ch: default: }`.
   * On an unbuffered channel it gets a value only from a blocked sender.
   *
   * @example Usage
   * ```ts
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const ch = new SharedChannel<number>({ capacity: 1, codec: "int32" });
   * assert.deepEqual(ch.tryReceive(), { state: "empty" });
   * ch.trySend(5);
   * assert.deepEqual(ch.tryReceive(), { state: "ok", value: 5 });
   * ch.close();
   * assert.deepEqual(ch.tryReceive(), { state: "closed" });
   * ```
   *
   * @returns The value, or whether the channel is empty or closed.
   */
  tryReceive(): TryReceiveResult<T> {
    const raw = this.#receiveNow();
    if (raw === EMPTY) return EMPTY_TRY;
    if (raw === DRAINED) return CLOSED_TRY;
    return { state: "ok", value: this.#decode(raw) };
  }

  /**
   * Sends, blocking the worker's thread until the value is delivered: the
   * synchronous {@linkcode SharedChannel.send}, for workers that have
   * nothing else to run while they wait.
   *
   * @example Usage
   * ```ts ignore
   * // In a worker:
   * import { SharedChannel } from "@denogo/go/workers";
   *
   * self.onmessage = (e) => {
   *   const ch = SharedChannel.from<number>(e.data);
   *   ch.sendSync(42);
   * };
   * ```
   *
   * @param value The value to send.
   * @throws {MainThreadWaitError} If called on the main thread.
   * @throws {ChannelClosedError} If the channel is closed, or closes while
   *   the send is blocked.
   * @throws {CodecError} If the codec cannot encode the value.
   */
  sendSync(value: T): void {
    if (!inWorker || !canBlock) {
      throw new MainThreadWaitError("SharedChannel.sendSync()");
    }
    const encoded = this.#codec.encode(value);
    if (this.#ring !== null) {
      return this.#sendSyncRing(value, encoded as number);
    }
    this.#checkSize(encoded);
    const h = this.#h;
    if (this.#cell !== null && this.#cellSend(encoded as number)) return;
    lock(h, LOCK);
    try {
      for (;;) {
        if (h[CLOSED] !== 0) throw new ChannelClosedError("send", value);
        if (this.#tryCommit(encoded)) return;
        if (h[OFFERED] === 0) {
          const ticket = this.#offer(encoded);
          Atomics.add(h, SEND_WAITING, 1);
          let state;
          while ((state = this.#offerState(ticket)) === PENDING) {
            this.#sleepLocked(SEND_SEQ);
          }
          Atomics.sub(h, SEND_WAITING, 1);
          if (state === DROPPED) throw new ChannelClosedError("send", value);
          return;
        }
        Atomics.add(h, SEND_WAITING, 1);
        this.#sleepLocked(SEND_SEQ);
        Atomics.sub(h, SEND_WAITING, 1);
      }
    } finally {
      unlock(h, LOCK);
    }
  }

  /**
   * Receives, blocking the worker's thread until a value arrives or the
   * channel is closed and drained: the synchronous
   * {@linkcode SharedChannel.receive}.
   *
   * @example Usage
   * ```ts ignore
   * // In a worker:
   * import { SharedChannel } from "@denogo/go/workers";
   *
   * self.onmessage = (e) => {
   *   const ch = SharedChannel.from<number>(e.data);
   *   let sum = 0;
   *   for (let r = ch.recvSync(); r.ok; r = ch.recvSync()) sum += r.value;
   * };
   * ```
   *
   * @returns The value and whether it came from a send.
   * @throws {MainThreadWaitError} If called on the main thread.
   */
  recvSync(): ReceiveResult<T> {
    if (!inWorker || !canBlock) {
      throw new MainThreadWaitError("SharedChannel.recvSync()");
    }
    if (this.#ring !== null) return this.#recvSyncRing();
    if (this.#cell !== null) {
      const v = this.#cellReceive();
      if (v !== EMPTY) return { value: v as T, ok: true };
    }
    const h = this.#h;
    let raw: Raw | typeof EMPTY | typeof DRAINED;
    lock(h, LOCK);
    try {
      while ((raw = this.#receiveLocked()) === EMPTY) {
        Atomics.add(h, RECV_WAITING, 1);
        this.#receiverWaits();
        this.#sleepLocked(RECV_SEQ);
        Atomics.sub(h, RECV_WAITING, 1);
      }
    } finally {
      unlock(h, LOCK);
    }
    return raw === DRAINED
      ? CLOSED_RESULT
      : { value: this.#decode(raw), ok: true };
  }

  /**
   * Sends every value in order, blocking the worker's thread while the
   * channel is full: the batched {@linkcode SharedChannel.sendSync}. As many
   * values as fit are committed at once (under one lock acquisition, or as
   * one run of slot-ring tickets), with one wake-up for receivers, which
   * makes a stream of small values cheaper per item. On an unbuffered
   * channel each value still waits for its receiver.
   *
   * @example Usage
   * ```ts ignore
   * // In a worker:
   * const ch = SharedChannel.from<number>(handle);
   * ch.sendManySync([1, 2, 3]);
   * ```
   *
   * @param values The values to send, in order.
   * @throws {MainThreadWaitError} If called on the main thread.
   * @throws {ChannelClosedError} If the channel is or gets closed; the
   *   values before the one it names were sent.
   * @throws {CodecError} If the codec cannot encode a value; nothing was
   *   sent.
   */
  sendManySync(values: readonly T[]): void {
    if (!inWorker || !canBlock) {
      throw new MainThreadWaitError("SharedChannel.sendManySync()");
    }
    const n = values.length;
    const encoded: Raw[] = new Array(n);
    for (let i = 0; i < n; i++) {
      encoded[i] = this.#codec.encode(values[i]);
      this.#checkSize(encoded[i]);
    }
    if (this.#ring !== null) {
      this.#sendManyRing(values, encoded as number[]);
      return;
    }
    const h = this.#h;
    const capacity = this.#capacity;
    let i = 0;
    for (;;) {
      lock(h, LOCK);
      try {
        if (h[CLOSED] !== 0) throw new ChannelClosedError("send", values[i]);
        const start = i;
        while (i < n) {
          if (this.#cell !== null && this.#cellGive(encoded[i] as number)) {
            i++;
          } else if (h[COUNT] < capacity + h[RECV_WAITING]) {
            this.#append(encoded[i++]);
            h[COUNT]++;
          } else break;
        }
        if (i > start) this.#wake(RECV_WAITING, RECV_SEQ);
      } finally {
        unlock(h, LOCK);
      }
      if (i === n) return;
      this.sendSync(values[i++]);
      if (i === n) return;
    }
  }

  /**
   * Receives up to `max` values at once, blocking the worker's thread until
   * at least one is available: the batched {@linkcode SharedChannel.recvSync}.
   * Every value it returns is taken from the channel (received), so ask
   * only for what the caller will process. An empty array means the
   * channel is closed and drained.
   *
   * @example Usage
   * ```ts ignore
   * // In a worker:
   * const ch = SharedChannel.from<number>(handle);
   * let sum = 0;
   * for (let xs = ch.recvManySync(256); xs.length > 0; xs = ch.recvManySync(256)) {
   *   for (const x of xs) sum += x;
   * }
   * ```
   *
   * @param max The most values to take; at least 1.
   * @returns The values, oldest first; empty once closed and drained.
   * @throws {MainThreadWaitError} If called on the main thread.
   * @throws {RangeError} If `max` is not a positive integer.
   */
  recvManySync(max: number): T[] {
    if (!inWorker || !canBlock) {
      throw new MainThreadWaitError("SharedChannel.recvManySync()");
    }
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(
        `Cannot receive from shared channel: max must be a positive integer, received ${
          String(max)
        }`,
      );
    }
    if (this.#ring !== null) return this.#recvManyRing(max) as T[];
    const h = this.#h;
    const raws: Raw[] = [];
    lock(h, LOCK);
    try {
      while (this.#takeManyLocked(max, raws) === 0 && h[CLOSED] === 0) {
        Atomics.add(h, RECV_WAITING, 1);
        this.#receiverWaits();
        this.#sleepLocked(RECV_SEQ);
        Atomics.sub(h, RECV_WAITING, 1);
      }
    } finally {
      unlock(h, LOCK);
    }
    if (this.#slot !== 0) return raws as T[];
    const out: T[] = new Array(raws.length);
    for (let i = 0; i < raws.length; i++) out[i] = this.#decode(raws[i]);
    return out;
  }

  /**
   * Under the lock: takes up to `max` records into `out`, as that many
   * receives would, with one wake-up for senders; how many it took.
   */
  #takeManyLocked(max: number, out: Raw[]): number {
    const h = this.#h;
    let n = 0;
    const first = this.#takeFromCell();
    if (first !== EMPTY) {
      out.push(first);
      n++;
    }
    while (n < max) {
      const count = h[COUNT];
      if (count > 0) {
        out.push(this.#take());
        h[COUNT] = count - 1;
      } else if (h[OFFERED] !== 0) {
        out.push(this.#take());
        h[OFFERED] = 0;
        h[ACKED] = h[OFFER_TICKET];
      } else break;
      n++;
    }
    if (n === 0) return 0;
    if (h[OFFERED] !== 0 && h[COUNT] < this.#capacity + h[RECV_WAITING]) {
      // Room in the buffer: the blocked sender's offer moves in.
      h[OFFERED] = 0;
      h[COUNT]++;
      h[ACKED] = h[OFFER_TICKET];
    }
    this.#wake(SEND_WAITING, SEND_SEQ);
    return n;
  }

  /**
   * Closes the channel: Go's `close(ch)`, for every thread. Buffered values
   * can still be received; after them every receive gets `ok: false`.
   * Blocked receivers wake that way and blocked senders fail with
   * {@linkcode ChannelClosedError}, on every thread.
   *
   * @example Usage
   * ```ts
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const ch = new SharedChannel<number>({ capacity: 1, codec: "int32" });
   * await ch.send(1);
   * ch.close();
   * assert.deepEqual(await ch.receive(), { value: 1, ok: true });
   * assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
   * assert.throws(() => ch.close());
   * ```
   *
   * @throws {ChannelClosedError} If the channel is already closed.
   */
  close(): void {
    const h = this.#h;
    lock(h, LOCK);
    try {
      if (h[CLOSED] !== 0) throw new ChannelClosedError("close");
      Atomics.store(h, CLOSED, 1);
      if (this.#cell !== null) this.#cellKick();
      if (this.#ring !== null) this.#ring.close();
      else if (h[OFFERED] !== 0) this.#dropOffer();
      this.#wake(RECV_WAITING, RECV_SEQ);
      this.#wake(SEND_WAITING, SEND_SEQ);
    } finally {
      unlock(h, LOCK);
    }
  }

  /**
   * Ranges over the channel: Go's `for v := range ch`, until it is closed
   * and drained. Breaking out of the loop leaves the channel open.
   *
   * @example Usage
   * ```ts
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const ch = new SharedChannel<number>({ capacity: 3, codec: "int32" });
   * for (const v of [1, 2, 3]) await ch.send(v);
   * ch.close();
   * const seen: number[] = [];
   * for await (const v of ch) seen.push(v);
   * assert.deepEqual(seen, [1, 2, 3]);
   * ```
   *
   * @returns An async iterator over the channel's values.
   */
  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return {
      next: () =>
        this.#receive(true, undefined) as Promise<IteratorResult<T, undefined>>,
      return: () => Promise.resolve(DONE),
    };
  }

  /**
   * Closes the channel if it is still open, so `using` closes it at the end
   * of the scope.
   *
   * @example Usage
   * ```ts
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * let ref: SharedChannel<number>;
   * {
   *   using ch = new SharedChannel<number>({ codec: "int32" });
   *   ref = ch;
   * }
   * assert.equal(ref.closed, true);
   * ```
   */
  [Symbol.dispose](): void {
    if (!this.closed) {
      try {
        this.close();
      } catch (error) {
        // Another thread closed it in between.
        if (!(error instanceof ChannelClosedError)) throw error;
      }
    }
  }

  /**
   * Like {@linkcode SharedChannel[Symbol.dispose]}, for `await using`.
   *
   * @example Usage
   * ```ts
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * let ref: SharedChannel<number>;
   * {
   *   await using ch = new SharedChannel<number>({ codec: "int32" });
   *   ref = ch;
   * }
   * assert.equal(ref.closed, true);
   * ```
   *
   * @returns A resolved promise.
   */
  [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
    return RESOLVED;
  }

  // Async receive. -----------------------------------------------------------

  #receive(
    iteration: boolean,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const h = this.#h;
    const queued = this.#recv.queue.length > 0;
    let raw: Raw | typeof EMPTY | typeof DRAINED = EMPTY;
    const ring = this.#ring;
    if (ring !== null) {
      if (!queued) raw = this.#ringTake();
      if (raw === EMPTY && !signal?.aborted) {
        Atomics.add(h, RECV_WAITING, 1);
        Atomics.add(h, RECV_ASYNC, 1);
      }
    } else {
      lock(h, LOCK);
      try {
        if (!queued) raw = this.#receiveLocked();
        if (raw === EMPTY && !signal?.aborted) {
          Atomics.add(h, RECV_WAITING, 1);
          Atomics.add(h, RECV_ASYNC, 1);
          this.#receiverWaits();
          this.#recv.watch(h[RECV_SEQ]);
        }
      } finally {
        unlock(h, LOCK);
      }
    }
    if (raw !== EMPTY) {
      try {
        return Promise.resolve(this.#result(iteration, raw));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const w: RecvWaiter = {
        iteration,
        resolve,
        reject,
        signal,
        onAbort: undefined,
      };
      if (this.#recv.queue.push(w) === 1) this.#queueStarted();
      if (signal !== undefined) {
        w.onAbort = () => this.#abortReceive(w);
        signal.addEventListener("abort", w.onAbort, { once: true });
      }
      if (ring !== null) this.#rewatch(true);
    });
  }

  #result(iteration: boolean, raw: Raw | typeof DRAINED): unknown {
    if (raw === DRAINED) return iteration ? DONE : CLOSED_RESULT;
    const value = this.#decode(raw);
    return iteration ? { value, done: false } : { value, ok: true };
  }

  /** Serves this thread's blocked receivers, oldest first. */
  #serveReceivers(): void {
    this.#serve(
      this.#recv.queue,
      (q, served) =>
        this.#ring !== null
          ? this.#serveReceiversRing(q, served)
          : this.#serveReceiversLocked(q, served),
      (w, raw) => this.#settleReceive(w, raw as Raw | typeof DRAINED),
    );
  }

  /**
   * Serves a queue of blocked operations: `take` serves the oldest it can,
   * pushing each with its outcome to `served`, and says how many; they
   * leave the queue, then `settle` settles each.
   */
  #serve<W>(
    q: W[],
    take: (q: W[], served: unknown[]) => number,
    settle: (w: W, outcome: unknown) => void,
  ): void {
    if (q.length === 0) return;
    const served: unknown[] = [];
    const n = take(q, served);
    if (n === 0) return;
    q.splice(0, n);
    if (q.length === 0) this.#queueEnded();
    for (let i = 0; i < served.length; i += 2) {
      settle(served[i] as W, served[i + 1]);
    }
  }
  /** Serves the oldest receivers from the slot ring; how many it served. */
  #serveReceiversRing(q: RecvWaiter[], served: unknown[]): number {
    const h = this.#h;
    let n = 0;
    for (; n < q.length; n++) {
      const raw = this.#ringTake();
      if (raw === EMPTY) break;
      served.push(q[n], raw);
    }
    Atomics.sub(h, RECV_WAITING, n);
    Atomics.sub(h, RECV_ASYNC, n);
    if (n < q.length) this.#rewatch(true);
    return n;
  }

  /** Serves the oldest receivers from the byte ring, under the lock; how many. */
  #serveReceiversLocked(q: RecvWaiter[], served: unknown[]): number {
    const h = this.#h;
    let n = 0;
    lock(h, LOCK);
    try {
      for (; n < q.length; n++) {
        Atomics.sub(h, RECV_WAITING, 1);
        const raw = this.#receiveLocked();
        if (raw === EMPTY) {
          Atomics.add(h, RECV_WAITING, 1);
          break;
        }
        served.push(q[n], raw);
      }
      Atomics.sub(h, RECV_ASYNC, n);
      if (n < q.length) this.#recv.watch(h[RECV_SEQ]);
    } finally {
      unlock(h, LOCK);
    }
    return n;
  }

  #settleReceive(w: RecvWaiter, raw: Raw | typeof DRAINED): void {
    if (w.onAbort !== undefined) {
      w.signal!.removeEventListener("abort", w.onAbort);
    }
    try {
      w.resolve(this.#result(w.iteration, raw));
    } catch (error) {
      w.reject(error);
    }
  }

  #abortReceive(w: RecvWaiter): void {
    const q = this.#recv.queue;
    const i = q.indexOf(w);
    if (i < 0) return;
    q.splice(i, 1);
    if (q.length === 0) this.#queueEnded();
    w.onAbort = undefined;
    const h = this.#h;
    let raw: Raw | typeof EMPTY | typeof DRAINED = EMPTY;
    if (this.#ring !== null) {
      Atomics.sub(h, RECV_WAITING, 1);
      Atomics.sub(h, RECV_ASYNC, 1);
      w.reject(w.signal!.reason);
      return;
    }
    lock(h, LOCK);
    try {
      Atomics.sub(h, RECV_WAITING, 1);
      Atomics.sub(h, RECV_ASYNC, 1);
      // A sender may have handed a value on the strength of this receiver
      // waiting; if the others cannot cover it, completion wins the race.
      if (h[COUNT] > this.#capacity + h[RECV_WAITING]) {
        raw = this.#receiveLocked();
      }
    } finally {
      unlock(h, LOCK);
    }
    if (raw === EMPTY) w.reject(w.signal!.reason);
    else this.#settleReceive(w, raw);
  }

  // Async send. --------------------------------------------------------------

  /** Serves this thread's blocked senders, oldest first. */
  #serveSenders(): void {
    this.#serve(
      this.#send.queue,
      (q, served) =>
        this.#ring !== null
          ? this.#serveSendersRing(q, served)
          : this.#serveSendersLocked(q, served),
      (w, error) => this.#settleSend(w, error),
    );
  }
  /** Serves the oldest senders into the slot ring; how many it served. */
  #serveSendersRing(q: SendWaiter[], served: unknown[]): number {
    const h = this.#h;
    const ring = this.#ring!;
    let n = 0;
    for (; n < q.length; n++) {
      const w = q[n];
      const put = ring.put(w.encoded as number);
      if (put === PUT_OK) this.#wakeMarked(ring.woke);
      else if (put !== PUT_CLOSED) break;
      served.push(
        w,
        put === PUT_OK ? null : new ChannelClosedError("send", w.value),
      );
    }
    Atomics.sub(h, SEND_WAITING, n);
    Atomics.sub(h, SEND_ASYNC, n);
    if (n < q.length) this.#rewatch(false);
    return n;
  }

  /** Serves the oldest senders into the byte ring, under the lock; how many. */
  #serveSendersLocked(q: SendWaiter[], served: unknown[]): number {
    const h = this.#h;
    let n = 0;
    lock(h, LOCK);
    try {
      for (; n < q.length; n++) {
        const w = q[n];
        let error: unknown = null;
        if (w.offered) {
          const state = this.#offerState(w.ticket);
          if (state === PENDING) break;
          if (state === DROPPED) {
            error = new ChannelClosedError("send", w.value);
          }
        } else if (h[CLOSED] !== 0) {
          error = new ChannelClosedError("send", w.value);
        } else {
          let committed: boolean;
          try {
            committed = this.#tryCommit(w.encoded);
          } catch (e) {
            committed = true;
            error = e;
          }
          if (!committed) {
            if (h[OFFERED] === 0) {
              try {
                w.ticket = this.#offer(w.encoded);
                w.offered = true;
              } catch (e) {
                Atomics.sub(h, SEND_WAITING, 1);
                Atomics.sub(h, SEND_ASYNC, 1);
                served.push(w, e);
                n++;
              }
            }
            break;
          }
        }
        Atomics.sub(h, SEND_WAITING, 1);
        Atomics.sub(h, SEND_ASYNC, 1);
        served.push(w, error);
      }
      if (n < q.length) this.#send.watch(h[SEND_SEQ]);
    } finally {
      unlock(h, LOCK);
    }
    return n;
  }

  #settleSend(w: SendWaiter, error: unknown): void {
    if (w.onAbort !== undefined) {
      w.signal!.removeEventListener("abort", w.onAbort);
    }
    if (error === null) w.resolve();
    else w.reject(error);
  }

  #abortSend(w: SendWaiter): void {
    const q = this.#send.queue;
    const i = q.indexOf(w);
    if (i < 0) return;
    q.splice(i, 1);
    if (q.length === 0) this.#queueEnded();
    w.onAbort = undefined;
    const h = this.#h;
    let error: unknown = w.signal!.reason;
    if (this.#ring !== null) {
      Atomics.sub(h, SEND_WAITING, 1);
      Atomics.sub(h, SEND_ASYNC, 1);
      this.#settleSend(w, error);
      return;
    }
    lock(h, LOCK);
    try {
      Atomics.sub(h, SEND_WAITING, 1);
      Atomics.sub(h, SEND_ASYNC, 1);
      if (w.offered) {
        const state = this.#offerState(w.ticket);
        if (state === PENDING) {
          this.#dropOffer();
          this.#wake(SEND_WAITING, SEND_SEQ);
        } else {
          // Taken or dropped before the abort: that outcome stands.
          error = state === TAKEN
            ? null
            : new ChannelClosedError("send", w.value);
        }
      }
    } finally {
      unlock(h, LOCK);
    }
    this.#settleSend(w, error);
  }

  // The slot ring (buffered channels of a fixed-size codec). -----------------
  //
  // Puts and takes do not take the lock, and read no waiter counts. A
  // blocked operation still counts itself in *_WAITING (and *_ASYNC, or a
  // select in *_WATCHERS) for `close` and for `notify`; then it reads the
  // futex word, marks the slot it waits for (`markTake` / `markPut`, see
  // `_slot_ring.ts`) and waits for the word to move from the value it
  // read. The put or take that next changes that slot clears the mark and
  // bumps the word; if the slot changed before the mark, the mark fails
  // and the operation retries instead of waiting.

  /** A receive that does not block: a value, EMPTY or DRAINED. */
  #receiveNow(): Raw | typeof EMPTY | typeof DRAINED {
    if (this.#ring !== null) return this.#ringTake();
    const h = this.#h;
    lock(h, LOCK);
    try {
      return this.#receiveLocked();
    } finally {
      unlock(h, LOCK);
    }
  }

  /** Takes from the slot ring, waking senders if it took a value. */
  #ringTake(): Raw | typeof EMPTY | typeof DRAINED {
    const ring = this.#ring!;
    const v = ring.take();
    if (v === RING_EMPTY) return EMPTY;
    if (v === RING_DRAINED) return DRAINED;
    this.#wakeMarked(ring.woke);
    return v;
  }

  /** Puts into the slot ring, waking receivers: false if it is full. */
  #ringPut(encoded: number, value: unknown): boolean {
    const ring = this.#ring!;
    const put = ring.put(encoded);
    if (put === PUT_CLOSED) throw new ChannelClosedError("send", value);
    if (put !== PUT_OK) return false;
    this.#wakeMarked(ring.woke);
    return true;
  }

  /**
   * Waits again for this object's still-blocked receivers (or senders): at
   * once, if the ring already changed for them; else when the futex word
   * moves from the value it has before the check.
   */
  #rewatch(recv: boolean): void {
    const h = this.#h;
    const ring = this.#ring!;
    const seq = Atomics.load(h, recv ? RECV_SEQ : SEND_SEQ);
    const side = recv ? this.#recv : this.#send;
    if (!(recv ? ring.markTake() : ring.markPut())) side.poke();
    else side.watch(seq);
  }

  #sendSyncRing(value: T, encoded: number): void {
    const ring = this.#ring!;
    const h = this.#h;
    let put = ring.put(encoded);
    if (put === PUT_FULL) {
      Atomics.add(h, SEND_WAITING, 1);
      try {
        for (;;) {
          const seq = Atomics.load(h, SEND_SEQ);
          put = ring.put(encoded);
          if (put !== PUT_FULL) break;
          if (ring.markPut()) this.#sleep(SEND_SEQ, seq);
        }
      } finally {
        Atomics.sub(h, SEND_WAITING, 1);
      }
    }
    if (put === PUT_CLOSED) throw new ChannelClosedError("send", value);
    this.#wakeMarked(ring.woke);
  }

  #recvSyncRing(): ReceiveResult<T> {
    const ring = this.#ring!;
    const h = this.#h;
    let v = ring.take();
    if (v === RING_EMPTY) {
      Atomics.add(h, RECV_WAITING, 1);
      try {
        for (;;) {
          const seq = Atomics.load(h, RECV_SEQ);
          v = ring.take();
          if (v !== RING_EMPTY) break;
          if (ring.markTake()) this.#sleep(RECV_SEQ, seq);
        }
      } finally {
        Atomics.sub(h, RECV_WAITING, 1);
      }
    }
    if (v === RING_DRAINED) return CLOSED_RESULT;
    this.#wakeMarked(ring.woke);
    return { value: v as T, ok: true };
  }

  #sendManyRing(values: readonly T[], encoded: readonly number[]): void {
    const ring = this.#ring!;
    const n = values.length;
    let i = 0;
    while (i < n) {
      const k = ring.putRun(encoded, i, n - i);
      if (k > 0) {
        this.#wakeMarked(ring.woke);
        i += k;
      } else {
        // Full or closed: wait for room as a single send does, or throw.
        this.#sendSyncRing(values[i], encoded[i++]);
      }
    }
  }

  #recvManyRing(max: number): number[] {
    const ring = this.#ring!;
    const out: number[] = [];
    if (ring.takeRun(max, out) === 0) {
      // Empty or drained: wait as a single receive does.
      const r = this.#recvSyncRing();
      if (!r.ok) return out;
      out.push(r.value as number);
      if (max === 1 || ring.takeRun(max - 1, out) === 0) return out;
    }
    this.#wakeMarked(ring.woke);
    return out;
  }

  // Direct hand-off (the cell). ---------------------------------------------

  /**
   * Hands the value to a `recvSync` waiting in the cell: false if none
   * waits, or if the ring holds committed values, which this value must
   * not overtake (they may be this sender's own). The caller has checked
   * that the channel is open.
   */
  #cellGive(encoded: number): boolean {
    const h = this.#h;
    if (Atomics.load(h, COUNT) !== 0) return false;
    let was = Atomics.compareExchange(h, CELL, CELL_WAITING, CELL_FILLING);
    if (was === CELL_ASLEEP) {
      was = Atomics.compareExchange(h, CELL, CELL_ASLEEP, CELL_FILLING);
    }
    if (was !== CELL_WAITING && was !== CELL_ASLEEP) return false;
    this.#cell![0] = encoded;
    Atomics.store(h, CELL, CELL_FULL);
    if (was === CELL_ASLEEP) Atomics.notify(h, CELL);
    // Other receivers may take the value too, if the one in the cell is
    // gone (its worker terminated): wake them as for a committed value.
    this.#wake(RECV_WAITING, RECV_SEQ);
    return true;
  }

  /**
   * `sendSync` through the cell: hands the value to a `recvSync` that waits
   * there, or that claims the cell within a short spin. False if none did,
   * or the lock path has to serve the send: the channel is closed, a
   * receiver waits there, values are queued or another sender offers.
   *
   * The spin is for ping-pong: the other side claims the cell a moment after
   * it took the previous value, and a sender that went to the lock path
   * instead would leave an offer, which costs a round trip through the lock
   * on both sides (about 2 µs, against 0.5 µs for a hand-off).
   */
  #cellSend(encoded: number): boolean {
    const h = this.#h;
    if (Atomics.load(h, CLOSED) !== 0) return false;
    if (this.#cellGive(encoded)) return true;
    for (let i = 0; i < GIVE_SPIN; i++) {
      const cell = Atomics.load(h, CELL);
      if (
        (cell === CELL_WAITING || cell === CELL_ASLEEP) &&
        Atomics.load(h, CLOSED) === 0 && this.#cellGive(encoded)
      ) return true;
      if (
        Atomics.load(h, CLOSED) !== 0 || Atomics.load(h, COUNT) !== 0 ||
        Atomics.load(h, RECV_WAITING) !== 0 || Atomics.load(h, OFFERED) !== 0
      ) return false;
    }
    return false;
  }

  /**
   * Takes the value a full cell holds, for a receiver outside the cell: it
   * comes before the ring's records. EMPTY if there is none.
   */
  #takeFromCell(): number | typeof EMPTY {
    if (this.#cell === null || Atomics.load(this.#h, CELL) !== CELL_FULL) {
      return EMPTY;
    }
    return this.#cellTake();
  }

  /** Takes the value in a full cell: EMPTY if another receiver took it. */
  #cellTake(): number | typeof EMPTY {
    const h = this.#h;
    if (
      Atomics.compareExchange(h, CELL, CELL_FULL, CELL_TAKING) !== CELL_FULL
    ) return EMPTY;
    const v = this.#cell![0];
    Atomics.store(h, CELL, CELL_FREE);
    return v;
  }

  /**
   * Sends the `recvSync` waiting in the cell, if any, back to the lock
   * path: an offer was made or the channel closed.
   */
  #cellKick(): void {
    const h = this.#h;
    const was = Atomics.compareExchange(h, CELL, CELL_WAITING, CELL_FREE);
    if (
      was === CELL_ASLEEP &&
      Atomics.compareExchange(h, CELL, CELL_ASLEEP, CELL_FREE) === CELL_ASLEEP
    ) Atomics.notify(h, CELL);
  }

  /** Whether the lock path has something for a receiver (a hint). */
  #lockPathReady(): boolean {
    const h = this.#h;
    return Atomics.load(h, CLOSED) !== 0 || Atomics.load(h, COUNT) !== 0 ||
      Atomics.load(h, OFFERED) !== 0;
  }

  /**
   * `recvSync` through the cell: claims it, waits until a sender fills it,
   * and takes the value. EMPTY when the lock path must serve this receive:
   * it has a value, an offer or the close; another receiver has the cell;
   * or an offer or `close` pushed this one out, or a receiver took the
   * value first.
   */
  #cellReceive(): number | typeof EMPTY {
    const h = this.#h;
    const claimed = Atomics.compareExchange(h, CELL, CELL_FREE, CELL_WAITING);
    if (claimed !== CELL_FREE) {
      return claimed === CELL_FULL ? this.#cellTake() : EMPTY;
    }
    if (this.#lockPathReady()) {
      // An offer or close came before the claim: leave the cell, unless a
      // sender is already filling it.
      const was = Atomics.compareExchange(h, CELL, CELL_WAITING, CELL_FREE);
      if (was === CELL_WAITING || was === CELL_FREE) return EMPTY;
    } else if (Atomics.load(h, SEND_WATCHERS) > 0) {
      // Selects with a send case here may commit now.
      this.#wake(SEND_WAITING, SEND_SEQ);
    }
    for (;;) {
      let state = Atomics.load(h, CELL);
      for (let i = 0; i < SYNC_SPIN && state === CELL_WAITING; i++) {
        state = Atomics.load(h, CELL);
      }
      switch (state) {
        case CELL_FULL:
          return this.#cellTake();
        case CELL_WAITING:
          Atomics.compareExchange(h, CELL, CELL_WAITING, CELL_ASLEEP);
          break;
        case CELL_ASLEEP:
          Atomics.wait(h, CELL, CELL_ASLEEP);
          break;
        case CELL_FILLING:
        case CELL_TAKING:
          break;
        default:
          return EMPTY;
      }
    }
  }

  // Under the lock. ----------------------------------------------------------

  /**
   * Commits the value if a receiver waits for it (in the cell or counted in
   * `RECV_WAITING`) or the buffer has room; false if the send must wait.
   */
  #tryCommit(encoded: Raw): boolean {
    const h = this.#h;
    if (this.#cell !== null && this.#cellGive(encoded as number)) return true;
    if (h[COUNT] >= this.#capacity + h[RECV_WAITING]) return false;
    this.#commit(encoded);
    return true;
  }

  /** Go's chanrecv with block = false: a raw value, EMPTY or DRAINED. */
  #receiveLocked(): Raw | typeof EMPTY | typeof DRAINED {
    const fromCell = this.#takeFromCell();
    if (fromCell !== EMPTY) return fromCell;
    const h = this.#h;
    const count = h[COUNT];
    if (count > 0) {
      const raw = this.#take();
      h[COUNT] = count - 1;
      if (h[OFFERED] !== 0) {
        if (count - 1 < this.#capacity + h[RECV_WAITING]) {
          // Room in the buffer: the blocked sender's offer moves in.
          h[OFFERED] = 0;
          h[COUNT] = count;
          h[ACKED] = h[OFFER_TICKET];
          this.#wake(SEND_WAITING, SEND_SEQ);
        }
      } else {
        this.#wake(SEND_WAITING, SEND_SEQ);
      }
      return raw;
    }
    if (h[OFFERED] !== 0) {
      const raw = this.#take();
      h[OFFERED] = 0;
      h[ACKED] = h[OFFER_TICKET];
      this.#wake(SEND_WAITING, SEND_SEQ);
      return raw;
    }
    return h[CLOSED] !== 0 ? DRAINED : EMPTY;
  }

  /** Appends a committed value and wakes receivers. */
  #commit(encoded: Raw): void {
    this.#append(encoded);
    this.#h[COUNT]++;
    this.#wake(RECV_WAITING, RECV_SEQ);
  }

  /** Appends a blocked sender's offer and wakes receivers; its ticket. */
  #offer(encoded: Raw): number {
    const h = this.#h;
    const pos = this.#append(encoded);
    Atomics.store(h, OFFERED, 1);
    h[OFFER_POS] = pos;
    h[OFFER_BYTES] = this.#recordBytes(encoded);
    const ticket = (h[OFFER_TICKET] + 1) | 0;
    h[OFFER_TICKET] = ticket;
    this.#wake(RECV_WAITING, RECV_SEQ);
    // After OFFERED is set: a recvSync in the cell looks at OFFERED after
    // it claims the cell, so one of the two sees the other.
    if (this.#cell !== null) this.#cellKick();
    return ticket;
  }

  #offerState(ticket: number): typeof PENDING | typeof TAKEN | typeof DROPPED {
    const h = this.#h;
    if (((h[ACKED] - ticket) | 0) >= 0) return TAKEN;
    return h[OFFERED] !== 0 && h[OFFER_TICKET] === ticket ? PENDING : DROPPED;
  }

  /** Removes the offer, the last record of the ring. */
  #dropOffer(): void {
    const h = this.#h;
    h[OFFERED] = 0;
    const used = h[USED] - h[OFFER_BYTES];
    h[USED] = used;
    if (used === 0) h[HEAD] = h[TAIL] = 0;
    else h[TAIL] = h[OFFER_POS];
  }

  /**
   * Bumps a futex word and wakes its sleepers, if anybody waits on it (is
   * counted in `waiting` or watches it from a select): with `notify` on
   * other threads, and directly on this one, where a `waitAsync` woken by
   * this thread's own `notify` would only be served on a later turn of the
   * event loop (or never, if nothing else keeps the loop alive).
   */
  #wake(waiting: number, seq: number): void {
    const h = this.#h;
    const recv = seq === RECV_SEQ;
    if (
      Atomics.load(h, recv ? RECV_WATCHERS : SEND_WATCHERS) === 0 &&
      Atomics.load(h, waiting) === 0
    ) return;
    this.#bump(seq);
  }

  /**
   * Wakes the sides whose marks a slot-ring put or take cleared (its
   * `woke`); nothing if it cleared none.
   */
  #wakeMarked(woke: number): void {
    if ((woke & WAKE_RECEIVERS) !== 0) this.#bump(RECV_SEQ);
    if ((woke & WAKE_SENDERS) !== 0) this.#bump(SEND_SEQ);
  }

  /** The wake-up itself: bumps the futex word `seq` and wakes its sleepers. */
  #bump(seq: number): void {
    const h = this.#h;
    const recv = seq === RECV_SEQ;
    const watchers = Atomics.load(h, recv ? RECV_WATCHERS : SEND_WATCHERS);
    Atomics.add(h, seq, 1);
    // Async waiters and selects, on every thread, wait in `waitAsync`.
    const async = Atomics.load(h, recv ? RECV_ASYNC : SEND_ASYNC) + watchers;
    if (
      async > 0 || Atomics.load(h, recv ? RECV_SLEEPING : SEND_SLEEPING) > 0
    ) {
      Atomics.notify(h, seq);
    }
    if (async > 0) {
      const here = localWaiting.get(this.#id);
      if (here !== undefined) {
        for (const ch of here) (recv ? ch.#recv : ch.#send).poke();
      }
      if (watchers > 0) wakeWatchers(this.#id, seq);
    }
  }

  /** A receiver starts waiting: selects with a send case may now commit. */
  #receiverWaits(): void {
    if (this.#h[SEND_WATCHERS] > 0) this.#wake(SEND_WAITING, SEND_SEQ);
  }

  /** A local queue gained its first waiter. */
  #queueStarted(): void {
    // "Something outside can still wake us": keeps the deadlock detector
    // from reporting a wait that another thread will end.
    timerArmed();
    if (this.#recv.queue.length + this.#send.queue.length === 1) {
      let here = localWaiting.get(this.#id);
      if (here === undefined) localWaiting.set(this.#id, here = new Set());
      here.add(this as SharedChannel<unknown>);
    }
  }

  /** A local queue lost its last waiter. */
  #queueEnded(): void {
    timerDisarmed();
    if (this.#recv.queue.length + this.#send.queue.length === 0) {
      const here = localWaiting.get(this.#id)!;
      here.delete(this as SharedChannel<unknown>);
      if (here.size === 0) localWaiting.delete(this.#id);
    }
  }

  /** Releases the lock, sleeps until `seq` changes, retakes the lock. */
  #sleepLocked(seq: number): void {
    const h = this.#h;
    const value = h[seq];
    unlock(h, LOCK);
    this.#sleep(seq, value);
    lock(h, LOCK);
  }

  /** Spins, then sleeps, until the futex word `seq` is no longer `value`. */
  #sleep(seq: number, value: number): void {
    const h = this.#h;
    for (let i = 0; i < SYNC_SPIN && Atomics.load(h, seq) === value; i++);
    if (Atomics.load(h, seq) === value) {
      const sleeping = seq === RECV_SEQ ? RECV_SLEEPING : SEND_SLEEPING;
      Atomics.add(h, sleeping, 1);
      Atomics.wait(h, seq, value);
      Atomics.sub(h, sleeping, 1);
    }
  }

  #recordBytes(encoded: Raw): number {
    return this.#slot !== 0
      ? this.#slot
      : 4 + pad4((encoded as Uint8Array).length);
  }

  /** Rejects a value that could never fit, before the lock is taken. */
  #checkSize(encoded: Raw): void {
    if (this.#slot !== 0) return;
    const need = this.#recordBytes(encoded);
    const limit = (this.#buffer.maxByteLength - DATA) & ~7;
    if (need > limit) {
      throw new RangeError(
        `Cannot send on shared channel: the value needs ${need} bytes but ` +
          `the channel holds at most ${limit}; create it with a larger maxBytes`,
      );
    }
  }

  /** Writes a record at the tail, growing the ring if needed; its offset. */
  #append(encoded: Raw): number {
    const h = this.#h;
    const need = this.#recordBytes(encoded);
    if (h[USED] + need > h[RING_SIZE]) this.#grow(h[USED] + need);
    const ring = h[RING_SIZE];
    if (ring !== this.#viewed) this.#mapRing(ring);
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
  #take(): Raw {
    const h = this.#h;
    const ring = h[RING_SIZE];
    if (ring !== this.#viewed) this.#mapRing(ring);
    const pos = h[HEAD];
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
      const out = new Uint8Array(n);
      const first = Math.min(n, ring - start);
      out.set(this.#u8.subarray(start, start + first));
      if (first < n) out.set(this.#u8.subarray(0, n - first), first);
      raw = out;
    }
    const used = h[USED] - need;
    h[USED] = used;
    if (used === 0) h[HEAD] = h[TAIL] = 0;
    else h[HEAD] = (pos + need) % ring;
    return raw;
  }

  /**
   * Grows the ring to hold at least `min` bytes. A wrapped ring's front
   * part, `[HEAD, old size)`, moves to the end of the grown ring, so the
   * records stay in order; the offer's offset moves with it.
   */
  #grow(min: number): void {
    const h = this.#h;
    const old = h[RING_SIZE];
    const limit = (this.#buffer.maxByteLength - DATA) & ~7;
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
    this.#mapRing(size);
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

  #decode(raw: Raw): T {
    return typeof raw === "number" ? raw as T : this.#codec.decode(raw);
  }
}
