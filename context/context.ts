// Copyright the denogo authors. MIT license.

/**
 * The {@linkcode Context} interface (Go's `context.Context`) and the
 * cancel function types that the `with...` constructors return.
 *
 * @module
 */

import type { ReceiveChannel } from "../channel.ts";
import type { ContextError } from "./errors.ts";
import type { ContextKey } from "./key.ts";

/**
 * A context carries a cancellation signal, an optional deadline and
 * request-scoped values across API boundaries: Go's `context.Context`.
 *
 * Contexts form a tree. Each is derived from a parent with
 * {@linkcode withCancel}, {@linkcode withTimeout}, {@linkcode withDeadline},
 * {@linkcode withValue}, ... and is done when its parent is done, or
 * earlier. Pass the context as the first argument of every function on the
 * path of a request, and stop work when it is done.
 *
 * Contexts made by this module are the usual case; any object with these
 * members also works as a parent (Go's "custom Context"), and learns of
 * cancellation through its `signal`.
 *
 * @example Stopping a goroutine through its context
 * ```ts
 * import { Channel, go, recv, select, send } from "@denogo/go";
 * import { background, Canceled, type Context, withCancel } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * async function produce(ctx: Context, out: Channel<number>): Promise<unknown> {
 *   for (let i = 0; ; i++) {
 *     const stopped = await select([
 *       recv(ctx.done(), () => true),
 *       send(out, i, () => false),
 *     ]);
 *     if (stopped) return ctx.err();
 *   }
 * }
 *
 * const [ctx, cancel] = withCancel(background());
 * const out = new Channel<number>();
 * const worker = go(produce, ctx, out);
 * assert.equal((await out.receive()).value, 0);
 * assert.equal((await out.receive()).value, 1);
 * cancel();
 * assert.equal(await worker, Canceled);
 * ```
 */
export interface Context {
  /**
   * A channel that is closed when the context is done (cancelled or past
   * its deadline): Go's `ctx.Done()`. Use it as a `select` case,
   * `recv(ctx.done(), ...)`, or await `ctx.done().receive()`. Every call
   * returns the same channel. Nothing is ever sent on it, so a receive
   * resolves only with `ok: false`. For a context that can never be
   * cancelled ({@linkcode background}, {@linkcode withoutCancel}) it is a
   * channel that never closes, as Go's nil channel never fires.
   */
  done(): ReceiveChannel<void>;
  /**
   * `undefined` while the context is live; once it is done,
   * {@linkcode Canceled} or {@linkcode DeadlineExceeded}, and the same
   * value forever after: Go's `ctx.Err()`. Why it was cancelled, when a
   * cause was given, is {@linkcode cause}`(ctx)`.
   */
  err(): ContextError | undefined;
  /**
   * When the context will be done because of a deadline (its own or an
   * ancestor's), or `undefined` when it has none: Go's
   * `deadline, ok := ctx.Deadline()`, with `undefined` for `ok == false`.
   * Each call returns a new `Date` for the same instant.
   */
  deadline(): Date | undefined;
  /**
   * The value stored under `key` by the nearest {@linkcode withValue} on
   * the path to the root, or `undefined`: Go's `ctx.Value(key)`. Keys are
   * compared with `===`.
   */
  value<T>(key: ContextKey<T>): T | undefined;
  /** The value stored under `key`, or `undefined`. */
  value(key: unknown): unknown;
  /**
   * An `AbortSignal` that aborts when the context is done, with
   * {@linkcode cause}`(ctx)` as its reason (`Canceled`, `DeadlineExceeded`,
   * or the cause given to the cancel function). Pass it to `fetch`,
   * streams, `Deno.Command`, or any API that takes a signal. It is created
   * the first time it is read: a context whose signal nobody reads costs no
   * `AbortController`.
   */
  readonly signal: AbortSignal;
}

/**
 * Cancels a context: Go's `context.CancelFunc`. It cancels the context and
 * its descendants, unregisters it from its parent and stops its timer.
 * Calling it again does nothing. Call it as soon as the work the context
 * covers is over, on every path (a `try`/`finally` is the `defer cancel()`
 * of TypeScript): until then a context with a deadline holds a timer, and a
 * child holds a place in its parent.
 */
export type CancelFunc = () => void;

/**
 * Cancels a context and records why: Go's `context.CancelCauseFunc`. The
 * context's `err()` becomes {@linkcode Canceled} and
 * {@linkcode cause}`(ctx)` becomes `cause` (or `Canceled` when `cause` is
 * `undefined` or `null`). Only the first call has an effect.
 */
export type CancelCauseFunc = (cause?: unknown) => void;
