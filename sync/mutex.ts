// Copyright the denogo authors. MIT license.

/**
 * Go's `sync.Mutex` and `sync.Locker`, for goroutines on one isolate.
 *
 * @module
 */

import { defineInspect } from "../_inspect.ts";
import { UnlockOfUnlockedError } from "./errors.ts";
import {
  enqueue,
  Guard,
  rejectBadOptions,
  RESOLVED,
  type SyncWaiter,
  wait,
  WaitList,
} from "./_sema.ts";

/**
 * Anything that can be locked and unlocked: Go's `sync.Locker`.
 * {@linkcode Mutex}, {@linkcode RWMutex} and `RWMutex.rLocker()` are
 * Lockers; so is any object whose `lock()` returns (or resolves) once the
 * lock is held. {@linkcode Cond} waits with one.
 *
 * @example A synchronous Locker
 * ```ts
 * import { Cond, type Locker } from "@denogo/go/sync";
 * import assert from "node:assert/strict";
 *
 * // On one isolate, code between two awaits already runs alone:
 * // a no-op Locker is enough when the condition is checked without awaits.
 * const noop: Locker = { lock() {}, unlock() {} };
 * const cond = new Cond(noop);
 * assert.equal(cond.locker, noop);
 * ```
 */
export interface Locker {
  /** Acquires the lock; the returned promise (if any) settles once held. */
  lock(): Promise<void> | void;
  /** Releases the lock. */
  unlock(): void;
}

/** Options for a blocking lock call. */
export interface LockOptions {
  /**
   * Cancels the wait: a call still blocked when the signal aborts rejects
   * with the signal's reason and leaves the lock as if it had never been
   * called. A call that can take the lock at once ignores the signal. Go's
   * locks have no such option; this is for JavaScript's cancellation.
   */
  signal?: AbortSignal;
}

/**
 * A mutual exclusion lock: Go's `sync.Mutex`, for goroutines on one isolate.
 *
 * On one isolate, code between two `await`s already runs alone. A Mutex is
 * for a critical section that spans `await`s: `await mu.lock()`, work that
 * awaits, `mu.unlock()`.
 *
 * - `lock()` resolves at once (one microtask) when the mutex is free, and
 *   otherwise waits. `tryLock()` never waits.
 * - Waiters are served strictly in arrival order: `unlock()` hands the lock
 *   straight to the longest-waiting `lock()` (Go's starvation mode, always
 *   on), so a goroutine that keeps locking cannot overtake one that waits,
 *   and `tryLock()` fails while anyone waits.
 * - A lock is not tied to a goroutine: one goroutine may lock and another
 *   unlock, as in Go.
 * - `unlock()` of an unlocked mutex throws {@linkcode UnlockOfUnlockedError}
 *   and leaves the mutex unlocked and usable.
 * - For `using`, `await mu.locked()` returns a guard that unlocks once,
 *   however often it is disposed. `lock()` itself resolves with nothing,
 *   as Go's `Lock` returns nothing, so every `Mutex` stays a
 *   {@linkcode Locker} and `await mu.lock()` / `mu.unlock()` are unchanged.
 * - A blocked `lock()` is parked like a blocked channel operation: if every
 *   goroutine is blocked, the deadlock report names it
 *   `[sync.Mutex.Lock]`.
 *
 * @example A critical section across awaits
 * ```ts
 * import { Mutex, WaitGroup } from "@denogo/go/sync";
 * import { yieldNow } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const mu = new Mutex();
 * let balance = 0;
 * async function deposit(n: number) {
 *   await mu.lock();
 *   try {
 *     const b = balance;
 *     await yieldNow(); // Other goroutines run here, but not this section.
 *     balance = b + n;
 *   } finally {
 *     mu.unlock();
 *   }
 * }
 * const wg = new WaitGroup();
 * for (let i = 0; i < 10; i++) wg.go(() => deposit(10));
 * await wg.wait();
 * assert.equal(balance, 100);
 * ```
 *
 * @example `using` unlocks at scope exit
 * ```ts
 * import { Mutex } from "@denogo/go/sync";
 * import assert from "node:assert/strict";
 *
 * const mu = new Mutex();
 * {
 *   using _ = await mu.locked();
 *   assert.equal(mu.tryLock(), false);
 * }
 * assert.equal(mu.tryLock(), true);
 * ```
 */
