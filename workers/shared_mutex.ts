// Copyright the denogo authors. MIT license.

/**
 * {@linkcode SharedMutex}: Go's `sync.Mutex` in shared memory, lockable
 * from the main thread and from workers.
 *
 * ## Memory layout
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 0 | `STATE` | 0 when unlocked, else the thread id of the holder |
 * | 1 | `WAITERS` | lock calls (any thread) sleeping or about to sleep on `SEQ` |
 * | 2 | `MAGIC` | `0x64676d78` ("dgmx"): marks a SharedMutex buffer |
 * | 3 | `ID` | a random number naming the mutex, for wake-ups within a thread |
 * | 4 | `WOKEN` | 1 while the waiters an unlock woke have not yet retried: later unlocks wake nobody |
 * | 5 | `SEQ` | the futex word waiters sleep on: bumped by each unlock that wakes them |
 *
 * ## Protocol
 *
 * Go's `sync.Mutex` without its starvation mode: a lock spins a little,
 * then sleeps; an unlock wakes the sleepers only if nobody it woke before
 * is still on its way back (Go's `mutexWoken`), so a holder that unlocks
 * and relocks while the others sleep pays no `notify` per unlock.
 *
 * - lock: `compareExchange(STATE, 0 → threadId)`; `lockSync()` first spins
 *   on `STATE` for a while, pausing between looks (Go's `procyield`) so
 *   that the holder keeps the cache line and may barge back in. On
 *   failure, increment `WAITERS`, then loop: clear `WOKEN`, read `SEQ` as
 *   `s`, retry the exchange; if it fails and `WOKEN` is still 0, sleep
 *   until `SEQ` is no longer `s` (`Atomics.waitAsync` for `lock()`,
 *   `Atomics.wait` for `lockSync()`, which spins again once woken);
 *   finally decrement `WAITERS`.
 * - unlock: `exchange(STATE, 0)`; if `WAITERS > 0` and `WOKEN` goes from 0
 *   to 1, bump `SEQ` and wake every sleeper (they race for the lock, and
 *   with new lockers; one wins, the others sleep again).
 * - No wake-up is lost. The waiter increments `WAITERS` before it reads
 *   `STATE`, and the unlocker writes `STATE` before it reads `WAITERS`
 *   (all sequentially consistent), so either the unlocker sees the waiter
 *   or the waiter sees the mutex free. An unlock that finds `WOKEN` at 1
 *   wakes nobody; but `WOKEN` was set, after the waiter's last clear, by an
 *   unlock that bumps `SEQ` next: a waiter that read `SEQ` before that
 *   bump sleeps on the old value and is woken (or does not sleep), and one
 *   that read it after sees `WOKEN` at 1 and retries instead of sleeping.
 *   Sleeping on `SEQ` rather than on the owner in `STATE` matters: the
 *   same owner may unlock and relock in between.
 *
 * The holder's id is the lock word itself, so the owner is always known,
 * even if the holder dies right after taking the lock.
 *
 * ## A holder that dies
 *
 * A worker terminated while it holds the mutex never unlocks it: every
 * other locker would wait forever, as in Go (a goroutine that exits holding
 * a mutex leaves it locked). The mutex records its holder, so a supervisor
 * that knows the worker is gone (it called `worker.terminate()`, or the
 * worker's `error` event fired) can check {@linkcode SharedMutex.owner}
 * against the worker's {@linkcode SharedMutex.threadId} (which the worker
 * reports, e.g. in its first message) and call
 * {@linkcode SharedMutex.releaseAbandoned}. The data the mutex protected may
 * have been left half-updated: repair it before use, as after a POSIX robust
 * mutex's `EOWNERDEAD`.
 *
 * A worker retired before it is terminated (`Retirement`, and every
 * worker the runtime terminates) takes the mutex no more: a `lockSync` it
 * sleeps in gives up its place and parks for good, as do its later calls.
 *
 * Ownership is per thread: goroutines of one thread share its id, and, as
 * in Go, any goroutine may unlock a mutex another locked.
 *
 * @module
 */

import { defineInspect } from "../_inspect.ts";
import { MainThreadWaitError, UnlockOfUnlockedError } from "./errors.ts";
import { inWorker } from "./_lock.ts";
import { newId, waitChange, wakeHere } from "./_futex.ts";
import { checkHandle, Opening, wordsCheck } from "./_handle.ts";
import { Guard } from "../sync/_sema.ts";
import {
  isRetired,
  parkAsync,
  parkForever,
  parkIfRetired,
} from "./_retired.ts";

