// Copyright the denogo authors. MIT license.

/**
 * {@linkcode afterFunc}: Go's `context.AfterFunc`, a function run in its own
 * goroutine once a context is done.
 *
 * @module
 */

import { describe } from "../_describe.ts";
import { go } from "../scheduler.ts";
import type { Context } from "./context.ts";
import {
  type CancelCtx,
  checkParent,
  type Child,
  enter,
  leave,
  propagateCancel,
} from "./_tree.ts";

/** An `afterFunc` registration: Go's afterFuncCtx, without a context. */
class AfterFuncEntry implements Child {
  link: CancelCtx | (() => void) | null = null;
  /** 0: waiting, 1: fn started, 2: stopped. */
  state = 0;
  readonly fn: () => unknown;
  constructor(fn: () => unknown) {
    this.fn = fn;
  }
  parentDone(): void {
    this.link = null;
    if (this.state !== 0) return;
    this.state = 1;
    go(this.fn);
  }
  stop(): boolean {
    if (this.state !== 0) return false;
    this.state = 2;
    const link = this.link;
    this.link = null;
    if (typeof link === "function") link();
    else if (link !== null) link.children?.delete(this);
    return true;
  }
}

/**
 * Runs `fn` in its own goroutine once `ctx` is done: Go's
 * `context.AfterFunc`. If `ctx` is already done, `fn` starts at once (in a
 * new goroutine, so after `afterFunc` returns). Each call registers
 * independently; `fn` runs at most once.
 *
 * The returned `stop()` unregisters `fn`: it returns true if that kept `fn`
 * from running, false if `fn` has already started or `stop` was already
 * called. Call it when `fn` is no longer needed, so a long-lived `ctx` does
 * not hold it.
 *
 * As for any goroutine, an error thrown by `fn` is unhandled: it ends the
 * program, as a panic in Go's `AfterFunc` does.
 *
 * @example Closing a resource when the request is cancelled
 * ```ts
 * import { Channel } from "@denogo/go";
 * import { afterFunc, background, withCancel } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const [ctx, cancel] = withCancel(background());
 * const conn = new Channel<string>();
 * const stop = afterFunc(ctx, () => conn.close());
 * cancel();
 * assert.equal((await conn.receive()).ok, false); // closed by fn
 * assert.equal(stop(), false); // fn already ran
 * ```
 *
 * @param ctx The context to watch.
 * @param fn The function to run when `ctx` is done.
 * @returns `stop`, which unregisters `fn`.
 * @throws {TypeError} If `ctx` is not a Context or `fn` is not a function.
 */
export function afterFunc(ctx: Context, fn: () => unknown): () => boolean {
  const c = checkParent(ctx, "afterFunc");
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot afterFunc: fn must be a function, received ${describe(fn)}`,
    );
  }
  const entry = new AfterFuncEntry(fn);
  enter();
  try {
    propagateCancel(c, entry);
  } finally {
    leave();
  }
  return () => entry.stop();
}
