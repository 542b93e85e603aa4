// Copyright the denogo authors. MIT license.

/**
 * {@linkcode SharedContext}: a `context.Context` whose cancellation crosses
 * threads. Make it on the owning side from a tier-1 context, post its
 * `handle` to workers, and open it there with {@linkcode SharedContext.from}:
 * when the parent context is cancelled (or its deadline passes), or when
 * any thread calls `cancel()`, every thread's `done()` channel closes, its
 * `signal` aborts and `err()` reports why.
 *
 * ## Memory layout
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 0 | `STATE` | 0 live, 1 cancelled, 2 deadline exceeded, 3 being cancelled (the cause is being written); the futex word every thread watches |
 * | 1 | `MAGIC` | `0x64676378` ("dgcx"): marks a SharedContext buffer (read-only) |
 * | 2 | `ID` | a random number naming the context, for wake-ups on one thread (read-only) |
 * | 3 | `CAUSE_BYTES` | length of the cause text, UTF-8, at byte 24 (valid once `STATE` is 1 or 2) |
 * | 4–5 | `DEADLINE` | the parent's deadline, a float64 of epoch milliseconds, NaN if none (read-only) |
 *
 * The cause, when one is given to `cancel(cause)` or the parent was
 * cancelled with one, crosses threads as text: the other threads see an
 * `Error` with the same `name` and `message` (at most 1,000 bytes).
 *
 * @module
 */

import { Channel, type ReceiveChannel } from "../channel.ts";
import {
  afterFunc,
  Canceled,
  cause as causeOf,
  type Context,
  type ContextError,
  DeadlineExceeded,
} from "../context/mod.ts";
import { channelInternals } from "../_selectable.ts";
import { outsideWaitEnded, outsideWaitStarted } from "../_parking.ts";
import { newId, wakeHere, watchWord } from "./_futex.ts";
import { checkHandle, Opening } from "./_handle.ts";

const STATE = 0;
const MAGIC = 1;
const ID = 2;
const CAUSE_BYTES = 3;
const DEADLINE_BYTE = 16;
const CAUSE_BYTE = 24;
const CAUSE_MAX = 1000;
const BYTES = CAUSE_BYTE + CAUSE_MAX;

const LIVE = 0;
const CANCELED = 1;
const DEADLINE = 2;
const WRITING = 3;
const MAGIC_VALUE = 0x64676378;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * What a worker needs to open a {@linkcode SharedContext}: post it with
 * `postMessage` and open it with {@linkcode SharedContext.from}.
 */
export interface SharedContextHandle {
  /** Marks the object as a shared context's handle. */
  readonly kind: "SharedContext";
  /** The context's state. */
  readonly buffer: SharedArrayBuffer;
}

/**
 * A cancellable context shared by the main thread and workers: Go's
 * `context.Context` passed to goroutines on other threads. It is a
 * `Context` on every thread (`done()`, `err()`, `deadline()`, `value()`,
 * `signal`), so it works as a select case, as the parent of `withCancel`,
 * `withTimeout` and the rest, and as an `AbortSignal` source.
 *
 * - On the owning side, `new SharedContext(parent)` follows `parent`: when
 *   it is cancelled or its deadline passes, the shared context is too, on
 *   every thread, with the same `err()`.
 * - Any thread may call {@linkcode SharedContext.cancel}; it wakes every
 *   thread's waiters.
 * - Values (`withValue`) do not cross threads: `value()` is always
 *   `undefined`.
 *
 * Memory model: a `cancel` (or the parent's cancellation, or the
 * deadline) synchronizes before the return of any `err()` that reports
 * it, and before the `done()` channel of any thread's object delivers its
 * close.
 *
 * @example Cancelling a worker's loop
 * ```ts
 * import { background, withCancel } from "@denogo/go/context";
 * import { recv, select } from "@denogo/go";
 * import {
 *   SharedChannel,
 *   type SharedChannelHandle,
 *   SharedContext,
 *   type SharedContextHandle,
 * } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * // A worker's loop (post it both handles): serve jobs until cancelled.
 * async function serve(
 *   ctxHandle: SharedContextHandle,
 *   jobsHandle: SharedChannelHandle<number>,
 * ): Promise<string> {
 *   using ctx = SharedContext.from(ctxHandle);
 *   const jobs = SharedChannel.from(jobsHandle);
 *   for (;;) {
 *     const stop = await select([
 *       recv(ctx.done(), () => true),
 *       recv(jobs, () => false),
 *     ]);
 *     if (stop) return ctx.err()!.message;
 *   }
 * }
 *
 * const [ctx, cancel] = withCancel(background());
 * using shared = new SharedContext(ctx);
 * const jobs = new SharedChannel<number>({ codec: "int32" });
 * // Here the "worker" runs on this thread; in a program, worker.postMessage.
 * const served = serve(shared.handle, jobs.handle);
 * cancel();
 * assert.equal(await served, "context canceled");
 * ```
 *
 * @example On one thread
 * ```ts
 * import { background, Canceled, withCancel } from "@denogo/go/context";
 * import { SharedContext } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * const [ctx, cancel] = withCancel(background());
 * const shared = new SharedContext(ctx);
 * const there = SharedContext.from(structuredClone(shared.handle));
 * cancel();
 * assert.equal((await there.done().receive()).ok, false);
 * assert.equal(there.err(), Canceled);
 * assert.equal(there.signal.aborted, true);
 * ```
 */