const STATE = 0;
const WAITERS = 1;
const MAGIC = 2;
const ID = 3;
const WOKEN = 4;
const SEQ = 5;
const WORDS = 6;
const MAGIC_VALUE = 0x64676d78;
/**
 * Looks at `STATE` a `lockSync()` takes before it sleeps, and again after
 * each wake-up, {@linkcode PAUSE} apart: about 6 µs in all (Go spins 4
 * times, each a `procyield(30)`, on multicore).
 */
const SPIN = 10;
/**
 * Loads of a word of this thread's own between two looks at `STATE` (about
 * 0.6 µs): Go's `procyield`. A spinner that reads `STATE` back to back pulls
 * the mutex's cache line away from the holder after each unlock, so two
 * workers in a lock loop hand the line, and often the lock, over every 2 to
 * 6 locks; with this pause the holder relocks from its own cache many times
 * in a row, as Go's barging does (a hand-off about every 30 locks, and
 * 98 ns to 54 ns per contended lock, 2026-12-04).
 */
const PAUSE = 100;
/** The word the pause loads: not shared, so no other thread writes its line. */
const PAUSE_WORD = new Int32Array(1);

/** This thread's id: a random non-zero 32-bit number. */
const THREAD_ID = newId();

const RESOLVED: Promise<void> = Promise.resolve();

/** What a worker needs to open a {@linkcode SharedMutex}. Structured-clonable. */
export interface SharedMutexHandle {
  /** Marks the object as a mutex's handle. */
  readonly kind: "SharedMutex";
  /** The mutex's words. */
  readonly buffer: SharedArrayBuffer;
}

/** Options for {@linkcode SharedMutex.lock}. */
export interface SharedMutexLockOptions {
  /** Gives up waiting: the lock rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * A mutual exclusion lock shared by threads: Go's `sync.Mutex` over a
 * `SharedArrayBuffer`. `await lock()` works on any thread without blocking
 * it; a worker may also block its thread with {@linkcode SharedMutex.lockSync}.
 *
 * Memory model, as Go's `sync.Mutex`: for any `SharedMutex` and n < m,
 * the n'th call to `unlock` synchronizes before the m'th call to `lock`
 * (or `lockSync`, or a successful `tryLock`) returns, on whichever
 * threads they run.
 *
 * @example Guarding shared memory
 * ```ts
 * import { SharedMutex } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * const mu = new SharedMutex();
 * // worker.postMessage(mu.handle); in the worker: SharedMutex.from(handle)
 * await mu.lock();
 * try {
 *   assert.equal(mu.tryLock(), false);
 * } finally {
 *   mu.unlock();
 * }
 * ```
 */
export class SharedMutex {
  readonly #h: Int32Array;
  readonly #id: number;
  static #opening = new Opening<SharedArrayBuffer>();

