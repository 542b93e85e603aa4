// Copyright the denogo authors. MIT license.

/**
 * Go's `sync.RWMutex`, for goroutines on one isolate.
 *
 * @module
 */

import { defineInspect } from "../_inspect.ts";
import { UnlockOfUnlockedError } from "./errors.ts";
import type { Locker, LockOptions } from "./mutex.ts";
import {
  Guard,
  rejectBadOptions,
  RESOLVED,
  wait,
  WaitList,
  type WaitOwner,
} from "./_sema.ts";

/**
 * A reader/writer mutual exclusion lock: Go's `sync.RWMutex`. Any number of
 * readers or a single writer may hold it.
 *
 * Fairness follows Go:
 * - a waiting writer blocks new readers, so a stream of readers cannot
 *   starve a writer: `rLock()` waits while a writer holds the lock or
 *   waits for it;
 * - when a writer unlocks, every reader waiting at that moment gets the
 *   lock together, ahead of the next writer, so writers cannot starve
 *   readers either;
 * - writers are served among themselves in arrival order, and the last
 *   reader to leave hands the lock to the longest-waiting writer.
 *
 * Misuse throws {@linkcode UnlockOfUnlockedError} and changes nothing:
 * `unlock()` without the write lock, `rUnlock()` without a read lock.
 * Blocked calls show in a deadlock report as `[sync.RWMutex.RLock]` and
 * `[sync.RWMutex.Lock]`.
 *
 * @example Readers share, a writer excludes
 * ```ts
 * import { RWMutex } from "@denogo/go/sync";
 * import assert from "node:assert/strict";
 *
 * const rw = new RWMutex();
 * await rw.rLock();
 * await rw.rLock(); // A second reader shares the lock.
 * assert.equal(rw.tryLock(), false); // A writer must wait.
 * rw.rUnlock();
 * rw.rUnlock();
 * assert.equal(rw.tryLock(), true);
 * rw.unlock();
 * ```
 *
 * @example `using` guards
 * ```ts
 * import { RWMutex } from "@denogo/go/sync";
 * import assert from "node:assert/strict";
 *
 * const rw = new RWMutex();
 * const table = new Map<string, number>();
 * async function put(k: string, v: number) {
 *   using _ = await rw.locked();
 *   table.set(k, v);
 * }
 * async function get(k: string) {
 *   using _ = await rw.rLocked();
 *   return table.get(k);
 * }
 * await put("a", 1);
 * assert.equal(await get("a"), 1);
 * ```
 */
