// Copyright the denogo authors. MIT license.

/**
 * Go's channels: {@linkcode Channel}, its send-only and receive-only views,
 * and the error a closed channel throws.
 *
 * @module
 */

import { describe } from "./_describe.ts";
import { defineInspect } from "./_inspect.ts";
import { afterTurn, preemptDue } from "./_preempt.ts";
import { Ring } from "./_ring.ts";
import { running, setCurrent } from "./_goroutines.ts";
import { go } from "./scheduler.ts";
import {
  channelInternals,
  type ChannelSource,
  CLOSED,
  NOT_READY,
} from "./_selectable.ts";
import {
  CLOSED_RESULT,
  DONE_ITERATION,
  ITERATION,
  parkWaiter,
  RESULT,
  SENT,
  Waiter,
  WaitQueue,
} from "./_waiter.ts";

/**
 * The `{ value, ok }` pair of a receive: Go's `v, ok := <-ch`. `ok` is true
 * when `value` was sent, false when the channel is closed and drained (then
 * `value` is `undefined`). Checking `ok` narrows `value` to `T`.
 *
 * @typeParam T The type of the channel's values.
 */
export type ReceiveResult<T> =
  | { readonly value: T; readonly ok: true }
  | { readonly value: undefined; readonly ok: false };

/**
 * The outcome of {@linkcode Channel.tryReceive}, shaped as in `@std/async`:
 * `"ok"` with the value, `"empty"` when the channel is open but no value is
 * ready, `"closed"` when it is closed and drained.
 *
 * @typeParam T The type of the channel's values.
 */
export type TryReceiveResult<T> =
  | { readonly state: "ok"; readonly value: T }
  | { readonly state: "empty" }
  | { readonly state: "closed" };

/** Options for the {@linkcode Channel} constructor. */
export interface ChannelOptions {
  /**
   * How many values the channel buffers. `0` makes an unbuffered channel: a
   * send completes only when a receiver takes the value. Must be a
   * non-negative integer.
   *
   * @default {0}
   */
  capacity?: number;
}

/** Options for a blocking {@linkcode Channel.send} or {@linkcode Channel.receive}. */
export interface ChannelWaitOptions {
  /**
   * Cancels the wait: a send or receive still blocked when the signal aborts
   * rejects with the signal's reason and leaves the channel as if it had
   * never been called. An operation that can complete at once ignores it.
   */
  signal?: AbortSignal;
}

/** Options for {@linkcode Channel.from}. */
export interface ChannelFromOptions extends ChannelOptions {
  /**
   * Stops the filling: once it aborts, the goroutine sends no more values,
   * calls the iterator's `return()` and closes the channel. A value already
   * buffered can still be received.
   */
  signal?: AbortSignal;
  /**
   * Receives an error thrown by the iterable (or its iterator), just before
   * the channel closes. Without it the error rejects the filling goroutine,
   * which, as any goroutine error nobody handles, ends the program like a
   * Go panic: it is never swallowed.
   */
  onError?: (error: unknown) => void;
}

/**
 * Thrown by an operation that a closed channel forbids: a send (Go's "send
 * on closed channel" panic), including a send that was blocked when the
 * channel closed, and a second close ("close of closed channel"). A failed
 * send carries the unsent value in {@linkcode ChannelClosedError.value}.
 *
 * A receive never throws it: receiving from a closed channel is not an
 * error in Go, it returns `ok = false` (unlike `@std/async`'s Channel).
 *
 * @example Recovering the unsent value
 * ```ts
 * import { Channel, ChannelClosedError } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const ch = new Channel<number>();
 * ch.close();
 * await assert.rejects(ch.send(42), (e) => {
 *   assert(e instanceof ChannelClosedError);
 *   assert.equal(e.value, 42);
 *   return true;
 * });
 * ```
 */
export class ChannelClosedError extends Error {
  /**
   * The value a failed send did not deliver; `undefined` for a close.
   *
   * @example Usage
   * ```ts
   * import { ChannelClosedError } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new ChannelClosedError("send", 7).value, 7);
   * ```
   */
  readonly value: unknown;

