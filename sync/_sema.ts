// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The wait queue shared by the `sync` primitives: Go's `sema.go` (the
 * runtime semaphore every `sync` type blocks on), for one isolate.
 *
 * A {@linkcode SyncWaiter} is one blocked call (a `lock`, a `wait`, an
 * `acquire`); it is a {@linkcode Parked} record, so the deadlock detector
 * sees it, and it sits in one {@linkcode WaitList}, an intrusive FIFO, so
 * enqueue, dequeue and removal are O(1) and allocate nothing. A waiter is
 * in its list exactly while it is parked: `wake` and `abort` both take it
 * out of the list and unpark it, so at most one of them has an effect.
 */

import type { Goroutine } from "../_goroutines.ts";
import {
  park,
  type Parked,
  type ParkExtra,
  settled,
  unpark,
} from "../_parking.ts";
import { describe } from "../_describe.ts";

/** Told when one of its waiters is aborted (signal or deadlock report). */
export interface WaitOwner {
  waiterAborted(w: SyncWaiter): void;
}

/**
 * One blocked call of a sync primitive. A {@linkcode Parked} record by shape
 * rather than by `extends`: V8 builds a flat class with every field stored
 * in its constructor markedly faster than a subclass, and one is built for
 * every blocking call (every contended `Mutex.lock`).
 */
export class SyncWaiter implements Parked {
  pprev: Parked | null;
  pnext: Parked | null;
  g: Goroutine | null;
  extra: ParkExtra | undefined;
  next: SyncWaiter | null;
  prev: SyncWaiter | null;
  list: WaitList | null;
  /** What the goroutine waits on, in Go's words ("sync.Mutex.Lock"). */
  readonly reason: string;

  /** The primitive it waits on, while queued. */
  get target(): object | null {
    return this.list?.owner ?? null;
  }
  /** A semaphore request's weight; 0 elsewhere. */
  readonly weight: number;
  /** An ErrGroup goroutine waiting for a slot; null elsewhere. */
  readonly task: (() => unknown) | null;
  readonly owner: WaitOwner | null;
  resolve: () => void;
  reject: (error: unknown) => void;

  constructor(
    reason: string,
    weight: number,
    task: (() => unknown) | null,
    owner: WaitOwner | null,
    resolve: () => void,
    reject: (error: unknown) => void,
  ) {
    this.pprev = null;
    this.pnext = null;
    this.g = null;
    this.extra = undefined;
    this.next = null;
    this.prev = null;
    this.list = null;
    this.reason = reason;
    this.weight = weight;
    this.task = task;
    this.owner = owner;
    this.resolve = resolve;
    this.reject = reject;
  }

  /** Completes the wait; the caller has already taken it out of its list. */
  wake(): void {
    unpark(this);
    this.resolve();
    settled(this);
  }

  /**
   * Drops the resolving functions of a woken waiter kept for reuse, so that
   * it holds no settled promise alive.
   */
  forget(): void {
    this.resolve = this.reject = noop;
  }

  abort(error: unknown): void {
    const list = this.list;
    if (list === null) return; // Woken already.
    list.remove(this);
    unpark(this);
    this.reject(error);
    settled(this);
    this.owner?.waiterAborted(this);
  }
}

/** A FIFO of waiters, linked through the waiters themselves. */
export class WaitList {
  /** The primitive whose waiters these are, for the goroutine dump. */
  readonly owner: object | null;
  first: SyncWaiter | null = null;
  #last: SyncWaiter | null = null;
  length = 0;

  /** A list of `owner`'s waiters. */
  constructor(owner: object | null = null) {
    this.owner = owner;
  }

