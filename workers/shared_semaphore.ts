// Copyright the denogo authors. MIT license.

/**
 * {@linkcode SharedSemaphore}: a weighted semaphore in shared memory
 * (Go's `golang.org/x/sync/semaphore.Weighted`), across the main thread and
 * workers.
 *
 * ## Memory layout
 *
 * Words 0–4 are the guard of `_guarded.ts` (`LOCK`, `SEQ`, `SLEEPERS`,
 * `MAGIC` = `0x64677365` "dgse", `ID`), then:
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 5 | `SIZE` | the total weight (read-only) |
 * | 6 | `AVAILABLE` | weight not held |
 * | 7 | `NEXT_TICKET` | the ticket the next waiter takes |
 * | 8 | `SERVING` | the ticket of the waiter at the head of the line |
 * | 9–40 | `GONE` | a bitmap of 1,024 bits: ticket `t` (mod 1,024) gave up waiting |
 *
 * ## Order
 *
 * Strict FIFO across threads: an `acquire` that cannot be granted at once,
 * or that finds others waiting, takes a ticket under the lock and is
 * granted only when its ticket is at the head of the line and its weight
 * is available. So a large request at the head holds back smaller ones
 * behind it (no barging), as in Go's semaphore, and no request starves. An
 * aborted waiter marks its ticket gone and the line skips it. At most 1,024
 * waiters hold tickets at once; more wait, un-ticketed, for a place in line.
 *
 * ## A holder that dies
 *
 * Weight is not recorded per holder: a worker terminated while it holds
 * weight never releases it. A supervisor that knows how much the worker
 * held can call `release(n)` for it.
 *
 * @module
 */

import { defineInspect } from "../_inspect.ts";
import { AcquireExceedsSizeError, ReleaseExceedsHeldError } from "./errors.ts";
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
import { Permit } from "../sync/_sema.ts";
import type { SemaphorePermit } from "../sync/semaphore.ts";

const SIZE = FIRST;
const AVAILABLE = FIRST + 1;
const NEXT_TICKET = FIRST + 2;
const SERVING = FIRST + 3;
const GONE = FIRST + 4;
const LINE = 1024;
const WORDS = GONE + LINE / 32;
const MAGIC_VALUE = 0x64677365;

/** What a worker needs to open a {@linkcode SharedSemaphore}. */
export interface SharedSemaphoreHandle {
  /** Marks the object as a semaphore's handle. */
  readonly kind: "SharedSemaphore";
  /** The semaphore's words. */
  readonly buffer: SharedArrayBuffer;
}

/** Options for {@linkcode SharedSemaphore.acquire}. */
export interface SharedSemaphoreAcquireOptions {
  /** Gives up waiting: the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

function checkWeight(n: unknown, what: string): number {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(
      `Cannot ${what} SharedSemaphore: the weight must be a non-negative integer, received ${
        String(n)
      }`,
    );
  }
  return n;
}

/**
 * A weighted semaphore shared by threads. `acquire(n)` waits until `n`
 * units are free (strict FIFO across threads, see the module doc);
 * `release(n)` gives them back. Workers may block with `acquireSync`.
 *
 * Memory model: every operation runs under the semaphore's lock, so they
 * are totally ordered; a `release` synchronizes before the return of any
 * `acquire` (or successful `tryAcquire`) that takes weight it released.
 *
 * @example Bounding parallel work
 * ```ts
 * import { SharedSemaphore } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * const sem = new SharedSemaphore(3);
 * await sem.acquire(2);
 * assert.equal(sem.tryAcquire(2), false); // only 1 left
 * assert.equal(sem.tryAcquire(1), true);
 * sem.release(3);
 * assert.equal(sem.available, 3);
 * ```
 */
export class SharedSemaphore {
  readonly #h: Int32Array;
  readonly #size: number;
  static #opening = new Opening<Int32Array>();

