// Copyright the denogo authors. MIT license.

/**
 * The errors the `sync` primitives throw when they are misused. Each is a
 * {@linkcode SyncError}, so one `instanceof` check catches them all; a
 * misuse never changes the primitive's state, so it stays usable.
 *
 * @module
 */

/**
 * The base class of every misuse error of the `sync` package: Go reports
 * these as fatal errors or panics ("sync: unlock of unlocked mutex"); here
 * they are exceptions the caller may catch, and the primitive is left as it
 * was before the bad call.
 *
 * @example Catching any sync misuse
 * ```ts
 * import { Mutex, SyncError } from "@denogo/go/sync";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => new Mutex().unlock(), SyncError);
 * ```
 */
export class SyncError extends Error {
  /**
   * Creates the error.
   *
   * @param message What went wrong and how to fix it.
   * @param options The standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SyncError";
  }
}

/** The release operations that can find nothing to release. */
export type UnlockOperation =
  | "Mutex.unlock"
  | "RWMutex.unlock"
  | "RWMutex.rUnlock"
  | "SharedMutex.unlock"
  | "SharedRWMutex.unlock"
  | "SharedRWMutex.rUnlock";

const UNLOCK_MESSAGES: Record<UnlockOperation, string> = {
  "Mutex.unlock": "Cannot unlock Mutex: it is not locked " +
    '(Go\'s "sync: unlock of unlocked mutex"); call unlock() exactly once ' +
    "for each lock() or successful tryLock()",
  "RWMutex.unlock": "Cannot unlock RWMutex: it is not write-locked " +
    '(Go\'s "sync: Unlock of unlocked RWMutex"); call unlock() exactly once ' +
    "for each lock() or successful tryLock(), and rUnlock() for read locks",
  "RWMutex.rUnlock": "Cannot rUnlock RWMutex: it holds no read lock " +
    '(Go\'s "sync: RUnlock of unlocked RWMutex"); call rUnlock() exactly ' +
    "once for each rLock() or successful tryRLock()",
  "SharedMutex.unlock": "Cannot unlock SharedMutex: it is not locked " +
    '(Go\'s "sync: unlock of unlocked mutex"); call unlock() exactly once ' +
    "for each lock(), lockSync() or successful tryLock()",
  "SharedRWMutex.unlock": "Cannot unlock SharedRWMutex: it is not " +
    'write-locked (Go\'s "sync: Unlock of unlocked RWMutex"); call unlock() ' +
    "exactly once for each lock(), lockSync() or successful tryLock(), and " +
    "rUnlock() for read locks",
  "SharedRWMutex.rUnlock": "Cannot rUnlock SharedRWMutex: it holds no " +
    'read lock (Go\'s "sync: RUnlock of unlocked RWMutex"); call rUnlock() ' +
    "exactly once for each rLock(), rLockSync() or successful tryRLock()",
};

/**
 * Thrown by `Mutex.unlock()` on an unlocked mutex, `RWMutex.unlock()`
 * without a write lock, and `RWMutex.rUnlock()` without a read lock. The
 * lock is left exactly as it was.
 *
 * @example Usage
 * ```ts
 * import { Mutex, UnlockOfUnlockedError } from "@denogo/go/sync";
 * import assert from "node:assert/strict";
 *
 * const mu = new Mutex();
 * assert.throws(() => mu.unlock(), (e) => {
 *   assert(e instanceof UnlockOfUnlockedError);
 *   assert.equal(e.operation, "Mutex.unlock");
 *   return true;
 * });
 * assert.equal(mu.tryLock(), true); // Still usable.
 * ```
 */
export class UnlockOfUnlockedError extends SyncError {
  /**
   * The call that found nothing to release.
   *
   * @example Usage
   * ```ts
   * import { UnlockOfUnlockedError } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const e = new UnlockOfUnlockedError("RWMutex.rUnlock");
   * assert.equal(e.operation, "RWMutex.rUnlock");
   * ```
   */
  readonly operation: UnlockOperation;