export class RWMutex implements Locker {
  /** Readers holding the lock. */
  #readers = 0;
  /** Whether a writer holds the lock. */
  #writer = false;
  readonly #waitingReaders = new WaitList(this);
  readonly #waitingWriters = new WaitList(this);
  #rLocker: Locker | undefined;
  /** Told when a waiter gives up: readers behind the last writer may go. */
  readonly #owner: WaitOwner = {
    waiterAborted: () => {
      if (
        !this.#writer && this.#waitingWriters.first === null &&
        this.#waitingReaders.first !== null
      ) {
        this.#admitReaders();
      }
    },
  };

  static {
    defineInspect(RWMutex, (rw) => ({
      readers: rw.#readers,
      writer: rw.#writer,
      waitingReaders: rw.#waitingReaders.length,
      waitingWriters: rw.#waitingWriters.length,
    }));
  }

  /**
   * Locks for reading, waiting while a writer holds the lock or waits for
   * it. Resolves once the caller holds a read lock.
   *
   * @example Usage
   * ```ts
   * import { RWMutex } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const rw = new RWMutex();
   * await rw.lock();
   * let reading = false;
   * const reader = rw.rLock().then(() => { reading = true; });
   * rw.unlock(); // Admits the waiting reader.
   * await reader;
   * assert.equal(reading, true);
   * rw.rUnlock();
   * ```
   *
   * @param options A signal that cancels the wait.
   * @returns A promise that resolves when the read lock is held; it rejects
   * only if `options.signal` aborts while waiting, or with `DeadlockError`.
   */
  rLock(options?: LockOptions): Promise<void> {
    if (options !== undefined) {
      const bad = rejectBadOptions(options, "rLock RWMutex");
      if (bad !== undefined) return bad;
    }
    if (!this.#writer && this.#waitingWriters.first === null) {
      this.#readers++;
      return RESOLVED;
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return wait(
      this.#waitingReaders,
      "sync.RWMutex.RLock",
      signal,
      this.#owner,
    );
  }

  /**
   * Locks for reading if no writer holds the lock or waits for it: Go's
   * `RWMutex.TryRLock`. Never waits.
   *
   * @example Usage
   * ```ts
   * import { RWMutex } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const rw = new RWMutex();
   * assert.equal(rw.tryRLock(), true);
   * assert.equal(rw.tryRLock(), true);
   * rw.rUnlock();
   * rw.rUnlock();
   * ```
   *
   * @returns Whether the caller now holds a read lock.
   */
  tryRLock(): boolean {
    if (this.#writer || this.#waitingWriters.first !== null) return false;
    this.#readers++;
    return true;
  }

  /**
   * Releases one read lock. When the last reader leaves and a writer
   * waits, the lock passes to the longest-waiting writer.
   *
   * @example Usage
   * ```ts
   * import { RWMutex } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const rw = new RWMutex();
   * await rw.rLock();
   * rw.rUnlock();
   * assert.equal(rw.tryLock(), true);
   * rw.unlock();
   * ```
   *
   * @throws {UnlockOfUnlockedError} If no read lock is held; nothing
   * changes.
   */
  rUnlock(): void {
    if (this.#readers === 0) throw new UnlockOfUnlockedError("RWMutex.rUnlock");
    if (--this.#readers === 0) {
      const w = this.#waitingWriters.shift();
      if (w !== null) {
        this.#writer = true;
        w.wake();
      }
    }
  }

  /**
   * Locks for writing, waiting while any reader or writer holds the lock.
   * Once it waits, new readers wait behind it.
   *
   * @example Usage
   * ```ts
   * import { RWMutex } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const rw = new RWMutex();
   * await rw.rLock();
   * const writer = rw.lock();
   * assert.equal(rw.tryRLock(), false); // The waiting writer blocks readers.
   * rw.rUnlock(); // The last reader hands the lock to the writer.
   * await writer;
   * rw.unlock();
   * ```
   *
   * @param options A signal that cancels the wait.
   * @returns A promise that resolves when the write lock is held; it
   * rejects only if `options.signal` aborts while waiting, or with
   * `DeadlockError`.
   */
  lock(options?: LockOptions): Promise<void> {
    if (options !== undefined) {
      const bad = rejectBadOptions(options, "lock RWMutex");
      if (bad !== undefined) return bad;
    }
    if (
      !this.#writer && this.#readers === 0 &&
      this.#waitingWriters.first === null
    ) {
      this.#writer = true;
      return RESOLVED;
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return wait(this.#waitingWriters, "sync.RWMutex.Lock", signal, this.#owner);
  }

  /**
   * Locks for writing if nobody holds the lock or waits for it: Go's
   * `RWMutex.TryLock`. Never waits.
   *
   * @example Usage
   * ```ts
   * import { RWMutex } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const rw = new RWMutex();
   * assert.equal(rw.tryLock(), true);
   * assert.equal(rw.tryRLock(), false);
   * rw.unlock();
   * ```
   *
   * @returns Whether the caller now holds the write lock.
   */
  tryLock(): boolean {
    if (
      this.#writer || this.#readers !== 0 || this.#waitingWriters.first !== null
    ) {
      return false;
    }
    this.#writer = true;
    return true;
  }

  /**
   * Releases the write lock. Every reader waiting at this moment gets a
   * read lock; if none waits, the longest-waiting writer gets the lock.
   *
   * @example Usage
   * ```ts
   * import { RWMutex } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const rw = new RWMutex();
   * await rw.lock();
   * rw.unlock();
   * assert.equal(rw.tryRLock(), true);
   * rw.rUnlock();
   * ```
   *
   * @throws {UnlockOfUnlockedError} If the write lock is not held;
   * nothing changes.
   */
  unlock(): void {
    if (!this.#writer) throw new UnlockOfUnlockedError("RWMutex.unlock");
    if (this.#waitingReaders.first !== null) {
      this.#writer = false;
      this.#admitReaders();
      return;
    }
    const w = this.#waitingWriters.shift();
    if (w === null) this.#writer = false;
    else w.wake(); // Hand-off: the lock stays write-locked for the waiter.
  }

  /**
   * Write-locks and returns a guard whose disposal unlocks, for
   * `using _ = await rw.locked()`. A second dispose does nothing.
   *
   * @example Usage
   * ```ts
   * import { RWMutex } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const rw = new RWMutex();
   * {
   *   using _ = await rw.locked();
   *   assert.equal(rw.tryRLock(), false);
   * }
   * assert.equal(rw.tryRLock(), true);
   * rw.rUnlock();
   * ```
   *
   * @param options A signal that cancels the wait.
   * @returns A promise of a guard that unlocks on dispose.
   */
  locked(options?: LockOptions): Promise<Disposable> {
    if (options !== undefined) {
      const bad = rejectBadOptions(options, "lock RWMutex");
      if (bad !== undefined) return bad;
    }
    const guard = new Guard(this);
    if (this.tryLock()) return Promise.resolve(guard);
    return this.lock(options).then(() => guard);
  }

  /**
   * Read-locks and returns a guard whose disposal read-unlocks, for
   * `using _ = await rw.rLocked()`. A second dispose does nothing.
   *
   * @example Usage
   * ```ts
   * import { RWMutex } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const rw = new RWMutex();
   * {
   *   using _ = await rw.rLocked();
   *   assert.equal(rw.tryLock(), false);
   * }
   * assert.equal(rw.tryLock(), true);
   * rw.unlock();
   * ```
   *
   * @param options A signal that cancels the wait.
   * @returns A promise of a guard that read-unlocks on dispose.
   */
  rLocked(options?: LockOptions): Promise<Disposable> {
    if (options !== undefined) {
      const bad = rejectBadOptions(options, "rLock RWMutex");
      if (bad !== undefined) return bad;
    }
    const guard = new Guard(this.rLocker());
    if (this.tryRLock()) return Promise.resolve(guard);
    return this.rLock(options).then(() => guard);
  }

  /**
   * A {@linkcode Locker} whose `lock`/`unlock` are this mutex's
   * `rLock`/`rUnlock`: Go's `RWMutex.RLocker`. Always the same object.
   *
   * @example A Cond over readers
   * ```ts
   * import { Cond, RWMutex } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const rw = new RWMutex();
   * const readers = rw.rLocker();
   * await readers.lock();
   * assert.equal(rw.tryLock(), false);
   * readers.unlock();
   * assert.equal(new Cond(readers).locker, readers);
   * ```
   *
   * @returns The read-side Locker.
   */
  rLocker(): Locker {
    return this.#rLocker ??= {
      lock: () => this.rLock(),
      unlock: () => this.rUnlock(),
    };
  }

  #admitReaders(): void {
    const readers = this.#waitingReaders;
    this.#readers += readers.length;
    readers.wakeAll();
  }
}
