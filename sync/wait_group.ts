// Copyright the denogo authors. MIT license.

/**
 * Go's `sync.WaitGroup`, for goroutines on one isolate.
 *
 * @module
 */

import { defineInspect } from "../_inspect.ts";
import { go } from "../scheduler.ts";
import { NegativeCounterError } from "./errors.ts";
import {
  checkFunction,
  checkInteger,
  checkSignal,
  RESOLVED,
  wait,
  WaitList,
} from "./_sema.ts";

/** Options for {@linkcode WaitGroup.wait}. */
export interface WaitGroupWaitOptions {
  /**
   * Cancels the wait: a `wait()` still blocked when the signal aborts
   * rejects with the signal's reason; the counter is not affected. A wait
   * that can return at once ignores the signal.
   */
  signal?: AbortSignal;
}

/**
 * Waits for a collection of goroutines to finish: Go's `sync.WaitGroup`.
 *
 * The main goroutine calls `add(n)` for the goroutines it is about to
 * start, each goroutine calls `done()` when it finishes, and `wait()`
 * blocks until the counter is back to zero. `go(fn)` (Go 1.25's `wg.Go`)
 * does the three steps for one goroutine.
 *
 * - Call `add` before starting the goroutine (or before the event that
 *   the `wait` waits for), not inside it, as in Go.
 * - The counter never goes negative: `add`/`done` that would make it so
 *   throw {@linkcode NegativeCounterError} and leave it as it was.
 * - When the counter reaches zero, every blocked `wait()` resolves, and
 *   the group may be reused at once.
 * - A blocked `wait()` shows in a deadlock report as
 *   `[sync.WaitGroup.Wait]`.
 *
 * @example Fan out and join
 * ```ts
 * import { WaitGroup } from "@denogo/go/sync";
 * import { go } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const wg = new WaitGroup();
 * const results: number[] = [];
 * for (const n of [1, 2, 3]) {
 *   wg.add(1);
 *   go(async () => {
 *     try {
 *       results.push(n * n);
 *     } finally {
 *       wg.done();
 *     }
 *   });
 * }
 * await wg.wait();
 * assert.deepEqual(results.sort(), [1, 4, 9]);
 * ```
 *
 * @example `wg.go` (Go 1.25)
 * ```ts
 * import { WaitGroup } from "@denogo/go/sync";
 * import assert from "node:assert/strict";
 *
 * const wg = new WaitGroup();
 * let count = 0;
 * for (let i = 0; i < 5; i++) wg.go(() => { count++; });
 * await wg.wait();
 * assert.equal(count, 5);
 * ```
 */
export class WaitGroup {
  #counter = 0;
  readonly #waiters = new WaitList(this);

  static {
    defineInspect(WaitGroup, (wg) => ({
      counter: wg.#counter,
      waiters: wg.#waiters.length,
    }));
  }

  /**
   * Adds `delta` (which may be negative) to the counter. When it reaches
   * zero, every blocked `wait()` resolves.
   *
   * @example Usage
   * ```ts
   * import { WaitGroup } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const wg = new WaitGroup();
   * wg.add(2);
   * let waited = false;
   * const w = wg.wait().then(() => { waited = true; });
   * wg.add(-2);
   * await w;
   * assert.equal(waited, true);
   * ```
   *
   * @param delta An integer to add to the counter.
   * @throws {RangeError} If `delta` is not an integer (NaN, 1.5, Infinity).
   * @throws {NegativeCounterError} If the counter would go negative; it
   * keeps its value.
   */
  add(delta: number): void {
    checkInteger(delta, "add to WaitGroup", "delta");
    const next = this.#counter + delta;
    if (next < 0) throw new NegativeCounterError(this.#counter, delta);
    this.#counter = next;
    if (next === 0 && this.#waiters.first !== null) this.#waiters.wakeAll();
  }

  /**
   * Decrements the counter by one: `add(-1)`. Call it once for each
   * goroutine counted in, when it finishes (in a `finally`).
   *
   * @example Usage
   * ```ts
   * import { WaitGroup } from "@denogo/go/sync";
   *
   * const wg = new WaitGroup();
   * wg.add(1);
   * wg.done();
   * await wg.wait();
   * ```
   *
   * @throws {NegativeCounterError} If the counter is already zero; it
   * stays zero.
   */
  done(): void {
    this.add(-1);
  }

  /**
   * Waits until the counter is zero; resolves at once if it already is.
   *
   * @example Usage
   * ```ts
   * import { WaitGroup } from "@denogo/go/sync";
   * import { go } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const wg = new WaitGroup();
   * let finished = false;
   * wg.add(1);
   * go(() => {
   *   finished = true;
   *   wg.done();
   * });
   * await wg.wait();
   * assert.equal(finished, true);
   * ```
   *
   * @param options A signal that cancels the wait.
   * @returns A promise that resolves when the counter is zero; it rejects
   * only if `options.signal` aborts while waiting, or with `DeadlockError`.
   */
  wait(options?: WaitGroupWaitOptions): Promise<void> {
    let signal: AbortSignal | undefined;
    try {
      signal = checkSignal(options, "wait on WaitGroup");
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#counter === 0) return RESOLVED;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return wait(this.#waiters, "sync.WaitGroup.Wait", signal);
  }

  /**
   * Runs `fn` in a new goroutine counted by the group: `add(1)` now,
   * `done()` when `fn` returns or throws. Go 1.25's `WaitGroup.Go`.
   *
   * Returns the goroutine's promise, as `go()` does: an error `fn` throws
   * rejects it (and, if nobody handles it, ends the program like a Go
   * panic); the counter is decremented either way.
   *
   * @example Usage
   * ```ts
   * import { WaitGroup } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const wg = new WaitGroup();
   * const answer = wg.go(async () => 42);
   * await wg.wait();
   * assert.equal(await answer, 42);
   * ```
   *
   * @typeParam R What `fn` returns (or resolves to).
   * @param fn The goroutine's body, sync or async.
   * @returns The goroutine's result.
   * @throws {TypeError} If `fn` is not a function; the counter is unchanged.
   */
  go<R>(fn: () => R | PromiseLike<R>): Promise<R> {
    try {
      checkFunction(fn, "start goroutine with WaitGroup.go()");
    } catch (error) {
      return Promise.reject(error);
    }
    this.#counter++;
    return go(runCounted, this, fn) as Promise<R>;
  }
}

async function runCounted(wg: WaitGroup, fn: () => unknown): Promise<unknown> {
  try {
    return await fn();
  } finally {
    wg.done();
  }
}