  static {
    defineInspect(SharedSemaphore, (sem) => ({
      id: sem.#h[ID],
      size: Atomics.load(sem.#h, SIZE),
      available: Atomics.load(sem.#h, AVAILABLE),
    }));
  }

  /**
   * Makes a semaphore of total weight `size`, all available.
   *
   * @example Usage
   * ```ts
   * import { SharedSemaphore } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedSemaphore(4).size, 4);
   * assert.throws(() => new SharedSemaphore(-1), RangeError);
   * ```
   *
   * @param size The total weight: an integer in [0, 2³¹).
   * @throws {RangeError} If `size` is out of range.
   */
  constructor(size: number) {
    const open = SharedSemaphore.#opening.take();
    if (open !== undefined) this.#h = open;
    else {
      if (checkWeight(size, "create") > 0x7fffffff) {
        throw new RangeError(
          `Cannot create SharedSemaphore: size must be below 2^31, received ${size}`,
        );
      }
      this.#h = create(WORDS, MAGIC_VALUE);
      this.#h[SIZE] = size;
      this.#h[AVAILABLE] = size;
    }
    this.#size = this.#h[SIZE];
  }

  /**
   * Opens a semaphore from its handle, usually on another thread.
   *
   * @example Usage
   * ```ts
   * import { SharedSemaphore } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const sem = new SharedSemaphore(2);
   * assert.equal(SharedSemaphore.from(sem.handle).size, 2);
   * ```
   *
   * @param handle A semaphore's {@linkcode SharedSemaphore.handle}.
   * @returns The same semaphore.
   * @throws {TypeError} If `handle` is not a semaphore's handle.
   */
  static from(handle: SharedSemaphoreHandle): SharedSemaphore {
    const h = open(
      handle,
      "SharedSemaphore",
      WORDS,
      MAGIC_VALUE,
      (h) => h[SIZE] < 0 ? `its buffer's size word is ${h[SIZE]}` : undefined,
    );
    return SharedSemaphore.#opening.open(h, () => new SharedSemaphore(0));
  }

  /**
   * The structured-clonable handle, for `postMessage`.
   *
   * @example Usage
   * ```ts
   * import { SharedSemaphore } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedSemaphore(1).handle.kind, "SharedSemaphore");
   * ```
   */
  get handle(): SharedSemaphoreHandle {
    return {
      kind: "SharedSemaphore",
      buffer: this.#h.buffer as SharedArrayBuffer,
    };
  }

  /**
   * The total weight.
   *
   * @example Usage
   * ```ts
   * import { SharedSemaphore } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedSemaphore(5).size, 5);
   * ```
   */
  get size(): number {
    return this.#size;
  }

  /**
   * The weight not held now (other threads may change it at any time).
   *
   * @example Usage
   * ```ts
   * import { SharedSemaphore } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const sem = new SharedSemaphore(5);
   * sem.tryAcquire(2);
   * assert.equal(sem.available, 3);
   * sem.release(2);
   * ```
   */
  get available(): number {
    return Atomics.load(this.#h, AVAILABLE);
  }

  /**
   * Acquires weight `n`, waiting in line until it is free: Go's
   * `sem.Acquire(ctx, n)`.
   *
   * @example Usage
   * ```ts
   * import { SharedSemaphore } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const sem = new SharedSemaphore(1);
   * await sem.acquire();
   * const next = sem.acquire();
   * sem.release();
   * await next;
   * assert.equal(sem.available, 0);
   * sem.release();
   * ```
   *
   * @example Given back at the end of a block, with `using`
   * ```ts
   * import { SharedSemaphore } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const sem = new SharedSemaphore(3);
   * {
   *   using permit = await sem.acquire(2);
   *   assert.equal(permit.weight, 2);
   *   assert.equal(sem.available, 1);
   * }
   * assert.equal(sem.available, 3);
   * ```
   *
   * @param n The weight; 1 by default.
   * @param options A signal that gives up the wait.
   * @returns A promise of a {@linkcode SemaphorePermit} for the weight, once
   * it is held: `permit.release()` or disposing it gives the weight back
   * once (calling `sem.release(n)` instead is just as valid).
   * @throws {AcquireExceedsSizeError} If `n` exceeds the size (rejects).
   * @throws {RangeError} If `n` is not a non-negative integer (rejects).
   */
  acquire(
    n: number = 1,
    options?: SharedSemaphoreAcquireOptions,
  ): Promise<SemaphorePermit> {
    try {
      this.#check(n);
    } catch (error) {
      return Promise.reject(error);
    }
    const a = this.#attempt(n);
    const permit = new Permit(this, n);
    return waitUntil(
      this.#h,
      a.attempt,
      options?.signal,
      "semacquire",
      a.cancel,
    )
      .then(() => permit);
  }

  /**
   * Acquires weight `n`, blocking the worker's thread while it waits.
   *
   * @example Usage
   * ```ts
   * import {
   *   MainThreadWaitError,
   *   SharedSemaphore,
   *   type SharedSemaphoreHandle,
   * } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * // A worker's side: at most `size` workers run `work` at once.
   * function bounded(handle: SharedSemaphoreHandle, work: () => void): void {
   *   const sem = SharedSemaphore.from(handle);
   *   sem.acquireSync(1);
   *   try {
   *     work();
   *   } finally {
   *     sem.release(1);
   *   }
   * }
   *
   * const sem = new SharedSemaphore(2);
   * // The main thread may not block: it uses `await acquire()`.
   * assert.throws(() => bounded(sem.handle, () => {}), MainThreadWaitError);
   * ```
   *
   * @param n The weight; 1 by default.
   * @returns A {@linkcode SemaphorePermit} for the weight, for `using`.
   * @throws {MainThreadWaitError} On the main thread.
   * @throws {AcquireExceedsSizeError} If `n` exceeds the size.
   */
  acquireSync(n: number = 1): SemaphorePermit {
    this.#check(n);
    waitUntilSync(
      this.#h,
      this.#attempt(n).attempt,
      "SharedSemaphore.acquireSync()",
    );
    return new Permit(this, n);
  }

  /**
   * Acquires weight `n` only if it is free and nobody waits in line: Go's
   * `sem.TryAcquire(n)`.
   *
   * @example Usage
   * ```ts
   * import { SharedSemaphore } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const sem = new SharedSemaphore(1);
   * assert.equal(sem.tryAcquire(), true);
   * assert.equal(sem.tryAcquire(), false);
   * sem.release();
   * ```
   *
   * @param n The weight; 1 by default.
   * @returns Whether the weight is now held.
   */
  tryAcquire(n: number = 1): boolean {
    checkWeight(n, "acquire from");
    const h = this.#h;
    return guarded(h, () => {
      if (h[NEXT_TICKET] !== h[SERVING] || h[AVAILABLE] < n) return false;
      h[AVAILABLE] -= n;
      return true;
    });
  }

  /**
   * Releases weight `n`: Go's `sem.Release(n)`. Any thread may release.
   *
   * @example Usage
   * ```ts
   * import { ReleaseExceedsHeldError, SharedSemaphore } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.throws(() => new SharedSemaphore(2).release(1), ReleaseExceedsHeldError);
   * ```
   *
   * @param n The weight; 1 by default.
   * @throws {ReleaseExceedsHeldError} If more than is held would be
   *   released (nothing is released).
   */
  release(n: number = 1): void {
    checkWeight(n, "release to");
    const h = this.#h;
    guarded(h, () => {
      const held = this.#size - h[AVAILABLE];
      if (n > held) throw new ReleaseExceedsHeldError(n, held);
      h[AVAILABLE] += n;
      wakeAllLocked(h);
    });
  }

  #check(n: number): void {
    checkWeight(n, "acquire from");
    if (n > this.#size) throw new AcquireExceedsSizeError(n, this.#size);
  }

  /** One acquire call's attempt (taking a ticket if it must wait) and cancel. */
  #attempt(n: number): { attempt: () => boolean; cancel: () => void } {
    const h = this.#h;
    let ticket: number | undefined;
    return {
      attempt: () => {
        if (ticket === undefined) {
          if (h[NEXT_TICKET] === h[SERVING] && h[AVAILABLE] >= n) {
            h[AVAILABLE] -= n;
            return true;
          }
          if (((h[NEXT_TICKET] - h[SERVING]) | 0) >= LINE) return false;
          ticket = h[NEXT_TICKET];
          h[NEXT_TICKET] = (ticket + 1) | 0;
          // Fall through: it may be at the head already.
        }
        if (h[SERVING] !== ticket || h[AVAILABLE] < n) return false;
        h[AVAILABLE] -= n;
        this.#advance();
        return true;
      },
      cancel: () => {
        if (ticket === undefined) return;
        if (h[SERVING] === ticket) this.#advance();
        else {
          const bit = ticket & (LINE - 1);
          h[GONE + (bit >> 5)] |= 1 << (bit & 31);
        }
      },
    };
  }

  /** Under the lock: the head is served or gone; the next one moves up. */
  #advance(): void {
    const h = this.#h;
    let s = (h[SERVING] + 1) | 0;
    while (s !== h[NEXT_TICKET]) {
      const bit = s & (LINE - 1);
      const word = GONE + (bit >> 5);
      const mask = 1 << (bit & 31);
      if ((h[word] & mask) === 0) break;
      h[word] &= ~mask;
      s = (s + 1) | 0;
    }
    h[SERVING] = s;
    wakeAllLocked(h);
  }
}
