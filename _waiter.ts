// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

import type { ReceiveResult } from "./channel.ts";
import type { Goroutine } from "./_goroutines.ts";
import { park, Parked, type ParkExtra, settled, unpark } from "./_parking.ts";

/**
 * Waiters and wait queues: Go's `sudog` and `waitq`.
 *
 * A {@linkcode Waiter} is one blocked channel operation: a receive, or a send
 * with the value it carries. A plain `send`/`receive` parks one waiter. A
 * `select` parks one waiter per case, all pointing at one
 * {@linkcode SelectPark}; the first case to fire commits the select and
 * unlinks its sibling waiters from their queues at once, so a queue never
 * holds a waiter whose select has already fired (on one isolate nothing runs
 * between the commit and the unlinking). That is what makes "exactly one
 * case commits" hold, and what keeps a select loop over a channel that never
 * fires from growing its queue.
 *
 * A {@linkcode WaitQueue} is an intrusive doubly linked list, so enqueue,
 * dequeue and the removal of any waiter are O(1) and allocate nothing.
 */

/** What a completed plain waiter resolves its promise with. */
export const RESULT = 0; // { value, ok } for `receive()`
export const ITERATION = 1; // { value, done } for `for await`
export const SENT = 2; // undefined, for `send()`
export type WaiterMode = typeof RESULT | typeof ITERATION | typeof SENT;

/** The frozen result of a receive from a closed, drained channel. */
export const CLOSED_RESULT: ReceiveResult<never> = Object.freeze({
  value: undefined,
  ok: false,
});

/** The frozen last result of a `for await` over a closed, drained channel. */
export const DONE_ITERATION: IteratorReturnResult<undefined> = Object.freeze({
  value: undefined,
  done: true,
});

/**
 * One blocked channel operation (Go's sudog). A {@linkcode Parked} record by
 * shape rather than by `extends`, as `sync/_sema.ts`'s waiter is: one is
 * built for every blocking send and receive, and V8 builds a flat class with
 * every field stored in its own constructor faster than a subclass.
 */
export class Waiter implements Parked {
  pprev: Parked | null;
  pnext: Parked | null;
  g: Goroutine | null;
  extra: ParkExtra | undefined;
  next: Waiter | null;
  prev: Waiter | null;
  queue: WaitQueue | null;
  /** For a send: the value to deliver. */
  readonly value: unknown;
  /** The select this waiter is a case of, or null for a plain operation. */
  readonly select: SelectPark | null;
  /** The case index within the select times 4, plus the mode (one field). */
  readonly #tag: number;
  /**
   * Settles the operation's promise. There is no `reject`: a failure
   * resolves it with a rejected promise, so a parked operation keeps one
   * function alive, not two (a parked goroutine's memory).
   */
  readonly resolve: (value: unknown) => void;

  constructor(
    value: unknown,
    select: SelectPark | null,
    index: number,
    mode: WaiterMode,
    resolve: (value: unknown) => void,
  ) {
    this.pprev = null;
    this.pnext = null;
    this.g = null;
    this.extra = undefined;
    this.next = null;
    this.prev = null;
    this.queue = null;
    this.value = value;
    this.select = select;
    this.#tag = index * 4 + mode;
    this.resolve = resolve;
  }

