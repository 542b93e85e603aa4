// Copyright the denogo authors. MIT license.

/**
 * The bridge from `AbortSignal`s to contexts: {@linkcode withSignal} and
 * {@linkcode fromSignal} make a context from any signal (a `Request.signal`,
 * `AbortSignal.timeout()`). The other direction, a signal from a context,
 * is every context's `signal`.
 *
 * @module
 */

import { describe } from "../_describe.ts";
import type { ReceiveChannel } from "../channel.ts";
import {
  Canceled,
  type ContextError,
  DeadlineExceeded,
  DeadlineExceededError,
} from "./errors.ts";
import type { CancelFunc, Context } from "./context.ts";
import {
  BACKGROUND,
  CancelCtx,
  checkParent,
  contextName,
  deadlineOf,
  enter,
  leave,
  propagateCancel,
} from "./_tree.ts";

/** The error a context made from a signal reports for `reason`. */
function errorForReason(reason: unknown): ContextError {
  return reason instanceof DeadlineExceededError ||
      (reason instanceof DOMException && reason.name === "TimeoutError")
    ? DeadlineExceeded
    : Canceled;
}

/** A CancelCtx that an AbortSignal cancels too. */
class SignalCtx extends CancelCtx {
  readonly #source: AbortSignal;
  /** True for fromSignal(): only the source can cancel it. */
  readonly #sole: boolean;
  #listening = false;

  constructor(parent: Context, dl: number, source: AbortSignal, sole: boolean) {
    super(parent, dl);
    this.#source = source;
    this.#sole = sole;
  }

  listen(): void {
    if (this.error !== undefined) return;
    this.#source.addEventListener("abort", this.#onAbort, { once: true });
    this.#listening = true;
  }

  #onAbort = (): void => {
    this.#listening = false;
    const reason = this.#source.reason;
    this.cancel(true, errorForReason(reason), reason);
  };

  /** Other listeners of the source may run before ours: catch up. */
  #sync(): void {
    if (this.error === undefined && this.#source.aborted) this.#onAbort();
  }

  override done(): ReceiveChannel<void> {
    this.#sync();
    return super.done();
  }

  override err(): ContextError | undefined {
    this.#sync();
    return this.error;
  }

  override get signal(): AbortSignal {
    // Nothing but the source cancels a fromSignal() context, and with the
    // same reason: its signal is the source.
    if (this.#sole) return this.#source;
    this.#sync();
    return super.signal;
  }

  protected override stopped(): void {
    if (this.#listening) {
      this.#listening = false;
      this.#source.removeEventListener("abort", this.#onAbort);
    }
  }

  override toString(): string {
    return `${contextName(this.parent)}.WithSignal`;
  }
}

function checkSignal(signal: unknown, what: string): AbortSignal {
  if (signal instanceof AbortSignal) return signal;
  throw new TypeError(
    `Cannot ${what}: expected an AbortSignal, received ${describe(signal)}`,
  );
}

function newSignalCtx(
  parent: Context,
  signal: AbortSignal,
  sole: boolean,
): SignalCtx {
  const c = new SignalCtx(parent, deadlineOf(parent), signal, sole);
  enter();
  try {
    propagateCancel(parent, c);
    if (c.error === undefined) {
      if (signal.aborted) {
        c.cancel(true, errorForReason(signal.reason), signal.reason);
      } else {
        c.listen();
      }
    }
  } finally {
    leave();
  }
  return c;
}

/**
 * Derives a context that is also cancelled when `signal` aborts: the
 * bridge from web APIs (a `Request.signal`, `AbortSignal.timeout()`, a
 * button's controller) to contexts. Like {@linkcode withCancel}, it is
 * cancelled too by `cancel()` and when `parent` is done.
 *
 * When the signal aborts, `cause(ctx)` is the signal's reason and
 * `ctx.err()` is {@linkcode DeadlineExceeded} if that reason is a
 * `TimeoutError` (as from `AbortSignal.timeout()`) or `DeadlineExceeded`
 * itself, {@linkcode Canceled} otherwise. `cancel()` removes the listener
 * the context put on `signal`.
 *
 * @example Usage
 * ```ts
 * import { background, Canceled, cause, withSignal } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const controller = new AbortController();
 * const [ctx, cancel] = withSignal(background(), controller.signal);
 * controller.abort("user left");
 * assert.equal(ctx.err(), Canceled);
 * assert.equal(cause(ctx), "user left");
 * cancel();
 * ```
 *
 * @param parent The context to derive from.
 * @param signal The signal that cancels the new context when it aborts.
 * @returns The new context and the function that cancels it.
 * @throws {TypeError} If `parent` is not a Context or `signal` is not an
 *   AbortSignal.
 */
export function withSignal(
  parent: Context,
  signal: AbortSignal,
): [ctx: Context, cancel: CancelFunc] {
  const p = checkParent(parent, "withSignal");
  const c = newSignalCtx(p, checkSignal(signal, "withSignal"), false);
  return [c, () => c.cancel(true, Canceled, undefined)];
}

/**
 * Makes a root context that is done when `signal` aborts, and only then:
 * `withSignal(background(), signal)` without a cancel function, for the
 * common case of a handler given a `Request.signal`. Its `signal` is
 * `signal` itself. Errors and cause follow {@linkcode withSignal}. To also
 * cancel it yourself, or to tie it to a parent, use `withSignal`.
 *
 * With `Deno.serve`, `fromSignal(req.signal)` is Go's `r.Context()`: it is
 * cancelled when the client goes away and, by default, also once the
 * handler's response is sent (Deno may print a note about this "legacy"
 * behaviour the first time `req.signal` is used).
 *
 * @example A context for each request of a server
 * ```ts
 * import { DeadlineExceeded, fromSignal } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const ctx = fromSignal(AbortSignal.abort(new DOMException("slow", "TimeoutError")));
 * assert.equal(ctx.err(), DeadlineExceeded);
 *
 * // In a Deno.serve handler: (req) => handle(fromSignal(req.signal), req)
 * const controller = new AbortController();
 * const live = fromSignal(controller.signal);
 * assert.equal(live.signal, controller.signal);
 * ```
 *
 * @param signal The signal whose abort cancels the context.
 * @returns The new context.
 * @throws {TypeError} If `signal` is not an AbortSignal.
 */
export function fromSignal(signal: AbortSignal): Context {
  return newSignalCtx(BACKGROUND, checkSignal(signal, "fromSignal"), true);
}
