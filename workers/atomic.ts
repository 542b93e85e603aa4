// Copyright the denogo authors. MIT license.

/**
 * Go's `sync/atomic` typed values, in shared memory: {@linkcode AtomicInt32}
 * and {@linkcode AtomicBigInt64}. Every operation is one sequentially
 * consistent `Atomics` call, so they work across workers.
 *
 * | type | memory | handle |
 * | --- | --- | --- |
 * | `AtomicInt32` | one 4-byte `Int32Array` word | `{ kind: "AtomicInt32", buffer, index }` |
 * | `AtomicBigInt64` | one 8-byte `BigInt64Array` word | `{ kind: "AtomicBigInt64", buffer, index }` |
 *
 * A value made with `new` owns a small `SharedArrayBuffer`; one made with
 * `from(handle)` is a view of another thread's word (post `handle` to the
 * worker). Arithmetic wraps around, as in Go.
 *
 * @module
 */

import { checkHandle, Opening } from "./_handle.ts";

/**
 * What a worker needs to open an atomic: the buffer and the word's index
 * (in words of the atomic's size). Structured-clonable.
 */
export interface AtomicHandle {
  /** Which atomic type the handle opens. */
  readonly kind: "AtomicInt32" | "AtomicBigInt64";
  /** The memory holding the word. */
  readonly buffer: SharedArrayBuffer;
  /** The word's index in `Int32Array` / `BigInt64Array` units. */
  readonly index: number;
}

function checkInt32(value: number, op: string): number {
  if ((value | 0) !== value) {
    throw new RangeError(
      `Cannot ${op} AtomicInt32: expected an integer in [-2147483648, 2147483647], received ${value}`,
    );
  }
  return value;
}

function checkInt64(value: bigint, op: string): bigint {
  if (typeof value !== "bigint" || BigInt.asIntN(64, value) !== value) {
    throw new RangeError(
      `Cannot ${op} AtomicBigInt64: expected a bigint in [-2^63, 2^63), received ${
        String(value)
      }`,
    );
  }
  return value;
}

/** Checks an atomic's handle: its kind, and an index inside its buffer. */
function openHandle(
  handle: AtomicHandle,
  kind: AtomicHandle["kind"],
  bytes: number,
): AtomicHandle {
  checkHandle(handle, kind, (buffer, h) => {
    const index = h.index;
    if (
      typeof index !== "number" || !Number.isInteger(index) || index < 0 ||
      (index + 1) * bytes > buffer.byteLength
    ) {
      return `its index ${
        String(index)
      } is not a ${bytes}-byte word of its ${buffer.byteLength}-byte buffer`;
    }
    return undefined;
  });
  return handle;
}

/**
 * A 32-bit integer shared between threads: Go's `atomic.Int32`.
 *
 * Memory model, as Go's `sync/atomic`: if the effect of an atomic
 * operation A is observed by atomic operation B, then A synchronizes
 * before B; all the atomic operations of a program behave as though run
 * in one sequentially consistent order (they are `Atomics` operations).
 *
 * @example Counting across workers
 * ```ts
 * import { AtomicInt32 } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * const hits = new AtomicInt32();
 * // worker.postMessage(hits.handle); in the worker: AtomicInt32.from(h).add(1)
 * const view = AtomicInt32.from(structuredClone(hits.handle));
 * view.add(2);
 * assert.equal(hits.load(), 2);
 * assert.equal(hits.compareAndSwap(2, 10), true);
 * assert.equal(view.load(), 10);
 * ```
 */
export class AtomicInt32 {
  readonly #words: Int32Array;
  readonly #index: number;
  static #opening = new Opening<AtomicHandle>();

  /**
   * Makes an atomic holding `initial`, in a new `SharedArrayBuffer`.
   *
   * @example Usage
   * ```ts
   * import { AtomicInt32 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new AtomicInt32(5).load(), 5);
   * ```
   *
   * @param initial The starting value.
   * @throws {RangeError} If `initial` is not a 32-bit integer.
   */
  constructor(initial: number = 0) {
    const open = AtomicInt32.#opening.take();
    if (open !== undefined) {
      this.#words = new Int32Array(open.buffer);
      this.#index = open.index;
      return;
    }
    checkInt32(initial, "create");
    this.#words = new Int32Array(new SharedArrayBuffer(4));
    this.#index = 0;
    this.#words[0] = initial;
  }

  /**
   * Opens an atomic from its handle, usually on another thread.
   *
   * @example Usage
   * ```ts
   * import { AtomicInt32 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const a = new AtomicInt32(1);
   * assert.equal(AtomicInt32.from(a.handle).load(), 1);
   * ```
   *
   * @param handle An atomic's {@linkcode AtomicInt32.handle}.
   * @returns A view of the same word.
   * @throws {TypeError} If `handle` is not an AtomicInt32's handle.
   */
  static from(handle: AtomicHandle): AtomicInt32 {
    const open = openHandle(handle, "AtomicInt32", 4);
    return AtomicInt32.#opening.open(open, () => new AtomicInt32());
  }

