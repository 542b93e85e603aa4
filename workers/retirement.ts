// Copyright the denogo authors. MIT license.

/**
 * {@linkcode Retirement}: terminating a worker so that it takes nothing
 * more from shared memory.
 *
 * Deno (as of 2.9) does not stop a terminated worker's JavaScript while
 * the worker never returns to its event loop: a worker blocked in
 * `recvSync()` or `lockSync()`, or spinning in a loop, runs on after
 * `worker.terminate()` (denoland/deno#14003), waking on the next value
 * sent and taking it, a value then lost to every other receiver. A
 * `Retirement` closes that gap: the worker adopts it at start; the parent
 * calls {@linkcode Retirement.terminate} instead of `worker.terminate()`.
 * From then on every shared primitive refuses the worker any further value
 * or lock: a value it would have taken stays in the channel for others, a
 * lock it would have taken goes to another thread. The worker's call parks
 * for good instead: a synchronous one in `Atomics.wait` (no CPU), an async
 * one as a promise that never settles. The runtime (`runtime/`) does the
 * same for every worker it terminates.
 *
 * The buffer's words are laid out in `_retired.ts`.
 *
 * @module
 */

import { describe } from "../_describe.ts";
import { checkHandle, Opening, wordsCheck } from "./_handle.ts";
import {
  adopt,
  ID,
  MAGIC,
  MAGIC_VALUE,
  PARKS,
  STATE,
  WORDS,
} from "./_retired.ts";
import { markRetired } from "./_select_claims.ts";

/** What a worker needs to adopt a {@linkcode Retirement}. Structured-clonable. */
export interface RetirementHandle {
  /** Marks the object as a retirement's handle. */
  readonly kind: "Retirement";
  /** The retirement's words. */
  readonly buffer: SharedArrayBuffer;
}

/** The part of a worker {@linkcode Retirement.terminate} calls. */
export interface Terminable {
  /** `Worker.terminate()` or `node:worker_threads`' `worker.terminate()`. */
  terminate(): unknown;
}

/**
 * A one-way switch, in shared memory, that retires the worker threads which
 * adopted it: after {@linkcode Retirement.retire}, no shared channel,
 * mutex, read-write mutex, semaphore, once, wait group or select gives them
 * another value or lock (see the module doc).
 *
 * @example Terminating a worker blocked in recvSync
 * ```ts
 * import { Retirement, SharedChannel } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * const retirement = new Retirement();
 * const jobs = new SharedChannel<number>({ codec: "int32", capacity: 4 });
 * // In the worker: Retirement.from(handle).adopt(); then jobs.recvSync() ...
 * // In the parent, instead of worker.terminate():
 * const worker = { terminate() {} }; // a Worker
 * await retirement.terminate(worker);
 * assert.equal(retirement.retired, true);
 * jobs.trySend(1); // stays for the remaining receivers
 * assert.equal(jobs.size, 1);
 * ```
 */
export class Retirement {
  readonly #h: Int32Array;
  static #opening = new Opening<SharedArrayBuffer>();

  /**
   * Makes a retirement that no thread obeys yet, not retired.
   *
   * @example Usage
   * ```ts
   * import { Retirement } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new Retirement().retired, false);
   * ```
   */
  constructor() {
    const open = Retirement.#opening.take();
    this.#h = new Int32Array(open ?? new SharedArrayBuffer(WORDS * 4));
    if (open === undefined) {
      this.#h[MAGIC] = MAGIC_VALUE;
      this.#h[ID] = ((Math.random() * 0x7fffffff) | 0) + 1;
    }
  }

  /**
   * Opens a retirement from its handle, usually in the worker that adopts it.
   *
   * @example Usage
   * ```ts
   * import { Retirement } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const retirement = new Retirement();
   * const there = Retirement.from(structuredClone(retirement.handle));
   * retirement.retire();
   * assert.equal(there.retired, true);
   * ```
   *
   * @param handle A retirement's {@linkcode Retirement.handle}.
   * @returns The same retirement.
   * @throws {TypeError} If `handle` is not a retirement's handle.
   */
  static from(handle: RetirementHandle): Retirement {
    const buffer = checkHandle(
      handle,
      "Retirement",
      wordsCheck(WORDS, MAGIC, MAGIC_VALUE),
    );
    return Retirement.#opening.open(buffer, () => new Retirement());
  }

