// Copyright the denogo authors. MIT license.

/**
 * A weighted semaphore: `golang.org/x/sync/semaphore`.
 *
 * @module
 */

import { defineInspect } from "../_inspect.ts";
import { AcquireExceedsSizeError, ReleaseExceedsHeldError } from "./errors.ts";
import { park } from "../_parking.ts";
import {
  checkInteger,
  checkSignal,
  Permit,
  SyncWaiter,
  WaitList,
  type WaitOwner,
} from "./_sema.ts";

/** Options for {@linkcode Semaphore.acquire}. */
export interface AcquireOptions {
  /**
   * Cancels the acquire, as the context of Go's `Weighted.Acquire` does. If
   * it has already aborted, `acquire` rejects with its reason even when the
   * weight is free (Go's rule); if it aborts while the call waits, the call
   * rejects and nothing is acquired. A context's `signal` fits here:
   * `sem.acquire(1, { signal: ctx.signal })`.
   */
  signal?: AbortSignal;
}

/**
 * The units one {@linkcode Semaphore.acquire} call holds: a `Disposable`,
 * so `using _ = await sem.acquire(n)` gives them back at the end of the
 * scope, as `@std/async`'s semaphore permits do.
 *
 * A permit releases at most once: a second `release()` or dispose does
 * nothing, so it can never give back more than it took. Give units back
 * either through the permit or with `sem.release(n)`, not both: the permit
 * does not know about a `sem.release(n)` call.
 *
 * @example Usage
 * ```ts
 * import { Semaphore } from "@denogo/go/sync";
 * import assert from "node:assert/strict";
 *
 * const sem = new Semaphore(2);
 * {
 *   using permit = await sem.acquire(2);
 *   assert.equal(permit.weight, 2);
 *   assert.equal(sem.tryAcquire(1), false);
 * }
 * assert.equal(sem.tryAcquire(2), true); // Released at the end of the scope.
 * sem.release(2);
 * ```
 */
export interface SemaphorePermit extends Disposable {
  /** The units the permit holds (the `n` of its `acquire(n)`). */
  readonly weight: number;
  /** Whether the units were given back through this permit. */
  readonly released: boolean;
  /**
   * Gives the units back (`sem.release(weight)`) the first time; later
   * calls, and disposing after it, do nothing.
   */
  release(): void;
}

/**
 * A weighted semaphore: Go's `semaphore.Weighted` from
 * `golang.org/x/sync/semaphore`. It holds `size` units; `acquire(n)` takes
 * `n` of them, waiting until they are free, and `release(n)` gives them
 * back.
 *
 * - Fair: waiters are served in arrival order, and a large request at the
 *   head of the queue is not overtaken by later small ones (they wait
 *   behind it even if enough units are free for them).
 * - `acquire(n)` with `n` larger than the size rejects at once with
 *   {@linkcode AcquireExceedsSizeError}. (Go's blocks until its context is
 *   done, because the request can never succeed.)
 * - `release(n)` of more than is held throws
 *   {@linkcode ReleaseExceedsHeldError} and releases nothing.
 * - Weights are non-negative integers; anything else is a RangeError.
 * - `acquire` resolves with a {@linkcode SemaphorePermit}, for `using`.
 * - A waiting `acquire` shows in a deadlock report as `[semacquire]`.
 *
 * @example Bounding concurrency
 * ```ts
 * import { Semaphore, WaitGroup } from "@denogo/go/sync";
 * import { yieldNow } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const sem = new Semaphore(2);
 * const wg = new WaitGroup();
 * let running = 0, peak = 0;
 * for (let i = 0; i < 6; i++) {
 *   wg.go(async () => {
 *     await sem.acquire(1);
 *     try {
 *       peak = Math.max(peak, ++running);
 *       await yieldNow();
 *       running--;
 *     } finally {
 *       sem.release(1);
 *     }
 *   });
 * }
 * await wg.wait();
 * assert.equal(peak, 2);
 * ```
 */
export class Semaphore {
  readonly #size: number;
  #current = 0;
  readonly #waiters = new WaitList(this);
  /** A waiter gave up: the ones behind it may now fit. */
  readonly #owner: WaitOwner = { waiterAborted: () => this.#notify() };

  static {
    defineInspect(Semaphore, (sem) => ({
      size: sem.#size,
      acquired: sem.#current,
      waiters: sem.#waiters.length,
    }));
  }

  /**
   * Creates a semaphore of `size` units, all free: Go's
   * `semaphore.NewWeighted`.
   *
   * @param size The total weight; a non-negative integer.
   * @throws {RangeError} If `size` is negative or not an integer.
   */
  constructor(size: number) {
    checkInteger(size, "create Semaphore", "size");
    if (size < 0) {
      throw new RangeError(
        `Cannot create Semaphore: size must be non-negative, received ${size}`,
      );
    }
    this.#size = size;
  }

  /**
   * The total weight, as given to the constructor.
   *
   * @example Usage
   * ```ts
   * import { Semaphore } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new Semaphore(3).size, 3);
   * ```
   *
   * @returns The semaphore's size.
   */
  get size(): number {
    return this.#size;
  }

