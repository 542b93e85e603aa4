// Copyright the denogo authors. MIT license.

/**
 * The errors a context reports once it is done: Go's `context.Canceled`
 * and `context.DeadlineExceeded`, singletons compared with `===`.
 *
 * @module
 */

/**
 * The class of {@linkcode Canceled}, the error a context reports once it
 * was cancelled: Go's `context.Canceled`. There is one instance; compare
 * with `ctx.err() === Canceled` (Go's `errors.Is(err, context.Canceled)`)
 * or `err instanceof CanceledError`.
 *
 * @example Usage
 * ```ts
 * import { background, Canceled, CanceledError, withCancel } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const [ctx, cancel] = withCancel(background());
 * cancel();
 * assert.equal(ctx.err(), Canceled);
 * assert(ctx.err() instanceof CanceledError);
 * assert.equal(Canceled.message, "context canceled");
 * ```
 */
export class CanceledError extends Error {
  /**
   * Creates the error. Use the {@linkcode Canceled} singleton instead:
   * contexts report it, and `===` compares against it.
   */
  constructor() {
    super("context canceled");
    this.name = "CanceledError";
  }
}

/**
 * The class of {@linkcode DeadlineExceeded}, the error a context reports
 * once its deadline passed: Go's `context.DeadlineExceeded`. There is one
 * instance. It is not a {@linkcode CanceledError}: the two tell "someone
 * cancelled" from "time ran out".
 *
 * @example Usage
 * ```ts
 * import { background, DeadlineExceeded, DeadlineExceededError, withTimeout } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const [ctx, cancel] = withTimeout(background(), -1); // already expired
 * assert.equal(ctx.err(), DeadlineExceeded);
 * assert(ctx.err() instanceof DeadlineExceededError);
 * assert.equal(DeadlineExceeded.timeout(), true);
 * cancel();
 * ```
 */
export class DeadlineExceededError extends Error {
  /**
   * Creates the error. Use the {@linkcode DeadlineExceeded} singleton
   * instead: contexts report it, and `===` compares against it.
   */
  constructor() {
    super("context deadline exceeded");
    this.name = "DeadlineExceededError";
  }

  /**
   * Always true: the error is a timeout, as Go's `DeadlineExceeded`
   * implements `net.Error`'s `Timeout() bool`.
   *
   * @example Usage
   * ```ts
   * import { DeadlineExceeded } from "@denogo/go/context";
   * import assert from "node:assert/strict";
   *
   * assert.equal(DeadlineExceeded.timeout(), true);
   * ```
   *
   * @returns `true`.
   */
  timeout(): boolean {
    return true;
  }

  /**
   * Always true, as Go's `DeadlineExceeded.Temporary()`.
   *
   * @example Usage
   * ```ts
   * import { DeadlineExceeded } from "@denogo/go/context";
   * import assert from "node:assert/strict";
   *
   * assert.equal(DeadlineExceeded.temporary(), true);
   * ```
   *
   * @returns `true`.
   */
  temporary(): boolean {
    return true;
  }
}

/**
 * The error {@linkcode Context.err} returns once a context was cancelled by
 * its cancel function, or by its parent's: Go's `context.Canceled`. A
 * singleton: test it with `===`.
 *
 * @example Usage
 * ```ts
 * import { background, Canceled, withCancel } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const [ctx, cancel] = withCancel(background());
 * cancel();
 * assert.equal(ctx.err(), Canceled);
 * ```
 */
export const Canceled: CanceledError = new CanceledError();

/**
 * The error {@linkcode Context.err} returns once a context's deadline
 * passed: Go's `context.DeadlineExceeded`. A singleton: test it with `===`.
 *
 * @example Usage
 * ```ts
 * import { background, DeadlineExceeded, withTimeout } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const [ctx, cancel] = withTimeout(background(), 1);
 * await ctx.done().receive();
 * assert.equal(ctx.err(), DeadlineExceeded);
 * cancel();
 * ```
 */
export const DeadlineExceeded: DeadlineExceededError =
  new DeadlineExceededError();

/** What {@linkcode Context.err} returns once a context is done. */
export type ContextError = CanceledError | DeadlineExceededError;