  /**
   * Creates the error for a failed `send` or `close`.
   *
   * @param operation The operation that failed.
   * @param value The unsent value, for a send.
   */
  constructor(operation: "send" | "close", value?: unknown) {
    super(
      operation === "send"
        ? "Cannot send on a closed channel: a channel accepts no values " +
          "after close(); stop the senders before closing it"
        : "Cannot close a closed channel: close a channel exactly once, " +
          "from the sending side",
    );
    this.name = "ChannelClosedError";
    this.value = value;
  }
}

/**
 * The sending half of a channel: Go's `chan<- T`. Pass a channel as a
 * `SendChannel` to let a function send on it but not receive from it.
 *
 * @example A producer that can only send
 * ```ts
 * import { Channel, type SendChannel } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * async function produce(out: SendChannel<number>) {
 *   for (let i = 0; i < 3; i++) await out.send(i);
 *   out.close();
 * }
 * const ch = new Channel<number>({ capacity: 3 });
 * await produce(ch);
 * assert.deepEqual(await Array.fromAsync(ch), [0, 1, 2]);
 * ```
 *
 * @typeParam T The type of the channel's values.
 */
export interface SendChannel<T> {
  /** See {@linkcode Channel.send}. */
  send(value: T, options?: ChannelWaitOptions): Promise<void>;
  /** See {@linkcode Channel.trySend}. */
  trySend(value: T): boolean;
  /** See {@linkcode Channel.close}. */
  close(): void;
  /** See {@linkcode Channel.size}. */
  readonly size: number;
  /** See {@linkcode Channel.capacity}. */
  readonly capacity: number;
  /** See {@linkcode Channel.closed}. */
  readonly closed: boolean;
}

/**
 * The receiving half of a channel: Go's `<-chan T`. Pass a channel as a
 * `ReceiveChannel` to let a function receive from it but not send or close.
 *
 * @example A consumer that can only receive
 * ```ts
 * import { Channel, type ReceiveChannel } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * async function sum(input: ReceiveChannel<number>): Promise<number> {
 *   let total = 0;
 *   for await (const v of input) total += v;
 *   return total;
 * }
 * const ch = new Channel<number>({ capacity: 2 });
 * await ch.send(1);
 * await ch.send(2);
 * ch.close();
 * assert.equal(await sum(ch), 3);
 * ```
 *
 * @typeParam T The type of the channel's values.
 */
export interface ReceiveChannel<T> extends AsyncIterable<T> {
  /** See {@linkcode Channel.receive}. */
  receive(options?: ChannelWaitOptions): Promise<ReceiveResult<T>>;
  /** See {@linkcode Channel.tryReceive}. */
  tryReceive(): TryReceiveResult<T>;
  /** See {@linkcode Channel.size}. */
  readonly size: number;
  /** See {@linkcode Channel.capacity}. */
  readonly capacity: number;
  /** See {@linkcode Channel.closed}. */
  readonly closed: boolean;
}

const RESOLVED: Promise<void> = Promise.resolve();
const CLOSED_PROMISE: Promise<ReceiveResult<never>> = Promise.resolve(
  CLOSED_RESULT,
);
const EMPTY: TryReceiveResult<never> = Object.freeze({ state: "empty" });
const CLOSED_TRY: TryReceiveResult<never> = Object.freeze({ state: "closed" });
const DONE: Promise<IteratorReturnResult<undefined>> = Promise.resolve(
  DONE_ITERATION,
);

