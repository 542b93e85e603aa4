// Copyright the denogo authors. MIT license.

/**
 * {@linkcode ContextKey}, a typed key for `withValue` that cannot collide
 * with another package's keys.
 *
 * @module
 */

/**
 * A typed key for {@linkcode withValue}: `ctx.value(key)` then has the type
 * `T | undefined`. Each key is a distinct object, so two packages' keys can
 * never collide, which is what Go's advice to use an unexported key type
 * achieves. Any value other than `null` and `undefined` can be a key too
 * (compared with `===`), but strings risk collisions: prefer a
 * `ContextKey`, a symbol, or an object you own.
 *
 * @example Usage
 * ```ts
 * import { background, ContextKey, withValue } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const userKey = new ContextKey<{ name: string }>("user");
 * const ctx = withValue(background(), userKey, { name: "gopher" });
 * assert.equal(ctx.value(userKey)?.name, "gopher");
 * assert.equal(ctx.value(new ContextKey<{ name: string }>("user")), undefined);
 * ```
 *
 * @typeParam T The type of the values stored under this key.
 */
export class ContextKey<T> {
  /** Marks the value type, so keys of different types do not mix. */
  declare readonly _valueType?: T;
  /**
   * A name for messages and `toString()`; it plays no part in lookups.
   *
   * @example Usage
   * ```ts
   * import { ContextKey } from "@denogo/go/context";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new ContextKey<number>("requestId").description, "requestId");
   * ```
   */
  readonly description: string;

  /**
   * Makes a new key, distinct from every other.
   *
   * @param description A name for messages; two keys with the same
   *   description are still different keys.
   */
  constructor(description: string = "") {
    this.description = description;
  }

  /**
   * Describes the key.
   *
   * @example Usage
   * ```ts
   * import { ContextKey } from "@denogo/go/context";
   * import assert from "node:assert/strict";
   *
   * assert.equal(String(new ContextKey("user")), "ContextKey(user)");
   * ```
   *
   * @returns `ContextKey(description)`.
   */
  toString(): string {
    return `ContextKey(${this.description})`;
  }
}
