// Copyright the denogo authors. MIT license.

/**
 * Go's `context` package on one isolate: cancellation, deadlines and
 * request-scoped values that flow down a tree of contexts, with a done
 * channel for `select` and an `AbortSignal` for every web API.
 *
 * @module
 */

import { Channel, type ReceiveChannel } from "../channel.ts";
import { go } from "../scheduler.ts";
import { timerArmed, timerDisarmed } from "../_parking.ts";
import { contextInternals } from "./_internals.ts";

// Errors. ------------------------------------------------------------------

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

// Keys. ----------------------------------------------------------------------

/**
 * A typed key for {@linkcode withValue}: `ctx.value(key)` then has the type
 * `T | undefined`. Each key is a distinct object, so two packages' keys can
 * never collide, which is what Go's advice to use an unexported key type
 * achieves. Any value other than `null` and `undefined` can be a key too
 * (compared with `===`), but strings risk collisions: prefer a
 * `ContextKey`, a symbol, or an object you own.
 *
 * @example Usage
 * ```ts
 * import { background, ContextKey, withValue } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const userKey = new ContextKey<{ name: string }>("user");
 * const ctx = withValue(background(), userKey, { name: "gopher" });
 * assert.equal(ctx.value(userKey)?.name, "gopher");
 * assert.equal(ctx.value(new ContextKey<{ name: string }>("user")), undefined);
 * ```
 *
 * @typeParam T The type of the values stored under this key.
 */
export class ContextKey<T> {
  /** Marks the value type, so keys of different types do not mix. */
  declare readonly _valueType?: T;
  /**
   * A name for messages and `toString()`; it plays no part in lookups.
   *
   * @example Usage
   * ```ts
   * import { ContextKey } from "@denogo/go/context";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new ContextKey<number>("requestId").description, "requestId");
   * ```
   */
  readonly description: string;

  /**
   * Makes a new key, distinct from every other.
   *
   * @param description A name for messages; two keys with the same
   *   description are still different keys.
   */
  constructor(description: string = "") {
    this.description = description;
  }

  /**
   * Describes the key.
   *
   * @example Usage
   * ```ts
   * import { ContextKey } from "@denogo/go/context";
   * import assert from "node:assert/strict";
   *
   * assert.equal(String(new ContextKey("user")), "ContextKey(user)");
   * ```
   *
   * @returns `ContextKey(description)`.
   */
  toString(): string {
    return `ContextKey(${this.description})`;
  }
}

// The Context interface. ---------------------------------------------------

/**
 * A context carries a cancellation signal, an optional deadline and
 * request-scoped values across API boundaries: Go's `context.Context`.
 *
 * Contexts form a tree. Each is derived from a parent with
 * {@linkcode withCancel}, {@linkcode withTimeout}, {@linkcode withDeadline},
 * {@linkcode withValue}, ... and is done when its parent is done, or
 * earlier. Pass the context as the first argument of every function on the
 * path of a request, and stop work when it is done.
 *
 * Contexts made by this module are the usual case; any object with these
 * members also works as a parent (Go's "custom Context"), and learns of
 * cancellation through its `signal`.
 *
 * @example Stopping a goroutine through its context
 * ```ts
 * import { Channel, go, recv, select, send } from "@denogo/go";
 * import { background, Canceled, type Context, withCancel } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * async function produce(ctx: Context, out: Channel<number>): Promise<unknown> {
 *   for (let i = 0; ; i++) {
 *     const stopped = await select([
 *       recv(ctx.done(), () => true),
 *       send(out, i, () => false),
 *     ]);
 *     if (stopped) return ctx.err();
 *   }
 * }
 *
 * const [ctx, cancel] = withCancel(background());
 * const out = new Channel<number>();
 * const worker = go(produce, ctx, out);
 * assert.equal((await out.receive()).value, 0);
 * assert.equal((await out.receive()).value, 1);
 * cancel();
 * assert.equal(await worker, Canceled);
 * ```
 */
