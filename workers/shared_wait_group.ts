// Copyright the denogo authors. MIT license.

/**
 * {@linkcode SharedWaitGroup}: Go's `sync.WaitGroup` in shared memory, so
 * the main thread can wait for work done in workers (and the other way).
 *
 * ## Memory layout
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 0 | `COUNTER` | the counter; never negative |
 * | 1 | `WAITERS` | wait calls (any thread) sleeping or about to sleep on `COUNTER` |
 * | 2 | `MAGIC` | `0x64677767` ("dgwg"): marks a SharedWaitGroup buffer |
 * | 3 | `ID` | a random number naming the group, for wake-ups within a thread |
 *
 * ## Protocol
 *
 * - add: a `compareExchange` loop on `COUNTER`, so a change that would make
 *   it negative is refused with the counter untouched. The change that
 *   brings it to 0 wakes every sleeper if `WAITERS > 0`.
 * - wait: if `COUNTER` is 0, return. Else increment `WAITERS`, then loop:
 *   read `COUNTER`; if 0, done; else sleep until it changes from the value
 *   read. The waiter increments `WAITERS` before reading `COUNTER` and `add`
 *   writes `COUNTER` before reading `WAITERS`, so no wake-up is lost.
 *
 * As in Go, calls to `add` with a positive delta that start when the
 * counter is zero must happen before `wait`; a group can be reused once
 * every waiter has returned.
 *
 * @module
 */

import { defineInspect } from "../_inspect.ts";
import { MainThreadWaitError, NegativeCounterError } from "./errors.ts";
import { inWorker } from "./_lock.ts";
import { newId, waitChange, wakeHere } from "./_futex.ts";
import { checkHandle, Opening, wordsCheck } from "./_handle.ts";

const COUNTER = 0;
const WAITERS = 1;
const MAGIC = 2;
const ID = 3;
const WORDS = 4;
const MAGIC_VALUE = 0x64677767;

const RESOLVED: Promise<void> = Promise.resolve();

/** What a worker needs to open a {@linkcode SharedWaitGroup}. Structured-clonable. */
export interface SharedWaitGroupHandle {
  /** Marks the object as a wait group's handle. */
  readonly kind: "SharedWaitGroup";
  /** The group's words. */
  readonly buffer: SharedArrayBuffer;
}

/** Options for {@linkcode SharedWaitGroup.wait}. */
export interface SharedWaitGroupWaitOptions {
  /** Gives up waiting: the wait rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Waits for a collection of tasks, on any threads, to finish: Go's
 * `sync.WaitGroup` over a `SharedArrayBuffer`. Call `add(n)` before starting
 * `n` tasks, `done()` in each when it finishes, and `await wait()` (any
 * thread) or `waitSync()` (workers) to wait for all of them.
 *
 * Memory model, as Go's `sync.WaitGroup`: a call to `done` (or an `add`
 * that brings the counter to zero) synchronizes before the return of any
 * `wait` call that it unblocks, on any thread.
 *
 * @example Waiting for workers
 * ```ts
 * import { SharedWaitGroup } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * const wg = new SharedWaitGroup();
 * wg.add(2);
 * // Each worker gets wg.handle and calls SharedWaitGroup.from(handle).done().
 * const view = SharedWaitGroup.from(structuredClone(wg.handle));
 * view.done();
 * view.done();
 * await wg.wait();
 * assert.equal(wg.count, 0);
 * ```
 */
export class SharedWaitGroup {
  readonly #h: Int32Array;
  readonly #id: number;
  static #opening = new Opening<SharedArrayBuffer>();

