// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The nodes of a context tree and the cancel tree that links them: Go's
 * `emptyCtx`, `cancelCtx`, `valueCtx` and `withoutCancelCtx`, with
 * `propagateCancel`. `deadline.ts` (timerCtx) and `signal.ts` (signal
 * contexts) extend {@linkcode CancelCtx}.
 *
 * @module
 */

import { describe } from "../_describe.ts";
import { Channel, type ReceiveChannel } from "../channel.ts";
import { Canceled, type ContextError } from "./errors.ts";
import { ContextKey } from "./key.ts";
import type { Context } from "./context.ts";
import { contextInternals } from "./_internals.ts";

/**
 * The layout, as in Go:
 *
 * - {@linkcode EmptyCtx}: `background()` and `todo()`, never done.
 * - {@linkcode CancelCtx}: a node that can be cancelled. It registers in the
 *   `children` set of the nearest cancelable ancestor (skipping value
 *   nodes), so that ancestor's cancellation reaches it synchronously, and it
 *   removes itself from that set when it is cancelled first. Subclasses add
 *   a timer (`TimerCtx`, in `deadline.ts`) or an AbortSignal source
 *   (`SignalCtx`, in `signal.ts`).
 * - {@linkcode ValueCtx}: one key and value; everything else comes from the
 *   nearest non-value ancestor (`base`), so `err()` on a deep chain of
 *   values costs one hop.
 * - {@linkcode WithoutCancelCtx}: values from the parent, nothing else.
 *
 * Invariants of a CancelCtx: `error` is set once and never cleared; once it
 * is set `children` is null and the node is in no parent's set (or its
 * parent is cancelled too); its done channel and AbortController exist only
 * if someone asked for them, and are closed / aborted when `error` is set.
 */
export abstract class Ctx implements Context {
  abstract done(): ReceiveChannel<void>;
  abstract err(): ContextError | undefined;
  abstract deadline(): Date | undefined;
  abstract get signal(): AbortSignal;
  abstract toString(): string;

  value<T>(key: ContextKey<T>): T | undefined;
  value(key: unknown): unknown;
  value(key: unknown): unknown {
    return lookup(this, key);
  }
}

/** The key under which a context reports its nearest CancelCtx (Go's cancelCtxKey). */
export const CANCEL_KEY: unique symbol = Symbol("denogo.context.cancel");

/** A done channel that never closes: Go's nil `Done()`. */
export const NEVER_DONE: Channel<void> = new Channel<void>();
/** The done channel of a context cancelled before anyone asked for one. */
export const CLOSED_DONE: Channel<void> = new Channel<void>();
CLOSED_DONE.close();
/** The signal of contexts that are never done. */
export const NEVER_SIGNAL: AbortSignal = new AbortController().signal;

/** A context that is never cancelled and has no deadline. */
export abstract class NeverDoneCtx extends Ctx {
  done(): ReceiveChannel<void> {
    return NEVER_DONE;
  }
  err(): undefined {
    return undefined;
  }
  deadline(): undefined {
    return undefined;
  }
  get signal(): AbortSignal {
    return NEVER_SIGNAL;
  }
}

export class EmptyCtx extends NeverDoneCtx {
  readonly #name: string;
  constructor(name: string) {
    super();
    this.#name = name;
  }
  toString(): string {
    return this.#name;
  }
}

export const BACKGROUND = new EmptyCtx("context.Background");
export const TODO = new EmptyCtx("context.TODO");

/** Something a CancelCtx cancels when it is cancelled. */
export interface Child {
  /** Where the child is registered: a CancelCtx, or a listener remover. */
  link: CancelCtx | (() => void) | null;
  /** Cancels the child because its parent is done; not re-entrant. */
  parentDone(err: ContextError, cause: unknown): void;
}

// Cancellation runs in two phases: every context of the subtree is marked
// done (err set, done channel closed, timer stopped), then the
// AbortControllers that exist are aborted, in the same order. Abort
// listeners are the only user code that runs synchronously during a
// cancel; this way they see the whole subtree done. A cancel started by a
// listener queues its aborts behind the current ones.
let cancelDepth = 0;
let flushing = false;
const pendingAborts: CancelCtx[] = [];

function flushAborts(): void {
  if (flushing) return;
  flushing = true;
  try {
    for (let i = 0; i < pendingAborts.length; i++) {
      const c = pendingAborts[i];
      c.controller!.abort(c.cause);
    }
  } finally {
    pendingAborts.length = 0;
    flushing = false;
  }
}

/** Opens a cancel section: aborts wait until the outermost one closes. */
export function enter(): void {
  cancelDepth++;
}

/** Closes a cancel section; the outermost one aborts the pending signals. */
export function leave(): void {
  if (--cancelDepth === 0 && pendingAborts.length > 0) flushAborts();
}