export interface Context {
  /**
   * A channel that is closed when the context is done (cancelled or past
   * its deadline): Go's `ctx.Done()`. Use it as a `select` case,
   * `recv(ctx.done(), ...)`, or await `ctx.done().receive()`. Every call
   * returns the same channel. Nothing is ever sent on it, so a receive
   * resolves only with `ok: false`. For a context that can never be
   * cancelled ({@linkcode background}, {@linkcode withoutCancel}) it is a
   * channel that never closes, as Go's nil channel never fires.
   */
  done(): ReceiveChannel<void>;
  /**
   * `undefined` while the context is live; once it is done,
   * {@linkcode Canceled} or {@linkcode DeadlineExceeded}, and the same
   * value forever after: Go's `ctx.Err()`. Why it was cancelled, when a
   * cause was given, is {@linkcode cause}`(ctx)`.
   */
  err(): ContextError | undefined;
  /**
   * When the context will be done because of a deadline (its own or an
   * ancestor's), or `undefined` when it has none: Go's
   * `deadline, ok := ctx.Deadline()`, with `undefined` for `ok == false`.
   * Each call returns a new `Date` for the same instant.
   */
  deadline(): Date | undefined;
  /**
   * The value stored under `key` by the nearest {@linkcode withValue} on
   * the path to the root, or `undefined`: Go's `ctx.Value(key)`. Keys are
   * compared with `===`.
   */
  value<T>(key: ContextKey<T>): T | undefined;
  /** The value stored under `key`, or `undefined`. */
  value(key: unknown): unknown;
  /**
   * An `AbortSignal` that aborts when the context is done, with
   * {@linkcode cause}`(ctx)` as its reason (`Canceled`, `DeadlineExceeded`,
   * or the cause given to the cancel function). Pass it to `fetch`,
   * streams, `Deno.Command`, or any API that takes a signal. It is created
   * the first time it is read: a context whose signal nobody reads costs no
   * `AbortController`.
   */
  readonly signal: AbortSignal;
}

/**
 * Cancels a context: Go's `context.CancelFunc`. It cancels the context and
 * its descendants, unregisters it from its parent and stops its timer.
 * Calling it again does nothing. Call it as soon as the work the context
 * covers is over, on every path (a `try`/`finally` is the `defer cancel()`
 * of TypeScript): until then a context with a deadline holds a timer, and a
 * child holds a place in its parent.
 */
export type CancelFunc = () => void;

/**
 * Cancels a context and records why: Go's `context.CancelCauseFunc`. The
 * context's `err()` becomes {@linkcode Canceled} and
 * {@linkcode cause}`(ctx)` becomes `cause` (or `Canceled` when `cause` is
 * `undefined` or `null`). Only the first call has an effect.
 */
export type CancelCauseFunc = (cause?: unknown) => void;

// Internals. ---------------------------------------------------------------

/**
 * The layout, as in Go:
 *
 * - {@linkcode EmptyCtx}: `background()` and `todo()`, never done.
 * - {@linkcode CancelCtx}: a node that can be cancelled. It registers in the
 *   `children` set of the nearest cancelable ancestor (skipping value
 *   nodes), so that ancestor's cancellation reaches it synchronously, and it
 *   removes itself from that set when it is cancelled first. Subclasses add
 *   a timer ({@linkcode TimerCtx}) or an AbortSignal source
 *   ({@linkcode SignalCtx}).
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
abstract class Ctx implements Context {
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
const CANCEL_KEY: unique symbol = Symbol("denogo.context.cancel");

/** A done channel that never closes: Go's nil `Done()`. */
const NEVER_DONE: Channel<void> = new Channel<void>();
/** The done channel of a context cancelled before anyone asked for one. */
const CLOSED_DONE: Channel<void> = new Channel<void>();
CLOSED_DONE.close();
/** The signal of contexts that are never done. */
const NEVER_SIGNAL: AbortSignal = new AbortController().signal;

/** A context that is never cancelled and has no deadline. */
abstract class NeverDoneCtx extends Ctx {
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

class EmptyCtx extends NeverDoneCtx {
  readonly #name: string;
  constructor(name: string) {
    super();
    this.#name = name;
  }
  toString(): string {
    return this.#name;
  }
}

const BACKGROUND = new EmptyCtx("context.Background");
const TODO = new EmptyCtx("context.TODO");

/** Something a CancelCtx cancels when it is cancelled. */
interface Child {
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
function enter(): void {
  cancelDepth++;
}

/** Closes a cancel section; the outermost one aborts the pending signals. */
function leave(): void {
  if (--cancelDepth === 0 && pendingAborts.length > 0) flushAborts();
}

class CancelCtx extends Ctx implements Child {
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

/** Go's timerCtx: a CancelCtx that cancels itself at a deadline. */
class TimerCtx extends CancelCtx {
  readonly #deadlineCause: unknown;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(parent: Context, dl: number, cause: unknown) {
    super(parent, dl);
    this.#deadlineCause = cause;
  }

  /** Arms the timer; the deadline is in the future. */
  arm(): void {
    // setTimeout takes at most 2^31 - 1 ms; a later deadline re-arms.
    const delay = Math.min(Math.max(0, this.dl - Date.now()), MAX_TIMER_MS);
    if (this.#timer === undefined) {
      armedTimers++;
      timerArmed();
    }
    this.#timer = setTimeout(this.#fire, delay);
  }