  push(w: SyncWaiter): void {
    w.list = this;
    w.prev = this.#last;
    w.next = null;
    if (this.#last === null) this.first = w;
    else this.#last.next = w;
    this.#last = w;
    this.length++;
  }

  /** Removes and returns the longest-waiting waiter, or null. */
  shift(): SyncWaiter | null {
    const w = this.first;
    if (w !== null) this.remove(w);
    return w;
  }

  remove(w: SyncWaiter): void {
    const prev = w.prev, next = w.next;
    if (prev === null) this.first = next;
    else prev.next = next;
    if (next === null) this.#last = prev;
    else next.prev = prev;
    w.prev = w.next = null;
    w.list = null;
    this.length--;
  }

  /** Wakes every waiter, oldest first. */
  wakeAll(): void {
    for (let w = this.shift(); w !== null; w = this.shift()) w.wake();
  }
}

/**
 * Parks the caller in `list` until a `wake` (resolves) or an `abort`
 * (rejects: `signal` aborted, or the deadlock report).
 */
export function wait(
  list: WaitList,
  reason: string,
  signal: AbortSignal | undefined,
  owner: WaitOwner | null = null,
  weight = 0,
  task: (() => unknown) | null = null,
): Promise<void> {
  return enqueue(
    new SyncWaiter(reason, weight, task, owner, noop, noop),
    list,
    signal,
  );
}

/**
 * Parks `w` in `list`, as {@linkcode wait} does, with a fresh promise. `w`
 * may be new, or a waiter of the same list that has been woken and is
 * referenced by nothing else (a Mutex reuses the one its last unlock woke).
 */
export function enqueue(
  w: SyncWaiter,
  list: WaitList,
  signal: AbortSignal | undefined,
): Promise<void> {
  // The executor captures only the waiter: a closure over every parameter
  // of wait() would allocate a context of six slots on each blocking call.
  const settled = new Promise<void>((resolve, reject) => {
    w.resolve = resolve;
    w.reject = reject;
  });
  list.push(w);
  park(w, signal);
  return settled;
}

function noop(): void {}

/** The shared settled promise of every call that does not block. */
export const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Checks that `n`, the argument named `arg` of the operation `what`, is a
 * safe integer: a TypeError if it is not a number, a RangeError if it is
 * not an integer. The message shows the value as given.
 */
export function checkInteger(n: unknown, what: string, arg: string): void {
  if (typeof n !== "number") {
    throw new TypeError(
      `Cannot ${what}: ${arg} must be an integer, received ${describe(n)}`,
    );
  }
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(
      `Cannot ${what}: ${arg} must be an integer, received ${describe(n)}`,
    );
  }
}

/**
 * The `signal` of an options bag (`undefined` or an object whose `signal`
 * is `undefined` or an AbortSignal); a TypeError for anything else.
 */
export function checkSignal(
  options: unknown,
  what: string,
): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot ${what}: options must be an object, received ${
        describe(options)
      }`,
    );
  }
  const signal = (options as { signal?: unknown }).signal;
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new TypeError(
    `Cannot ${what}: options.signal must be an AbortSignal, received ${
      describe(signal)
    }`,
  );
}

/**
 * A rejection with {@linkcode checkSignal}'s TypeError if `options` is bad,
 * else `undefined`: for the promise-returning calls, which never throw.
 */
export function rejectBadOptions(
  options: unknown,
  what: string,
): Promise<never> | undefined {
  try {
    checkSignal(options, what);
    return undefined;
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Throws a TypeError naming `what` unless `fn` is a function. */
export function checkFunction(fn: unknown, what: string, arg = "fn"): void {
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot ${what}: ${arg} must be a function, received ${describe(fn)}`,
    );
  }
}

/** Unlocks its lock once, on the first dispose. */
export class Guard implements Disposable {
  #locker: { unlock(): void } | null;

  constructor(locker: { unlock(): void }) {
    this.#locker = locker;
  }

  [Symbol.dispose](): void {
    const locker = this.#locker;
    if (locker === null) return;
    this.#locker = null;
    locker.unlock();
  }
}

/**
 * The units one acquire holds, given back once: the permit of
 * `Semaphore.acquire` and `SharedSemaphore.acquire`. The type users see is
 * `SemaphorePermit` (sync/semaphore.ts).
 */
export class Permit implements Disposable {
  readonly #sem: { release(n: number): void };
  readonly weight: number;
  released = false;

  constructor(sem: { release(n: number): void }, weight: number) {
    this.#sem = sem;
    this.weight = weight;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.#sem.release(this.weight);
  }

  [Symbol.dispose](): void {
    this.release();
  }
}
