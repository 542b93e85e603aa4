// Copyright the denogo authors. MIT license.

/**
 * A group of goroutines working on subtasks of one task:
 * `golang.org/x/sync/errgroup`.
 *
 * @module
 */

import { go } from "../scheduler.ts";
import { describe } from "../_describe.ts";
import type { CancelCauseFunc, Context } from "../context/context.ts";
import { withCancelCause } from "../context/cancel.ts";
import { checkParent } from "../context/_tree.ts";
import { SyncError } from "./errors.ts";
import {
  checkFunction,
  checkInteger,
  checkSignal,
  RESOLVED,
  wait,
  WaitList,
} from "./_sema.ts";

/** Options for the {@linkcode ErrGroup} constructor. */
export interface ErrGroupOptions {
  /**
   * A parent signal: when it aborts, `group.signal` aborts with the same
   * reason. (Go's `errgroup.WithContext(ctx)`; pass `ctx.signal`.)
   */
  signal?: AbortSignal;
}

/**
 * A collection of goroutines working on subtasks of a common task, with
 * the first error and optional cancellation: Go's `errgroup.Group`.
 *
 * - `go(fn)` runs `fn` in a new goroutine; a throw or rejection is its
 *   error (its return value is ignored).
 * - `wait()` waits for every goroutine started by `go`/`tryGo`, then
 *   resolves, or rejects with the first error, as Go's `Wait` returns it.
 *   A goroutine's error never becomes an unhandled rejection: the group
 *   handles it.
 * - `signal` is an `AbortSignal` that aborts, with the error as its
 *   reason, the first time a goroutine fails, and also when `wait()`
 *   returns or the parent signal (if any) aborts. Hand it to `fetch`,
 *   streams or channel operations so siblings stop once one fails.
 * - {@linkcode ErrGroup.withContext} is Go's `errgroup.WithContext`: it
 *   returns `[group, ctx]`, a context cancelled (with the error as its
 *   cause) on the first failure or when `wait()` returns.
 * - `setLimit(n)` bounds the goroutines running at once; `go` then waits
 *   for a free slot (so await it), and `tryGo` reports whether it
 *   started one.
 *
 * @example Fetch-style fan-out that stops at the first failure
 * ```ts
 * import { ErrGroup } from "@denogo/go/sync";
 * import { Channel } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const group = ErrGroup.withSignal();
 * const never = new Channel<void>();
 * group.go(async () => {
 *   // Blocks until a sibling fails: the group's signal cancels it.
 *   await never.receive({ signal: group.signal });
 * });
 * group.go(() => {
 *   throw new Error("subtask failed");
 * });
 * await assert.rejects(group.wait(), /subtask failed/);
 * assert.equal(group.signal.aborted, true);
 * ```
 *
 * @example Bounded parallelism
 * ```ts
 * import { ErrGroup } from "@denogo/go/sync";
 * import { Channel } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const group = new ErrGroup();
 * group.setLimit(2);
 * let running = 0, peak = 0;
 * const release = new Channel<void>();
 * for (let i = 0; i < 5; i++) {
 *   group.go(async () => {
 *     peak = Math.max(peak, ++running);
 *     await release.receive();
 *     running--;
 *   });
 * }
 * for (let i = 0; i < 5; i++) await release.send();
 * await group.wait();
 * assert.equal(peak, 2);
 * ```
 */
export class ErrGroup {
  /** Goroutines started and not finished: Go's `wg` counter. */
  #active = 0;
  #limit = Infinity;
  /** `go()` calls waiting for a slot, each carrying its function. */
  readonly #pending = new WaitList(this);
  /** `wait()` calls. */
  readonly #waiters = new WaitList(this);
  #failed = false;
  #error: unknown = undefined;
  #waited = false;
  readonly #parent: AbortSignal | undefined;
  #controller: AbortController | undefined;
  #signal: AbortSignal | undefined;
  /** The cancel function of the context from `withContext`, if any. */
  #cancel: CancelCauseFunc | undefined;

  /**
   * Creates an empty group: Go's zero `errgroup.Group`, or, with a parent
   * signal, `errgroup.WithContext`.
   *
   * @param options A parent signal for `group.signal`.
   */
  constructor(options?: ErrGroupOptions) {
    this.#parent = checkSignal(options, "create ErrGroup");
  }

