// Copyright the denogo authors. MIT license.

/**
 * {@linkcode SharedRWMutex}: Go's `sync.RWMutex` in shared memory: many
 * readers or one writer, across the main thread and workers.
 *
 * ## Memory layout
 *
 * Words 0–4 are the guard of `_guarded.ts` (`LOCK`, `SEQ`, `SLEEPERS`,
 * `MAGIC` = `0x64677277` "dgrw", `ID`), then:
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 5 | `READERS` | read locks held, by every thread |
 * | 6 | `WRITER` | 0, or the `SharedMutex.threadId` of the thread holding the write lock |
 * | 7 | `WRITERS_WAITING` | write lockers waiting; while > 0 new readers wait (writer preference, as in Go, so writers are not starved) |
 * | 8 + 2i | `READER_ID` i | reader record i, for i < 16: 0 if free, else the `SharedMutex.threadId` of a thread holding read locks |
 * | 9 + 2i | `READER_COUNT` i | how many read locks that thread holds |
 *
 * All words change only under the guard lock.
 *
 * ## A holder that dies
 *
 * A worker terminated while it holds the lock leaves it held; as with
 * `SharedMutex`, a supervisor that knows the thread is gone calls
 * {@linkcode SharedRWMutex.releaseAbandoned} with its thread id, which
 * frees the write lock if that thread holds it, and the read locks it
 * holds. Read locks are counted per thread in 16 reader records; the read
 * locks of a 17th thread reading at the same time count in `READERS` only
 * and cannot be recovered. A read lock counts for the thread that took it:
 * if another thread releases it (Go allows that), release it on the taker's
 * behalf only while the taker lives, or the count of a dead thread is
 * wrong.
 *
 * @module
 */

import { defineInspect } from "../_inspect.ts";
import { UnlockOfUnlockedError } from "./errors.ts";
import {
  create,
  FIRST,
  guarded,
  ID,
  open,
  waitUntil,
  waitUntilSync,
  wakeAllLocked,
} from "./_guarded.ts";
import { Opening } from "./_handle.ts";
import { Guard } from "../sync/_sema.ts";
import { SharedMutex } from "./shared_mutex.ts";

const READERS = FIRST;
const WRITER = FIRST + 1;
const WRITERS_WAITING = FIRST + 2;
const READER_RECORDS = FIRST + 3;
const RECORDS = 16;
const WORDS = READER_RECORDS + 2 * RECORDS;
const MAGIC_VALUE = 0x64677277;

/** What a worker needs to open a {@linkcode SharedRWMutex}. */
export interface SharedRWMutexHandle {
  /** Marks the object as an RW mutex's handle. */
  readonly kind: "SharedRWMutex";
  /** The mutex's words. */
  readonly buffer: SharedArrayBuffer;
}

/** Options for the async lock methods of {@linkcode SharedRWMutex}. */
export interface SharedRWMutexLockOptions {
  /** Gives up waiting: the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * A reader/writer mutex shared by threads: Go's `sync.RWMutex`. Async
 * `lock()` / `rLock()` work on any thread; workers may block with
 * `lockSync()` / `rLockSync()`. A waiting writer keeps new readers out, so
 * writers are not starved.
 *
 * Memory model, as Go's `sync.RWMutex`: the n'th call to `unlock`
 * synchronizes before the m'th call to `lock` returns, for n < m; and for
 * any call to `rLock` there is an n such that the n'th `unlock`
 * synchronizes before that `rLock` returns, and the matching `rUnlock`
 * synchronizes before call n+1 to `lock` returns.
 *
 * @example Usage
 * ```ts
 * import { SharedRWMutex } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * const mu = new SharedRWMutex();
 * await mu.rLock();
 * await mu.rLock(); // readers share
 * assert.equal(mu.tryLock(), false);
 * mu.rUnlock();
 * mu.rUnlock();
 * await mu.lock();
 * assert.equal(mu.tryRLock(), false);
 * mu.unlock();
 * ```
 */
export class SharedRWMutex {
  readonly #h: Int32Array;
  static #opening = new Opening<Int32Array>();

