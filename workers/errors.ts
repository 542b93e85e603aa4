// Copyright the denogo authors. MIT license.

/**
 * Errors of the shared-memory primitives. Where the concept is the same as
 * in tier 1 (`sync/errors.ts`), the class is the same: a `SharedMutex`
 * unlocked twice throws the `UnlockOfUnlockedError` a `Mutex` throws.
 *
 * @module
 */

import { NegativeCounterError, UnlockOfUnlockedError } from "../sync/errors.ts";

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

export {
  AcquireExceedsSizeError,
  NegativeCounterError,
  ReleaseExceedsHeldError,
  SyncError,
  UnlockOfUnlockedError,
  type UnlockOperation,
} from "../sync/errors.ts";

/**
 * The tier-1 {@linkcode UnlockOfUnlockedError}, under the name the shared
 * tier first used: `SharedMutex.unlock()` and `SharedRWMutex.unlock()` /
 * `rUnlock()` throw it (with `operation` naming the call). One class, so
 * `instanceof` works with either name.
 *
 * @example Usage
 * ```ts
 * import { SharedMutex, UnlockOfUnlockedError, UnlockOfUnlockedMutexError } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * assert.equal(UnlockOfUnlockedMutexError, UnlockOfUnlockedError);
 * assert.throws(() => new SharedMutex().unlock(), UnlockOfUnlockedError);
 * ```
 */
export const UnlockOfUnlockedMutexError: typeof UnlockOfUnlockedError =
  UnlockOfUnlockedError;
/** The tier-1 {@linkcode UnlockOfUnlockedError}, by its first shared name. */
export type UnlockOfUnlockedMutexError = UnlockOfUnlockedError;

/**
 * The tier-1 {@linkcode NegativeCounterError}, under the name the shared
 * tier first used: `SharedWaitGroup.add()` / `done()` throw it when the
 * counter would go below zero (the counter is left as it was).
 *
 * @example Usage
 * ```ts
 * import { NegativeCounterError, SharedWaitGroup } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => new SharedWaitGroup().done(), NegativeCounterError);
 * ```
 */
export const NegativeWaitGroupCounterError: typeof NegativeCounterError =
  NegativeCounterError;
/** The tier-1 {@linkcode NegativeCounterError}, by its first shared name. */
export type NegativeWaitGroupCounterError = NegativeCounterError;