  #fire = (): void => {
    if (Date.now() < this.dl) {
      this.#timer = undefined;
      armedTimers--;
      timerDisarmed();
      this.arm();
      return;
    }
    this.cancel(true, DeadlineExceeded, this.#deadlineCause);
  };

  expire(): void {
    this.cancel(true, DeadlineExceeded, this.#deadlineCause);
  }

  protected override stopped(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      armedTimers--;
      timerDisarmed();
    }
  }

  override toString(): string {
    const date = new Date(this.dl);
    const left = this.dl - Date.now();
    return `${contextName(this.parent)}.WithDeadline(${
      isNaN(date.getTime()) ? String(this.dl) : date.toISOString()
    } [${left}ms])`;
  }
}

const MAX_TIMER_MS = 2 ** 31 - 1;
/** Deadline timers armed now (for the tests: none may outlive a cancel). */
let armedTimers = 0;

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

class ValueCtx extends Ctx {
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
    return `${contextName(this.parent)}.WithValue(${describe(this.key)}, ${
      describe(this.val)
    })`;
  }
}

class WithoutCancelCtx extends NeverDoneCtx {
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
function lookup(ctx: Context, key: unknown): unknown {
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

function contextName(ctx: Context): string {
  try {
    return String(ctx);
  } catch {
    return "context";
  }
}

function describe(v: unknown): string {
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
function checkParent(parent: unknown, what: string): Context {
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
      `Cannot ${what}: parent must be a Context (with done, err, deadline, value and signal), received ${typeof parent}`,
    );
  }
  return parent as Context;
}

/** The deadline of any context as epoch ms, Infinity for none. */
function deadlineOf(ctx: Context): number {
  if (ctx instanceof CancelCtx) return ctx.dl;
  if (ctx instanceof ValueCtx) return deadlineOf(ctx.base);
  if (ctx instanceof NeverDoneCtx) return Infinity;
  return ctx.deadline()?.getTime() ?? Infinity;
}

/**
 * Go's `propagateCancel`: arranges for `child` to be cancelled when
 * `parent` is, or cancels it at once if `parent` is already done. Call it
 * inside a cancel section (`enter()` / `leave()`).
 */
function propagateCancel(parent: Context, child: Child): void {
  let p: Context = parent instanceof ValueCtx ? parent.base : parent;
  if (!(p instanceof Ctx)) {
    // A custom Context. If it wraps one of ours without replacing its done
    // channel, join that one's children, as Go's parentCancelCtx does.
    const err = p.err();
    if (err !== undefined) {
      child.parentDone(err, cause(p));
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
          child.parentDone(custom.err() ?? Canceled, cause(custom));
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
    if (p instanceof SignalCtx) p.err(); // Catch up with its source.
    if (p.error !== undefined) {
      child.parentDone(p.error, p.cause);
    } else {
      (p.children ??= new Set()).add(child);
      child.link = p;
    }
  }
  // EmptyCtx and WithoutCancelCtx are never done.
}

function newCancelCtx(parent: Context): CancelCtx {
  const c = new CancelCtx(parent, deadlineOf(parent));
  enter();
  try {
    propagateCancel(parent, c);
  } finally {
    leave();
  }
  return c;
}

// Public API. --------------------------------------------------------------

/**
 * The root of every context tree: never cancelled, no deadline, no values.
 * Go's `context.Background()`. Use it in `main`, in tests, and at the top
 * of a request.
 *
 * @example Usage
 * ```ts
 * import { background } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const ctx = background();
 * assert.equal(ctx.err(), undefined);
 * assert.equal(ctx.deadline(), undefined);
 * assert.equal(ctx.signal.aborted, false);
 * assert.equal(String(ctx), "context.Background");
 * ```
 *
 * @returns The background context (always the same object).
 */
export function background(): Context {
  return BACKGROUND;
}

/**
 * A placeholder root, like {@linkcode background}: Go's `context.TODO()`.
 * Use it where a context is needed but it is not yet clear which one.
 *
 * @example Usage
 * ```ts
 * import { todo } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * assert.equal(todo().err(), undefined);
 * assert.equal(String(todo()), "context.TODO");
 * ```
 *
 * @returns The TODO context (always the same object).
 */
export function todo(): Context {
  return TODO;
}

/**
 * Derives a context that is cancelled when `cancel()` is called or when
 * `parent` is done, whichever happens first: Go's
 * `ctx, cancel := context.WithCancel(parent)`.
 *
 * - Cancelling a context cancels all its descendants, synchronously: when
 *   `cancel()` returns, their `err()` is set and their done channels are
 *   closed. It never cancels the parent.
 * - `cancel()` is idempotent, and removes the context from its parent, so
 *   creating and cancelling many short-lived children of a long-lived
 *   context does not grow it.
 * - If `parent` is already done, the new context is done at once, with the
 *   parent's error and cause.
 *
 * @example Usage
 * ```ts
 * import { background, Canceled, withCancel } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const [parent, cancelParent] = withCancel(background());
 * const [child, cancelChild] = withCancel(parent);
 * cancelParent();
 * assert.equal(child.err(), Canceled);
 * assert.equal((await child.done().receive()).ok, false);
 * cancelChild(); // no effect, but always call it
 * ```
 *
 * @param parent The context to derive from.
 * @returns The new context and the function that cancels it.
 * @throws {TypeError} If `parent` is null, undefined or not a Context.
 */
export function withCancel(
  parent: Context,
): [ctx: Context, cancel: CancelFunc] {
  const c = newCancelCtx(checkParent(parent, "withCancel"));
  return [c, () => c.cancel(true, Canceled, undefined)];
}

/**
 * Like {@linkcode withCancel}, but the cancel function takes a cause, which
 * {@linkcode cause}`(ctx)` reports and `ctx.signal` aborts with: Go's
 * `context.WithCancelCause`. `ctx.err()` is still {@linkcode Canceled}.
 *
 * @example Usage
 * ```ts
 * import { background, Canceled, cause, withCancelCause } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const [ctx, cancel] = withCancelCause(background());
 * const why = new Error("upstream closed");
 * cancel(why);
 * assert.equal(ctx.err(), Canceled);
 * assert.equal(cause(ctx), why);
 * assert.equal(ctx.signal.reason, why);
 * ```
 *
 * @param parent The context to derive from.
 * @returns The new context and a cancel function that takes the cause
 *   (`undefined` or `null` mean {@linkcode Canceled}).
 * @throws {TypeError} If `parent` is null, undefined or not a Context.
 */
export function withCancelCause(
  parent: Context,
): [ctx: Context, cancel: CancelCauseFunc] {
  const c = newCancelCtx(checkParent(parent, "withCancelCause"));
  return [c, (why?: unknown) => c.cancel(true, Canceled, why)];
}

function toEpochMs(deadline: unknown, what: string): number {
  let ms: number;
  if (deadline instanceof Date) ms = deadline.getTime();
  else if (typeof deadline === "number") ms = deadline;
  else {
    throw new TypeError(
      `Cannot ${what}: deadline must be a Date or epoch milliseconds, received ${typeof deadline}`,
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
      `Cannot ${what}: timeout must be a number of milliseconds, received ${typeof ms}`,
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
      else c.arm();
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
 * - A real timer runs until the deadline or `cancel()`; call `cancel()` as
 *   soon as the work is done, so the timer does not keep the process alive
 *   (or trip Deno's test sanitizers).
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

/**
 * Derives a context that carries `value` under `key`: Go's
 * `context.WithValue`. `ctx.value(key)` walks up from `ctx` and returns the
 * nearest value stored under `key` (compared with `===`), so a child can
 * shadow its parent's value. Everything else (done, err, deadline, signal)
 * is the parent's.
 *
 * Use values for request-scoped data that crosses API boundaries (a request
 * id, an authenticated user), not for optional parameters. Use a
 * {@linkcode ContextKey}, a symbol or an object you own as the key, never a
 * plain string that another package could pick too.
 *
 * @example Usage
 * ```ts
 * import { background, ContextKey, withValue } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const requestId = new ContextKey<string>("requestId");
 * const ctx = withValue(background(), requestId, "r-42");
 * const inner = withValue(ctx, requestId, "r-43");
 * assert.equal(ctx.value(requestId), "r-42");
 * assert.equal(inner.value(requestId), "r-43");
 * ```
 *
 * @typeParam T The value's type, from the key.
 * @param parent The context to derive from.
 * @param key The key: a ContextKey, symbol or object, compared by identity.
 * @param value The value; `undefined` hides the parent's value for `key`.
 * @returns The new context.
 * @throws {TypeError} If `parent` is not a Context, or `key` is null or
 *   undefined (Go's "nil key").
 */
export function withValue<T>(
  parent: Context,
  key: ContextKey<T>,
  value: NoInfer<T>,
): Context;
/**
 * Derives a context that carries `value` under any `key` other than `null`
 * or `undefined` (compared with `===`). Prefer a {@linkcode ContextKey}.
 *
 * @example Usage
 * ```ts
 * import { background, withValue } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const traceKey = Symbol("trace");
 * const ctx = withValue(background(), traceKey, ["handler"]);
 * assert.deepEqual(ctx.value(traceKey), ["handler"]);
 * ```
 *
 * @param parent The context to derive from.
 * @param key The key.
 * @param value The value.
 * @returns The new context.
 * @throws {TypeError} If `parent` is not a Context, or `key` is null or
 *   undefined.
 */
export function withValue<K>(
  parent: Context,
  key: K extends ContextKey<unknown> ? never : K,
  value: unknown,
): Context;
export function withValue(
  parent: Context,
  key: unknown,
  value: unknown,
): Context {
  const p = checkParent(parent, "withValue");
  if (key === null || key === undefined) {
    throw new TypeError(
      `Cannot withValue: nil key; use a ContextKey, a symbol or an object as the key, received ${key}`,
    );
  }
  return new ValueCtx(p, key, value);
}

/**
 * Derives a context that keeps the parent's values but is never cancelled:
 * Go's `context.WithoutCancel`. It has no deadline, `err()` is always
 * `undefined`, and its done channel never closes, even after the parent is
 * done. Use it for work that must outlive the request that started it
 * (writing an audit log after the response went out).
 *
 * @example Usage
 * ```ts
 * import { background, withCancel, withoutCancel, withValue } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const key = Symbol("user");
 * const [req, cancel] = withCancel(withValue(background(), key, "gopher"));
 * const detached = withoutCancel(req);
 * cancel();
 * assert.equal(detached.err(), undefined);
 * assert.equal(detached.value(key), "gopher");
 * ```
 *
 * @param parent The context whose values to keep.
 * @returns The new context.
 * @throws {TypeError} If `parent` is null, undefined or not a Context.
 */
export function withoutCancel(parent: Context): Context {
  return new WithoutCancelCtx(checkParent(parent, "withoutCancel"));
}

/**
 * Why `ctx` is done: Go's `context.Cause`. It is the cause given to the
 * cancel function of {@linkcode withCancelCause} (or the cause of
 * {@linkcode withDeadlineCause} / {@linkcode withTimeoutCause} when the
 * time ran out), taken from the nearest cancelable context on the way to
 * the root, so a parent's cause reaches its children. Without a cause it is
 * `ctx.err()`: {@linkcode Canceled}, {@linkcode DeadlineExceeded}, or
 * `undefined` while the context is live. For a context made from a signal
 * it is the signal's reason.
 *
 * @example Usage
 * ```ts
 * import { background, cause, withCancel, withCancelCause, withValue } from "@denogo/go/context";
 * import assert from "node:assert/strict";
 *
 * const [root, cancel] = withCancelCause(background());
 * const [child, cancelChild] = withCancel(withValue(root, "k", 1));
 * assert.equal(cause(child), undefined);
 * const why = new Error("shutting down");
 * cancel(why);
 * assert.equal(cause(child), why);
 * cancelChild();
 * ```
 *
 * @param ctx The context.
 * @returns The cause, `ctx.err()` if none was given, or `undefined` while
 *   `ctx` is live.
 * @throws {TypeError} If `ctx` is null, undefined or not a Context.
 */
export function cause(ctx: Context): unknown {
  const c = checkParent(ctx, "cause");
  let cc: unknown;
  if (c instanceof CancelCtx) cc = c;
  else if (c instanceof ValueCtx && c.base instanceof CancelCtx) cc = c.base;
  else cc = c.value(CANCEL_KEY);
  if (cc instanceof CancelCtx) {
    if (cc instanceof SignalCtx) cc.err(); // Catch up with its source.
    return cc.cause;
  }
  return c.err();
}

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
      `Cannot afterFunc: expected a function, received ${typeof fn}`,
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

function checkSignal(signal: unknown, what: string): AbortSignal {
  if (signal instanceof AbortSignal) return signal;
  throw new TypeError(
    `Cannot ${what}: expected an AbortSignal, received ${
      signal === null ? "null" : typeof signal
    }`,
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

// Test hooks. ----------------------------------------------------------------

contextInternals.childCount = (ctx) =>
  ctx instanceof CancelCtx ? ctx.children?.size ?? 0 : -1;
contextInternals.hasDoneChannel = (ctx) =>
  ctx instanceof CancelCtx && ctx.doneChannel !== null &&
  ctx.doneChannel !== CLOSED_DONE;
contextInternals.armedTimers = () => armedTimers;
contextInternals.hasController = (ctx) =>
  ctx instanceof CancelCtx && ctx.controller !== null;
