// Copyright the denogo authors. MIT license.

/**
 * Go's `sync.Pool`: a free list of reusable objects.
 *
 * @module
 */

import { checkInteger } from "./_sema.ts";
import { describe } from "../_describe.ts";

/** Options for the {@linkcode Pool} constructor. */
export interface PoolOptions<T> {
  /** Makes a new item when the pool is empty: Go's `Pool.New`. */
  new: () => T;
  /**
   * The most idle items the pool keeps; `put` drops the rest. Go's pool
   * is emptied by the garbage collector instead; this bound keeps a burst
   * from pinning memory forever.
   *
   * @default {1024}
   */
  maxIdle?: number;
}

/**
 * A set of temporary objects to reuse instead of reallocating: Go's
 * `sync.Pool`, for one isolate.
 *
 * - `get()` takes an idle item (the most recently put, which is likeliest
 *   to be warm in the cache) or, if none, makes one with `new`.
 * - `put(x)` returns an item; reset its state first, as the next `get`
 *   may hand it to unrelated code. `put(undefined)` and `put(null)` do
 *   nothing (Go's `Put(nil)`).
 * - Items may be dropped at any time (here: beyond `maxIdle`), so a pool
 *   is a cache, never a store: do not rely on getting back what you put.
 *
 * @example Reusing buffers
 * ```ts
 * import { Pool } from "@denogo/go/sync";
 * import assert from "node:assert/strict";
 *
 * const buffers = new Pool({ new: () => new Uint8Array(1024) });
 * const buf = buffers.get();
 * buf.fill(7);
 * buf.fill(0); // Reset before returning it.
 * buffers.put(buf);
 * assert.equal(buffers.get(), buf); // Reused, not reallocated.
 * ```
 *
 * @typeParam T The type of the pooled items.
 */
export class Pool<T> {
  readonly #new: () => T;
  readonly #maxIdle: number;
  readonly #idle: T[] = [];

  /**
   * Creates an empty pool.
   *
   * @param options `new` makes items; `maxIdle` bounds the idle ones.
   * @throws {TypeError} If `options.new` is not a function.
   * @throws {RangeError} If `maxIdle` is negative or not an integer.
   */
  constructor(options: PoolOptions<T>) {
    if (typeof options?.new !== "function") {
      throw new TypeError(
        "Cannot create Pool: options.new must be a function that makes an " +
          `item, received ${describe(options?.new)}`,
      );
    }
    const maxIdle = options.maxIdle ?? 1024;
    if (maxIdle !== Infinity) {
      checkInteger(maxIdle, "create Pool", "options.maxIdle");
    }
    if (maxIdle < 0) {
      throw new RangeError(
        `Cannot create Pool: options.maxIdle must be non-negative, received ${maxIdle}`,
      );
    }
    this.#new = options.new;
    this.#maxIdle = maxIdle;
  }

  /**
   * Takes an idle item, or makes a new one with `new` if none is idle.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * let made = 0;
   * const pool = new Pool({ new: () => ({ id: ++made }) });
   * assert.deepEqual(pool.get(), { id: 1 });
   * assert.deepEqual(pool.get(), { id: 2 });
   * ```
   *
   * @returns An item, idle or new.
   */
  get(): T {
    const idle = this.#idle;
    return idle.length > 0 ? idle.pop()! : this.#new();
  }

  /**
   * Returns an item to the pool for a later `get`. Dropped if the pool
   * already holds `maxIdle` idle items, or if it is `null`/`undefined`.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const pool = new Pool({ new: () => [] as number[] });
   * const list = pool.get();
   * list.push(1);
   * list.length = 0;
   * pool.put(list);
   * assert.equal(pool.get(), list);
   * ```
   *
   * @param x The item, reset to a clean state.
   */
  put(x: T): void {
    if (x === undefined || x === null) return;
    if (this.#idle.length < this.#maxIdle) this.#idle.push(x);
  }
}