export class SharedContext implements Context, Disposable {
  readonly #buffer: SharedArrayBuffer;
  readonly #words: Int32Array;
  readonly #id: number;
  readonly #abort = new AbortController();
  #done: Channel<void> | undefined;
  #stopParent: (() => boolean) | undefined;
  #seen = false;

  /**
   * Makes a shared context that follows `parent` (by default a context
   * that is cancelled only by {@linkcode SharedContext.cancel}).
   *
   * @example Usage
   * ```ts
   * import { background, withTimeout } from "@denogo/go/context";
   * import { SharedContext } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const [ctx, cancel] = withTimeout(background(), 60_000);
   * const shared = new SharedContext(ctx);
   * assert.equal(shared.deadline()?.getTime(), ctx.deadline()?.getTime());
   * cancel();
   * ```
   *
   * @param parent The context whose cancellation the shared one follows.
   */
  constructor(parent?: Context) {
    const open = SharedContext.#opening.take();
    const opened = open !== undefined;
    this.#buffer = open ?? new SharedArrayBuffer(BYTES);
    this.#words = new Int32Array(this.#buffer, 0, 4);
    if (!opened) {
      this.#words[MAGIC] = MAGIC_VALUE;
      this.#words[ID] = newId();
      new Float64Array(this.#buffer, DEADLINE_BYTE, 1)[0] =
        parent?.deadline()?.getTime() ?? NaN;
    }
    this.#id = this.#words[ID];
    if (parent !== undefined && !opened) {
      this.#stopParent = afterFunc(parent, () => {
        const err = parent.err();
        const why = causeOf(parent);
        this.#cancel(
          err === DeadlineExceeded ? DEADLINE : CANCELED,
          why === err ? undefined : why,
        );
      });
    }
    this.#watch();
  }

  static #opening = new Opening<SharedArrayBuffer>();

  /**
   * Opens, on this thread, a context made on another.
   *
   * @example Usage
   * ```ts
   * import { SharedContext } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const a = new SharedContext();
   * const b = SharedContext.from(structuredClone(a.handle));
   * b.cancel();
   * assert.equal(a.err()?.message, "context canceled");
   * ```
   *
   * @param handle A context's handle, usually received by `postMessage`.
   * @returns A context over the same shared state.
   * @throws {TypeError} If `handle` is not a shared context's handle.
   */
  static from(handle: SharedContextHandle): SharedContext {
    const buffer = checkHandle(handle, "SharedContext", (b) => {
      if (b.byteLength !== BYTES) {
        return `its buffer holds ${b.byteLength} bytes, not ${BYTES}`;
      }
      const magic = new Int32Array(b, 0, 4)[MAGIC];
      return magic === MAGIC_VALUE
        ? undefined
        : `its buffer's magic word is ${magic}`;
    });
    return SharedContext.#opening.open(buffer, () => new SharedContext());
  }

  /**
   * The structured-clonable handle: post it to a worker and open it there
   * with {@linkcode SharedContext.from}.
   *
   * @example Usage
   * ```ts
   * import { SharedContext } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedContext().handle.kind, "SharedContext");
   * ```
   */
  get handle(): SharedContextHandle {
    return { kind: "SharedContext", buffer: this.#buffer };
  }

  /**
   * A channel closed once the context is cancelled, on any thread: use it
   * as a select case (`recv(ctx.done(), ...)`). The same channel every call.
   *
   * @example Usage
   * ```ts
   * import { SharedContext } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const ctx = new SharedContext();
   * ctx.cancel();
   * assert.equal((await ctx.done().receive()).ok, false);
   * ```
   *
   * @returns The done channel.
   */
  done(): ReceiveChannel<void> {
    if (this.#done === undefined) {
      const ch = new Channel<void>();
      this.#done = ch;
      if (this.#state() !== LIVE) ch.close();
      else {
        // Like a timer: while something waits on done(), another thread may
        // still end the wait, so the deadlock detector must stay quiet.
        channelInternals.attachSource(ch, {
          waiting: outsideWaitStarted,
          idle: outsideWaitEnded,
          poll: () => this.#observe(),
        });
      }
    }
    return this.#done;
  }

  /**
   * Why the context is done: `Canceled`, `DeadlineExceeded`, or undefined
   * while it is live. Always current, even before this thread has run the
   * wake-up.
   *
   * @example Usage
   * ```ts
   * import { SharedContext } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const ctx = new SharedContext();
   * assert.equal(ctx.err(), undefined);
   * ctx.cancel();
   * assert.equal(ctx.err()?.name, "CanceledError");
   * ```
   *
   * @returns The error, or undefined.
   */
  err(): ContextError | undefined {
    const s = this.#state();
    return s === CANCELED
      ? Canceled
      : s === DEADLINE
      ? DeadlineExceeded
      : undefined;
  }

  /**
   * The parent's deadline when the shared context was made, if any.
   *
   * @example Usage
   * ```ts
   * import { SharedContext } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedContext().deadline(), undefined);
   * ```
   *
   * @returns The deadline, or undefined.
   */
  deadline(): Date | undefined {
    const ms = new Float64Array(this.#buffer, DEADLINE_BYTE, 1)[0];
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }

  /**
   * Always undefined: values do not cross threads.
   *
   * @example Usage
   * ```ts
   * import { SharedContext } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedContext().value("k"), undefined);
   * ```
   *
   * @param _key The key.
   * @returns undefined.
   */
  value(_key: unknown): undefined {
    return undefined;
  }

  /**
   * An `AbortSignal` aborted when the context is done, with the cause (or
   * `err()`) as its reason, for `fetch` and other web APIs.
   *
   * @example Usage
   * ```ts
   * import { SharedContext } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const ctx = new SharedContext();
   * ctx.cancel(new Error("bye"));
   * assert.equal(ctx.signal.aborted, true);
   * assert.equal((ctx.signal.reason as Error).message, "bye");
   * ```
   */
  get signal(): AbortSignal {
    this.#observe();
    return this.#abort.signal;
  }

  /**
   * Cancels the context for every thread (no effect if it is already
   * done): Go's `CancelFunc`, callable from any thread.
   *
   * @example Usage
   * ```ts
   * import { SharedContext } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const ctx = new SharedContext();
   * ctx.cancel();
   * ctx.cancel(); // no effect
   * assert.equal(ctx.err()?.message, "context canceled");
   * ```
   *
   * @param cause Why; other threads see an `Error` with its name and message.
   */
  cancel(cause?: unknown): void {
    this.#cancel(CANCELED, cause);
  }

  /**
   * Cancels the context, so `using` ends its workers' waits.
   *
   * @example Usage
   * ```ts
   * import { SharedContext } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * let ref: SharedContext;
   * {
   *   using ctx = new SharedContext();
   *   ref = ctx;
   * }
   * assert.notEqual(ref.err(), undefined);
   * ```
   */
  [Symbol.dispose](): void {
    this.cancel();
  }

  #state(): number {
    const s = Atomics.load(this.#words, STATE);
    return s === WRITING ? LIVE : s;
  }

  #cancel(state: number, cause: unknown): void {
    const w = this.#words;
    if (Atomics.compareExchange(w, STATE, LIVE, WRITING) !== LIVE) return;
    let n = 0;
    if (cause !== undefined && cause !== null) {
      const text = cause instanceof Error
        ? `${cause.name}\n${cause.message}`
        : `Error\n${String(cause)}`;
      const out = new Uint8Array(this.#buffer, CAUSE_BYTE, CAUSE_MAX);
      n = encoder.encodeInto(text, out).written;
    }
    w[CAUSE_BYTES] = n;
    Atomics.store(w, STATE, state);
    Atomics.notify(w, STATE);
    wakeHere(this.#id, STATE);
    this.#observe(cause);
  }

  /** Catches up with the shared state: closes done(), aborts the signal. */
  #observe(localCause?: unknown): void {
    if (this.#seen) return;
    const state = this.#state();
    if (state === LIVE) return;
    this.#seen = true;
    this.#stopParent?.();
    let reason: unknown = state === CANCELED ? Canceled : DeadlineExceeded;
    if (localCause !== undefined && localCause !== null) reason = localCause;
    else {
      const n = this.#words[CAUSE_BYTES];
      if (n > 0) {
        // Copy out of shared memory: TextDecoder refuses shared views.
        const text = decoder.decode(
          new Uint8Array(this.#buffer, CAUSE_BYTE, n).slice(),
        );
        const nl = text.indexOf("\n");
        const e = new Error(text.slice(nl + 1));
        e.name = text.slice(0, nl);
        reason = e;
      }
    }
    this.#abort.abort(reason);
    if (this.#done !== undefined && !this.#done.closed) this.#done.close();
  }

  #watch(): void {
    if (this.#seen) return;
    if (this.#state() !== LIVE) {
      this.#observe();
      return;
    }
    const again = () => this.#watch();
    const s = Atomics.load(this.#words, STATE);
    if (!watchWord(this.#words, STATE, this.#id, s, again)) {
      queueMicrotask(again);
    }
  }
}