export class CancelCtx extends Ctx implements Child {
  readonly parent: Context;
  /** The deadline inherited from the parent: epoch ms, Infinity if none. */
  readonly dl: number;
  error: ContextError | undefined = undefined;
  cause: unknown = undefined;
  children: Set<Child> | null = null;
  link: CancelCtx | (() => void) | null = null;
  doneChannel: Channel<void> | null = null;
  controller: AbortController | null = null;
  #signal: AbortSignal | null = null;

  constructor(parent: Context, dl: number) {
    super();
    this.parent = parent;
    this.dl = dl;
  }

  done(): ReceiveChannel<void> {
    let ch = this.doneChannel;
    if (ch === null) {
      ch = this.doneChannel = this.error === undefined
        ? new Channel<void>()
        : CLOSED_DONE;
    }
    return ch;
  }

  err(): ContextError | undefined {
    return this.error;
  }

  deadline(): Date | undefined {
    return this.dl === Infinity ? undefined : new Date(this.dl);
  }

  get signal(): AbortSignal {
    let s = this.#signal;
    if (s === null) {
      if (this.error === undefined) {
        this.controller = new AbortController();
        s = this.controller.signal;
      } else {
        s = AbortSignal.abort(this.cause);
      }
      this.#signal = s;
    }
    return s;
  }

  toString(): string {
    return `${contextName(this.parent)}.WithCancel`;
  }

  /**
   * Cancels this context and its subtree (Go's `cancelCtx.cancel`). With
   * `removeFromParent` it also leaves its parent's children set.
   */
  cancel(removeFromParent: boolean, err: ContextError, cause: unknown): void {
    if (this.error !== undefined) return;
    enter();
    try {
      this.parentDone(err, cause);
      if (removeFromParent) this.unlink();
    } finally {
      leave();
    }
  }

  /** Marks this context and every descendant done, iteratively. */
  parentDone(err: ContextError, cause: unknown): void {
    this.#mark(err, cause);
    let kids = this.children;
    if (kids === null) return;
    this.children = null;
    // Depth-first, parents before children, without recursion: a chain of
    // 100,000 contexts must not overflow the stack.
    const stack: Set<Child>[] = [];
    for (;;) {
      for (const child of kids) {
        child.link = null;
        if (child instanceof CancelCtx) {
          if (child.error !== undefined) continue;
          child.#mark(err, cause);
          const grandchildren = child.children;
          if (grandchildren !== null) {
            child.children = null;
            stack.push(grandchildren);
          }
        } else {
          child.parentDone(err, cause);
        }
      }
      const next = stack.pop();
      if (next === undefined) return;
      kids = next;
    }
  }

  /** Leaves the parent: out of its children set, or off its signal. */
  unlink(): void {
    const link = this.link;
    if (link === null) return;
    this.link = null;
    if (typeof link === "function") link();
    else link.children?.delete(this);
  }

  #mark(err: ContextError, cause: unknown): void {
    this.error = err;
    this.cause = cause ?? err;
    const ch = this.doneChannel;
    if (ch === null) this.doneChannel = CLOSED_DONE;
    else ch.close();
    if (this.controller !== null) pendingAborts.push(this);
    this.stopped();
  }

  /** Called once when this context is marked done: release resources. */
  protected stopped(): void {}
}

export class ValueCtx extends Ctx {
  readonly parent: Context;
  /** The nearest ancestor that is not a ValueCtx. */
  readonly base: Context;
  readonly key: unknown;
  readonly val: unknown;

  constructor(parent: Context, key: unknown, val: unknown) {
    super();
    this.parent = parent;
    this.base = parent instanceof ValueCtx ? parent.base : parent;
    this.key = key;
    this.val = val;
  }

  done(): ReceiveChannel<void> {
    return this.base.done();
  }
  err(): ContextError | undefined {
    return this.base.err();
  }
  deadline(): Date | undefined {
    return this.base.deadline();
  }
  get signal(): AbortSignal {
    return this.base.signal;
  }
  toString(): string {
    return `${contextName(this.parent)}.WithValue(${nameOf(this.key)}, ${
      nameOf(this.val)
    })`;
  }
}

export class WithoutCancelCtx extends NeverDoneCtx {
  readonly parent: Context;
  constructor(parent: Context) {
    super();
    this.parent = parent;
  }
  toString(): string {
    return `${contextName(this.parent)}.WithoutCancel`;
  }
}

/** Go's `value()`: walks up the chain without recursion. */
export function lookup(ctx: Context, key: unknown): unknown {
  let c: Context = ctx;
  for (;;) {
    if (c instanceof ValueCtx) {
      if (c.key === key) return c.val;
      c = c.parent;
    } else if (c instanceof CancelCtx) {
      if (key === CANCEL_KEY) return c;
      c = c.parent;
    } else if (c instanceof WithoutCancelCtx) {
      if (key === CANCEL_KEY) return undefined;
      c = c.parent;
    } else if (c instanceof EmptyCtx) {
      return undefined;
    } else {
      return c.value(key);
    }
  }
}