/**
 * A Go channel: a typed conduit between goroutines, unbuffered or buffered.
 *
 * - **Unbuffered** (`capacity: 0`, the default): a send completes only when
 *   a receiver takes the value, and a receive only when a sender gives one.
 * - **Buffered** (`capacity: n`): FIFO; a send blocks only while `n` values
 *   wait, a receive only while none do.
 * - Blocked senders and receivers are served in arrival order.
 * - **Close**: later receives drain the buffer, then resolve at once with
 *   `ok: false`; every blocked receiver wakes that way. A send on a closed
 *   channel, a blocked send whose channel closes, and a second close throw
 *   {@linkcode ChannelClosedError}.
 * - Any value may be sent, `undefined` included: `ok` tells it apart from
 *   a closed channel.
 *
 * Names follow `@std/async`'s Channel (`send`, `receive`, `trySend`,
 * `tryReceive`, `size`, `capacity`); semantics follow Go, so a receive from
 * a closed channel is not an error.
 *
 * @example Ping-pong between two goroutines
 * ```ts
 * import { Channel, go } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const ping = new Channel<number>();
 * const pong = new Channel<number>();
 * go(async () => {
 *   for await (const n of ping) await pong.send(n + 1);
 *   pong.close();
 * });
 * await ping.send(1);
 * assert.deepEqual(await pong.receive(), { value: 2, ok: true });
 * ping.close();
 * assert.deepEqual(await pong.receive(), { value: undefined, ok: false });
 * ```
 *
 * @typeParam T The type of the channel's values.
 */
