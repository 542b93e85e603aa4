// Copyright the denogo authors. MIT license.

/**
 * The roots of a context tree, {@linkcode background} and {@linkcode todo},
 * and {@linkcode withoutCancel}, which keeps a context's values but is
 * never done: Go's `context.Background`, `context.TODO` and
 * `context.WithoutCancel`.
 *
 * @module
 */

import type { Context } from "./context.ts";
import { BACKGROUND, checkParent, TODO, WithoutCancelCtx } from "./_tree.ts";

/**
 * The root of every context tree: never cancelled, no deadline, no values.
 * Go's `context.Background()`. Use it in `main`, in tests, and at the top
 * of a request.
 *
 * @example Usage
 * ```ts
 * import { background } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const ctx = background();
 * assert.equal(ctx.err(), undefined);
 * assert.equal(ctx.deadline(), undefined);
 * assert.equal(ctx.signal.aborted, false);
 * assert.equal(String(ctx), "context.Background");
 * ```
 *
 * @returns The background context (always the same object).
 */
export function background(): Context {
  return BACKGROUND;
}

/**
 * A placeholder root, like {@linkcode background}: Go's `context.TODO()`.
 * Use it where a context is needed but it is not yet clear which one.
 *
 * @example Usage
 * ```ts
 * import { todo } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * assert.equal(todo().err(), undefined);
 * assert.equal(String(todo()), "context.TODO");
 * ```
 *
 * @returns The TODO context (always the same object).
 */
export function todo(): Context {
  return TODO;
}

/**
 * Derives a context that keeps the parent's values but is never cancelled:
 * Go's `context.WithoutCancel`. It has no deadline, `err()` is always
 * `undefined`, and its done channel never closes, even after the parent is
 * done. Use it for work that must outlive the request that started it
 * (writing an audit log after the response went out).
 *
 * @example Usage
 * ```ts
 * import { background, withCancel, withoutCancel, withValue } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const key = Symbol("user");
 * const [req, cancel] = withCancel(withValue(background(), key, "gopher"));
 * const detached = withoutCancel(req);
 * cancel();
 * assert.equal(detached.err(), undefined);
 * assert.equal(detached.value(key), "gopher");
 * ```
 *
 * @param parent The context whose values to keep.
 * @returns The new context.
 * @throws {TypeError} If `parent` is null, undefined or not a Context.
 */
export function withoutCancel(parent: Context): Context {
  return new WithoutCancelCtx(checkParent(parent, "withoutCancel"));
}
