// Copyright the denogo authors. MIT license.

/**
 * The shared-memory tier: Go's channels and `sync` primitives over a
 * `SharedArrayBuffer`, so the main thread and workers communicate and
 * synchronise in parallel without `postMessage`.
 *
 * Every primitive here lives entirely in shared memory and has a
 * structured-clonable `handle`: post it to a worker and open it there with
 * the type's static `from(handle)`. Async methods (`send`, `receive`,
 * `lock`, `wait`) never block a thread (they use `Atomics.waitAsync`);
 * workers may also block their thread with the `*Sync` forms
 * (`Atomics.wait`), which throw {@linkcode MainThreadWaitError} on the main
 * thread.
 *
 * ```ts
 * import { SharedChannel } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * const ch = new SharedChannel<number>({ capacity: 16, codec: "float64" });
 * // In real use: worker.postMessage(ch.handle), and in the worker
 * // SharedChannel.from(handle).sendSync(x). Here, a second view on one thread:
 * const other = SharedChannel.from<number>(structuredClone(ch.handle));
 * await other.send(1.5);
 * other.close();
 * assert.deepEqual(await Array.fromAsync(ch), [1.5]);
 * ```
 *
 * - {@linkcode SharedChannel}: a bounded or unbuffered MPMC channel with the
 *   methods of the tier-1 `Channel`; values are carried by a codec
 *   (`codec.ts`: `int32`, `float64`, `bytes`, `string`, `json`,
 *   `structured`).
 *   `select` (from the root module) accepts shared channels too, mixed
 *   freely with tier-1 channels, timers and `ctx.done()`. Workers can move
 *   many values per call with `sendManySync` / `recvManySync`.
 * - {@linkcode SharedContext}: a `Context` whose cancellation (and
 *   deadline) reaches every thread; `done()` works as a select case.
 * - {@linkcode SharedMutex} (`lock`, `lockSync`, `tryLock`, `unlock`, and
 *   recovery from a holder that died), {@linkcode SharedRWMutex},
 *   {@linkcode SharedSemaphore} (weighted, strict FIFO),
 *   {@linkcode SharedOnce}, {@linkcode SharedWaitGroup} (`add`, `done`,
 *   `wait`, `waitSync`): Go's `sync`, across threads. Their errors are the
 *   tier-1 classes of `sync/errors.ts` (`UnlockOfUnlockedError`,
 *   `NegativeCounterError`, ...), re-exported here.
 * - {@linkcode AtomicInt32}, {@linkcode AtomicBigInt64}: Go's `sync/atomic`.
 * - {@linkcode Retirement}: terminating a worker so that it takes no
 *   further value or lock (Deno runs a terminated worker on while it never
 *   returns to its event loop).
 *
 * `ChannelClosedError` and the channel result types are the tier-1 ones,
 * re-exported here, so code written against `Channel` works unchanged.
 *
 * @module
 */

export {
  ChannelClosedError,
  type ChannelWaitOptions,
  type ReceiveChannel,
  type ReceiveResult,
  type SendChannel,
  type TryReceiveResult,
} from "../channel.ts";
export * from "./atomic.ts";
export * from "./codec.ts";
export * from "./errors.ts";
export * from "./retirement.ts";
export * from "./shared_channel.ts";
export * from "./shared_context.ts";
export * from "./shared_mutex.ts";
export * from "./shared_once.ts";
export * from "./shared_rw_mutex.ts";
export * from "./shared_semaphore.ts";
export * from "./shared_wait_group.ts";