  static {
    defineInspect(SharedRWMutex, (rw) => ({
      id: rw.#h[ID],
      readers: Atomics.load(rw.#h, READERS),
      writer: Atomics.load(rw.#h, WRITER) !== 0,
      waitingWriters: Atomics.load(rw.#h, WRITERS_WAITING),
    }));
  }

  /**
   * Makes an unlocked RW mutex in a new `SharedArrayBuffer`.
   *
   * @example Usage
   * ```ts
   * import { SharedRWMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedRWMutex().tryLock(), true);
   * ```
   */
  constructor() {
    this.#h = SharedRWMutex.#opening.take() ?? create(WORDS, MAGIC_VALUE);
  }

  /**
   * Opens an RW mutex from its handle, usually on another thread.
   *
   * @example Usage
   * ```ts
   * import { SharedRWMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const mu = new SharedRWMutex();
   * await mu.lock();
   * assert.equal(SharedRWMutex.from(mu.handle).tryRLock(), false);
   * mu.unlock();
   * ```
   *
   * @param handle A mutex's {@linkcode SharedRWMutex.handle}.
   * @returns The same mutex.
   * @throws {TypeError} If `handle` is not an RW mutex's handle.
   */
  static from(handle: SharedRWMutexHandle): SharedRWMutex {
    const h = open(handle, "SharedRWMutex", WORDS, MAGIC_VALUE);
    return SharedRWMutex.#opening.open(h, () => new SharedRWMutex());
  }

  /**
   * The structured-clonable handle, for `postMessage`.
   *
   * @example Usage
   * ```ts
   * import { SharedRWMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedRWMutex().handle.kind, "SharedRWMutex");
   * ```
   */
  get handle(): SharedRWMutexHandle {
    return {
      kind: "SharedRWMutex",
      buffer: this.#h.buffer as SharedArrayBuffer,
    };
  }

  /**
   * The thread id holding the write lock, or 0.
   *
   * @example Usage
   * ```ts
   * import { SharedMutex, SharedRWMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const mu = new SharedRWMutex();
   * await mu.lock();
   * assert.equal(mu.writer, SharedMutex.threadId);
   * mu.unlock();
   * ```
   */
  get writer(): number {
    return Atomics.load(this.#h, WRITER);
  }

  /**
   * Takes a read lock: Go's `rw.RLock()`. Waits while a writer holds or
   * waits for the lock.
   *
   * @example Usage
   * ```ts
   * import { SharedRWMutex } from "@denogo/go/workers";
   *
   * const mu = new SharedRWMutex();
   * await mu.rLock();
   * mu.rUnlock();
   * ```
   *
   * @param options A signal that gives up the wait.
   * @returns A promise that resolves once the read lock is held.
   */
  rLock(options?: SharedRWMutexLockOptions): Promise<void> {
    return waitUntil(
      this.#h,
      this.#tryRead,
      options?.signal,
      "sync.RWMutex.RLock",
    );
  }

  /**
   * Takes a read lock, blocking the worker's thread while it waits.
   *
   * @example Usage
   * ```ts
   * import {
   *   MainThreadWaitError,
   *   SharedRWMutex,
   *   type SharedRWMutexHandle,
   * } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * // A worker's side: readers share the lock, and block only for a writer.
   * function read(handle: SharedRWMutexHandle, table: Int32Array): number {
   *   const mu = SharedRWMutex.from(handle);
   *   mu.rLockSync();
   *   try {
   *     return table[0];
   *   } finally {
   *     mu.rUnlock();
   *   }
   * }
   *
   * const mu = new SharedRWMutex();
   * const table = new Int32Array(new SharedArrayBuffer(4));
   * // The main thread may not block: it uses `await rLock()`.
   * assert.throws(() => read(mu.handle, table), MainThreadWaitError);
   * ```
   *
   * @throws {MainThreadWaitError} On the main thread.
   */
  rLockSync(): void {
    waitUntilSync(this.#h, this.#tryRead, "SharedRWMutex.rLockSync()");
  }

  /**
   * Takes a read lock and returns a guard whose disposal read-unlocks, for
   * `using _ = await mu.rLocked()`. Disposing twice read-unlocks once.
   *
   * @example Usage
   * ```ts
   * import { SharedRWMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const mu = new SharedRWMutex();
   * {
   *   using _ = await mu.rLocked();
   *   assert.equal(mu.tryLock(), false);
   * }
   * assert.equal(mu.tryLock(), true);
   * mu.unlock();
   * ```
   *
   * @param options A signal that gives up the wait.
   * @returns A promise of a guard that read-unlocks on dispose.
   */
  rLocked(options?: SharedRWMutexLockOptions): Promise<Disposable> {
    return this.rLock(options).then(() =>
      new Guard({ unlock: () => this.rUnlock() })
    );
  }

  /**
   * Takes a read lock, blocking the worker's thread while it waits, and
   * returns a guard whose disposal read-unlocks: `using _ = mu.rLockedSync()`.
   *
   * @example Usage
   * ```ts
   * import { MainThreadWaitError, SharedRWMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * // A worker's side.
   * function read(mu: SharedRWMutex, table: Int32Array): number {
   *   using _ = mu.rLockedSync();
   *   return table[0];
   * }
   *
   * const mu = new SharedRWMutex();
   * const table = new Int32Array(new SharedArrayBuffer(4));
   * // The main thread may not block: it uses `await mu.rLocked()`.
   * assert.throws(() => read(mu, table), MainThreadWaitError);
   * ```
   *
   * @returns A guard that read-unlocks on dispose.
   * @throws {MainThreadWaitError} On the main thread.
   */
  rLockedSync(): Disposable {
    this.rLockSync();
    return new Guard({ unlock: () => this.rUnlock() });
  }

  /**
   * Takes a read lock if no writer holds or waits for the lock.
   *
   * @example Usage
   * ```ts
   * import { SharedRWMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const mu = new SharedRWMutex();
   * assert.equal(mu.tryRLock(), true);
   * mu.rUnlock();
   * ```
   *
   * @returns Whether the read lock is now held.
   */
  tryRLock(): boolean {
    return guarded(this.#h, this.#tryRead);
  }

  /**
   * Releases a read lock: Go's `rw.RUnlock()`.
   *
   * @example Usage
   * ```ts
   * import { SharedRWMutex, UnlockOfUnlockedError } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.throws(() => new SharedRWMutex().rUnlock(), UnlockOfUnlockedError);
   * ```
   *
   * @throws {UnlockOfUnlockedError} If no read lock is held.
   */
  rUnlock(): void {
    const h = this.#h;
    guarded(h, () => {
      if (h[READERS] === 0) {
        throw new UnlockOfUnlockedError("SharedRWMutex.rUnlock");
      }
      const at = this.#record(SharedMutex.threadId, false);
      if (at >= 0 && --h[at + 1] === 0) h[at] = 0;
      if (--h[READERS] === 0) wakeAllLocked(h);
    });
  }

  /**
   * Takes the write lock: Go's `rw.Lock()`. Waits until no reader or
   * writer holds it; while it waits, new readers wait too.
   *
   * @example Usage
   * ```ts
   * import { SharedRWMutex } from "@denogo/go/workers";
   *
   * const mu = new SharedRWMutex();
   * await mu.lock();
   * mu.unlock();
   * ```
   *
   * @param options A signal that gives up the wait.
   * @returns A promise that resolves once the write lock is held.
   */
  lock(options?: SharedRWMutexLockOptions): Promise<void> {
    const w = this.#writeAttempt();
    return waitUntil(
      this.#h,
      w.attempt,
      options?.signal,
      "sync.RWMutex.Lock",
      w.cancel,
    );
  }

  /**
   * Takes the write lock, blocking the worker's thread while it waits.
   *
   * @example Usage
   * ```ts
   * import {
   *   MainThreadWaitError,
   *   SharedRWMutex,
   *   type SharedRWMutexHandle,
   * } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * // A worker's side: the writer waits for every reader to leave.
   * function write(handle: SharedRWMutexHandle, table: Int32Array): void {
   *   const mu = SharedRWMutex.from(handle);
   *   mu.lockSync();
   *   try {
   *     table[0]++;
   *   } finally {
   *     mu.unlock();
   *   }
   * }
   *
   * const mu = new SharedRWMutex();
   * const table = new Int32Array(new SharedArrayBuffer(4));
   * // The main thread may not block: it uses `await lock()`.
   * assert.throws(() => write(mu.handle, table), MainThreadWaitError);
   * ```
   *
   * @throws {MainThreadWaitError} On the main thread.
   */
  lockSync(): void {
    waitUntilSync(
      this.#h,
      this.#writeAttempt().attempt,
      "SharedRWMutex.lockSync()",
    );
  }

  /**
   * Takes the write lock and returns a guard whose disposal unlocks it, for
   * `using _ = await mu.locked()`. Disposing twice unlocks once.
   *
   * @example Usage
   * ```ts
   * import { SharedRWMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const mu = new SharedRWMutex();
   * {
   *   using _ = await mu.locked();
   *   assert.equal(mu.tryRLock(), false);
   * }
   * assert.equal(mu.tryRLock(), true);
   * mu.rUnlock();
   * ```
   *
   * @param options A signal that gives up the wait.
   * @returns A promise of a guard that unlocks on dispose.
   */
  locked(options?: SharedRWMutexLockOptions): Promise<Disposable> {
    return this.lock(options).then(() => new Guard(this));
  }

  /**
   * Takes the write lock, blocking the worker's thread while it waits, and
   * returns a guard whose disposal unlocks it: `using _ = mu.lockedSync()`.
   *
   * @example Usage
   * ```ts
   * import { MainThreadWaitError, SharedRWMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * // A worker's side.
   * function write(mu: SharedRWMutex, table: Int32Array): void {
   *   using _ = mu.lockedSync();
   *   table[0]++;
   * }
   *
   * const mu = new SharedRWMutex();
   * const table = new Int32Array(new SharedArrayBuffer(4));
   * // The main thread may not block: it uses `await mu.locked()`.
   * assert.throws(() => write(mu, table), MainThreadWaitError);
   * ```
   *
   * @returns A guard that unlocks on dispose.
   * @throws {MainThreadWaitError} On the main thread.
   */
  lockedSync(): Disposable {
    this.lockSync();
    return new Guard(this);
  }

  /**
   * Takes the write lock if nobody holds the mutex.
   *
   * @example Usage
   * ```ts
   * import { SharedRWMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const mu = new SharedRWMutex();
   * assert.equal(mu.tryLock(), true);
   * assert.equal(mu.tryLock(), false);
   * mu.unlock();
   * ```
   *
   * @returns Whether the write lock is now held.
   */
  tryLock(): boolean {
    const h = this.#h;
    return guarded(h, () => {
      if (h[WRITER] !== 0 || h[READERS] !== 0) return false;
      h[WRITER] = SharedMutex.threadId;
      return true;
    });
  }

  /**
   * Releases the write lock: Go's `rw.Unlock()`. Any thread may release
   * it, as in Go.
   *
   * @example Usage
   * ```ts
   * import { SharedRWMutex, UnlockOfUnlockedError } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.throws(() => new SharedRWMutex().unlock(), UnlockOfUnlockedError);
   * ```
   *
   * @throws {UnlockOfUnlockedError} If the write lock is not held.
   */
  unlock(): void {
    const h = this.#h;
    guarded(h, () => {
      if (h[WRITER] === 0) {
        throw new UnlockOfUnlockedError("SharedRWMutex.unlock");
      }
      h[WRITER] = 0;
      wakeAllLocked(h);
    });
  }

  /**
   * Frees the locks a thread known to be gone still holds (see the module
   * doc): the write lock, and its read locks.
   *
   * @example Usage
   * ```ts
   * import { SharedMutex, SharedRWMutex } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const mu = new SharedRWMutex();
   * mu.tryLock();
   * assert.equal(mu.releaseAbandoned(SharedMutex.threadId), true);
   * assert.equal(mu.writer, 0);
   * mu.tryRLock();
   * mu.tryRLock();
   * assert.equal(mu.releaseAbandoned(SharedMutex.threadId), true);
   * assert.equal(mu.tryLock(), true); // both read locks are gone
   * ```
   *
   * @param deadThreadId The `SharedMutex.threadId` of the terminated thread.
   * @returns Whether that thread held any lock (they are now free).
   */
  releaseAbandoned(deadThreadId: number): boolean {
    const h = this.#h;
    return guarded(h, () => {
      if (deadThreadId === 0) return false;
      let released = false;
      if (h[WRITER] === deadThreadId) {
        h[WRITER] = 0;
        released = true;
      }
      const at = this.#record(deadThreadId, false);
      if (at >= 0) {
        h[READERS] -= Math.min(h[at + 1], h[READERS]);
        h[at] = 0;
        h[at + 1] = 0;
        released = true;
      }
      if (released) wakeAllLocked(h);
      return released;
    });
  }

  /**
   * The index of `thread`'s reader record, or -1; with `claim`, a free
   * record is claimed for it if it has none (-1 if all are taken). Under
   * the guard lock.
   */
  #record(thread: number, claim: boolean): number {
    const h = this.#h;
    let free = -1;
    for (let i = 0; i < RECORDS; i++) {
      const at = READER_RECORDS + 2 * i;
      if (h[at] === thread) return at;
      if (free < 0 && h[at] === 0) free = at;
    }
    if (claim && free >= 0) h[free] = thread;
    return claim ? free : -1;
  }

  #tryRead = (): boolean => {
    const h = this.#h;
    if (h[WRITER] !== 0 || h[WRITERS_WAITING] !== 0) return false;
    h[READERS]++;
    const at = this.#record(SharedMutex.threadId, true);
    if (at >= 0) h[at + 1]++;
    return true;
  };

  /** One write lock call's attempt (counting it as waiting) and cancel. */
  #writeAttempt(): { attempt: () => boolean; cancel: () => void } {
    const h = this.#h;
    let waiting = false;
    return {
      attempt: () => {
        if (h[WRITER] === 0 && h[READERS] === 0) {
          if (waiting) h[WRITERS_WAITING]--;
          h[WRITER] = SharedMutex.threadId;
          return true;
        }
        if (!waiting) {
          waiting = true;
          h[WRITERS_WAITING]++;
        }
        return false;
      },
      cancel: () => {
        if (waiting) {
          waiting = false;
          // Readers held back by this writer may go now.
          if (--h[WRITERS_WAITING] === 0) wakeAllLocked(h);
        }
      },
    };
  }
}
