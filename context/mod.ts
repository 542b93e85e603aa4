// Copyright the denogo authors. MIT license.

/**
 * Go's `context` package: cancellation, deadlines and request-scoped values
 * that flow down a tree of contexts, on one isolate, with an `AbortSignal`
 * for every web API.
 *
 * Pass a {@linkcode Context} as the first argument of every function on the
 * path of a request. Derive children with {@linkcode withCancel},
 * {@linkcode withTimeout}, {@linkcode withDeadline} and
 * {@linkcode withValue}; each returns the child (and, for the cancelable
 * ones, a cancel function, as Go returns `ctx, cancel`). When a context is
 * done, all its descendants are done, synchronously:
 *
 * - `ctx.done()` is a channel closed at that moment: a `select` case,
 *   `recv(ctx.done(), ...)`, exactly as in Go;
 * - `ctx.err()` becomes {@linkcode Canceled} or {@linkcode DeadlineExceeded}
 *   (singletons: compare with `===`), and {@linkcode cause} says why;
 * - `ctx.signal` aborts, so `fetch(url, { signal: ctx.signal })` and every
 *   other API that takes an `AbortSignal` stop too.
 *
 * The other direction: {@linkcode withSignal} and {@linkcode fromSignal}
 * make a context from any `AbortSignal` (a `Request.signal`,
 * `AbortSignal.timeout()`).
 *
 * ```ts
 * import { Channel, go, recv, select, send } from "@denogo/go";
 * import {
 *   background,
 *   type Context,
 *   DeadlineExceeded,
 *   withTimeout,
 *   withValue,
 * } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const requestId = Symbol("requestId");
 *
 * // A worker that produces until its context is done.
 * async function count(ctx: Context, out: Channel<number>) {
 *   for (let i = 0; ; i++) {
 *     const stop = await select([
 *       recv(ctx.done(), () => true),
 *       send(out, i, () => false),
 *     ]);
 *     if (stop) return ctx.err();
 *   }
 * }
 *
 * const base = withValue(background(), requestId, "r-1");
 * const [ctx, cancel] = withTimeout(base, 10);
 * try {
 *   const out = new Channel<number>();
 *   const worker = go(count, ctx, out);
 *   assert.equal((await out.receive()).value, 0);
 *   assert.equal(await worker, DeadlineExceeded); // Nobody receives: it times out.
 *   assert.equal(ctx.value(requestId), "r-1");
 *   assert.equal(ctx.signal.reason, DeadlineExceeded);
 * } finally {
 *   cancel(); // Go's `defer cancel()`: releases the timer at once.
 * }
 * ```
 *
 * Differences from Go, all forced by one isolate: a goroutine that never
 * awaits cannot be stopped by a timeout (the timer never gets to run), so a
 * CPU-bound loop must yield now and then (`yieldNow()`); and contexts with
 * a deadline hold a real timer until the deadline or `cancel()`, which can
 * keep the process alive: always call `cancel()`.
 *
 * @module
 */

export type { CancelCauseFunc, CancelFunc, Context } from "./context.ts";
export {
  Canceled,
  CanceledError,
  type ContextError,
  DeadlineExceeded,
  DeadlineExceededError,
} from "./errors.ts";
export { ContextKey } from "./key.ts";
export { background, todo, withoutCancel } from "./background.ts";
export { cause, withCancel, withCancelCause } from "./cancel.ts";
export {
  withDeadline,
  withDeadlineCause,
  withTimeout,
  withTimeoutCause,
} from "./deadline.ts";
export { withValue } from "./value.ts";
export { fromSignal, withSignal } from "./signal.ts";
export { afterFunc } from "./after_func.ts";
// The channel types that Context.done() exposes, so this entry point
// documents itself.
export type {
  ChannelWaitOptions,
  ReceiveChannel,
  ReceiveResult,
  TryReceiveResult,
} from "../channel.ts";
