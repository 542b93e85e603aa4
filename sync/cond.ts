// Copyright the denogo authors. MIT license.

/**
 * Go's `sync.Cond`, for goroutines on one isolate.
 *
 * @module
 */

import { park, settled, unpark } from "../_parking.ts";
import type { Locker } from "./mutex.ts";
import { checkSignal, SyncWaiter, WaitList } from "./_sema.ts";
import { describe } from "../_describe.ts";

/** Options for {@linkcode Cond.wait}. */
export interface CondWaitOptions {
  /**
   * Cancels the wait: a `wait()` still waiting for a signal when this
   * aborts relocks the locker and then rejects with the signal's reason.
   * Go's `Cond` has no such option; this is for JavaScript's cancellation.
   */
  signal?: AbortSignal;
}

/**
 * A condition variable: a rendezvous point for goroutines waiting for, or
 * announcing, a change of state guarded by a {@linkcode Locker}. Go's
 * `sync.Cond`.
 *
 * - `wait()` must be called with the locker held. It joins the wait list,
 *   unlocks, waits for `signal()` or `broadcast()`, then locks again before
 *   it resolves. Because other goroutines may run in between, check the
 *   condition in a loop: `while (!ready) await cond.wait();`.
 * - `signal()` wakes the longest-waiting goroutine, `broadcast()` all of
 *   them; neither requires the lock. A signal with nobody waiting is lost.
 * - A waiter joins the list before it unlocks, so a signal sent after the
 *   waiter released the lock always reaches it.
 * - A waiting `wait()` shows in a deadlock report as `[sync.Cond.Wait]`.
 *
 * For many uses a {@linkcode Channel} is simpler; Cond fits "wake everyone
 * waiting for this state" with a shared lock.
 *
 * @example A queue with a blocking take
 * ```ts
 * import { Cond, Mutex } from "@denogo/go/sync";
 * import { go } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const mu = new Mutex();
 * const nonEmpty = new Cond(mu);
 * const items: string[] = [];
 *
 * async function take(): Promise<string> {
 *   await mu.lock();
 *   try {
 *     while (items.length === 0) await nonEmpty.wait();
 *     return items.shift()!;
 *   } finally {
 *     mu.unlock();
 *   }
 * }
 * const taken = go(take);
 * await mu.lock();
 * items.push("job");
 * nonEmpty.signal();
 * mu.unlock();
 * assert.equal(await taken, "job");
 * ```
 */
export class Cond {
  /**
   * The Locker held while observing or changing the condition: Go's
   * `Cond.L`.
   *
   * @example Usage
   * ```ts
   * import { Cond, Mutex } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const mu = new Mutex();
   * assert.equal(new Cond(mu).locker, mu);
   * ```
   */
  readonly locker: Locker;
  readonly #waiters = new WaitList(this);

  /**
   * Creates a condition variable over `locker`: Go's `sync.NewCond`.
   *
   * @param locker The lock guarding the condition.
   * @throws {TypeError} If `locker` has no `lock` and `unlock` methods.
   */
  constructor(locker: Locker) {
    if (
      typeof locker?.lock !== "function" ||
      typeof locker?.unlock !== "function"
    ) {
      throw new TypeError(
        "Cannot create Cond: expected a Locker with lock() and unlock() " +
          `methods, received ${describe(locker)}`,
      );
    }
    this.locker = locker;
  }

  /**
   * Unlocks the locker, waits for `signal()` or `broadcast()`, and locks it
   * again before resolving. Call it with the locker held, in a loop that
   * re-checks the condition.
   *
   * @example Usage
   * ```ts
   * import { Cond, Mutex } from "@denogo/go/sync";
   * import { go } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const mu = new Mutex();
   * const cond = new Cond(mu);
   * let ready = false;
   * go(async () => {
   *   await mu.lock();
   *   ready = true;
   *   cond.broadcast();
   *   mu.unlock();
   * });
   * await mu.lock();
   * while (!ready) await cond.wait();
   * mu.unlock();
   * assert.equal(ready, true);
   * ```
   *
   * @param options A signal that cancels the wait.
   * @returns A promise that resolves, with the locker held again, after a
   * signal or broadcast. If the wait is cancelled (the signal aborts, or a
   * deadlock is reported) it relocks and then rejects with the reason.
   * Whatever the locker's `unlock()` throws (for a Mutex that is not
   * locked: `UnlockOfUnlockedError`) rejects it at once, and the call does
   * not wait.
   */
  wait(options?: CondWaitOptions): Promise<void> {
    let signal: AbortSignal | undefined;
    try {
      signal = checkSignal(options, "wait on Cond");
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    let waiter!: SyncWaiter;
    const woken = new Promise<void>((resolve, reject) => {
      waiter = new SyncWaiter(
        "sync.Cond.Wait",
        0,
        null,
        null,
        resolve,
        reject,
      );
    });
    // Join the list before unlocking, as Go's notifyListAdd does, so no
    // signal sent after the unlock is missed.
    this.#waiters.push(waiter);
    park(waiter, signal);
    try {
      this.locker.unlock();
    } catch (error) {
      this.#waiters.remove(waiter);
      unpark(waiter);
      settled(waiter);
      return Promise.reject(error);
    }
    return relockAfter(woken, this.locker);
  }

  /**
   * Wakes the goroutine that has waited longest, if any.
   *
   * @example Usage
   * ```ts
   * import { Cond, Mutex } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const mu = new Mutex();
   * const cond = new Cond(mu);
   * await mu.lock();
   * const waiting = cond.wait(); // Unlocks mu while waiting.
   * cond.signal();
   * await waiting; // mu is held again.
   * assert.equal(mu.tryLock(), false);
   * mu.unlock();
   * ```
   */
  signal(): void {
    this.#waiters.shift()?.wake();
  }

  /**
   * Wakes every waiting goroutine. Each relocks in turn before its
   * `wait()` resolves.
   *
   * @example Usage
   * ```ts
   * import { Cond, Mutex } from "@denogo/go/sync";
   * import { go } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const mu = new Mutex();
   * const cond = new Cond(mu);
   * let open = false;
   * const waiters = [1, 2, 3].map(() =>
   *   go(async () => {
   *     await mu.lock();
   *     while (!open) await cond.wait();
   *     mu.unlock();
   *   })
   * );
   * await mu.lock();
   * open = true;
   * cond.broadcast();
   * mu.unlock();
   * await Promise.all(waiters);
   * assert.equal(open, true);
   * ```
   */
  broadcast(): void {
    this.#waiters.wakeAll();
  }
}

async function relockAfter(woken: Promise<void>, locker: Locker) {
  try {
    await woken;
  } catch (error) {
    await locker.lock();
    throw error;
  }
  await locker.lock();
}