  static {
    defineInspect(SharedWaitGroup, (wg) => ({
      id: wg.#h[ID],
      counter: Atomics.load(wg.#h, COUNTER),
      waiters: Atomics.load(wg.#h, WAITERS),
    }));
  }

  /**
   * Makes a wait group with a zero counter, in a new `SharedArrayBuffer`.
   *
   * @example Usage
   * ```ts
   * import { SharedWaitGroup } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedWaitGroup().count, 0);
   * ```
   */
  constructor() {
    const open = SharedWaitGroup.#opening.take();
    this.#h = new Int32Array(open ?? new SharedArrayBuffer(WORDS * 4));
    if (open === undefined) {
      this.#h[MAGIC] = MAGIC_VALUE;
      this.#h[ID] = newId();
    }
    this.#id = this.#h[ID];
  }

  /**
   * Opens a wait group from its handle, usually on another thread.
   *
   * @example Usage
   * ```ts
   * import { SharedWaitGroup } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const wg = new SharedWaitGroup();
   * wg.add(1);
   * assert.equal(SharedWaitGroup.from(wg.handle).count, 1);
   * wg.done();
   * ```
   *
   * @param handle A group's {@linkcode SharedWaitGroup.handle}.
   * @returns The same wait group.
   * @throws {TypeError} If `handle` is not a wait group's handle.
   */
  static from(handle: SharedWaitGroupHandle): SharedWaitGroup {
    const buffer = checkHandle(
      handle,
      "SharedWaitGroup",
      wordsCheck(WORDS, MAGIC, MAGIC_VALUE),
    );
    return SharedWaitGroup.#opening.open(buffer, () => new SharedWaitGroup());
  }

  /**
   * The structured-clonable handle: post it to a worker and open it there
   * with {@linkcode SharedWaitGroup.from}.
   *
   * @example Usage
   * ```ts
   * import { SharedWaitGroup } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedWaitGroup().handle.kind, "SharedWaitGroup");
   * ```
   */
  get handle(): SharedWaitGroupHandle {
    return {
      kind: "SharedWaitGroup",
      buffer: this.#h.buffer as SharedArrayBuffer,
    };
  }

  /**
   * The counter now (other threads may change it at any time).
   *
   * @example Usage
   * ```ts
   * import { SharedWaitGroup } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const wg = new SharedWaitGroup();
   * wg.add(3);
   * assert.equal(wg.count, 3);
   * wg.add(-3);
   * ```
   */
  get count(): number {
    return Atomics.load(this.#h, COUNTER);
  }

  /**
   * Adds `delta` (which may be negative) to the counter: Go's `wg.Add`.
   * When it reaches zero, every waiter on every thread wakes.
   *
   * @example Usage
   * ```ts
   * import { SharedWaitGroup } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const wg = new SharedWaitGroup();
   * wg.add(2);
   * wg.add(-2);
   * assert.equal(wg.count, 0);
   * ```
   *
   * @param delta The change; an integer.
   * @throws {NegativeCounterError} If the counter would go below
   *   zero (it is left unchanged).
   * @throws {RangeError} If `delta` is not an integer, or the counter would
   *   pass 2³¹ − 1.
   */
  add(delta: number): void {
    if (!Number.isInteger(delta)) {
      throw new RangeError(
        `Cannot add to SharedWaitGroup: delta must be an integer, received ${delta}`,
      );
    }
    const h = this.#h;
    for (;;) {
      const c = Atomics.load(h, COUNTER);
      const n = c + delta;
      if (n < 0) throw new NegativeCounterError(c, delta);
      if (n > 0x7fffffff) {
        throw new RangeError(
          `Cannot add ${delta} to SharedWaitGroup: the counter would pass 2^31 - 1`,
        );
      }
      if (Atomics.compareExchange(h, COUNTER, c, n) === c) {
        if (n === 0 && Atomics.load(h, WAITERS) > 0) {
          Atomics.notify(h, COUNTER);
          wakeHere(this.#id, COUNTER);
        }
        return;
      }
    }
  }

  /**
   * Decrements the counter: Go's `wg.Done`, the same as `add(-1)`.
   *
   * @example Usage
   * ```ts
   * import { SharedWaitGroup } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const wg = new SharedWaitGroup();
   * wg.add(1);
   * wg.done();
   * assert.equal(wg.count, 0);
   * ```
   *
   * @throws {NegativeCounterError} If the counter is already zero.
   */
  done(): void {
    this.add(-1);
  }

  /**
   * Resolves when the counter is zero: Go's `wg.Wait`, without blocking the
   * thread.
   *
   * @example Usage
   * ```ts
   * import { SharedWaitGroup } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const wg = new SharedWaitGroup();
   * wg.add(1);
   * setTimeout(() => wg.done(), 1);
   * await wg.wait();
   * assert.equal(wg.count, 0);
   * ```
   *
   * @param options A signal that gives up the wait.
   * @returns A promise that resolves once the counter is zero.
   */
  wait(options?: SharedWaitGroupWaitOptions): Promise<void> {
    if (Atomics.load(this.#h, COUNTER) === 0) return RESOLVED;
    return this.#waitSlow(options?.signal);
  }

  async #waitSlow(signal: AbortSignal | undefined): Promise<void> {
    const h = this.#h;
    Atomics.add(h, WAITERS, 1);
    try {
      for (;;) {
        const c = Atomics.load(h, COUNTER);
        if (c === 0) return;
        signal?.throwIfAborted();
        await waitChange(
          h,
          COUNTER,
          c,
          this.#id,
          signal,
          "sync.WaitGroup.Wait",
        );
      }
    } finally {
      Atomics.sub(h, WAITERS, 1);
    }
  }

  /**
   * Blocks the worker's thread until the counter is zero.
   *
   * @example Usage
   * ```ts
   * import {
   *   MainThreadWaitError,
   *   SharedWaitGroup,
   *   type SharedWaitGroupHandle,
   * } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * // A worker's side: blocks its thread until every other worker is done.
   * function join(handle: SharedWaitGroupHandle): void {
   *   SharedWaitGroup.from(handle).waitSync();
   * }
   *
   * const wg = new SharedWaitGroup();
   * wg.add(1);
   * // The main thread may not block: it uses `await wait()`.
   * assert.throws(() => join(wg.handle), MainThreadWaitError);
   * wg.done();
   * ```
   *
   * @throws {MainThreadWaitError} If called on the main thread.
   */
  waitSync(): void {
    if (!inWorker) throw new MainThreadWaitError("SharedWaitGroup.waitSync()");
    const h = this.#h;
    if (Atomics.load(h, COUNTER) === 0) return;
    Atomics.add(h, WAITERS, 1);
    try {
      for (;;) {
        const c = Atomics.load(h, COUNTER);
        if (c === 0) return;
        Atomics.wait(h, COUNTER, c);
      }
    } finally {
      Atomics.sub(h, WAITERS, 1);
    }
  }
}