  /**
   * Creates a group whose {@linkcode ErrGroup.signal} aborts on the first
   * error, when `wait()` returns, or when `parent` aborts: Go's
   * `errgroup.WithContext`.
   *
   * @example Usage
   * ```ts
   * import { ErrGroup } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const parent = new AbortController();
   * const group = ErrGroup.withSignal(parent.signal);
   * parent.abort(new Error("shutting down"));
   * assert.equal(group.signal.aborted, true);
   * assert.match(String(group.signal.reason), /shutting down/);
   * ```
   *
   * @param parent The parent signal, if any.
   * @returns The new group, its signal already created.
   */
  static withSignal(parent?: AbortSignal): ErrGroup {
    if (parent !== undefined && !(parent instanceof AbortSignal)) {
      throw new TypeError(
        "Cannot create ErrGroup.withSignal(): parent must be an AbortSignal, " +
          `received ${describe(parent)}`,
      );
    }
    const group = new ErrGroup({ signal: parent });
    group.signal;
    return group;
  }

  /**
   * Creates a group and a context derived from `ctx` that is cancelled the
   * first time a goroutine of the group fails or `wait()` first returns,
   * whichever comes first: Go's `g, ctx := errgroup.WithContext(ctx)`.
   * When a goroutine fails, `cause(ctx)` (and `ctx.signal.reason`) is its
   * error; when `wait()` returns first, it is `Canceled`. `ctx.err()` is
   * `Canceled` either way (or the parent's error, if the parent ends
   * first). Pass the context to the goroutines so they stop once a
   * sibling fails.
   *
   * @example Usage
   * ```ts
   * import { ErrGroup } from "@denogo/go/sync";
   * import { background, Canceled, cause } from "@denogo/go/context";
   * import assert from "node:assert/strict";
   *
   * const [group, ctx] = ErrGroup.withContext(background());
   * const boom = new Error("subtask failed");
   * group.go(async () => {
   *   await ctx.done().receive(); // Stops when a sibling fails.
   * });
   * group.go(() => {
   *   throw boom;
   * });
   * await assert.rejects(group.wait(), (e) => e === boom);
   * assert.equal(ctx.err(), Canceled);
   * assert.equal(cause(ctx), boom);
   * ```
   *
   * @param ctx The parent context.
   * @returns The new group and its derived context, as Go's
   *   `(group, ctx)` pair.
   * @throws {TypeError} If `ctx` is not a Context.
   */
  static withContext(ctx: Context): [group: ErrGroup, ctx: Context] {
    const [derived, cancel] = withCancelCause(
      checkParent(ctx, "create ErrGroup.withContext()"),
    );
    const group = new ErrGroup();
    group.#cancel = cancel;
    return [group, derived];
  }