export class Channel<T>
  implements SendChannel<T>, ReceiveChannel<T>, Disposable, AsyncDisposable {
  readonly #capacity: number;
  readonly #buffer: Ring<T>;
  #closed = false;
  /** Blocked receivers; non-empty only while the buffer is empty. */
  readonly #receivers = new WaitQueue(this);
  /** Blocked senders; non-empty only while the buffer is full. */
  readonly #senders = new WaitQueue(this);
  /** The timer that fills this channel, if it is a timer's channel. */
  #source: ChannelSource | null = null;

  static {
    channelInternals.pollReceive = (ch: Channel<unknown>) => ch.#pollReceive();
    channelInternals.pollSend = (ch: Channel<unknown>, value: unknown) =>
      ch.#pollSend(value);
    channelInternals.parkReceive = (ch: Channel<unknown>, w: Waiter) =>
      ch.#receivers.push(w);
    channelInternals.parkSend = (ch: Channel<unknown>, w: Waiter) =>
      ch.#senders.push(w);
    channelInternals.attachSource = (
      ch: Channel<unknown>,
      source: ChannelSource,
    ) => {
      ch.#source = source;
      ch.#receivers.watcher = source;
    };
    defineInspect(Channel, (ch) => ({
      capacity: ch.#capacity,
      size: ch.size,
      closed: ch.#closed,
      waitingSenders: ch.#senders.count(),
      waitingReceivers: ch.#receivers.count(),
    }));
  }

  /**
   * Makes a channel: Go's `make(chan T, capacity)`. The capacity may be
   * given as an option or, as Go's habit has it, as a bare number:
   * `new Channel(3)` is `new Channel({ capacity: 3 })`.
   *
   * @example Usage
   * ```ts
   * import { Channel } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const ch = new Channel<string>({ capacity: 8 });
   * assert.equal(ch.capacity, 8);
   * assert.equal(new Channel(3).capacity, 3);
   * assert.throws(() => new Channel({ capacity: -1 }), RangeError);
   * ```
   *
   * @param options The channel's capacity, or an options bag holding it.
   * @throws {TypeError} If `options` is neither an object nor a number, or
   *   the capacity is not a number (`"3"` is refused, not converted).
   * @throws {RangeError} If the capacity is a number but not a
   *   non-negative safe integer.
   */
  constructor(options: ChannelOptions | number = {}) {
    let capacity: unknown;
    if (typeof options === "number") capacity = options;
    else if (typeof options === "object" && options !== null) {
      capacity = options.capacity === undefined ? 0 : options.capacity;
    } else {
      throw new TypeError(
        "Cannot create channel: options must be an object such as " +
          `{ capacity: 3 } or a capacity number, received ${describe(options)}`,
      );
    }
    if (
      typeof capacity !== "number" || !Number.isSafeInteger(capacity) ||
      capacity < 0
    ) {
      const message =
        `Cannot create channel: capacity must be a non-negative integer, received ${
          describe(capacity)
        }`;
      throw typeof capacity === "number"
        ? new RangeError(message)
        : new TypeError(message);
    }
    this.#capacity = capacity;
    this.#buffer = new Ring(Math.min(capacity, 16));
  }

  /**
   * The number of values waiting in the buffer: Go's `len(ch)`. Always 0
   * for an unbuffered channel.
   *
   * @example Usage
   * ```ts
   * import { Channel } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const ch = new Channel<number>({ capacity: 2 });
   * ch.trySend(1);
   * assert.equal(ch.size, 1);
   * ```
   */
  get size(): number {
    return this.#buffer.length;
  }

  /**
   * The buffer's capacity: Go's `cap(ch)`.
   *
   * @example Usage
   * ```ts
   * import { Channel } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new Channel().capacity, 0);
   * ```
   */
  get capacity(): number {
    return this.#capacity;
  }

  /**
   * Whether {@linkcode Channel.close} has been called. Values sent before
   * the close may still wait to be received.
   *
   * @example Usage
   * ```ts
   * import { Channel } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const ch = new Channel();
   * ch.close();
   * assert.equal(ch.closed, true);
   * ```
   */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends a value: Go's `ch <- value`. Resolves when a receiver has taken
   * the value (unbuffered) or it is in the buffer (buffered); until then the
   * caller is blocked. When the send can complete at once the promise is
   * already resolved, so `await` costs a single microtask.
   *
   * @example Usage
   * ```ts
   * import { Channel } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const ch = new Channel<number>({ capacity: 1 });
   * await ch.send(42);
   * assert.equal(ch.size, 1);
   * ```
   *
   * @param value The value to send; any value, `undefined` included.
   * @param options A signal that cancels the send while it blocks.
   * @returns A promise that resolves once the value is delivered.
   * @throws {ChannelClosedError} If the channel is closed, or closes while
   *   the send is blocked (the promise rejects; the error holds the value).
   * @throws {TypeError} If `options` is not an object or its `signal` not an
   *   `AbortSignal` (the promise rejects; nothing is sent).
   */
  send(value: T, options?: ChannelWaitOptions): Promise<void> {
    if (options !== undefined) return this.#sendWith(value, options);
    if (this.#closed) {
      return Promise.reject(new ChannelClosedError("send", value));
    }
    if (this.#pollSend(value)) {
      return preemptDue() ? afterTurn(undefined) : RESOLVED;
    }
    return this.#sendBlocking(value, undefined);
  }

  /** A send with options: checks them, then sends as {@linkcode send}. */
  #sendWith(value: T, options: ChannelWaitOptions): Promise<void> {
    if (!validWaitOptions(options)) {
      return Promise.reject(waitOptionsError("send on", options));
    }
    if (this.#closed) {
      return Promise.reject(new ChannelClosedError("send", value));
    }
    if (this.#pollSend(value)) {
      return preemptDue() ? afterTurn(undefined) : RESOLVED;
    }
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return this.#sendBlocking(value, signal);
  }

  #sendBlocking(value: T, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const promise = new Promise<void>(captureResolve);
    const w = new Waiter(value, null, 0, SENT, takeCaptured());
    parkWaiter(this.#senders, w, signal);
    return promise;
  }

  /**
   * Receives a value: Go's `v, ok := <-ch`. Resolves with `ok: true` and
   * the value once one is available, or with `ok: false` and `undefined`
   * once the channel is closed and drained. Never rejects because of the
   * channel; only an aborted `signal` rejects it.
   *
   * @example Usage
   * ```ts
   * import { Channel } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const ch = new Channel<string>({ capacity: 1 });
   * await ch.send("hi");
   * ch.close();
   * const { value, ok } = await ch.receive();
   * assert.equal(ok, true);
   * assert.equal(value, "hi");
   * assert.equal((await ch.receive()).ok, false);
   * ```
   *
   * @param options A signal that cancels the receive while it blocks.
   * @returns The value and whether it came from a send.
   * @throws {TypeError} If `options` is not an object or its `signal` not an
   *   `AbortSignal` (the promise rejects; nothing is received).
   */
  receive(options?: ChannelWaitOptions): Promise<ReceiveResult<T>> {
    if (options !== undefined) return this.#receiveWith(options);
    const value = this.#pollReceive();
    if (value !== NOT_READY) {
      if (preemptDue()) {
        return afterTurn(
          value === CLOSED ? CLOSED_RESULT : { value: value as T, ok: true },
        );
      }
      return value === CLOSED
        ? CLOSED_PROMISE
        : Promise.resolve({ value: value as T, ok: true });
    }
    return this.#receiveBlocking(RESULT, undefined);
  }

  /** A receive with options: checks them, then receives as {@linkcode receive}. */
  #receiveWith(options: ChannelWaitOptions): Promise<ReceiveResult<T>> {
    if (!validWaitOptions(options)) {
      return Promise.reject(waitOptionsError("receive from", options));
    }
    const value = this.#pollReceive();
    if (value !== NOT_READY) {
      return settle(
        value === CLOSED ? CLOSED_RESULT : { value: value as T, ok: true },
      );
    }
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return this.#receiveBlocking(RESULT, signal);
  }

  /**
   * Sends without blocking: Go's `select { case ch <- v: default: }`.
   *
   * @example Usage
   * ```ts
   * import { Channel } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const ch = new Channel<number>({ capacity: 1 });
   * assert.equal(ch.trySend(1), true);
   * assert.equal(ch.trySend(2), false); // full
   * ```
   *
   * @param value The value to send.
   * @returns True if the value was delivered or buffered, false if the send
   *   would block.
   * @throws {ChannelClosedError} If the channel is closed: as in Go, and
   *   unlike `@std/async`, a non-blocking send on a closed channel is an
   *   error, not a `false`.
   */
  trySend(value: T): boolean {
    return this.#pollSend(value);
  }

  /**
   * Receives without blocking: Go's `select { case v, ok := <-ch: default: }`.
   *
   * @example Usage
   * ```ts
   * import { Channel } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const ch = new Channel<number>({ capacity: 1 });
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
    const value = this.#pollReceive();
    if (value === NOT_READY) return EMPTY;
    if (value === CLOSED) return CLOSED_TRY;
    return { state: "ok", value: value as T };
  }

  /**
   * Closes the channel: Go's `close(ch)`. Values already buffered can still
   * be received; after them every receive resolves at once with
   * `ok: false`. Every blocked receiver wakes that way, and every blocked
   * sender's promise rejects with {@linkcode ChannelClosedError}.
   *
   * @example Usage
   * ```ts
   * import { Channel } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const ch = new Channel<number>({ capacity: 1 });
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
    if (this.#closed) throw new ChannelClosedError("close");
    this.#closed = true;
    let w: Waiter | null;
    while ((w = this.#receivers.shift()) !== null) w.fire(undefined, false);
    while ((w = this.#senders.shift()) !== null) {
      w.fail(new ChannelClosedError("send", w.value));
    }
  }

  /**
   * Ranges over the channel: Go's `for v := range ch`. Yields each value
   * until the channel is closed and drained. Breaking out of the loop leaves
   * the channel open.
   *
   * @example Usage
   * ```ts
   * import { Channel } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const ch = new Channel<number>({ capacity: 3 });
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
      next: () => this.#next(),
      return: () => DONE,
    };
  }

  /**
   * Wraps the channel in a `ReadableStream` that receives a value per pull
   * and closes when the channel is closed and drained. Cancelling the
   * stream leaves the channel open.
   *
   * @example Usage
   * ```ts
   * import { Channel } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const ch = new Channel<string>({ capacity: 2 });
   * await ch.send("a");
   * await ch.send("b");
   * ch.close();
   * assert.deepEqual(await Array.fromAsync(ch.toReadableStream()), ["a", "b"]);
   * ```
   *
   * @returns A stream of the channel's values.
   */
  toReadableStream(): ReadableStream<T> {
    // Cancelling the stream withdraws a pending receive, so the value a
    // sender hands over next is not lost to a reader that is gone.
    const cancelled = new AbortController();
    return new ReadableStream<T>({
      pull: async (controller) => {
        const r = await this.receive({ signal: cancelled.signal });
        if (r.ok) controller.enqueue(r.value);
        else controller.close();
      },
      cancel: (reason) => cancelled.abort(reason),
    }, { highWaterMark: 0 });
  }

  /**
   * Wraps the channel in a `WritableStream`: each chunk is sent (with
   * backpressure), and closing the stream closes the channel.
   *
   * @example Piping a stream into a channel
   * ```ts
   * import { Channel, go } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const ch = new Channel<number>();
   * go(() => ReadableStream.from([1, 2, 3]).pipeTo(ch.toWritableStream()));
   * assert.deepEqual(await Array.fromAsync(ch), [1, 2, 3]);
   * ```
   *
   * @returns A stream that writes into the channel.
   */
  toWritableStream(): WritableStream<T> {
    return new WritableStream<T>({
      write: (chunk) => this.send(chunk),
      close: () => this.close(),
    }, { highWaterMark: 1 });
  }

  /**
   * Makes a channel that a new goroutine fills with the values of
   * `source`, sending each in turn (so it waits for receivers as any
   * sender does), and closes when `source` is exhausted: a generator
   * pipeline stage, as `Array.from` is for arrays.
   *
   * - A sync iterable's values are sent as they are (a promise is sent as
   *   a promise); an async iterable's are awaited, as `for await` does.
   * - Stopping early: abort `options.signal`, or close the channel. Either
   *   way the goroutine stops at its next send, calls the iterator's
   *   `return()` (a generator's `finally` blocks run) and ends quietly.
   *   A consumer that just stops receiving leaves the goroutine blocked on
   *   its send, as in Go.
   * - An error thrown by the iterable (or its iterator) ends the filling:
   *   it goes to `options.onError`, then the channel closes, so a receiver
   *   that sees the end (`ok: false`) can already read what the handler
   *   kept. Without `onError` the channel closes and the error rejects the
   *   filling goroutine, which left unhandled ends the program like a Go
   *   panic. It is never swallowed.
   *
   * @example A pipeline stage from a generator
   * ```ts
   * import { Channel } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * function* naturals(n: number) {
   *   for (let i = 1; i <= n; i++) yield i;
   * }
   * const ch = Channel.from(naturals(3));
   * assert.deepEqual(await Array.fromAsync(ch), [1, 2, 3]);
   * assert.equal(ch.closed, true);
   * ```
   *
   * @example An async iterable, an early stop and an error handler
   * ```ts
   * import { Channel } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * async function* lines() {
   *   yield "a";
   *   yield "b";
   *   throw new Error("disk gone");
   * }
   * const errors: unknown[] = [];
   * const ch = Channel.from(lines(), { onError: (e) => errors.push(e) });
   * assert.deepEqual(await Array.fromAsync(ch), ["a", "b"]);
   * assert.match(String(errors[0]), /disk gone/);
   *
   * const controller = new AbortController();
   * const many = Channel.from([1, 2, 3, 4], { signal: controller.signal });
   * assert.deepEqual(await many.receive(), { value: 1, ok: true });
   * controller.abort();
   * assert.deepEqual(await Array.fromAsync(many), []);
   * ```
   *
   * @typeParam T The type of the values.
   * @param source The values: an `Iterable` (an array, a generator, a
   *   `Set`, ...) or an `AsyncIterable` (an async generator, a
   *   `ReadableStream`, another channel, ...).
   * @param options The channel's capacity (default 0), a signal that stops
   *   the filling, and a handler for the iterable's errors.
   * @returns The channel, open until the goroutine closes it.
   * @throws {TypeError} If `source` is not iterable, or an option has the
   *   wrong type.
   * @throws {RangeError} If the capacity is not a non-negative integer.
   */
  static from<T>(
    source: Iterable<T> | AsyncIterable<T>,
    options: ChannelFromOptions = {},
  ): Channel<T> {
    if (
      source === null ||
      (typeof source !== "object" && typeof source !== "function" &&
        typeof source !== "string") ||
      (typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] !==
          "function" &&
        typeof (source as Iterable<T>)[Symbol.iterator] !== "function")
    ) {
      throw new TypeError(
        "Cannot make a channel with Channel.from(): source must be an iterable or an async iterable, " +
          `received ${describe(source)}`,
      );
    }
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        "Cannot make a channel with Channel.from(): options must be an object such as " +
          `{ capacity: 3 }, received ${describe(options)}`,
      );
    }
    const { signal, onError } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(
        "Cannot make a channel with Channel.from(): options.signal must be an AbortSignal, " +
          `received ${describe(signal)}`,
      );
    }
    if (onError !== undefined && typeof onError !== "function") {
      throw new TypeError(
        "Cannot make a channel with Channel.from(): options.onError must be a function, " +
          `received ${describe(onError)}`,
      );
    }
    const ch = new Channel<T>({ capacity: options.capacity });
    go(fill, source, ch, signal, onError);
    return ch;
  }

  /**
   * Closes the channel if it is still open, so `using ch = new Channel()`
   * closes it at the end of the scope.
   *
   * @example Usage
   * ```ts
   * import { Channel } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * let ref: Channel<number>;
   * {
   *   using ch = new Channel<number>();
   *   ref = ch;
   * }
   * assert.equal(ref.closed, true);
   * ```
   */
  [Symbol.dispose](): void {
    if (!this.#closed) this.close();
  }

  /**
   * Like {@linkcode Channel[Symbol.dispose]}, for `await using`.
   *
   * @example Usage
   * ```ts
   * import { Channel } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * let ref: Channel<number>;
   * {
   *   await using ch = new Channel<number>();
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

  #next(): Promise<IteratorResult<T, undefined>> {
    const value = this.#pollReceive();
    if (value === NOT_READY) return this.#receiveBlocking(ITERATION, undefined);
    if (value === CLOSED) {
      return preemptDue() ? afterTurn(DONE_ITERATION) : DONE;
    }
    return settle({ value: value as T, done: false });
  }

  /**
   * A receive that found nothing. On a buffered channel it first looks once
   * more after the goroutines already runnable have run: a producer that is
   * one `await` behind has usually refilled the buffer by then, and taking
   * that value saves parking on every item when producer and consumer run in
   * step. An unbuffered receive parks at once, so that a sender that comes
   * right after it finds it waiting.
   */
  #receiveBlocking(
    mode: typeof RESULT | typeof ITERATION,
    signal: AbortSignal | undefined,
  ): Promise<never> {
    if (this.#capacity === 0) {
      const promise = new Promise<never>(captureResolve);
      this.#parkReceiver(mode, signal, takeCaptured());
      return promise;
    }
    return new Promise<unknown>((resolve) => {
      const g = running(); // The goroutine receiving, for the parked record.
      queueMicrotask(() => {
        const value = this.#pollReceive();
        if (value === NOT_READY) {
          if (signal?.aborted) resolve(Promise.reject(signal.reason));
          else {
            const was = setCurrent(g);
            this.#parkReceiver(mode, signal, resolve);
            setCurrent(was);
          }
        } else if (mode === RESULT) {
          resolve(value === CLOSED ? CLOSED_RESULT : { value, ok: true });
        } else {
          resolve(value === CLOSED ? DONE_ITERATION : { value, done: false });
        }
      });
    }) as Promise<never>;
  }

  #parkReceiver(
    mode: typeof RESULT | typeof ITERATION,
    signal: AbortSignal | undefined,
    resolve: (value: unknown) => void,
  ): void {
    const w = new Waiter(
      undefined,
      null,
      0,
      mode,
      resolve,
    );
    parkWaiter(this.#receivers, w, signal);
  }

  /** Go's chanrecv with block = false. */
  #pollReceive(): unknown {
    if (this.#source !== null && this.#buffer.length === 0) {
      this.#source.poll();
    }
    if (this.#buffer.length > 0) {
      const value = this.#buffer.shift();
      // A full buffer with a blocked sender: move its value to the tail.
      const sender = this.#senders.shift();
      if (sender !== null) {
        this.#buffer.push(sender.value as T);
        sender.fire(undefined, true);
      }
      return value;
    }
    const sender = this.#senders.shift();
    if (sender !== null) {
      sender.fire(undefined, true);
      return sender.value;
    }
    return this.#closed ? CLOSED : NOT_READY;
  }

  /** Go's chansend with block = false. */
  #pollSend(value: unknown): boolean {
    if (this.#closed) throw new ChannelClosedError("send", value);
    const receiver = this.#receivers.shift();
    if (receiver !== null) {
      receiver.fire(value, true);
      return true;
    }
    if (this.#buffer.length < this.#capacity) {
      this.#buffer.push(value as T);
      return true;
    }
    return false;
  }
}

