// Copyright the denogo authors. MIT license.

/**
 * A weighted semaphore: `golang.org/x/sync/semaphore`.
 *
 * @module
 */

import { AcquireExceedsSizeError, ReleaseExceedsHeldError } from "./errors.ts";
import {
  checkInteger,
  RESOLVED,
  wait,
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
  readonly #waiters = new WaitList();
  /** A waiter gave up: the ones behind it may now fit. */
  readonly #owner: WaitOwner = { waiterAborted: () => this.#notify() };

  /**
   * Creates a semaphore of `size` units, all free: Go's
   * `semaphore.NewWeighted`.
   *
   * @param size The total weight; a non-negative integer.
   * @throws {RangeError} If `size` is negative or not an integer.
   */
  constructor(size: number) {
    checkInteger(size, "create Semaphore");
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
   * @returns A promise that resolves once the units are held. It rejects
   * with `options.signal`'s reason if that aborts first (or had already
   * aborted), or with `DeadlockError`.
   * @throws {RangeError} (as a rejection) If `n` is negative or not an
   * integer.
   * @throws {AcquireExceedsSizeError} (as a rejection) If `n` exceeds the
   * size.
   */
  acquire(n = 1, options?: AcquireOptions): Promise<void> {
    try {
      checkWeight(n, "acquire from Semaphore");
    } catch (error) {
      return Promise.reject(error);
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#size - this.#current >= n && this.#waiters.first === null) {
      this.#current += n;
      return RESOLVED;
    }
    if (n > this.#size) {
      return Promise.reject(new AcquireExceedsSizeError(n, this.#size));
    }
    return wait(this.#waiters, "semacquire", signal, this.#owner, n);
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
  checkInteger(n, what);
  if (n < 0) {
    throw new RangeError(
      `Cannot ${what}: the weight must be non-negative, received ${n}`,
    );
  }
}
