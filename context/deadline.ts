// Copyright the denogo authors. MIT license.

/**
 * Contexts with a deadline: Go's `context.WithDeadline`,
 * `context.WithTimeout` and their `...Cause` forms: each deadline is an
 * entry in the shared timer heap, taken out as soon as the context is done.
 *
 * @module
 */

import { describe } from "../_describe.ts";
import {
  addTimer,
  type HeapTimer,
  heapTimers,
  removeTimer,
} from "../_timer_heap.ts";
import { Canceled, DeadlineExceeded } from "./errors.ts";
import type { CancelFunc, Context } from "./context.ts";
import {
  CancelCtx,
  checkParent,
  contextName,
  deadlineOf,
  enter,
  leave,
  newCancelCtx,
  propagateCancel,
} from "./_tree.ts";
import { contextInternals } from "./_internals.ts";

/**
 * Go's timerCtx: a CancelCtx that cancels itself at a deadline. The
 * deadline is an entry in the shared timer heap (`_timer_heap.ts`), not a
 * JS timer of its own; being done takes it out.
 */
class TimerCtx extends CancelCtx implements HeapTimer {
  readonly #deadlineCause: unknown;
  heapIndex = -1;
  heapSeq = 0;

  constructor(parent: Context, dl: number, cause: unknown) {
    super(parent, dl);
    this.#deadlineCause = cause;
  }

  get at(): number {
    return this.dl;
  }

  expire(): void {
    this.cancel(true, DeadlineExceeded, this.#deadlineCause);
  }

  protected override stopped(): void {
    removeTimer(this);
  }

  override toString(): string {
    const date = new Date(this.dl);
    const left = this.dl - Date.now();
    return `${contextName(this.parent)}.WithDeadline(${
      isNaN(date.getTime()) ? String(this.dl) : date.toISOString()
    } [${left}ms])`;
  }
}

function toEpochMs(deadline: unknown, what: string): number {
  let ms: number;
  if (deadline instanceof Date) ms = deadline.getTime();
  else if (typeof deadline === "number") ms = deadline;
  else {
    throw new TypeError(
      `Cannot ${what}: deadline must be a Date or epoch milliseconds, received ${
        describe(deadline)
      }`,
    );
  }
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    throw new RangeError(
      `Cannot ${what}: deadline must be a valid date, received ${
        deadline instanceof Date ? "Invalid Date" : String(ms)
      }`,
    );
  }
  return ms;
}

function checkTimeout(ms: unknown, what: string): number {
  if (typeof ms !== "number") {
    throw new TypeError(
      `Cannot ${what}: timeout must be a number of milliseconds, received ${
        describe(ms)
      }`,
    );
  }
  if (!Number.isFinite(ms)) {
    throw new RangeError(
      `Cannot ${what}: timeout must be a finite number of milliseconds, received ${ms}`,
    );
  }
  return ms;
}

function deadlineCtx(
  parent: Context,
  dl: number,
  why: unknown,
): [ctx: Context, cancel: CancelFunc] {
  if (deadlineOf(parent) <= dl) {
    // The parent's deadline comes first: this one would never fire.
    const c = newCancelCtx(parent);
    return [c, () => c.cancel(true, Canceled, undefined)];
  }
  const c = new TimerCtx(parent, dl, why);
  enter();
  try {
    propagateCancel(parent, c);
    if (c.error === undefined) {
      if (dl <= Date.now()) c.expire(); // Already past: done at once.
      else addTimer(c);
    }
  } finally {
    leave();
  }
  return [c, () => c.cancel(true, Canceled, undefined)];
}

/**
 * Derives a context that is done at `deadline` at the latest: Go's
 * `context.WithDeadline`. When the deadline passes, `err()` becomes
 * {@linkcode DeadlineExceeded}; `cancel()` before that makes it
 * {@linkcode Canceled}.
 *
 * - A deadline in the past (or now) gives a context that is already done.
 * - If the parent's deadline is earlier, the new context just follows the
 *   parent (its `deadline()` is the parent's).
 * - The deadline keeps the process alive until it passes or `cancel()`
 *   runs (all pending deadlines share one JS timer); call `cancel()` as
 *   soon as the work is done.
 *
 * @example Usage
 * ```ts
 * import { background, DeadlineExceeded, withDeadline } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const at = new Date(Date.now() + 5);
 * const [ctx, cancel] = withDeadline(background(), at);
 * try {
 *   assert.equal(ctx.deadline()?.getTime(), at.getTime());
 *   await ctx.done().receive();
 *   assert.equal(ctx.err(), DeadlineExceeded);
 * } finally {
 *   cancel();
 * }
 * ```
 *
 * @param parent The context to derive from.
 * @param deadline A `Date`, or epoch milliseconds as from `Date.now()`.
 * @returns The new context and the function that cancels it.
 * @throws {TypeError} If `parent` is not a Context, or `deadline` is
 *   neither a Date nor a number.
 * @throws {RangeError} If `deadline` is an invalid Date, NaN or infinite.
 */