export function contextName(ctx: Context): string {
  try {
    return String(ctx);
  } catch {
    return "context";
  }
}

/** How `toString()` shows a key or value of a value context. */
function nameOf(v: unknown): string {
  switch (typeof v) {
    case "string":
      return v;
    case "symbol":
    case "number":
    case "bigint":
    case "boolean":
    case "undefined":
      return String(v);
    case "function":
      return `function ${v.name}`;
    default:
      if (v === null) return "null";
      if (v instanceof ContextKey) return v.toString();
      return `[${
        (v as { constructor?: { name?: string } }).constructor?.name ?? "object"
      }]`;
  }
}

/** Throws Go's "cannot create context from nil parent" for a non-context. */
export function checkParent(parent: unknown, what: string): Context {
  if (parent instanceof Ctx) return parent;
  if (parent === null || parent === undefined) {
    throw new TypeError(
      `Cannot ${what}: cannot create context from nil parent; use background() for a root context`,
    );
  }
  const p = parent as Partial<Context>;
  if (
    typeof p.done !== "function" || typeof p.err !== "function" ||
    typeof p.value !== "function" || typeof p.deadline !== "function"
  ) {
    throw new TypeError(
      `Cannot ${what}: parent must be a Context (with done, err, deadline, value and signal), received ${
        describe(parent)
      }`,
    );
  }
  return parent as Context;
}

/** The deadline of any context as epoch ms, Infinity for none. */
export function deadlineOf(ctx: Context): number {
  if (ctx instanceof CancelCtx) return ctx.dl;
  if (ctx instanceof ValueCtx) return deadlineOf(ctx.base);
  if (ctx instanceof NeverDoneCtx) return Infinity;
  return ctx.deadline()?.getTime() ?? Infinity;
}

/** Go's `Cause`, for a checked context. */
export function causeOf(c: Context): unknown {
  let cc: unknown;
  if (c instanceof CancelCtx) cc = c;
  else if (c instanceof ValueCtx && c.base instanceof CancelCtx) cc = c.base;
  else cc = c.value(CANCEL_KEY);
  if (cc instanceof CancelCtx) {
    cc.err(); // A SignalCtx catches up with its source.
    return cc.cause;
  }
  return c.err();
}

/**
 * Go's `propagateCancel`: arranges for `child` to be cancelled when
 * `parent` is, or cancels it at once if `parent` is already done. Call it
 * inside a cancel section (`enter()` / `leave()`).
 */
export function propagateCancel(parent: Context, child: Child): void {
  let p: Context = parent instanceof ValueCtx ? parent.base : parent;
  if (!(p instanceof Ctx)) {
    // A custom Context. If it wraps one of ours without replacing its done
    // channel, join that one's children, as Go's parentCancelCtx does.
    const err = p.err();
    if (err !== undefined) {
      child.parentDone(err, causeOf(p));
      return;
    }
    const inner = p.value(CANCEL_KEY);
    if (inner instanceof CancelCtx && inner.done() === p.done()) {
      p = inner;
    } else {
      const custom = p;
      const signal = custom.signal;
      const onAbort = () => {
        child.link = null;
        enter();
        try {
          child.parentDone(custom.err() ?? Canceled, causeOf(custom));
        } finally {
          leave();
        }
      };
      signal.addEventListener("abort", onAbort, { once: true });
      child.link = () => signal.removeEventListener("abort", onAbort);
      return;
    }
  }
  if (p instanceof CancelCtx) {
    p.err(); // A SignalCtx catches up with its source.
    if (p.error !== undefined) {
      child.parentDone(p.error, p.cause);
    } else {
      (p.children ??= new Set()).add(child);
      child.link = p;
    }
  }
  // EmptyCtx and WithoutCancelCtx are never done.
}

export function newCancelCtx(parent: Context): CancelCtx {
  const c = new CancelCtx(parent, deadlineOf(parent));
  enter();
  try {
    propagateCancel(parent, c);
  } finally {
    leave();
  }
  return c;
}

// Test hooks. ----------------------------------------------------------------

contextInternals.childCount = (ctx) =>
  ctx instanceof CancelCtx ? ctx.children?.size ?? 0 : -1;
contextInternals.hasDoneChannel = (ctx) =>
  ctx instanceof CancelCtx && ctx.doneChannel !== null &&
  ctx.doneChannel !== CLOSED_DONE;
contextInternals.hasController = (ctx) =>
  ctx instanceof CancelCtx && ctx.controller !== null;
