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

import { park, Parked, settled, unpark } from "../_parking.ts";

/** Told when one of its waiters is aborted (signal or deadlock report). */
export interface WaitOwner {
  waiterAborted(w: SyncWaiter): void;
}

/** One blocked call of a sync primitive. */
export class SyncWaiter extends Parked {
  next: SyncWaiter | null = null;
  prev: SyncWaiter | null = null;
  list: WaitList | null = null;

  constructor(
    /** What the goroutine waits on, in Go's words ("sync.Mutex.Lock"). */
    readonly reason: string,
    /** A semaphore request's weight; 0 elsewhere. */
    readonly weight: number,
    /** An ErrGroup goroutine waiting for a slot; null elsewhere. */
    readonly task: (() => unknown) | null,
    readonly owner: WaitOwner | null,
    readonly resolve: () => void,
    readonly reject: (error: unknown) => void,
  ) {
    super();
  }

  /** Completes the wait; the caller has already taken it out of its list. */
  wake(): void {
    unpark(this);
    this.resolve();
    settled(this);
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
  first: SyncWaiter | null = null;
  #last: SyncWaiter | null = null;
  length = 0;

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
  return new Promise<void>((resolve, reject) => {
    const w = new SyncWaiter(reason, weight, task, owner, resolve, reject);
    list.push(w);
    park(w, signal);
  });
}

/** The shared settled promise of every call that does not block. */
export const RESOLVED: Promise<void> = Promise.resolve();

/** Throws a RangeError unless `n` is an integer (a safe one). */
export function checkInteger(n: number, what: string): void {
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(
      `Cannot ${what}: expected an integer, received ${String(n)}`,
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