  /**
   * A signal that aborts the first time a goroutine of the group fails
   * (reason: that error), when `wait()` first returns (reason: an
   * `AbortError`), or when the parent signal aborts (its reason). Created
   * on first use; if the group has already failed or been waited for, it
   * is created aborted.
   *
   * @example Usage
   * ```ts
   * import { ErrGroup } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const group = new ErrGroup();
   * const { signal } = group;
   * assert.equal(signal.aborted, false);
   * await group.wait();
   * assert.equal(signal.aborted, true);
   * ```
   *
   * @returns The group's AbortSignal.
   */
  get signal(): AbortSignal {
    if (this.#signal === undefined) {
      const controller = this.#controller = new AbortController();
      if (this.#failed) controller.abort(this.#error);
      else if (this.#waited) controller.abort();
      this.#signal = this.#parent === undefined
        ? controller.signal
        : AbortSignal.any([this.#parent, controller.signal]);
    }
    return this.#signal;
  }

  /**
   * Limits the number of goroutines of the group running at once to `n`;
   * a negative `n` (or `Infinity`) removes the limit. A limit of 0 lets no
   * goroutine start.
   *
   * @example Usage
   * ```ts
   * import { ErrGroup } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const group = new ErrGroup();
   * group.setLimit(1);
   * assert.equal(group.tryGo(() => {}), true);
   * assert.equal(group.tryGo(() => {}), false); // The one slot is taken.
   * await group.wait();
   * ```
   *
   * @param n The limit: an integer, or `Infinity`.
   * @throws {RangeError} If `n` is NaN or fractional.
   * @throws {SyncError} If goroutines of the group are running (Go
   * panics: "modify limit while goroutines in the group are still
   * active").
   */
  setLimit(n: number): void {
    if (n !== Infinity) checkInteger(n, "set ErrGroup limit", "n");
    if (this.#active !== 0) {
      throw new SyncError(
        `Cannot set ErrGroup limit while ${this.#active} goroutines of the ` +
          "group are still active; call setLimit() before go(), or after " +
          "wait()",
      );
    }
    this.#limit = n < 0 ? Infinity : n;
  }

  /**
   * Runs `fn` in a new goroutine of the group. Without a limit (or below
   * it) it starts at once and the promise returned is already resolved;
   * at the limit, the call waits for a running goroutine to finish, so
   * `await` it when a limit is set (Go's `Go` blocks).
   *
   * @example Usage
   * ```ts
   * import { ErrGroup } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const group = new ErrGroup();
   * const sizes: number[] = [];
   * for (const word of ["go", "deno"]) group.go(() => { sizes.push(word.length); });
   * await group.wait();
   * assert.deepEqual(sizes.sort(), [2, 4]);
   * ```
   *
   * @param fn The subtask; a throw or rejection is its error.
   * @returns A promise that resolves once `fn` has started. It rejects
   * with `SyncError` if the limit is 0, or with `DeadlockError`.
   * @throws {TypeError} If `fn` is not a function.
   */
  go(fn: () => unknown): Promise<void> {
    try {
      checkFunction(fn, "start goroutine with ErrGroup.go()");
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#active < this.#limit) {
      this.#start(fn);
      return RESOLVED;
    }
    if (this.#limit === 0) {
      return Promise.reject(
        new SyncError(
          "Cannot start a goroutine in an ErrGroup whose limit is 0: it " +
            "would wait forever; set a positive limit",
        ),
      );
    }
    return wait(this.#pending, "errgroup.Group.Go", undefined, null, 0, fn);
  }

  /**
   * Runs `fn` in a new goroutine of the group only if that does not exceed
   * the limit: Go's `TryGo`.
   *
   * @example Usage
   * ```ts
   * import { ErrGroup } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const group = new ErrGroup();
   * group.setLimit(1);
   * assert.equal(group.tryGo(async () => {}), true);
   * assert.equal(group.tryGo(async () => {}), false);
   * await group.wait();
   * assert.equal(group.tryGo(async () => {}), true);
   * await group.wait();
   * ```
   *
   * @param fn The subtask; a throw or rejection is its error.
   * @returns Whether the goroutine was started.
   * @throws {TypeError} If `fn` is not a function.
   */
  tryGo(fn: () => unknown): boolean {
    checkFunction(fn, "start goroutine with ErrGroup.tryGo()");
    if (this.#active >= this.#limit) return false;
    this.#start(fn);
    return true;
  }

  /**
   * Waits for every goroutine started by `go` and `tryGo` to finish, then
   * aborts the group's signal and resolves, or rejects with the first
   * error any of them threw. Later calls settle the same way.
   *
   * @example Usage
   * ```ts
   * import { ErrGroup } from "@denogo/go/sync";
   * import assert from "node:assert/strict";
   *
   * const group = new ErrGroup();
   * group.go(async () => { throw new Error("first"); });
   * await assert.rejects(group.wait(), /first/);
   * ```
   *
   * @returns A promise that resolves when the group is idle without an
   * error, and rejects with the first error otherwise (or with
   * `DeadlockError`).
   */
  wait(): Promise<void> {
    if (this.#active === 0) return this.#result();
    return wait(this.#waiters, "sync.WaitGroup.Wait", undefined).then(() =>
      this.#result()
    );
  }

  #result(): Promise<void> {
    if (!this.#waited) {
      this.#waited = true;
      this.#controller?.abort();
      this.#cancel?.(this.#failed ? this.#error : undefined);
    }
    return this.#failed ? Promise.reject(this.#error) : RESOLVED;
  }

  #start(fn: () => unknown): void {
    this.#active++;
    go(() => this.#run(fn));
  }

  async #run(fn: () => unknown): Promise<void> {
    try {
      await fn();
    } catch (error) {
      if (!this.#failed) {
        this.#failed = true;
        this.#error = error;
        this.#controller?.abort(error);
        this.#cancel?.(error);
      }
    }
    // A waiting go() takes over this goroutine's slot.
    const next = this.#pending.shift();
    if (next !== null) {
      this.#active--;
      this.#start(next.task!);
      next.wake();
      return;
    }
    if (--this.#active === 0) this.#waiters.wakeAll();
  }
}
