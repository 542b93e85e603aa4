// Copyright the denogo authors. MIT license.

/**
 * Request-scoped values: Go's `context.WithValue`.
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { ContextKey } from "./key.ts";
import { checkParent, ValueCtx } from "./_tree.ts";

/**
 * Derives a context that carries `value` under `key`: Go's
 * `context.WithValue`. `ctx.value(key)` walks up from `ctx` and returns the
 * nearest value stored under `key` (compared with `===`), so a child can
 * shadow its parent's value. Everything else (done, err, deadline, signal)
 * is the parent's.
 *
 * Use values for request-scoped data that crosses API boundaries (a request
 * id, an authenticated user), not for optional parameters. Use a
 * {@linkcode ContextKey}, a symbol or an object you own as the key, never a
 * plain string that another package could pick too.
 *
 * @example Usage
 * ```ts
 * import { background, ContextKey, withValue } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const requestId = new ContextKey<string>("requestId");
 * const ctx = withValue(background(), requestId, "r-42");
 * const inner = withValue(ctx, requestId, "r-43");
 * assert.equal(ctx.value(requestId), "r-42");
 * assert.equal(inner.value(requestId), "r-43");
 * ```
 *
 * @typeParam T The value's type, from the key.
 * @param parent The context to derive from.
 * @param key The key: a ContextKey, symbol or object, compared by identity.
 * @param value The value; `undefined` hides the parent's value for `key`.
 * @returns The new context.
 * @throws {TypeError} If `parent` is not a Context, or `key` is null or
 *   undefined (Go's "nil key").
 */
export function withValue<T>(
  parent: Context,
  key: ContextKey<T>,
  value: NoInfer<T>,
): Context;
/**
 * Derives a context that carries `value` under any `key` other than `null`
 * or `undefined` (compared with `===`). Prefer a {@linkcode ContextKey}.
 *
 * @example Usage
 * ```ts
 * import { background, withValue } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const traceKey = Symbol("trace");
 * const ctx = withValue(background(), traceKey, ["handler"]);
 * assert.deepEqual(ctx.value(traceKey), ["handler"]);
 * ```
 *
 * @param parent The context to derive from.
 * @param key The key.
 * @param value The value.
 * @returns The new context.
 * @throws {TypeError} If `parent` is not a Context, or `key` is null or
 *   undefined.
 */
export function withValue<K>(
  parent: Context,
  key: K extends ContextKey<unknown> ? never : K,
  value: unknown,
): Context;
export function withValue(
  parent: Context,
  key: unknown,
  value: unknown,
): Context {
  const p = checkParent(parent, "withValue");
  if (key === null || key === undefined) {
    throw new TypeError(
      `Cannot withValue: nil key; use a ContextKey, a symbol or an object as the key, received ${
        String(key)
      }`,
    );
  }
  return new ValueCtx(p, key, value);
}
