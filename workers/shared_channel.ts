// Copyright the denogo authors. MIT license.

/**
 * {@linkcode SharedChannel}: a Go channel whose state and buffer live in one
 * `SharedArrayBuffer`, so the main thread and any number of workers send and
 * receive on it, in parallel, without `postMessage`.
 *
 * (This file is over 600 lines for its docs: its code is about 220 lines,
 * the public class over one store; the rest states the contract of each of
 * its members, with a runnable example.)
 *
 * ## Stores
 *
 * A channel object picks one store in its constructor, by the header its
 * buffer carries, and keeps it (`_channel_store.ts`):
 *
 * - the **slot ring** (`_slot_store.ts`, `_slot_ring.ts`) for a buffered
 *   channel whose codec has a fixed slot size (`int32`, `float64`) and a
 *   capacity up to 2^20: a lock-free queue of exactly `capacity` slots, so
 *   a producer and a consumer on two threads do not take turns on a lock;
 * - the **byte ring** of records under the channel lock
 *   (`_locked_store.ts`, `_byte_ring.ts`) for every other channel:
 *   unbuffered ones (whose rendezvous needs a blocked sender's offer) and
 *   variable-size codecs (whose records need a ring that grows). An
 *   unbuffered `int32` or `float64` channel also has the **hand-off cell**
 *   (`_handoff_cell.ts`), where one `recvSync` at a time takes a value from
 *   a sender directly, without the lock, as Go's `sendDirect` does.
 *
 * The header's words, and how a state change wakes the threads waiting for
 * it, are in `_channel_words.ts`.
 *
 * ## Waiting
 *
 * Async operations (`send`, `receive`, `for await`) never block a thread:
 * each channel object keeps a local FIFO of its blocked operations
 * (`_channel_waiters.ts`) and at most one `Atomics.waitAsync` per futex
 * word (`_futex.ts`); when it fires, the queue is served in order.
 * `sendSync` / `recvSync` sleep in `Atomics.wait` (workers only). Across
 * threads, values keep FIFO order and each thread serves its own blocked
 * operations in order, but blocked operations of different threads are not
 * strictly served in arrival order: when woken together they race.
 *
 * While an async operation waits it does not park with the deadlock
 * detector: another thread the detector cannot see may complete it.
 *
 * ## Select
 *
 * `select` (in `select.ts`) takes shared channels as cases. A blocked
 * select is not counted as a waiting receiver or sender: it watches the
 * futex words and polls when they change; a select with a send case may
 * leave its value as the channel's offer, withdrawn before it commits any
 * other case. On an unbuffered channel, the operations of every thread
 * find it and pair with it, as Go's do: a blocked select lists its cases in
 * each unbuffered channel's memory and keeps a claim word in a small
 * per-process arena that every channel's handle carries
 * (`_select_claims.ts`), which the first peer to claim one of its cases
 * wins; its own thread's operations also find it directly
 * (`_local_selects.ts`). So a `trySend`, a `tryReceive` (of a select's
 * offered value) or a select with a default on another thread completes
 * with it. See `_select.ts` for why exactly one case commits.
 *
 * Limits of the cross-thread claim: a select whose channels carry
 * different arenas (a worker that made channels before it opened any
 * handle made its own arena), one with more than 16 cases listed on one
 * channel, or one beyond the arena's 4,096 blocked selects, is found on
 * other threads through its offer and its polls only, as before: blocking
 * operations there pair with it, non-blocking ones may not. A select with
 * several send cases offers its value on one of their channels at a time;
 * a `tryReceive` on another thread finds it only there.
 *
 * ## Limitations
 *
 * On an unbuffered channel a blocking send completes only once a receiver
 * has taken its value, and a value a `trySend` or a select's poll hands to
 * a blocked select (which it claims) or to the `recvSync` in the hand-off
 * cell is that receiver's alone, as in Go. But one that a non-blocking
 * send hands to a plain receive blocked on another thread goes through the
 * channel: another receiver that comes first (even the sender) may take
 * it, and the waiting one waits on (`_locked_store.ts`).
 *
 * A worker terminated inside a channel operation's critical section leaves
 * the channel locked, and one terminated while blocked leaves its waiting
 * count behind (an unbuffered `trySend` may then succeed with no live
 * receiver; the value stays in the channel for the next receiver). Unless
 * it was terminated through a `Retirement` (below), what a sender handed
 * it directly is lost with it: a value a `trySend` or a select's poll
 * reserved for its blocked select, and a value a sender put in the
 * hand-off cell for its `recvSync` (`FULL`). A reservation left behind
 * also makes every later `trySend` on that channel return false, for
 * good, even with a receiver waiting (blocking sends and receives still
 * pair); a cell left `FULL` is no longer used (`recvSync` goes through
 * the lock). A retired worker gives both back (`_locked_store.ts`,
 * `_handoff_cell.ts`). A worker terminated inside a slot ring's put, between claiming a
 * slot and filling it, leaves that slot's receivers waiting for good, and
 * one terminated between filling the hand-off cell and marking it `FULL`
 * leaves the cell's receiver waiting. In Deno, `terminate()` does not
 * stop a worker blocked in `sendSync`/`recvSync` at all while it never
 * returns to its event loop (denoland/deno#14003): it would go on sending
 * and receiving. Terminate such workers through a `Retirement`
 * (`retirement.ts`; the runtime does so for its own): a retired worker's
 * operations park for good, and what it would have received, or was
 * handed, stays in the channel.
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
import { type Codec, CODEC_NAMES, codecFor, type CodecName } from "./codec.ts";
import { MainThreadWaitError } from "./errors.ts";
import { encodeTransient } from "./_transient.ts";
import { canBlock, inWorker } from "./_lock.ts";
import { checkHandle, Opening } from "./_handle.ts";
import {
  ARENA,
  CAPACITY,
  checkChannelBuffer,
  CLOSED,
  CODEC,
  DRAINED,
  EMPTY,
  HEADER_WORDS,
  newChannelBuffer,
  type Raw,
  SLOT_RING,
} from "./_channel_words.ts";
import { type ChannelStore, DONE, RESOLVED } from "./_channel_store.ts";
import { LockedStore } from "./_locked_store.ts";
import { defineInspect } from "../_inspect.ts";
import { sharedChannelState } from "./_channel_inspect.ts";
import { SlotStore } from "./_slot_store.ts";
import {
  CLOSED as SELECT_CLOSED,
  NOT_READY,
  sharedSelect,
} from "../_selectable.ts";
import { blockSelect, storeOf } from "./_select.ts";
import {
  checkClaims,
  type Claims,
  claimsForNew,
  claimsFromHandle,
  isArenaId,
  writeArenaId,
} from "./_select_claims.ts";
import { registerKind } from "./_shared_kinds.ts";
import { isRetired, parkAsync, parkIfRetired } from "./_retired.ts";

const MAX_INT32 = 0x7fffffff;
/** The default bound on the ring: address space is reserved, not memory. */
const DEFAULT_MAX_BYTES = 1 << 30;

