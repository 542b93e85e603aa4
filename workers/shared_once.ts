// Copyright the denogo authors. MIT license.

/**
 * {@linkcode SharedOnce}: Go's `sync.Once` across threads: of all the
 * `do(fn)` calls on every thread, exactly one runs its `fn`; the others wait
 * until it has finished.
 *
 * ## Memory layout
 *
 * Words 0–4 are the guard of `_guarded.ts` (`LOCK`, `SEQ`, `SLEEPERS`,
 * `MAGIC` = `0x64676f6e` "dgon", `ID`), then:
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 5 | `STATE` | 0 not run, 1 running, 2 done |
 * | 6 | `RUNNER` | the `SharedMutex.threadId` of the thread running or that ran `fn` |
 *
 * Functions cannot cross threads: each thread passes its own `fn`, and
 * whichever call wins runs. What `fn` sets up must therefore live in shared
 * memory (or be repeated per thread by other means) to be seen elsewhere.
 *
 * As in Go, `fn` counts as done even if it throws (the error reaches only
 * the caller that ran it). A thread terminated while running `fn` leaves
 * the once "running" forever; {@linkcode SharedOnce.releaseAbandoned} lets
 * a supervisor hand the run to the next caller.
 *
 * @module
 */

import { defineInspect } from "../_inspect.ts";
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
import { SharedMutex } from "./shared_mutex.ts";

const STATE = FIRST;
const RUNNER = FIRST + 1;
const WORDS = FIRST + 2;
const MAGIC_VALUE = 0x64676f6e;
const NOT_RUN = 0;
const RUNNING = 1;
const DONE = 2;

/** What a worker needs to open a {@linkcode SharedOnce}. */
export interface SharedOnceHandle {
  /** Marks the object as a once's handle. */
  readonly kind: "SharedOnce";
  /** The once's words. */
  readonly buffer: SharedArrayBuffer;
}

/** Options for {@linkcode SharedOnce.do}. */
export interface SharedOnceOptions {
  /** Gives up waiting for another thread's run (not the caller's own). */
  signal?: AbortSignal;
}

/**
 * Runs a function once across all threads: Go's `sync.Once`.
 *
 * Memory model, as Go's `sync.Once`: the completion of the single call
 * of `f()` from `once.do(f)` synchronizes before the return of any call
 * of `once.do`, on any thread.
 *
 * @example Usage
 * ```ts
 * import { SharedOnce } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * const once = new SharedOnce();
 * let runs = 0;
 * await Promise.all([once.do(() => runs++), once.do(() => runs++)]);
 * assert.equal(runs, 1);
 * assert.equal(once.done, true);
 * ```
 */
export class SharedOnce {
  readonly #h: Int32Array;
  static #opening = new Opening<Int32Array>();