  /**
   * Creates the error for one release operation.
   *
   * @param operation The call that found nothing to release.
   */
  constructor(operation: UnlockOperation) {
    super(UNLOCK_MESSAGES[operation]);
    this.name = "UnlockOfUnlockedError";
    this.operation = operation;
  }
}

/**
 * Thrown by `WaitGroup.add()` / `done()` when the counter would go below
 * zero (Go's "sync: negative WaitGroup counter"). The counter keeps its
 * value.
 *
 * @example Usage
 * ```ts
 * import { NegativeCounterError, WaitGroup } from "@denogo/go/sync";
 * import assert from "node:assert/strict";
 *
 * const wg = new WaitGroup();
 * assert.throws(() => wg.done(), NegativeCounterError);
 * await wg.wait(); // The counter is still 0.
 * ```
 */
export class NegativeCounterError extends SyncError {
  /**
   * The counter before the bad call (unchanged by it).
   *
   * @example Usage
   * ```ts
   * import { NegativeCounterError } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new NegativeCounterError(1, -2).counter, 1);
   * ```
   */
  readonly counter: number;
  /**
   * The delta that would have made it negative.
   *
   * @example Usage
   * ```ts
   * import { NegativeCounterError } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new NegativeCounterError(1, -2).delta, -2);
   * ```
   */
  readonly delta: number;

  /**
   * Creates the error.
   *
   * @param counter The counter before the call.
   * @param delta The delta that would have made it negative.
   */
  constructor(counter: number, delta: number) {
    super(
      `Cannot add ${delta} to WaitGroup counter ${counter}: the counter ` +
        `would go negative (Go's "sync: negative WaitGroup counter"); ` +
        "call done() exactly once for each add(1)",
    );
    this.name = "NegativeCounterError";
    this.counter = counter;
    this.delta = delta;
  }
}

/**
 * Rejects `Semaphore.acquire(n)` when `n` exceeds the semaphore's size: the
 * request could never be granted. Go's `Weighted.Acquire` blocks until its
 * context ends instead; a clear error at once is easier to debug.
 *
 * @example Usage
 * ```ts
 * import { AcquireExceedsSizeError, Semaphore } from "@denogo/go/sync";
 * import assert from "node:assert/strict";
 *
 * const sem = new Semaphore(2);
 * await assert.rejects(sem.acquire(3), AcquireExceedsSizeError);
 * ```
 */
export class AcquireExceedsSizeError extends SyncError {
  /**
   * The weight requested.
   *
   * @example Usage
   * ```ts
   * import { AcquireExceedsSizeError } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new AcquireExceedsSizeError(3, 2).requested, 3);
   * ```
   */
  readonly requested: number;
  /**
   * The semaphore's size.
   *
   * @example Usage
   * ```ts
   * import { AcquireExceedsSizeError } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new AcquireExceedsSizeError(3, 2).size, 2);
   * ```
   */
  readonly size: number;

  /**
   * Creates the error.
   *
   * @param requested The weight requested.
   * @param size The semaphore's size.
   */
  constructor(requested: number, size: number) {
    super(
      `Cannot acquire ${requested} from a Semaphore of size ${size}: the ` +
        "request can never be granted; acquire at most the size, or make " +
        "the semaphore larger",
    );
    this.name = "AcquireExceedsSizeError";
    this.requested = requested;
    this.size = size;
  }
}

/**
 * Thrown by `Semaphore.release(n)` when `n` exceeds the weight currently
 * held (Go's "semaphore: released more than held"). Nothing is released.
 *
 * @example Usage
 * ```ts
 * import { ReleaseExceedsHeldError, Semaphore } from "@denogo/go/sync";
 * import assert from "node:assert/strict";
 *
 * const sem = new Semaphore(2);
 * assert.throws(() => sem.release(1), ReleaseExceedsHeldError);
 * ```
 */
export class ReleaseExceedsHeldError extends SyncError {
  /**
   * The weight the call tried to release.
   *
   * @example Usage
   * ```ts
   * import { ReleaseExceedsHeldError } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new ReleaseExceedsHeldError(2, 1).released, 2);
   * ```
   */
  readonly released: number;
  /**
   * The weight held at the time (unchanged by the call).
   *
   * @example Usage
   * ```ts
   * import { ReleaseExceedsHeldError } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new ReleaseExceedsHeldError(2, 1).held, 1);
   * ```
   */
  readonly held: number;

  /**
   * Creates the error.
   *
   * @param released The weight the call tried to release.
   * @param held The weight held.
   */
  constructor(released: number, held: number) {
    super(
      `Cannot release ${released} from a Semaphore holding ${held}: ` +
        `released more than held (Go's "semaphore: released more than ` +
        'held"); release exactly what each acquire() took',
    );
    this.name = "ReleaseExceedsHeldError";
    this.released = released;
    this.held = held;
  }
}
