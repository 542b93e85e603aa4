// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Parking: the record of every goroutine blocked on one of this library's
 * primitives, and the deadlock detector that reads it.
 *
 * A blocked operation (a channel send or receive, a select, a mutex lock, a
 * wait group wait, ...) is a {@linkcode Parked} record, linked into one
 * global list while it waits: Go's set of goroutines in state `_Gwaiting`.
 * The list costs four pointer writes per park and unpark, and it is what the
 * deadlock report prints.
 *
 * Deadlock, as Go defines it, is every goroutine asleep with nothing that
 * could wake one. Here that means: at least one more operation is parked
 * than there are live goroutines started with `go()` (so the main program,
 * or the test body, is parked too), no timer of this library is pending,
 * and the event loop holds no other work (a timer, a socket, a server) that
 * could still send on a channel. The first two are counted here; the last
 * is read off Deno's runtime by a probe timer that runs only while the first
 * two hold, so the hot paths pay one comparison. Where the runtime cannot
 * tell, the detector stays off and Deno's own error is reported.
 */

/** One goroutine blocked on a primitive: a node of the global parked list. */
export abstract class Parked {
  /** Links of the global parked list. */
  pprev: Parked | null;
  pnext: Parked | null;
  /** What the goroutine waits on, in Go's words ("chan receive", "select"). */
  abstract readonly reason: string;
  /** Wakes the goroutine with an error and removes it from every queue. */
  abstract abort(error: unknown): void;
  /** The AbortSignal that can cancel this wait, if any. */
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;

  constructor() {
    // Assigned here rather than as field initializers: this constructor runs
    // for every blocking operation, and plain stores are the cheapest form.
    this.pprev = null;
    this.pnext = null;
    this.signal = undefined;
    this.onAbort = undefined;
  }
}

/**
 * Thrown into every parked operation when the detector finds that all
 * goroutines are asleep. Its message is Go's report.
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
   * Creates the error from the list of parked goroutines.
   *
   * @param goroutines One line per parked goroutine.
   */
  constructor(goroutines: string) {
    super(`all goroutines are asleep - deadlock!\n\n${goroutines}`);
    this.name = "DeadlockError";
  }
}

interface RuntimeState {
  /** Goroutines started with `go()` that have not returned. */
  live: number;
  /** Operations parked now. */
  parked: number;
  /** Timers of this library that are armed (after, tick, sleep, ...). */
  timers: number;
  head: Parked | null;
  probe: ReturnType<typeof setTimeout> | undefined;
  probeDelay: number;
}

const state: RuntimeState = {
  live: 0,
  parked: 0,
  timers: 0,
  head: null,
  probe: undefined,
  probeDelay: 1, // FIRST_PROBE_DELAY_MS
};

/** Returns the number of goroutines started with `go()` still running. */
export function liveGoroutines(): number {
  return state.live;
}

/** Counts a goroutine in. */
export function goroutineStarted(): void {
  state.live++;
}

/** Counts a goroutine out; it may leave everyone else parked. */
export function goroutineEnded(): void {
  state.live--;
  maybeArmProbe();
}

/** Counts a library timer in: while one is armed, nothing is deadlocked. */
export function timerArmed(): void {
  state.timers++;
  disarmProbe();
}

/** Counts a library timer out. */
export function timerDisarmed(): void {
  state.timers--;
  maybeArmProbe();
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
  const head = state.head;
  p.pnext = head;
  if (head !== null) head.pprev = p;
  state.head = p;
  state.parked++;
  if (signal !== undefined) {
    p.signal = signal;
    p.onAbort = () => p.abort(signal.reason);
    signal.addEventListener("abort", p.onAbort, { once: true });
  }
  maybeArmProbe();
}

/** Unlinks `p` from the parked list; called exactly once per `park`. */
export function unpark(p: Parked): void {
  const prev = p.pprev, next = p.pnext;
  if (prev !== null) prev.pnext = next;
  else state.head = next;
  if (next !== null) next.pprev = prev;
  p.pprev = p.pnext = null;
  state.parked--;
  if (p.signal !== undefined) {
    p.signal.removeEventListener("abort", p.onAbort!);
    p.signal = p.onAbort = undefined;
  }
  if (state.probe !== undefined) disarmProbe();
}

// The deadlock probe. ------------------------------------------------------