const EMPTY_TRY: TryReceiveResult<never> = Object.freeze({ state: "empty" });
const CLOSED_TRY: TryReceiveResult<never> = Object.freeze({ state: "closed" });

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
   * doubles as needed; this bound only reserves address space. A bound of at
   * most 65,536 allocates the ring whole, in a buffer that never grows: use
   * one for many small channels, since every growable buffer takes two of the
   * process's memory mappings (Linux allows 65,530 by default), so only about
   * 30,000 channels with a larger bound can be live at once.
   *
   * A buffered channel can fill by bytes before it fills by count: a send
   * whose value would fit the empty ring but not beside the values it holds
   * then waits, as on a full channel, until receives free the bytes
   * (`trySend` returns false, a select's send case is not ready). Only a
   * value that could never fit, even in an empty ring, throws a
   * `RangeError`, before the channel is touched.
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
  /**
   * The claims arena the channel carries: where a select blocked on it, on
   * any thread, keeps the word its peers claim it by (see "Select" above).
   * Absent in a handle made by hand: that channel's selects are then found
   * across threads only through their offers and polls.
   */
  readonly claims?: SharedArrayBuffer;
  /** Never set: carries `T` for type inference. */
  readonly valueType?: T;
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

/** What is wrong with a channel handle's buffer or claims arena, or undefined. */
function checkChannel(
  buffer: SharedArrayBuffer,
  handle: Record<string, unknown>,
): string | undefined {
  return checkChannelBuffer(buffer) ?? checkClaims(handle.claims);
}

/** What `from()` hands the constructor: a checked handle's memory. */
interface Opened {
  readonly buffer: SharedArrayBuffer;
  readonly claims: Claims | null;
}

/** Makes the buffer of a new channel, its header written. */
function makeBuffer(
  options: SharedChannelOptions,
  codec: Codec<unknown>,
): SharedArrayBuffer {
  const capacity = checkCapacity(options.capacity ?? 0);
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
  return newChannelBuffer(capacity, codec, maxBytes & ~7);
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
 * receivers get equal values, not the same objects (but a shared object
 * in a `structured` value, between the threads of a runtime, arrives as an
 * object of its class over the same memory). A value the codec cannot
 * encode throws `CodecError` and leaves the channel as it was.
 *
 * To use a channel in a worker, post its {@linkcode SharedChannel.handle}
 * and open it there with {@linkcode SharedChannel.from}; a runtime's task
 * takes the channel itself as an argument.
 *
 * Memory model, as Go's: a send on a channel synchronizes before the
 * completion of the corresponding receive; for an unbuffered channel, a
 * receive synchronizes before the completion of the corresponding send;
 * for a channel of capacity C, the k'th receive synchronizes before the
 * completion of the (k+C)'th send; and `close` synchronizes before a
 * receive that returns because the channel is closed. This holds across
 * threads: whatever a thread wrote to shared memory (or to any other
 * shared object) before it sent is visible to the thread that received
 * the value.
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
 * ```ts
 * import { SharedChannel } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * // main.ts
 * const ch = new SharedChannel<number>({ capacity: 1024, codec: "float64" });
 * // In a program: new Worker(new URL("./worker.ts", import.meta.url), ...).
 * // Here worker.ts is inlined, so the example runs as it is.
 * const workers = import.meta.resolve("@denogo/go/workers");
 * const worker = new Worker(
 *   "data:text/javascript," + encodeURIComponent(`
 *     // worker.ts
 *     import { SharedChannel } from ${JSON.stringify(workers)};
 *     self.onmessage = (e) => {
 *       const ch = SharedChannel.from(e.data);
 *       for (let i = 0; i < 10; i++) ch.sendSync(i);
 *       ch.close();
 *     };
 *   `),
 *   { type: "module" },
 * );
 * worker.postMessage(ch.handle);
 * let sum = 0;
 * for await (const x of ch) sum += x;
 * worker.terminate();
 * assert.equal(sum, 45);
 * ```
 *
 * @typeParam T The type of the channel's values.
 */
export class SharedChannel<T>
  implements SendChannel<T>, ReceiveChannel<T>, Disposable, AsyncDisposable {
  readonly #buffer: SharedArrayBuffer;
  readonly #codec: Codec<T>;
  /** The header words. */
  readonly #h: Int32Array;
  /** Where the values live: one store, chosen by the header. */
  readonly #store: ChannelStore<T>;
  /**
   * Whether `sendSync` and `trySend` encode into the structured codec's
   * scratch space (`_transient.ts`): a buffered channel copies the
   * encoding into its ring (a value or an offer) before it returns or
   * sleeps; an unbuffered one may hand it to a select of this thread,
   * which keeps it.
   */
  readonly #transient: boolean;
  /** The claims arena it carries (`_select_claims.ts`), or null. */
  readonly #claims: Claims | null;
  /** The buffer `from()` asks the constructor to open. */
  static #opening = new Opening<Opened>();

  static {
    defineInspect(
      SharedChannel,
      (ch) => sharedChannelState(ch.#h, ch.codec, ch.size),
    );
    storeOf.get = (ch) => (ch as SharedChannel<unknown>).#store;
    sharedSelect.isShared = (ch) => ch instanceof SharedChannel;
    sharedSelect.pollReceive = (ch) => {
      const store = (ch as SharedChannel<unknown>).#store;
      parkIfRetired();
      const raw = store.receiveNow();
      if (raw === EMPTY) return NOT_READY;
      if (raw === DRAINED) return SELECT_CLOSED;
      return store.decode(raw);
    };
    sharedSelect.pollSend = (ch, value) => {
      const store = (ch as SharedChannel<unknown>).#store;
      parkIfRetired();
      return store.pollSend(value, store.encodeChecked(value));
    };
    sharedSelect.block = blockSelect;
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
    const opened = SharedChannel.#opening.take();
    const buffer = opened?.buffer ??
      makeBuffer(options, codecFor(options.codec ?? "structured"));
    const h = new Int32Array(buffer, 0, HEADER_WORDS);
    let claims = opened === undefined ? claimsForNew() : opened.claims;
    // Every object of a channel claims in the arena its maker wrote.
    if (opened === undefined) writeArenaId(claims!, h, ARENA);
    else if (claims !== null && !isArenaId(claims, h, ARENA)) claims = null;
    const codec = codecFor<T>(CODEC_NAMES[h[CODEC]]);
    const capacity = h[CAPACITY];
    this.#buffer = buffer;
    this.#h = h;
    this.#codec = codec;
    this.#transient = capacity > 0 && codec.name === "structured";
    this.#claims = claims;
    this.#store = h[SLOT_RING] !== 0
      ? new SlotStore(buffer, h, codec, capacity, claims)
      : new LockedStore(buffer, h, codec, capacity, claims);
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
    const buffer = checkHandle(handle, "SharedChannel", checkChannel);
    const claims = claimsFromHandle(handle.claims);
    return SharedChannel.#opening.open(
      { buffer, claims },
      () => new SharedChannel<T>(),
    );
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
    const claims = this.#claims;
    return claims === null
      ? { kind: "SharedChannel", buffer: this.#buffer }
      : { kind: "SharedChannel", buffer: this.#buffer, claims: claims.buffer };
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
    return this.#store.size();
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
    return this.#store.capacity;
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
   * @throws {RangeError} If the encoded value could never fit the ring,
   *   even empty (see `maxBytes`; the promise rejects; the channel is
   *   untouched). One that fits an empty ring waits for room instead.
   */
  send(value: T, options?: ChannelWaitOptions): Promise<void> {
    let encoded: Raw;
    try {
      encoded = this.#codec.encode(value);
      this.#store.checkSize(encoded);
    } catch (error) {
      return Promise.reject(error);
    }
    if (isRetired()) return parkAsync();
    return this.#store.sendAsync(value, encoded, options?.signal);
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
    if (isRetired()) return parkAsync();
    return this.#store.receiveAsync(false, options?.signal) as Promise<
      ReceiveResult<T>
    >;
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
   *   if the send would block (the buffer is full, by count or by bytes).
   * @throws {ChannelClosedError} If the channel is closed.
   * @throws {CodecError} If the codec cannot encode the value.
   * @throws {RangeError} If the encoded value could never fit the ring.
   */
  trySend(value: T): boolean {
    parkIfRetired();
    const store = this.#store;
    if (!this.#transient) {
      return store.pollSend(value, store.encodeChecked(value));
    }
    // A buffered channel copies the encoding into its ring at once.
    const encoded = encodeTransient(value);
    store.checkSize(encoded);
    return store.pollSend(value, encoded);
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
    parkIfRetired();
    const raw = this.#store.receiveNow();
    if (raw === EMPTY) return EMPTY_TRY;
    if (raw === DRAINED) return CLOSED_TRY;
    return { state: "ok", value: this.#store.decode(raw) };
  }

  /**
   * Sends, blocking the worker's thread until the value is delivered: the
   * synchronous {@linkcode SharedChannel.send}, for workers that have
   * nothing else to run while they wait.
   *
   * @example Usage
   * ```ts
   * import {
   *   MainThreadWaitError,
   *   SharedChannel,
   *   type SharedChannelHandle,
   * } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * // A worker's side: blocks its thread until a receiver takes the value.
   * function produce(handle: SharedChannelHandle<number>): void {
   *   SharedChannel.from(handle).sendSync(42);
   * }
   *
   * const ch = new SharedChannel<number>({ codec: "int32" });
   * // The main thread may not block: it uses `await send()`.
   * assert.throws(() => produce(ch.handle), MainThreadWaitError);
   * ```
   *
   * @param value The value to send.
   * @throws {MainThreadWaitError} If called on the main thread.
   * @throws {ChannelClosedError} If the channel is closed, or closes while
   *   the send is blocked.
   * @throws {CodecError} If the codec cannot encode the value.
   * @throws {RangeError} If the encoded value could never fit the ring,
   *   even empty; one that fits an empty ring waits for room instead.
   */
  sendSync(value: T): void {
    if (!inWorker || !canBlock) {
      throw new MainThreadWaitError("SharedChannel.sendSync()");
    }
    parkIfRetired();
    this.#store.sendSync(
      value,
      this.#transient ? encodeTransient(value) : this.#codec.encode(value),
    );
  }

  /**
   * Receives, blocking the worker's thread until a value arrives or the
   * channel is closed and drained: the synchronous
   * {@linkcode SharedChannel.receive}.
   *
   * @example Usage
   * ```ts
   * import {
   *   MainThreadWaitError,
   *   SharedChannel,
   *   type SharedChannelHandle,
   * } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * // A worker's side: sums the values until the channel is closed.
   * function consume(handle: SharedChannelHandle<number>): number {
   *   const ch = SharedChannel.from(handle);
   *   let sum = 0;
   *   for (let r = ch.recvSync(); r.ok; r = ch.recvSync()) sum += r.value;
   *   return sum;
   * }
   *
   * const ch = new SharedChannel<number>({ capacity: 2, codec: "int32" });
   * // The main thread may not block: it uses `await receive()` or `for await`.
   * assert.throws(() => consume(ch.handle), MainThreadWaitError);
   * ```
   *
   * @returns The value and whether it came from a send.
   * @throws {MainThreadWaitError} If called on the main thread.
   */
  recvSync(): ReceiveResult<T> {
    if (!inWorker || !canBlock) {
      throw new MainThreadWaitError("SharedChannel.recvSync()");
    }
    parkIfRetired();
    return this.#store.recvSync();
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
   * ```ts
   * import {
   *   MainThreadWaitError,
   *   SharedChannel,
   *   type SharedChannelHandle,
   * } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * // A worker's side: one call commits as many values as fit.
   * function produce(handle: SharedChannelHandle<number>): void {
   *   SharedChannel.from(handle).sendManySync([1, 2, 3]);
   * }
   *
   * const ch = new SharedChannel<number>({ capacity: 3, codec: "float64" });
   * // The main thread may not block: it sends with `await send()`.
   * assert.throws(() => produce(ch.handle), MainThreadWaitError);
   * ```
   *
   * @param values The values to send, in order.
   * @throws {MainThreadWaitError} If called on the main thread.
   * @throws {ChannelClosedError} If the channel is or gets closed; the
   *   values before the one it names were sent.
   * @throws {CodecError} If the codec cannot encode a value; nothing was
   *   sent.
   * @throws {RangeError} If a value could never fit the ring, even empty;
   *   nothing was sent.
   */
  sendManySync(values: readonly T[]): void {
    if (!inWorker || !canBlock) {
      throw new MainThreadWaitError("SharedChannel.sendManySync()");
    }
    const n = values.length;
    const encoded: Raw[] = new Array(n);
    for (let i = 0; i < n; i++) {
      encoded[i] = this.#codec.encode(values[i]);
      this.#store.checkSize(encoded[i]);
    }
    parkIfRetired();
    this.#store.sendManySync(values, encoded);
  }

  /**
   * Receives up to `max` values at once, blocking the worker's thread until
   * at least one is available: the batched {@linkcode SharedChannel.recvSync}.
   * Every value it returns is taken from the channel (received), so ask
   * only for what the caller will process. An empty array means the
   * channel is closed and drained.
   *
   * @example Usage
   * ```ts
   * import {
   *   MainThreadWaitError,
   *   SharedChannel,
   *   type SharedChannelHandle,
   * } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * // A worker's side: takes up to 256 values a call until closed and drained.
   * function consume(handle: SharedChannelHandle<number>): number {
   *   const ch = SharedChannel.from(handle);
   *   let sum = 0;
   *   for (let xs = ch.recvManySync(256); xs.length > 0; xs = ch.recvManySync(256)) {
   *     for (const x of xs) sum += x;
   *   }
   *   return sum;
   * }
   *
   * const ch = new SharedChannel<number>({ capacity: 8, codec: "float64" });
   * // The main thread may not block: it receives with `for await`.
   * assert.throws(() => consume(ch.handle), MainThreadWaitError);
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
    parkIfRetired();
    return this.#store.recvManySync(max);
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
    this.#store.close();
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
    const store = this.#store;
    return {
      next: () =>
        isRetired()
          ? parkAsync()
          : store.receiveAsync(true, undefined) as Promise<
            IteratorResult<T, undefined>
          >,
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
}

// A SharedChannel crosses into tasks and structured values as itself.
registerKind("SharedChannel", {
  type: SharedChannel,
  from: SharedChannel.from,
});