  /** The case index within the select; 0 for a plain operation. */
  get index(): number {
    return Math.floor(this.#tag / 4);
  }

  /** What the operation resolves its promise with. */
  get mode(): WaiterMode {
    return (this.#tag & 3) as WaiterMode;
  }

  /** Go's wait reason, for the deadlock report (derived: one field less). */
  get reason(): string {
    if (this.select !== null) return this.select.reason;
    return this.mode === SENT ? "chan send" : "chan receive";
  }

  /** The channel it waits on, while queued; null for a select's case. */
  get target(): object | null {
    return this.select === null ? this.queue?.owner ?? null : null;
  }

  /** Completes the operation: a receive got `value` (or `ok` is false). */
  fire(value: unknown, ok: boolean): void {
    if (this.select !== null) {
      this.select.commit(this.index, value, ok);
      return;
    }
    unpark(this);
    switch (this.mode) {
      case RESULT:
        this.resolve(ok ? { value, ok: true } : CLOSED_RESULT);
        break;
      case ITERATION:
        this.resolve(ok ? { value, done: false } : DONE_ITERATION);
        break;
      default:
        this.resolve(undefined);
    }
    settled(this);
  }

  /** Fails the operation; the waiter is already out of its queue. */
  fail(error: unknown): void {
    if (this.select !== null) {
      this.select.abort(error);
      return;
    }
    unpark(this);
    this.resolve(Promise.reject(error));
    settled(this);
  }

  abort(error: unknown): void {
    this.queue?.remove(this);
    this.fail(error);
  }
}

/** Parks a plain operation: one waiter in one queue. */
export function parkWaiter(
  queue: WaitQueue,
  waiter: Waiter,
  signal: AbortSignal | undefined,
): void {
  queue.push(waiter);
  park(waiter, signal);
}

/** Told when a queue gains its first waiter and when it loses its last. */
export interface QueueWatcher {
  waiting(): void;
  idle(): void;
}

/** A FIFO of waiters (Go's waitq), linked through the waiters themselves. */
export class WaitQueue {
  /** The channel whose queue this is, for the goroutine dump. */
  readonly owner: object | null;
  #first: Waiter | null = null;
  #last: Waiter | null = null;
  /** Set on the receive queue of a timer's channel; null elsewhere. */
  watcher: QueueWatcher | null = null;

  /** A queue of `owner`'s waiters. */
  constructor(owner: object | null = null) {
    this.owner = owner;
  }

  push(w: Waiter): void {
    w.queue = this;
    w.prev = this.#last;
    w.next = null;
    if (this.#last === null) this.#first = w;
    else this.#last.next = w;
    this.#last = w;
    if (w.prev === null && this.watcher !== null) this.watcher.waiting();
  }

  /**
   * Removes and returns the longest-waiting waiter that can still fire, or
   * null. A waiter of a select whose `claim()` refuses is dropped (Go's
   * `dequeue` skipping a select that another channel already woke).
   */
  shift(): Waiter | null {
    for (;;) {
      const w = this.#first;
      if (w === null) return null;
      this.remove(w);
      if (w.select === null || w.select.claim()) return w;
    }
  }

  /** How many waiters are queued (walks the queue: for inspection). */
  count(): number {
    let n = 0;
    for (let w = this.#first; w !== null; w = w.next) n++;
    return n;
  }

  remove(w: Waiter): void {
    const prev = w.prev, next = w.next;
    if (prev === null) this.#first = next;
    else prev.next = next;
    if (next === null) this.#last = prev;
    else next.prev = prev;
    w.prev = w.next = null;
    w.queue = null;
    if (this.#first === null && this.watcher !== null) this.watcher.idle();
  }
}

/**
 * A select blocked on all of its cases. Exactly one of `commit` and `abort`
 * runs, once; both unlink every waiter of the select first.
 */
export class SelectPark extends Parked {
  readonly waiters: Waiter[] = [];
  readonly reason: string;
  /** A select waits on several channels: the dump names none. */
  readonly target: object | null = null;
  /**
   * Asked before one of the select's waiters fires: false if the select
   * can no longer commit that case, because it committed elsewhere (then
   * it has unlinked its waiters and settled). A select over shared
   * channels sets it to withdraw its offer first (see `workers/_select.ts`).
   */
  claim: () => boolean = claimAlways;
  #onCommit: (index: number, value: unknown, ok: boolean) => void;
  #onFail: (error: unknown) => void;

  constructor(
    reason: string,
    onCommit: (index: number, value: unknown, ok: boolean) => void,
    onFail: (error: unknown) => void,
  ) {
    super();
    this.reason = reason;
    this.#onCommit = onCommit;
    this.#onFail = onFail;
  }

  commit(index: number, value: unknown, ok: boolean): void {
    this.#finish();
    this.#onCommit(index, value, ok);
    settled(this);
  }

  abort(error: unknown): void {
    this.#finish();
    this.#onFail(error);
    settled(this);
  }

  #finish(): void {
    for (const w of this.waiters) w.queue?.remove(w);
    unpark(this);
  }
}

function claimAlways(): boolean {
  return true;
}
