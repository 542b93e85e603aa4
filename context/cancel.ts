// Copyright the denogo authors. MIT license.

/**
 * Cancelable contexts and their causes: Go's `context.WithCancel`,
 * `context.WithCancelCause` and `context.Cause`.
 *
 * @module
 */

import { Canceled } from "./errors.ts";
import type { CancelCauseFunc, CancelFunc, Context } from "./context.ts";
import { causeOf, checkParent, newCancelCtx } from "./_tree.ts";

/**
 * Derives a context that is cancelled when `cancel()` is called or when
 * `parent` is done, whichever happens first: Go's
 * `ctx, cancel := context.WithCancel(parent)`.
 *
 * - Cancelling a context cancels all its descendants, synchronously: when
 *   `cancel()` returns, their `err()` is set and their done channels are
 *   closed. It never cancels the parent.
 * - `cancel()` is idempotent, and removes the context from its parent, so
 *   creating and cancelling many short-lived children of a long-lived
 *   context does not grow it.
 * - If `parent` is already done, the new context is done at once, with the
 *   parent's error and cause.
 *
 * @example Usage
 * ```ts
 * import { background, Canceled, withCancel } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const [parent, cancelParent] = withCancel(background());
 * const [child, cancelChild] = withCancel(parent);
 * cancelParent();
 * assert.equal(child.err(), Canceled);
 * assert.equal((await child.done().receive()).ok, false);
 * cancelChild(); // no effect, but always call it
 * ```
 *
 * @param parent The context to derive from.
 * @returns The new context and the function that cancels it.
 * @throws {TypeError} If `parent` is null, undefined or not a Context.
 */
export function withCancel(
  parent: Context,
): [ctx: Context, cancel: CancelFunc] {
  const c = newCancelCtx(checkParent(parent, "withCancel"));
  return [c, () => c.cancel(true, Canceled, undefined)];
}

/**
 * Like {@linkcode withCancel}, but the cancel function takes a cause, which
 * {@linkcode cause}`(ctx)` reports and `ctx.signal` aborts with: Go's
 * `context.WithCancelCause`. `ctx.err()` is still {@linkcode Canceled}.
 *
 * @example Usage
 * ```ts
 * import { background, Canceled, cause, withCancelCause } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const [ctx, cancel] = withCancelCause(background());
 * const why = new Error("upstream closed");
 * cancel(why);
 * assert.equal(ctx.err(), Canceled);
 * assert.equal(cause(ctx), why);
 * assert.equal(ctx.signal.reason, why);
 * ```
 *
 * @param parent The context to derive from.
 * @returns The new context and a cancel function that takes the cause
 *   (`undefined` or `null` mean {@linkcode Canceled}).
 * @throws {TypeError} If `parent` is null, undefined or not a Context.
 */
export function withCancelCause(
  parent: Context,
): [ctx: Context, cancel: CancelCauseFunc] {
  const c = newCancelCtx(checkParent(parent, "withCancelCause"));
  return [c, (why?: unknown) => c.cancel(true, Canceled, why)];
}

/**
 * Why `ctx` is done: Go's `context.Cause`. It is the cause given to the
 * cancel function of {@linkcode withCancelCause} (or the cause of
 * {@linkcode withDeadlineCause} / {@linkcode withTimeoutCause} when the
 * time ran out), taken from the nearest cancelable context on the way to
 * the root, so a parent's cause reaches its children. Without a cause it is
 * `ctx.err()`: {@linkcode Canceled}, {@linkcode DeadlineExceeded}, or
 * `undefined` while the context is live. For a context made from a signal
 * it is the signal's reason.
 *
 * @example Usage
 * ```ts
 * import { background, cause, withCancel, withCancelCause, withValue } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const [root, cancel] = withCancelCause(background());
 * const [child, cancelChild] = withCancel(withValue(root, "k", 1));
 * assert.equal(cause(child), undefined);
 * const why = new Error("shutting down");
 * cancel(why);
 * assert.equal(cause(child), why);
 * cancelChild();
 * ```
 *
 * @param ctx The context.
 * @returns The cause, `ctx.err()` if none was given, or `undefined` while
 *   `ctx` is live.
 * @throws {TypeError} If `ctx` is null, undefined or not a Context.
 */
export function cause(ctx: Context): unknown {
  return causeOf(checkParent(ctx, "cause"));
}