/**
 * The resolve function of the promise made last with
 * {@linkcode captureResolve} as its executor: a blocking operation makes its
 * promise with that one shared function, not a closure of its own, and
 * takes the resolve function from here at once.
 */
let captured: (value: unknown) => void = noop;

function captureResolve(resolve: (value: never) => void): void {
  captured = resolve as (value: unknown) => void;
}

/** Takes the resolve function {@linkcode captureResolve} was given. */
function takeCaptured(): (value: unknown) => void {
  const resolve = captured;
  captured = noop; // Holds no settled promise alive.
  return resolve;
}

function noop(): void {}

/**
 * The promise of an operation that completed at once: already resolved,
 * or resolved after a macrotask turn when the time slice is over.
 */
function settle<R>(result: R): Promise<R> {
  return preemptDue() ? afterTurn(result) : Promise.resolve(result);
}

function validWaitOptions(options: unknown): boolean {
  if (typeof options !== "object" || options === null) return false;
  const signal = (options as ChannelWaitOptions).signal;
  return signal === undefined || signal instanceof AbortSignal;
}

function waitOptionsError(what: string, options: unknown): TypeError {
  return typeof options !== "object" || options === null
    ? new TypeError(
      `Cannot ${what} channel: options must be an object such as ` +
        `{ signal }, received ${describe(options)}`,
    )
    : new TypeError(
      `Cannot ${what} channel: options.signal must be an AbortSignal, received ${
        describe((options as ChannelWaitOptions).signal)
      }`,
    );
}