export class Mutex implements Locker {
  #locked = false;
  readonly #waiters = new WaitList(this);
  /**
   * The waiter the last unlock() woke, for the next blocked lock() to
   * reuse: in a hand-off every lock blocks, and this saves a record each.
   * Nothing else refers to a woken waiter (it has left the list and the
   * parked set, and its signal listener is gone).
   */
  #spare: SyncWaiter | null = null;

  static {
    defineInspect(Mutex, (mu) => ({
      locked: mu.#locked,
      waiters: mu.#waiters.length,
    }));
  }

  /**
   * Locks the mutex, waiting while another holder has it. Resolves once the
   * caller holds it. Waiters are served in arrival order.
   *
   * @example Usage
   * ```ts
   * import { Mutex } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const mu = new Mutex();
   * await mu.lock();
   * let got = false;
   * const second = mu.lock().then(() => { got = true; });
   * mu.unlock(); // Hands the lock to the waiting lock().
   * await second;
   * assert.equal(got, true);
   * mu.unlock();
   * ```
   *
   * @param options A signal that cancels the wait.
   * @returns A promise that resolves when the lock is held; it rejects only
   * if `options.signal` aborts while waiting, or with `DeadlockError`.
   */
  lock(options?: LockOptions): Promise<void> {
    if (options !== undefined) {
      const bad = rejectBadOptions(options, "lock Mutex");
      if (bad !== undefined) return bad;
    }
    if (!this.#locked) {
      this.#locked = true;
      return RESOLVED;
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const spare = this.#spare;
    if (spare === null) return wait(this.#waiters, "sync.Mutex.Lock", signal);
    this.#spare = null;
    return enqueue(spare, this.#waiters, signal);
  }

  /**
   * Locks the mutex if it is free and nobody waits for it: Go's
   * `Mutex.TryLock`. Never waits.
   *
   * @example Usage
   * ```ts
   * import { Mutex } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const mu = new Mutex();
   * assert.equal(mu.tryLock(), true);
   * assert.equal(mu.tryLock(), false);
   * mu.unlock();
   * ```
   *
   * @returns Whether the caller now holds the lock.
   */
  tryLock(): boolean {
    if (this.#locked) return false;
    this.#locked = true;
    return true;
  }

  /**
   * Unlocks the mutex. If a `lock()` is waiting, the lock passes straight
   * to the longest-waiting one.
   *
   * @example Usage
   * ```ts
   * import { Mutex } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const mu = new Mutex();
   * await mu.lock();
   * mu.unlock();
   * assert.equal(mu.tryLock(), true);
   * ```
   *
   * @throws {UnlockOfUnlockedError} If the mutex is not locked; it stays
   * unlocked and usable.
   */
  unlock(): void {
    if (!this.#locked) throw new UnlockOfUnlockedError("Mutex.unlock");
    const w = this.#waiters.shift();
    if (w === null) this.#locked = false;
    else {
      w.wake(); // Direct hand-off: the lock stays locked, now the waiter's.
      w.forget();
      this.#spare = w;
    }
  }

  /**
   * Locks the mutex and returns a guard whose disposal unlocks it, for
   * `using _ = await mu.locked()`. Disposing the guard more than once
   * unlocks only once.
   *
   * @example Usage
   * ```ts
   * import { Mutex } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const mu = new Mutex();
   * async function critical() {
   *   using _ = await mu.locked();
   *   throw new Error("fails inside");
   * }
   * await assert.rejects(critical(), /fails inside/);
   * assert.equal(mu.tryLock(), true); // Unlocked on the way out.
   * ```
   *
   * @param options A signal that cancels the wait.
   * @returns A promise of a guard that unlocks on dispose.
   */
  locked(options?: LockOptions): Promise<Disposable> {
    if (options !== undefined) {
      const bad = rejectBadOptions(options, "lock Mutex");
      if (bad !== undefined) return bad;
    }
    const guard = new Guard(this);
    if (this.tryLock()) return Promise.resolve(guard);
    return this.lock(options).then(() => guard);
  }
}
