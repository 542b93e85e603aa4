// Copyright the denogo authors. MIT license.

/**
 * Go's `sync.Once`, `sync.OnceFunc` and `sync.OnceValue`.
 *
 * @module
 */

import { defineInspect } from "../_inspect.ts";
import { SyncError } from "./errors.ts";
import { checkFunction, RESOLVED, wait, WaitList } from "./_sema.ts";

const IDLE = 0;
const RUNNING = 1;
const DONE = 2;

/**
 * Performs exactly one action: Go's `sync.Once`.
 *
 * - The first `do(fn)` calls `fn` at once (synchronously); later calls
 *   never call their function.
 * - If `fn` is async, callers of `do` that arrive while it runs wait until
 *   it settles, as Go's concurrent `Do` calls wait for the first to
 *   return. Their promises resolve once it has: when `do` resolves, the
 *   action is complete.
 * - As in Go, a `fn` that throws (or rejects) still counts as done: the
 *   first caller's promise rejects with the error, everyone else's
 *   resolves, and `fn` is never retried. Use {@linkcode onceValue} to have
 *   every caller see the error.
 * - Calling `do` from inside `fn` on the same Once waits for itself, a
 *   deadlock as in Go.
 * - A waiting `do` shows in a deadlock report as `[sync.Once.Do]`.
 *
 * @example Lazy initialisation shared by goroutines
 * ```ts
 * import { Once } from "@denogo/go/sync";
 * import assert from "node:assert/strict";
 *
 * const once = new Once();
 * let config: Map<string, string> | undefined;
 * let loads = 0;
 * async function getConfig() {
 *   await once.do(async () => {
 *     loads++;
 *     await Promise.resolve(); // e.g. read a file
 *     config = new Map([["mode", "fast"]]);
 *   });
 *   return config!;
 * }
 * const [a, b] = await Promise.all([getConfig(), getConfig()]);
 * assert.equal(a, b);
 * assert.equal(loads, 1);
 * ```
 */
export class Once {
  #state = IDLE;
  readonly #waiters = new WaitList(this);

  static {
    defineInspect(Once, (once) => ({
      state: once.#state === IDLE
        ? "not run"
        : once.#state === RUNNING
        ? "running"
        : "done",
      waiters: once.#waiters.length,
    }));
  }

  /**
   * Calls `fn` if and only if this is the first call of `do` on this Once.
   *
   * @example Usage
   * ```ts
   * import { Once } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const once = new Once();
   * let n = 0;
   * await once.do(() => { n++; });
   * await once.do(() => { n++; });
   * assert.equal(n, 1);
   * ```
   *
   * @example A throw still counts as done
   * ```ts
   * import { Once } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const once = new Once();
   * await assert.rejects(once.do(() => { throw new Error("init failed"); }));
   * let called = false;
   * await once.do(() => { called = true; });
   * assert.equal(called, false);
   * ```
   *
   * @param fn The action, sync or async.
   * @returns A promise that resolves once the action is complete. For the
   * caller that ran `fn`, it rejects with what `fn` threw or rejected with.
   */
  do(fn: () => unknown): Promise<void> {
    if (typeof fn !== "function") {
      try {
        checkFunction(fn, "run Once.do()");
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.#state === DONE) return RESOLVED;
    if (this.#state === RUNNING) {
      return wait(this.#waiters, "sync.Once.Do", undefined);
    }
    this.#state = RUNNING;
    let result: unknown;
    try {
      result = fn();
    } catch (error) {
      this.#finish();
      return Promise.reject(error);
    }
    if (!isThenable(result)) {
      this.#finish();
      return RESOLVED;
    }
    return Promise.resolve(result).then(
      () => this.#finish(),
      (error) => {
        this.#finish();
        throw error;
      },
    );
  }

  #finish(): void {
    this.#state = DONE;
    this.#waiters.wakeAll();
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && (typeof x === "object" || typeof x === "function") &&
    typeof (x as PromiseLike<unknown>).then === "function";
}

/**
 * Returns a function that calls `f` only the first time it is called:
 * Go's `sync.OnceFunc`. See {@linkcode onceValue}, which it equals for a
 * function whose result is not needed.
 *
 * @example Usage
 * ```ts
 * import { onceFunc } from "@denogo/go/sync";
 * import assert from "node:assert/strict";
 *
 * let inits = 0;
 * const init = onceFunc(() => { inits++; });
 * init();
 * init();
 * assert.equal(inits, 1);
 * ```
 *
 * @param f The function to call once.
 * @returns A function that calls `f` the first time and, if `f` threw,
 * throws the same error on every call.
 */
export function onceFunc(f: () => void): () => void {
  checkFunction(f, "create onceFunc()", "f");
  return onceValue(f);
}

/**
 * Returns a function that calls `f` only the first time it is called and
 * returns its value on every call: Go's `sync.OnceValue`.
 *
 * - If `f` throws, every call throws the same error (Go re-panics with the
 *   same value), and `f` is not retried.
 * - An async `f` is called once too; every call returns the same promise,
 *   so every caller sees its value, or its rejection.
 * - `f` is released after its call, so what it references can be
 *   collected.
 *
 * Go's `OnceValues` (two results) is not needed: return a tuple or an
 * object from `f`.
 *
 * @example Usage
 * ```ts
 * import { onceValue } from "@denogo/go/sync";
 * import assert from "node:assert/strict";
 *
 * let computed = 0;
 * const table = onceValue(() => {
 *   computed++;
 *   return Array.from({ length: 4 }, (_, i) => i * i);
 * });
 * assert.deepEqual(table(), [0, 1, 4, 9]);
 * assert.equal(table(), table());
 * assert.equal(computed, 1);
 * ```
 *
 * @typeParam T What `f` returns.
 * @param f The function to call once.
 * @returns A function returning `f`'s value.
 * @throws {SyncError} From the returned function, if `f` calls it while it
 * runs (Go deadlocks).
 */
export function onceValue<T>(f: () => T): () => T {
  checkFunction(f, "create onceValue()", "f");
  let fn: (() => T) | null = f;
  let state = IDLE;
  let value: T;
  let failed = false;
  let error: unknown;
  return () => {
    if (state === DONE) {
      if (failed) throw error;
      return value;
    }
    if (state === RUNNING) {
      throw new SyncError(
        "Cannot call a onceValue/onceFunc function from inside its own " +
          "first call: it would wait for itself (Go deadlocks); do not " +
          "recurse into it",
      );
    }
    state = RUNNING;
    const run = fn!;
    fn = null;
    try {
      value = run();
    } catch (e) {
      failed = true;
      error = e;
      throw e;
    } finally {
      state = DONE;
    }
    return value;
  };
}