/**
 * The goroutine of {@linkcode Channel.from}: sends each value, stops
 * quietly when the channel is closed under it or the signal aborts, and
 * closes the channel however it ends.
 */
async function fill<T>(
  source: Iterable<T> | AsyncIterable<T>,
  ch: Channel<T>,
  signal: AbortSignal | undefined,
  onError: ((error: unknown) => void) | undefined,
): Promise<void> {
  const options = signal === undefined ? undefined : { signal };
  const stopped = () => ch.closed || signal?.aborted === true;
  try {
    if (stopped()) return;
    if (
      typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] === "function"
    ) {
      for await (const value of source as AsyncIterable<T>) {
        if (stopped() || !(await sendOrStop(ch, value, options))) break;
      }
    } else {
      for (const value of source as Iterable<T>) {
        if (stopped() || !(await sendOrStop(ch, value, options))) break;
      }
    }
  } catch (error) {
    if (onError === undefined) throw error;
    onError(error);
  } finally {
    if (!ch.closed) ch.close();
  }
}

/** Sends; false if the send failed because the filling was stopped. */
async function sendOrStop<T>(
  ch: Channel<T>,
  value: T,
  options: ChannelWaitOptions | undefined,
): Promise<boolean> {
  try {
    await ch.send(value, options);
    return true;
  } catch (error) {
    if (ch.closed || options?.signal?.aborted) return false;
    throw error;
  }
}
