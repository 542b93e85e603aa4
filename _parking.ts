// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Parking: the record of every operation blocked on one of this library's
 * primitives, for the deadlock report and the goroutine dump.
 *
 * A blocked operation (a channel send or receive, a select, a mutex lock, a
 * wait group wait, ...) is a {@linkcode Parked} record, linked into one
 * global list while it waits: Go's goroutines in state `_Gwaiting`. The list
 * costs four pointer writes per park and unpark, plus one read of the
 * running goroutine (see `_goroutines.ts`), whose record the operation
 * keeps. Deciding that the program is deadlocked is `_deadlock.ts`'s job.
 */

import {
  type Goroutine,
  goroutineName,
  isTracing,
  resumed,
  resuming,
  running,
} from "./_goroutines.ts";
import * as recorder from "./_trace_recorder.ts";
import { noteParked } from "./_wait_notes.ts";
// The detector watches the end of the event loop from the first park on.
import "./_deadlock.ts";

/** Where and when an operation parked (recorded while tracing). */
export interface ParkTrace {
  since: number;
  stack?: string;
}

/** One operation blocked on a primitive: a node of the global parked list. */
export abstract class Parked {
  /** Links of the global parked list. */
  pprev: Parked | null;
  pnext: Parked | null;
  /** The goroutine that parked, or null where that is not known. */
  g: Goroutine | null;
  /** What the goroutine waits on, in Go's words ("chan receive", "select"). */
  abstract readonly reason: string;
  /**
   * The channel or primitive it waits on, for the goroutine dump; null for
   * a select (which waits on several) or when not known.
   */
  abstract readonly target: object | null;
  /** Wakes the goroutine with an error and removes it from every queue. */
  abstract abort(error: unknown): void;
  /**
   * What only some waits hold (where and when it parked, an AbortSignal's
   * listener, the runtime's note of the wait), in one object made for the
   * waits that have any: most waits carry one empty field.
   */
  extra: ParkExtra | undefined;

  constructor() {
    // Assigned here rather than as field initializers: this constructor runs
    // for every blocking operation, and plain stores are the cheapest form.
    this.pprev = null;
    this.pnext = null;
    this.g = null;
    this.extra = undefined;
  }
}

/**
 * The rare part of a parked operation: made only for a wait that is traced,
 * noted by the runtime, or may be cancelled by a signal. While a signal
 * watches the wait, this object is its abort listener.
 */
export class ParkExtra {
  /** The operation. */
  readonly p: Parked;
  /** Where and when (`performance.now()`) it parked, while tracing. */
  trace: ParkTrace | undefined;
  /** Ends the runtime's note of this wait (`_wait_notes.ts`), if it took one. */
  noted: (() => void) | undefined;
  /** The AbortSignal that can cancel the wait, while it watches. */
  signal: AbortSignal | undefined;

  constructor(p: Parked) {
    this.p = p;
    this.trace = undefined;
    this.noted = undefined;
    this.signal = undefined;
  }

  /** The abort listener: wakes the operation with the signal's reason. */
  handleEvent(): void {
    this.p.abort(this.signal!.reason);
  }
}

/**
 * Go's deadlock report as an error. When the event loop runs dry while the
 * main program is blocked, the detector prints `fatal error: ` and this
 * error's message on stderr and ends the program with exit code 2; it does
 * not throw it into the blocked operations (nothing could catch it and go
 * on: a deadlock is fatal in Go too).
 *
 * @example Usage
 * ```ts
 * import { DeadlockError } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const error = new DeadlockError("goroutine 1 [chan receive]");
 * assert.equal(error.name, "DeadlockError");
 * assert.match(error.message, /all goroutines are asleep - deadlock!/);
 * ```
 */
export class DeadlockError extends Error {
  /**
   * Creates the error from the goroutines' part of the report.
   *
   * @param goroutines One block per goroutine, as Go's traceback prints
   *   them (`goroutine 1 [chan receive]:\nmain(...)`).
   */
  constructor(goroutines: string) {
    super(`all goroutines are asleep - deadlock!\n\n${goroutines}`);
    this.name = "DeadlockError";
  }
}

let head: Parked | null = null;
let parkedCount = 0;
/** Waits the event loop may not see (another thread's futex), and timers. */
let external = 0;

/** The number of operations parked now. */
export function parkedOperations(): number {
  return parkedCount;
}

/** Every parked operation, oldest first. */
export function allParked(): Parked[] {
  const all: Parked[] = [];
  for (let p = head; p !== null; p = p.pnext) all.push(p);
  return all.reverse();
}

/**
 * Counts in a wait that something outside this isolate's event loop may end
 * (a futex another thread notifies), or a library timer: while one is
 * counted, the end of the event loop is not reported as a deadlock.
 */
export function timerArmed(): void {
  external++;
}

/** Counts such a wait out. */
export function timerDisarmed(): void {
  external--;
}

/** The number of waits counted by {@linkcode timerArmed}. */
export function externalWaits(): number {
  return external;
}

/**
 * Counts in a wait that something the detector cannot see may end (a
 * `notify` from another thread): while one is pending, nothing is
 * deadlocked, as while a timer is armed.
 */
export function outsideWaitStarted(): void {
  timerArmed();
}

/** Counts out a wait counted in by {@linkcode outsideWaitStarted}. */
export function outsideWaitEnded(): void {
  timerDisarmed();
}

/** Links `p` into the parked list; `signal` may cancel the wait. */
export function park(p: Parked, signal?: AbortSignal): void {
  p.g = running();
  let extra: ParkExtra | undefined;
  if (isTracing()) {
    const trace: ParkTrace = { since: performance.now() };
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 64; // Past this library's own frames.
    Error.captureStackTrace(trace, park);
    Error.stackTraceLimit = limit;
    extra = new ParkExtra(p);
    extra.trace = trace;
    p.extra = extra;
  }
  if (recorder.recording) recorder.parked(p, goroutineName);
  const noted = noteParked(p);
  if (noted !== undefined) {
    if (extra === undefined) p.extra = extra = new ParkExtra(p);
    extra.noted = noted;
  }
  const first = head;
  p.pnext = first;
  if (first !== null) first.pprev = p;
  head = p;
  parkedCount++;
  if (signal !== undefined) {
    if (extra === undefined) p.extra = extra = new ParkExtra(p);
    extra.signal = signal;
    signal.addEventListener("abort", extra, { once: true });
  }
}

/**
 * Unlinks `p` from the parked list; called exactly once per `park`, just
 * before the caller settles the promise the goroutine awaits, and followed
 * by {@linkcode settled} just after.
 */
export function unpark(p: Parked): void {
  const prev = p.pprev, next = p.pnext;
  if (prev !== null) prev.pnext = next;
  else head = next;
  if (next !== null) next.pprev = prev;
  p.pprev = p.pnext = null;
  parkedCount--;
  if (recorder.recording) recorder.unparked(p);
  const extra = p.extra;
  if (extra !== undefined) {
    const noted = extra.noted;
    if (noted !== undefined) {
      extra.noted = undefined;
      noted();
    }
    const signal = extra.signal;
    if (signal !== undefined) {
      extra.signal = undefined;
      signal.removeEventListener("abort", extra);
    }
  }
  resuming(p);
}

/** Called once the promise of an unparked `p` is settled. */
export function settled(p: Parked): void {
  resumed(p);
}
