// Copyright the denogo authors. MIT license.

/**
 * Errors shared by the shared-memory primitives.
 *
 * @module
 */

/**
 * Thrown by a synchronous, thread-blocking call (`SharedChannel.recvSync()`,
 * `SharedChannel.sendSync()`, `SharedMutex.lockSync()`,
 * `SharedWaitGroup.waitSync()`) made on the main thread. The main thread
 * never blocks: it runs the event loop everything else depends on (a worker
 * blocked waiting for the main thread would wait forever). Use the async
 * form there (`await ch.receive()`).
 *
 * @example Usage
 * ```ts
 * import { MainThreadWaitError, SharedChannel } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * const ch = new SharedChannel<number>({ codec: "int32" });
 * assert.throws(() => ch.recvSync(), MainThreadWaitError);
 * ```
 */
export class MainThreadWaitError extends Error {
  /**
   * Creates the error for the named operation.
   *
   * @param operation The blocking call, e.g. `"SharedChannel.recvSync()"`.
   */
  constructor(operation: string) {
    super(
      `Cannot call ${operation} on the main thread: it would block the ` +
        `event loop; await the async form instead, or call it in a worker`,
    );
    this.name = "MainThreadWaitError";
  }
}

/**
 * Thrown by `SharedMutex.unlock()` when the mutex is not locked: Go's
 * "sync: unlock of unlocked mutex".
 *
 * @example Usage
 * ```ts
 * import { SharedMutex, UnlockOfUnlockedMutexError } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => new SharedMutex().unlock(), UnlockOfUnlockedMutexError);
 * ```
 */
export class UnlockOfUnlockedMutexError extends Error {
  /** Creates the error. */
  constructor() {
    super(
      "Cannot unlock SharedMutex: it is not locked; call unlock() exactly " +
        "once per successful lock()",
    );
    this.name = "UnlockOfUnlockedMutexError";
  }
}

/**
 * Thrown by `SharedWaitGroup.add()` / `done()` when the counter would go
 * below zero: Go's "sync: negative WaitGroup counter". The counter is left
 * as it was.
 *
 * @example Usage
 * ```ts
 * import { NegativeWaitGroupCounterError, SharedWaitGroup } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => new SharedWaitGroup().done(), NegativeWaitGroupCounterError);
 * ```
 */
export class NegativeWaitGroupCounterError extends RangeError {
  /**
   * Creates the error.
   *
   * @param counter The counter before the failed change.
   * @param delta The change that would have made it negative.
   */
  constructor(counter: number, delta: number) {
    super(
      `Cannot add ${delta} to SharedWaitGroup: the counter is ${counter} and ` +
        `would go negative; call done() once per add(1)`,
    );
    this.name = "NegativeWaitGroupCounterError";
  }
}