  static {
    defineInspect(SharedOnce, (once) => ({
      id: once.#h[ID],
      done: Atomics.load(once.#h, STATE) === DONE,
      running: Atomics.load(once.#h, STATE) === RUNNING,
    }));
  }

  /**
   * Makes a once that has not run.
   *
   * @example Usage
   * ```ts
   * import { SharedOnce } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedOnce().done, false);
   * ```
   */
  constructor() {
    this.#h = SharedOnce.#opening.take() ?? create(WORDS, MAGIC_VALUE);
  }

  /**
   * Opens a once from its handle, usually on another thread.
   *
   * @example Usage
   * ```ts
   * import { SharedOnce } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const once = new SharedOnce();
   * await once.do(() => {});
   * assert.equal(SharedOnce.from(once.handle).done, true);
   * ```
   *
   * @param handle A once's {@linkcode SharedOnce.handle}.
   * @returns The same once.
   * @throws {TypeError} If `handle` is not a once's handle.
   */
  static from(handle: SharedOnceHandle): SharedOnce {
    const h = open(handle, "SharedOnce", WORDS, MAGIC_VALUE);
    return SharedOnce.#opening.open(h, () => new SharedOnce());
  }

  /**
   * The structured-clonable handle, for `postMessage`.
   *
   * @example Usage
   * ```ts
   * import { SharedOnce } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new SharedOnce().handle.kind, "SharedOnce");
   * ```
   */
  get handle(): SharedOnceHandle {
    return { kind: "SharedOnce", buffer: this.#h.buffer as SharedArrayBuffer };
  }

  /**
   * Whether a run has finished, on any thread.
   *
   * @example Usage
   * ```ts
   * import { SharedOnce } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const once = new SharedOnce();
   * assert.equal(once.done, false);
   * await once.do(() => {});
   * assert.equal(once.done, true);
   * ```
   */
  get done(): boolean {
    return Atomics.load(this.#h, STATE) === DONE;
  }

  /**
   * Runs `fn` if no call on any thread has run it yet; otherwise waits until
   * the run that won has finished. Go's `once.Do(f)`. An async `fn` is
   * awaited before other callers are released.
   *
   * @example Usage
   * ```ts
   * import { SharedOnce } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const once = new SharedOnce();
   * await assert.rejects(once.do(() => { throw new Error("boom"); }), /boom/);
   * let ran = false;
   * await once.do(() => { ran = true; }); // done even though fn threw
   * assert.equal(ran, false);
   * ```
   *
   * @param fn The function; only the winning call's runs.
   * @param options A signal that gives up waiting for another thread's run.
   * @returns A promise that resolves once the run has finished; it rejects
   *   with `fn`'s error for the caller that ran it.
   */
  async do(fn: () => unknown, options?: SharedOnceOptions): Promise<void> {
    for (;;) {
      if (this.#claim()) {
        try {
          await fn();
        } finally {
          this.#finish();
        }
        return;
      }
      await waitUntil(
        this.#h,
        this.#notRunning,
        options?.signal,
        "sync.Once.Do",
      );
      if (this.done) return;
    }
  }

  /**
   * The blocking {@linkcode SharedOnce.do} for workers: `fn` must be
   * synchronous; a caller that loses blocks its thread until the run ends.
   *
   * @example Usage
   * ```ts
   * import { SharedOnce } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const once = new SharedOnce();
   * let runs = 0;
   * // On any thread; a worker that loses the race blocks until the run ends.
   * once.doSync(() => runs++);
   * SharedOnce.from(once.handle).doSync(() => runs++);
   * assert.equal(runs, 1);
   * ```
   *
   * @param fn The function; only the winning call's runs.
   * @throws {MainThreadWaitError} On the main thread, if it would wait.
   */
  doSync(fn: () => void): void {
    for (;;) {
      if (this.done) return;
      if (this.#claim()) {
        try {
          fn();
        } finally {
          this.#finish();
        }
        return;
      }
      waitUntilSync(this.#h, this.#notRunning, "SharedOnce.doSync()");
      if (this.done) return;
    }
  }

  /**
   * Lets the next caller run its `fn` if the thread running it is known to
   * be gone (see the module doc).
   *
   * @example Usage
   * ```ts
   * import { SharedMutex, SharedOnce } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * const once = new SharedOnce();
   * assert.equal(once.releaseAbandoned(SharedMutex.threadId), false);
   * ```
   *
   * @param deadThreadId The `SharedMutex.threadId` of the terminated thread.
   * @returns Whether that thread was running `fn` (the once is reset).
   */
  releaseAbandoned(deadThreadId: number): boolean {
    const h = this.#h;
    return guarded(h, () => {
      if (h[STATE] !== RUNNING || h[RUNNER] !== deadThreadId) return false;
      h[STATE] = NOT_RUN;
      h[RUNNER] = 0;
      wakeAllLocked(h);
      return true;
    });
  }

  #claim(): boolean {
    const h = this.#h;
    if (Atomics.load(h, STATE) === DONE) return false;
    return guarded(h, () => {
      if (h[STATE] !== NOT_RUN) return false;
      h[STATE] = RUNNING;
      h[RUNNER] = SharedMutex.threadId;
      return true;
    });
  }

  #finish(): void {
    const h = this.#h;
    guarded(h, () => {
      h[STATE] = DONE;
      wakeAllLocked(h);
    });
  }

  /** Under the lock: whether the run ended (or was handed back). */
  #notRunning = (): boolean => this.#h[STATE] !== RUNNING;
}