  /**
   * The structured-clonable handle: post it to the worker and adopt it
   * there with `Retirement.from(handle).adopt()`.
   *
   * @example Usage
   * ```ts
   * import { Retirement } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new Retirement().handle.kind, "Retirement");
   * ```
   */
  get handle(): RetirementHandle {
    return { kind: "Retirement", buffer: this.#h.buffer as SharedArrayBuffer };
  }

  /**
   * Makes the calling worker thread obey this retirement, for the rest of
   * its life: once it is retired, the thread's shared-memory operations
   * park for good instead of taking anything. A thread may adopt several;
   * any of them retires it.
   *
   * @example Usage
   * ```ts
   * import { MainThreadWaitError, Retirement } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * // In a worker: Retirement.from(handle).adopt();
   * // The main thread is never retired:
   * assert.throws(() => new Retirement().adopt(), MainThreadWaitError);
   * ```
   *
   * @throws {MainThreadWaitError} If called on the main thread.
   */
  adopt(): void {
    adopt(this.#h, "Retirement.adopt()");
  }

  /**
   * Retires every thread that adopted this retirement (once; later calls
   * do nothing). It does not stop them: see {@linkcode Retirement.terminate}.
   *
   * @example Usage
   * ```ts
   * import { Retirement } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const retirement = new Retirement();
   * retirement.retire();
   * assert.equal(retirement.retired, true);
   * ```
   */
  retire(): void {
    Atomics.store(this.#h, STATE, 1);
    // Its threads' selects are claimed no more (`_select_claims.ts`).
    markRetired(this.#h[ID]);
  }

  /**
   * Retires the threads that adopted this retirement, then terminates
   * `worker`: use it instead of `worker.terminate()`.
   *
   * @example Usage
   * ```ts
   * import { Retirement } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const retirement = new Retirement();
   * let terminated = false;
   * await retirement.terminate({ terminate: () => terminated = true });
   * assert.equal(retirement.retired && terminated, true);
   * ```
   *
   * @param worker The worker to terminate (a `Worker`, or a
   *   `node:worker_threads` worker).
   * @returns A promise that resolves once `worker.terminate()` has.
   */
  async terminate(worker: Terminable): Promise<void> {
    this.retire();
    await worker.terminate();
  }

  /**
   * Whether {@linkcode Retirement.retire} was called.
   *
   * @example Usage
   * ```ts
   * import { Retirement } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new Retirement().retired, false);
   * ```
   */
  get retired(): boolean {
    return Atomics.load(this.#h, STATE) !== 0;
  }

  /**
   * How many operations of the threads that adopted this retirement have
   * parked for good since one of their retirements was retired.
   *
   * @example Usage
   * ```ts
   * import { Retirement } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new Retirement().parked, 0);
   * ```
   */
  get parked(): number {
    return Atomics.load(this.#h, PARKS);
  }

  /**
   * Resolves once {@linkcode Retirement.parked} reaches `count`: the
   * retired worker has stopped at that many operations, taking nothing.
   * Never resolves if the worker makes no more shared-memory calls; keeps
   * the event loop alive while it waits.
   *
   * @example Usage
   * ```ts
   * import { Retirement } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * await new Retirement().whenParked(0); // already true
   * ```
   *
   * @param count How many parked operations to wait for.
   * @default {1}
   * @returns A promise that resolves once that many have parked.
   * @throws {RangeError} If `count` is not a non-negative integer.
   */
  async whenParked(count: number = 1): Promise<void> {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(
        `Cannot call Retirement.whenParked(): count must be a ` +
          `non-negative integer, received ${describe(count)}`,
      );
    }
    const h = this.#h;
    if (Atomics.load(h, PARKS) >= count) return;
    // Deno's Atomics.waitAsync alone does not keep the event loop alive.
    const alive = setInterval(() => {}, 1 << 30);
    try {
      for (
        let n = Atomics.load(h, PARKS);
        n < count;
        n = Atomics.load(h, PARKS)
      ) {
        const r = Atomics.waitAsync(h, PARKS, n);
        if (r.async) await r.value;
      }
    } finally {
      clearInterval(alive);
    }
  }
}