  /**
   * The structured-clonable handle: post it to a worker and open it there
   * with {@linkcode AtomicInt32.from}.
   *
   * @example Usage
   * ```ts
   * import { AtomicInt32 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new AtomicInt32().handle.kind, "AtomicInt32");
   * ```
   */
  get handle(): AtomicHandle {
    return {
      kind: "AtomicInt32",
      buffer: this.#words.buffer as SharedArrayBuffer,
      index: this.#index,
    };
  }

  /**
   * Reads the value: Go's `Load`.
   *
   * @example Usage
   * ```ts
   * import { AtomicInt32 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new AtomicInt32(3).load(), 3);
   * ```
   *
   * @returns The value.
   */
  load(): number {
    return Atomics.load(this.#words, this.#index);
  }

  /**
   * Writes the value: Go's `Store`.
   *
   * @example Usage
   * ```ts
   * import { AtomicInt32 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const a = new AtomicInt32();
   * a.store(4);
   * assert.equal(a.load(), 4);
   * ```
   *
   * @param value The new value.
   * @throws {RangeError} If `value` is not a 32-bit integer.
   */
  store(value: number): void {
    Atomics.store(this.#words, this.#index, checkInt32(value, "store"));
  }

  /**
   * Adds `delta` and returns the new value: Go's `Add`. Wraps on overflow.
   *
   * @example Usage
   * ```ts
   * import { AtomicInt32 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const a = new AtomicInt32(1);
   * assert.equal(a.add(2), 3);
   * assert.equal(new AtomicInt32(2147483647).add(1), -2147483648);
   * ```
   *
   * @param delta The amount to add.
   * @returns The value after the addition.
   * @throws {RangeError} If `delta` is not a 32-bit integer.
   */
  add(delta: number): number {
    checkInt32(delta, "add to");
    return (Atomics.add(this.#words, this.#index, delta) + delta) | 0;
  }

  /**
   * Subtracts `delta` and returns the new value. Wraps on overflow.
   *
   * @example Usage
   * ```ts
   * import { AtomicInt32 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new AtomicInt32(5).sub(2), 3);
   * ```
   *
   * @param delta The amount to subtract.
   * @returns The value after the subtraction.
   * @throws {RangeError} If `delta` is not a 32-bit integer.
   */
  sub(delta: number): number {
    checkInt32(delta, "subtract from");
    return (Atomics.sub(this.#words, this.#index, delta) - delta) | 0;
  }

  /**
   * Writes `value` and returns the old value: Go's `Swap`.
   *
   * @example Usage
   * ```ts
   * import { AtomicInt32 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const a = new AtomicInt32(1);
   * assert.equal(a.exchange(2), 1);
   * assert.equal(a.load(), 2);
   * ```
   *
   * @param value The new value.
   * @returns The value before.
   * @throws {RangeError} If `value` is not a 32-bit integer.
   */
  exchange(value: number): number {
    return Atomics.exchange(
      this.#words,
      this.#index,
      checkInt32(value, "exchange"),
    );
  }

  /**
   * Writes `next` if the value is `expected`: Go's `CompareAndSwap`.
   *
   * @example Usage
   * ```ts
   * import { AtomicInt32 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const a = new AtomicInt32(1);
   * assert.equal(a.compareAndSwap(0, 5), false);
   * assert.equal(a.compareAndSwap(1, 5), true);
   * assert.equal(a.load(), 5);
   * ```
   *
   * @param expected The value to replace.
   * @param next The value to write.
   * @returns Whether the value was `expected` (and is now `next`).
   * @throws {RangeError} If an argument is not a 32-bit integer.
   */
  compareAndSwap(expected: number, next: number): boolean {
    checkInt32(expected, "compare");
    checkInt32(next, "swap");
    return Atomics.compareExchange(this.#words, this.#index, expected, next) ===
      expected;
  }
}

/**
 * A 64-bit integer shared between threads, as a `bigint`: Go's
 * `atomic.Int64`.
 *
 * Memory model: as {@linkcode AtomicInt32}'s, sequentially consistent.
 *
 * @example Usage
 * ```ts
 * import { AtomicBigInt64 } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * const total = new AtomicBigInt64();
 * const view = AtomicBigInt64.from(structuredClone(total.handle));
 * view.add(1n << 40n);
 * assert.equal(total.load(), 1n << 40n);
 * ```
 */
export class AtomicBigInt64 {
  readonly #words: BigInt64Array;
  readonly #index: number;
  static #opening = new Opening<AtomicHandle>();

  /**
   * Makes an atomic holding `initial`, in a new `SharedArrayBuffer`.
   *
   * @example Usage
   * ```ts
   * import { AtomicBigInt64 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new AtomicBigInt64(5n).load(), 5n);
   * ```
   *
   * @param initial The starting value.
   * @throws {RangeError} If `initial` is not a bigint in the 64-bit range.
   */
  constructor(initial: bigint = 0n) {
    const open = AtomicBigInt64.#opening.take();
    if (open !== undefined) {
      this.#words = new BigInt64Array(open.buffer);
      this.#index = open.index;
      return;
    }
    checkInt64(initial, "create");
    this.#words = new BigInt64Array(new SharedArrayBuffer(8));
    this.#index = 0;
    this.#words[0] = initial;
  }

  /**
   * Opens an atomic from its handle, usually on another thread.
   *
   * @example Usage
   * ```ts
   * import { AtomicBigInt64 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const a = new AtomicBigInt64(1n);
   * assert.equal(AtomicBigInt64.from(a.handle).load(), 1n);
   * ```
   *
   * @param handle An atomic's {@linkcode AtomicBigInt64.handle}.
   * @returns A view of the same word.
   * @throws {TypeError} If `handle` is not an AtomicBigInt64's handle.
   */
  static from(handle: AtomicHandle): AtomicBigInt64 {
    const open = openHandle(handle, "AtomicBigInt64", 8);
    return AtomicBigInt64.#opening.open(open, () => new AtomicBigInt64());
  }

  /**
   * The structured-clonable handle: post it to a worker and open it there
   * with {@linkcode AtomicBigInt64.from}.
   *
   * @example Usage
   * ```ts
   * import { AtomicBigInt64 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new AtomicBigInt64().handle.kind, "AtomicBigInt64");
   * ```
   */
  get handle(): AtomicHandle {
    return {
      kind: "AtomicBigInt64",
      buffer: this.#words.buffer as SharedArrayBuffer,
      index: this.#index,
    };
  }

  /**
   * Reads the value: Go's `Load`.
   *
   * @example Usage
   * ```ts
   * import { AtomicBigInt64 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new AtomicBigInt64(3n).load(), 3n);
   * ```
   *
   * @returns The value.
   */
  load(): bigint {
    return Atomics.load(this.#words, this.#index);
  }

  /**
   * Writes the value: Go's `Store`.
   *
   * @example Usage
   * ```ts
   * import { AtomicBigInt64 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const a = new AtomicBigInt64();
   * a.store(4n);
   * assert.equal(a.load(), 4n);
   * ```
   *
   * @param value The new value.
   * @throws {RangeError} If `value` is not a bigint in the 64-bit range.
   */
  store(value: bigint): void {
    Atomics.store(this.#words, this.#index, checkInt64(value, "store"));
  }

  /**
   * Adds `delta` and returns the new value: Go's `Add`. Wraps on overflow.
   *
   * @example Usage
   * ```ts
   * import { AtomicBigInt64 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new AtomicBigInt64(1n).add(2n), 3n);
   * ```
   *
   * @param delta The amount to add.
   * @returns The value after the addition.
   * @throws {RangeError} If `delta` is not a bigint in the 64-bit range.
   */
  add(delta: bigint): bigint {
    checkInt64(delta, "add to");
    return BigInt.asIntN(
      64,
      Atomics.add(this.#words, this.#index, delta) + delta,
    );
  }

  /**
   * Subtracts `delta` and returns the new value. Wraps on overflow.
   *
   * @example Usage
   * ```ts
   * import { AtomicBigInt64 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new AtomicBigInt64(5n).sub(2n), 3n);
   * ```
   *
   * @param delta The amount to subtract.
   * @returns The value after the subtraction.
   * @throws {RangeError} If `delta` is not a bigint in the 64-bit range.
   */
  sub(delta: bigint): bigint {
    checkInt64(delta, "subtract from");
    return BigInt.asIntN(
      64,
      Atomics.sub(this.#words, this.#index, delta) - delta,
    );
  }

  /**
   * Writes `value` and returns the old value: Go's `Swap`.
   *
   * @example Usage
   * ```ts
   * import { AtomicBigInt64 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const a = new AtomicBigInt64(1n);
   * assert.equal(a.exchange(2n), 1n);
   * ```
   *
   * @param value The new value.
   * @returns The value before.
   * @throws {RangeError} If `value` is not a bigint in the 64-bit range.
   */
  exchange(value: bigint): bigint {
    return Atomics.exchange(
      this.#words,
      this.#index,
      checkInt64(value, "exchange"),
    );
  }

  /**
   * Writes `next` if the value is `expected`: Go's `CompareAndSwap`.
   *
   * @example Usage
   * ```ts
   * import { AtomicBigInt64 } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const a = new AtomicBigInt64(1n);
   * assert.equal(a.compareAndSwap(1n, 5n), true);
   * assert.equal(a.load(), 5n);
   * ```
   *
   * @param expected The value to replace.
   * @param next The value to write.
   * @returns Whether the value was `expected` (and is now `next`).
   * @throws {RangeError} If an argument is not a bigint in the 64-bit range.
   */
  compareAndSwap(expected: bigint, next: bigint): boolean {
    checkInt64(expected, "compare");
    checkInt64(next, "swap");
    return Atomics.compareExchange(this.#words, this.#index, expected, next) ===
      expected;
  }
}