  /**
   * Acquires `n` units, waiting until they are free and every earlier
   * waiter has been served.
   *
   * @example Usage
   * ```ts
   * import { Semaphore } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const sem = new Semaphore(3);
   * await sem.acquire(2);
   * assert.equal(sem.tryAcquire(2), false);
   * sem.release(2);
   * ```
   *
   * @example Releasing with `using`
   * ```ts
   * import { Semaphore } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const sem = new Semaphore(1);
   * async function critical(): Promise<void> {
   *   using _ = await sem.acquire();
   *   throw new Error("failed inside");
   * }
   * await assert.rejects(critical(), /failed inside/);
   * assert.equal(sem.tryAcquire(), true); // The permit released on the way out.
   * sem.release();
   * ```
   *
   * @example Cancelling with a signal
   * ```ts
   * import { Semaphore } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const sem = new Semaphore(1);
   * await sem.acquire(1);
   * const controller = new AbortController();
   * const waiting = sem.acquire(1, { signal: controller.signal });
   * controller.abort(new Error("gave up"));
   * await assert.rejects(waiting, /gave up/);
   * sem.release(1);
   * ```
   *
   * @param n The weight to acquire, a non-negative integer.
   * @param options A signal that cancels the acquire.
   * @returns A promise of a {@linkcode SemaphorePermit} for the units,
   * once they are held; disposing it releases them (once). It rejects
   * with `options.signal`'s reason if that aborts first (or had already
   * aborted), or with `DeadlockError`.
   * @throws {TypeError} (as a rejection) If `n` is not a number, or
   * `options.signal` is not an AbortSignal.
   * @throws {RangeError} (as a rejection) If `n` is negative or not an
   * integer.
   * @throws {AcquireExceedsSizeError} (as a rejection) If `n` exceeds the
   * size.
   */
  acquire(n = 1, options?: AcquireOptions): Promise<SemaphorePermit> {
    let signal: AbortSignal | undefined;
    try {
      checkWeight(n, "acquire from Semaphore");
      signal = checkSignal(options, "acquire from Semaphore");
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#size - this.#current >= n && this.#waiters.first === null) {
      this.#current += n;
      return Promise.resolve(new Permit(this, n));
    }
    if (n > this.#size) {
      return Promise.reject(new AcquireExceedsSizeError(n, this.#size));
    }
    return new Promise((resolve, reject) => {
      const permit = new Permit(this, n);
      const w = new SyncWaiter(
        "semacquire",
        n,
        null,
        this.#owner,
        () => resolve(permit),
        reject,
      );
      this.#waiters.push(w);
      park(w, signal);
    });
  }

  /**
   * Acquires `n` units if they are free and nobody waits, without waiting:
   * Go's `Weighted.TryAcquire`.
   *
   * @example Usage
   * ```ts
   * import { Semaphore } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const sem = new Semaphore(2);
   * assert.equal(sem.tryAcquire(2), true);
   * assert.equal(sem.tryAcquire(1), false);
   * sem.release(2);
   * ```
   *
   * @param n The weight to acquire, a non-negative integer.
   * @returns Whether the units are now held (false if `n` exceeds the
   * size).
   * @throws {RangeError} If `n` is negative or not an integer.
   */
  tryAcquire(n = 1): boolean {
    checkWeight(n, "tryAcquire from Semaphore");
    if (this.#size - this.#current >= n && this.#waiters.first === null) {
      this.#current += n;
      return true;
    }
    return false;
  }

  /**
   * Releases `n` units, then serves waiters in order for as long as the
   * oldest one fits.
   *
   * @example Usage
   * ```ts
   * import { Semaphore } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const sem = new Semaphore(1);
   * await sem.acquire(1);
   * let got = false;
   * const next = sem.acquire(1).then(() => { got = true; });
   * sem.release(1);
   * await next;
   * assert.equal(got, true);
   * sem.release(1);
   * ```
   *
   * @param n The weight to release, a non-negative integer.
   * @throws {RangeError} If `n` is negative or not an integer.
   * @throws {ReleaseExceedsHeldError} If `n` exceeds the units held;
   * nothing is released.
   */
  release(n = 1): void {
    checkWeight(n, "release to Semaphore");
    if (n > this.#current) throw new ReleaseExceedsHeldError(n, this.#current);
    this.#current -= n;
    this.#notify();
  }

  #notify(): void {
    const waiters = this.#waiters;
    for (let w = waiters.first; w !== null; w = waiters.first) {
      // Serve strictly in order: a large request at the head is not
      // overtaken by a smaller one behind it.
      if (this.#size - this.#current < w.weight) break;
      this.#current += w.weight;
      waiters.remove(w);
      w.wake();
    }
  }
}

function checkWeight(n: number, what: string): void {
  checkInteger(n, what, "n");
  if (n < 0) {
    throw new RangeError(
      `Cannot ${what}: n must be a non-negative weight, received ${n}`,
    );
  }
}
