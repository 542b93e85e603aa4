// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The deadlock detector, on public APIs only.
 *
 * Deno dispatches `beforeunload` on `globalThis` exactly when its event
 * loop has nothing left to do: no timer, socket, server, child process,
 * fetch, worker, file read or crypto job that could still run a callback.
 * Node and Bun emit `process`'s `beforeExit` at the same point. If the main
 * program is blocked then, nothing can ever wake it: that is Go's "all
 * goroutines are asleep". The main program is blocked when its `main()`
 * body has not returned, or (without `main()`) when more operations are
 * parked on this library's primitives than there are goroutines, so that at
 * least one of them is the main program's.
 *
 * A signal listener can still wake a blocked program (Go's `signal.Notify`),
 * but keeps no event loop alive: while the program has one, the detector
 * holds the loop open until a signal arrives instead (see `_signals.ts`).
 *
 * The report is Go's text on stderr and exit code 2, sent from `unload`
 * (Deno) once a second `beforeunload` has found the same state, so that a
 * listener that keeps the program alive has had its say. `deno test`
 * dispatches `beforeunload` once, after the last test, and ignores
 * `preventDefault()`; a test blocked forever has already failed with "Promise
 * resolution is still pending but the event loop has already resolved", so
 * the detector stays quiet there. Deno does not dispatch `beforeunload` at
 * all while a top-level `await` is pending: it ends the program with "Top-level
 * await promise never resolved" instead (exit code 1). `main()` runs its
 * body without a top-level `await`, so the report can be made.
 */

import { describe, format, liveGoroutines } from "./_goroutines.ts";
import {
  allParked,
  DeadlockError,
  externalWaits,
  parkedOperations,
} from "./_parking.ts";
import { holdForSignals, signalListeners } from "./_signals.ts";

let enabled = true;
let mainRunning = false;

/** Turns detection on or off; returns whether it was on. */
export function setDetection(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/** Whether a `main()` body is running (its goroutine is goroutine 1). */
export function setMainRunning(running: boolean): void {
  mainRunning = running;
}

/** Whether `main()` is in use. */
export function isMainRunning(): boolean {
  return mainRunning;
}

/** Whether the main program is blocked, given that the event loop is dry. */
function blocked(): boolean {
  if (!enabled || externalWaits() > 0) return false;
  return mainRunning || parkedOperations() > liveGoroutines();
}

/** Go's report: every goroutine, the main program first. */
export function deadlockReport(): DeadlockError {
  const rows = describe(allParked(), mainRunning, null);
  const error = new DeadlockError(format(rows));
  // The frames of the detector say nothing about the deadlock.
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

interface Process {
  on?(event: string, listener: (...args: unknown[]) => void): unknown;
  exit(code: number): never;
}

const g = globalThis as {
  Deno?: { exit(code: number): never };
  process?: Process;
  addEventListener?: typeof addEventListener;
};

/** Ends the program at once with `code`, as Go's runtime does. */
export function exitProgram(code: number): never {
  if (g.Deno !== undefined) g.Deno.exit(code);
  if (g.process !== undefined) g.process.exit(code);
  throw new Error(`Cannot exit with code ${code}: no Deno or process global`);
}

function report(): never {
  console.error(`fatal error: ${deadlockReport().message}`);
  exitProgram(2);
}

if (g.Deno !== undefined && typeof g.addEventListener === "function") {
  // 0: nothing seen; 1: one dry loop found the main program blocked and
  // asked for another turn; 2: the next dry loop found it blocked again.
  let rounds = 0;
  g.addEventListener("beforeunload", (event) => {
    if (!blocked()) {
      rounds = 0;
    } else if (signalListeners()) {
      // A signal may still arrive and wake it, as in Go.
      rounds = 0;
      holdForSignals();
      event.preventDefault();
    } else if (rounds === 0) {
      rounds = 1;
      event.preventDefault();
    } else {
      rounds = 2;
    }
  });
  g.addEventListener("unload", () => {
    if (rounds === 2 && blocked()) report();
  });
} else if (typeof g.process?.on === "function") {
  g.process.on("beforeExit", () => {
    // Node's AbortSignal.timeout() does not keep the loop alive: a wait
    // such a signal may still end is not reported.
    if (blocked() && !allParked().some((p) => p.extra?.signal !== undefined)) {
      if (signalListeners()) holdForSignals();
      else report();
    }
  });
}