  static {
    defineInspect(SharedMutex, (mu) => ({
      id: mu.#h[ID],
      locked: Atomics.load(mu.#h, STATE) !== 0,
      waiters: Atomics.load(mu.#h, WAITERS),
    }));
  }

  /**
   * Makes an unlocked mutex in a new `SharedArrayBuffer`.
   *
   * @example Usage
   * ```ts
   * import { SharedMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedMutex().owner, 0);
   * ```
   */
  constructor() {
    const open = SharedMutex.#opening.take();
    this.#h = new Int32Array(open ?? new SharedArrayBuffer(WORDS * 4));
    if (open === undefined) {
      this.#h[MAGIC] = MAGIC_VALUE;
      this.#h[ID] = newId();
    }
    this.#id = this.#h[ID];
  }

  /**
   * Opens a mutex from its handle, usually on another thread.
   *
   * @example Usage
   * ```ts
   * import { SharedMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const mu = new SharedMutex();
   * const view = SharedMutex.from(structuredClone(mu.handle));
   * assert.equal(mu.tryLock(), true);
   * assert.equal(view.tryLock(), false);
   * view.unlock();
   * ```
   *
   * @param handle A mutex's {@linkcode SharedMutex.handle}.
   * @returns The same mutex.
   * @throws {TypeError} If `handle` is not a mutex's handle.
   */
  static from(handle: SharedMutexHandle): SharedMutex {
    const buffer = checkHandle(
      handle,
      "SharedMutex",
      wordsCheck(WORDS, MAGIC, MAGIC_VALUE),
    );
    return SharedMutex.#opening.open(buffer, () => new SharedMutex());
  }

  /**
   * This thread's id, as recorded in {@linkcode SharedMutex.owner}.
   *
   * @example Usage
   * ```ts
   * import { SharedMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const mu = new SharedMutex();
   * mu.tryLock();
   * assert.equal(mu.owner, SharedMutex.threadId);
   * mu.unlock();
   * ```
   */
  static get threadId(): number {
    return THREAD_ID;
  }

  /**
   * The structured-clonable handle: post it to a worker and open it there
   * with {@linkcode SharedMutex.from}.
   *
   * @example Usage
   * ```ts
   * import { SharedMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedMutex().handle.kind, "SharedMutex");
   * ```
   */
  get handle(): SharedMutexHandle {
    return {
      kind: "SharedMutex",
      buffer: this.#h.buffer as SharedArrayBuffer,
    };
  }

  /**
   * The thread id of the holder, or 0 when the mutex is unlocked.
   *
   * @example Usage
   * ```ts
   * import { SharedMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const mu = new SharedMutex();
   * assert.equal(mu.owner, 0);
   * ```
   */
  get owner(): number {
    return Atomics.load(this.#h, STATE);
  }

  /**
   * Locks the mutex, waiting (without blocking the thread) while another
   * thread or goroutine holds it: Go's `mu.Lock()`.
   *
   * @example Usage
   * ```ts
   * import { SharedMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const mu = new SharedMutex();
   * await mu.lock();
   * const second = mu.lock();
   * mu.unlock();
   * await second;
   * assert.equal(mu.owner, SharedMutex.threadId);
   * mu.unlock();
   * ```
   *
   * @param options A signal that gives up the wait.
   * @returns A promise that resolves once the mutex is held.
   */
  lock(options?: SharedMutexLockOptions): Promise<void> {
    if (isRetired()) return parkAsync();
    if (Atomics.compareExchange(this.#h, STATE, 0, THREAD_ID) === 0) {
      return RESOLVED;
    }
    return this.#lockSlow(options?.signal);
  }

  async #lockSlow(signal: AbortSignal | undefined): Promise<void> {
    const h = this.#h;
    Atomics.add(h, WAITERS, 1);
    try {
      for (;;) {
        signal?.throwIfAborted();
        Atomics.store(h, WOKEN, 0);
        const seq = Atomics.load(h, SEQ);
        if (Atomics.compareExchange(h, STATE, 0, THREAD_ID) === 0) return;
        if (Atomics.load(h, WOKEN) !== 0) continue; // see the module doc
        await waitChange(h, SEQ, seq, this.#id, signal, "sync.Mutex.Lock");
        if (isRetired()) await parkAsync();
      }
    } finally {
      Atomics.sub(h, WAITERS, 1);
    }
  }

  /**
   * Locks the mutex, blocking the worker's thread while another holds it.
   *
   * @example Usage
   * ```ts
   * import {
   *   MainThreadWaitError,
   *   SharedMutex,
   *   type SharedMutexHandle,
   * } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * // A worker's side: blocks its thread while another holds the mutex.
   * function increment(handle: SharedMutexHandle, counter: Int32Array): void {
   *   const mu = SharedMutex.from(handle);
   *   mu.lockSync();
   *   try {
   *     counter[0]++;
   *   } finally {
   *     mu.unlock();
   *   }
   * }
   *
   * // The main thread may not block its event loop: it uses `await lock()`.
   * const mu = new SharedMutex();
   * const counter = new Int32Array(new SharedArrayBuffer(4));
   * assert.throws(() => increment(mu.handle, counter), MainThreadWaitError);
   * await mu.lock();
   * counter[0]++;
   * mu.unlock();
   * assert.equal(counter[0], 1);
   * ```
   *
   * @throws {MainThreadWaitError} If called on the main thread.
   */
  lockSync(): void {
    if (!inWorker) throw new MainThreadWaitError("SharedMutex.lockSync()");
    parkIfRetired();
    const h = this.#h;
    if (spinLock(h)) return;
    Atomics.add(h, WAITERS, 1);
    try {
      for (;;) {
        Atomics.store(h, WOKEN, 0);
        const seq = Atomics.load(h, SEQ);
        if (Atomics.compareExchange(h, STATE, 0, THREAD_ID) === 0) return;
        if (Atomics.load(h, WOKEN) !== 0) continue; // see the module doc
        Atomics.wait(h, SEQ, seq);
        if (isRetired()) {
          Atomics.store(h, WOKEN, 0);
          Atomics.sub(h, WAITERS, 1);
          parkForever();
        }
        // Woken: spin while `WOKEN` still spares the holder its notifies.
        if (spinLock(h)) return;
      }
    } finally {
      Atomics.sub(h, WAITERS, 1);
    }
  }

  /**
   * Locks the mutex and returns a guard whose disposal unlocks it, for
   * `using _ = await mu.locked()`. Disposing twice unlocks once; a signal
   * that aborts the wait rejects, and nothing is held.
   *
   * @example Usage
   * ```ts
   * import { SharedMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const mu = new SharedMutex();
   * {
   *   using _ = await mu.locked();
   *   assert.equal(mu.tryLock(), false);
   * }
   * assert.equal(mu.tryLock(), true);
   * mu.unlock();
   * ```
   *
   * @param options A signal that gives up the wait.
   * @returns A promise of a guard that unlocks on dispose.
   */
  locked(options?: SharedMutexLockOptions): Promise<Disposable> {
    return this.lock(options).then(() => new Guard(this));
  }

  /**
   * Locks the mutex, blocking the worker's thread while it waits, and
   * returns a guard whose disposal unlocks it: `using _ = mu.lockedSync()`.
   *
   * @example Usage
   * ```ts
   * import { MainThreadWaitError, SharedMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * // A worker's side.
   * function increment(mu: SharedMutex, counter: Int32Array): void {
   *   using _ = mu.lockedSync();
   *   counter[0]++;
   * }
   *
   * // The main thread may not block: it uses `await mu.locked()`.
   * const mu = new SharedMutex();
   * const counter = new Int32Array(new SharedArrayBuffer(4));
   * assert.throws(() => increment(mu, counter), MainThreadWaitError);
   * assert.equal(mu.tryLock(), true);
   * ```
   *
   * @returns A guard that unlocks on dispose.
   * @throws {MainThreadWaitError} If called on the main thread.
   */
  lockedSync(): Disposable {
    this.lockSync();
    return new Guard(this);
  }

  /**
   * Locks the mutex if it is free: Go's `mu.TryLock()`.
   *
   * @example Usage
   * ```ts
   * import { SharedMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const mu = new SharedMutex();
   * assert.equal(mu.tryLock(), true);
   * assert.equal(mu.tryLock(), false);
   * mu.unlock();
   * ```
   *
   * @returns Whether the mutex is now held by this call.
   */
  tryLock(): boolean {
    parkIfRetired();
    return Atomics.compareExchange(this.#h, STATE, 0, THREAD_ID) === 0;
  }

  /**
   * Unlocks the mutex: Go's `mu.Unlock()`. Any thread or goroutine may
   * unlock it, as in Go.
   *
   * @example Usage
   * ```ts
   * import { SharedMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const mu = new SharedMutex();
   * await mu.lock();
   * mu.unlock();
   * assert.equal(mu.owner, 0);
   * ```
   *
   * @throws {UnlockOfUnlockedError} If the mutex is not locked.
   */
  unlock(): void {
    if (Atomics.exchange(this.#h, STATE, 0) === 0) {
      throw new UnlockOfUnlockedError("SharedMutex.unlock");
    }
    this.#wakeAll();
  }

  /**
   * Frees a mutex held by a thread that is known to be gone (a terminated
   * worker), if that thread still holds it. The data the mutex guards may
   * be half-updated; repair it before use.
   *
   * @example Usage
   * ```ts
   * import { SharedMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const mu = new SharedMutex();
   * mu.tryLock(); // pretend this thread died holding it
   * assert.equal(mu.releaseAbandoned(12345), false); // not the holder
   * assert.equal(mu.releaseAbandoned(SharedMutex.threadId), true);
   * assert.equal(mu.owner, 0);
   * ```
   *
   * @param deadThreadId The `SharedMutex.threadId` of the terminated thread.
   * @returns Whether that thread held the mutex (it is now unlocked).
   */
  releaseAbandoned(deadThreadId: number): boolean {
    if (deadThreadId === 0) return false;
    if (
      Atomics.compareExchange(this.#h, STATE, deadThreadId, 0) !== deadThreadId
    ) return false;
    this.#wakeAll();
    return true;
  }

  /** Wakes the sleepers, unless there are none or some are awake already. */
  #wakeAll(): void {
    const h = this.#h;
    if (
      Atomics.load(h, WAITERS) > 0 && Atomics.load(h, WOKEN) === 0 &&
      Atomics.compareExchange(h, WOKEN, 0, 1) === 0
    ) {
      Atomics.add(h, SEQ, 1);
      Atomics.notify(h, SEQ);
      wakeHere(this.#id, SEQ);
    }
  }
}

/** Spins on `STATE`, taking the lock if it frees; whether it was taken. */
function spinLock(h: Int32Array): boolean {
  for (let i = 0; i < SPIN; i++) {
    if (
      Atomics.load(h, STATE) === 0 &&
      Atomics.compareExchange(h, STATE, 0, THREAD_ID) === 0
    ) return true;
    // Go's procyield: wait a moment without touching the mutex's line.
    for (let j = 0; j < PAUSE; j++) Atomics.load(PAUSE_WORD, 0);
  }
  return false;
}