/**
 * Whether the event loop holds no work but this library's: no open resource
 * other than the standard streams (a server, a socket, a signal listener, a
 * child process, a fetch in flight) and no timer. Read from Deno's runtime;
 * `undefined` where it cannot tell, which turns the detector off. A Web
 * Worker started by the program is not visible here: a program that feeds
 * channels from a raw worker's messages should call
 * `setDeadlockDetection(false)`.
 */
const eventLoopIdle: (() => boolean) | undefined = (() => {
  try {
    const g = globalThis as {
      Deno?: Record<symbol | string, unknown>;
      process?: { getActiveResourcesInfo?: () => string[] };
    };
    const internal = g.Deno?.internal as symbol | undefined;
    const core = internal === undefined
      ? undefined
      : (g.Deno![internal] as { core?: { resources?: unknown } })?.core;
    const resources = core?.resources;
    const active = g.process?.getActiveResourcesInfo;
    if (typeof resources !== "function" || typeof active !== "function") {
      return undefined;
    }
    const isStdio = (name: unknown) =>
      name === "stdin" || name === "stdout" || name === "stderr";
    return () =>
      Object.values(resources.call(core) as Record<string, unknown>).every(
        isStdio,
      ) && active.call(g.process).length === 0;
  } catch {
    return undefined;
  }
})();

let detectionEnabled = eventLoopIdle !== undefined;

/**
 * Turns deadlock detection on or off; returns whether it was on. It is on
 * by default where Deno lets it see the event loop.
 */
export function setDetection(enabled: boolean): boolean {
  const was = detectionEnabled;
  detectionEnabled = enabled && eventLoopIdle !== undefined;
  if (!detectionEnabled) disarmProbe();
  else maybeArmProbe();
  return was;
}

const FIRST_PROBE_DELAY_MS = 1;
const MAX_PROBE_DELAY_MS = 1024;

function allAsleep(): boolean {
  return state.parked > state.live && state.timers === 0;
}

// The probe timer is armed and cleared from a microtask, never in the middle
// of a channel operation: where Node compatibility is loaded, a call to
// setTimeout or clearTimeout can run queued microtasks (user code) on the
// spot, which must not happen while a select is half parked.

let probeSyncQueued = false;

function maybeArmProbe(): void {
  if (state.probe === undefined && detectionEnabled && allAsleep()) {
    queueProbeSync();
  }
}

function disarmProbe(): void {
  if (state.probe !== undefined) queueProbeSync();
}

function queueProbeSync(): void {
  if (probeSyncQueued) return;
  probeSyncQueued = true;
  queueMicrotask(syncProbe);
}

/** Arms or clears the probe timer to match the state now. */
function syncProbe(): void {
  probeSyncQueued = false;
  const wanted = detectionEnabled && allAsleep();
  if (wanted && state.probe === undefined) {
    state.probe = setTimeout(probeFired, state.probeDelay);
  } else if (!wanted && state.probe !== undefined) {
    clearTimeout(state.probe);
    state.probe = undefined;
    state.probeDelay = FIRST_PROBE_DELAY_MS;
  }
}

function probeFired(): void {
  state.probe = undefined;
  // The timer that runs this callback counts as active until the callback
  // and its microtasks are done; look from a microtask queued behind them.
  queueMicrotask(probeCheck);
}

function probeCheck(): void {
  if (state.probe !== undefined || !detectionEnabled || !allAsleep()) return;
  if (!eventLoopIdle!()) {
    // Something outside this library (a server, a socket, a timer) may
    // still send on a channel. Look again later, backing off.
    state.probeDelay = Math.min(state.probeDelay * 2, MAX_PROBE_DELAY_MS);
    state.probe = setTimeout(probeFired, state.probeDelay);
    return;
  }
  reportDeadlock();
}

/** Builds Go's report and wakes every parked goroutine with it. */
function reportDeadlock(): void {
  const all: Parked[] = [];
  for (let p = state.head; p !== null; p = p.pnext) all.push(p);
  all.reverse(); // Oldest first, as goroutine numbers run.
  const lines = all.map((p, i) => `goroutine ${i + 1} [${p.reason}]:`);
  const error = new DeadlockError(lines.join("\n"));
  // The frames of this probe say nothing about the deadlock; the report is
  // the message.
  error.stack = `${error.name}: ${error.message}`;
  for (const p of all) p.abort(error);
}