export function withDeadline(
  parent: Context,
  deadline: Date | number,
): [ctx: Context, cancel: CancelFunc] {
  const p = checkParent(parent, "withDeadline");
  return deadlineCtx(p, toEpochMs(deadline, "withDeadline"), undefined);
}

/**
 * Like {@linkcode withDeadline}, but when the deadline passes,
 * {@linkcode cause}`(ctx)` (and `ctx.signal.reason`) is `cause` instead of
 * {@linkcode DeadlineExceeded}: Go's `context.WithDeadlineCause`. The
 * returned cancel function does not set a cause.
 *
 * @example Usage
 * ```ts
 * import { background, cause, DeadlineExceeded, withDeadlineCause } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const tooSlow = new Error("backend too slow");
 * const [ctx, cancel] = withDeadlineCause(background(), Date.now() - 1, tooSlow);
 * assert.equal(ctx.err(), DeadlineExceeded);
 * assert.equal(cause(ctx), tooSlow);
 * cancel();
 * ```
 *
 * @param parent The context to derive from.
 * @param deadline A `Date`, or epoch milliseconds.
 * @param cause What {@linkcode cause} reports if the deadline passes.
 * @returns The new context and the function that cancels it.
 * @throws {TypeError} If `parent` is not a Context, or `deadline` is
 *   neither a Date nor a number.
 * @throws {RangeError} If `deadline` is an invalid Date, NaN or infinite.
 */
export function withDeadlineCause(
  parent: Context,
  deadline: Date | number,
  cause: unknown,
): [ctx: Context, cancel: CancelFunc] {
  const p = checkParent(parent, "withDeadlineCause");
  return deadlineCtx(p, toEpochMs(deadline, "withDeadlineCause"), cause);
}

/**
 * Derives a context that is done after `ms` milliseconds at the latest:
 * Go's `context.WithTimeout`, which is `withDeadline(parent, Date.now() +
 * ms)`. A zero or negative timeout gives a context already done with
 * {@linkcode DeadlineExceeded}, as in Go.
 *
 * @example A request with a time limit
 * ```ts
 * import { after, recv, select } from "@denogo/go";
 * import { background, DeadlineExceeded, withTimeout } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const [ctx, cancel] = withTimeout(background(), 5);
 * try {
 *   const result = await select([
 *     recv(after(60_000), () => "slow answer"),
 *     recv(ctx.done(), () => ctx.err()),
 *   ]);
 *   assert.equal(result, DeadlineExceeded);
 * } finally {
 *   cancel();
 * }
 * ```
 *
 * @param parent The context to derive from.
 * @param ms The time limit in milliseconds.
 * @returns The new context and the function that cancels it.
 * @throws {TypeError} If `parent` is not a Context, or `ms` is not a number.
 * @throws {RangeError} If `ms` is NaN or infinite.
 */
export function withTimeout(
  parent: Context,
  ms: number,
): [ctx: Context, cancel: CancelFunc] {
  const p = checkParent(parent, "withTimeout");
  return deadlineCtx(
    p,
    Date.now() + checkTimeout(ms, "withTimeout"),
    undefined,
  );
}

/**
 * Like {@linkcode withTimeout}, but when the time is up,
 * {@linkcode cause}`(ctx)` is `cause`: Go's `context.WithTimeoutCause`.
 *
 * @example Usage
 * ```ts
 * import { background, cause, DeadlineExceeded, withTimeoutCause } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const slow = new Error("lookup took over 1 ms");
 * const [ctx, cancel] = withTimeoutCause(background(), 1, slow);
 * await ctx.done().receive();
 * assert.equal(ctx.err(), DeadlineExceeded);
 * assert.equal(cause(ctx), slow);
 * cancel();
 * ```
 *
 * @param parent The context to derive from.
 * @param ms The time limit in milliseconds.
 * @param cause What {@linkcode cause} reports if the time runs out.
 * @returns The new context and the function that cancels it.
 * @throws {TypeError} If `parent` is not a Context, or `ms` is not a number.
 * @throws {RangeError} If `ms` is NaN or infinite.
 */
export function withTimeoutCause(
  parent: Context,
  ms: number,
  cause: unknown,
): [ctx: Context, cancel: CancelFunc] {
  const p = checkParent(parent, "withTimeoutCause");
  return deadlineCtx(
    p,
    Date.now() + checkTimeout(ms, "withTimeoutCause"),
    cause,
  );
}

// Test hooks. ----------------------------------------------------------------

contextInternals.armedTimers = heapTimers;
