// Copyright the denogo authors. MIT license.

/**
 * Goroutines on one isolate: {@linkcode go}, {@linkcode yieldNow} and
 * {@linkcode numGoroutine}.
 *
 * A goroutine is an async function run on the event loop. It is cheap (a
 * few promises) and blocks only by awaiting, so thousands can wait on
 * channels while others run. `go()` returns the goroutine's result as a
 * promise: an error it throws rejects that promise, and a rejection nobody
 * handles ends the program with the error and its stack, as a panic ends a
 * Go program. Await the promise (or pass it to `Promise.all`, an `ErrGroup`,
 * ...) to handle the error instead.
 *
 * Deadlock: when every goroutine and the main program (or the test body)
 * are parked on this library's primitives, no library timer is pending, and
 * Deno's event loop holds nothing else (no server, socket, child process,
 * fetch or timer) that could still send, every parked operation rejects with
 * a {@linkcode DeadlockError} carrying Go's report. Two limits: awaiting a
 * goroutine's promise is not a library primitive, so a main program blocked
 * only in `await go(...)` gets Deno's own "promise never resolved" error
 * (wait on a `WaitGroup` or a channel to get the report); and a raw Web
 * Worker that feeds channels is invisible to the check, so a program doing
 * that should turn detection off with {@linkcode setDeadlockDetection}.
 *
 * @module
 */

import {
  goroutineEnded,
  goroutineStarted,
  liveGoroutines,
  setDetection,
} from "./_parking.ts";
import { afterTurn, preemptDue } from "./_preempt.ts";

export { DeadlockError } from "./_parking.ts";

// The multi-worker runtime (Go's M:N scheduler over Web Workers) lives in
// workers/runtime/; this module is its public face.
export {
  Runtime,
  RuntimeClosedError,
  spawn,
  TaskError,
  TaskPayloadError,
  taskSignal,
  WorkerCrashedError,
  workerIndex,
} from "./workers/runtime/mod.ts";
export type {
  CloseOptions,
  RemoteTask,
  RuntimeOptions,
  RuntimeStats,
  TaskFunction,
  TaskOptions,
  Tasks,
  TraceEvent,
  TraceFile,
  WorkerStats,
} from "./workers/runtime/mod.ts";

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Starts `fn(...args)` as a new goroutine and returns at once: Go's
 * `go fn(args)`. The goroutine starts after the caller yields (at its next
 * `await`), as a new goroutine in Go runs when the current one blocks.
 *
 * Returns the goroutine's result. If `fn` throws, the promise rejects; left
 * unhandled, that rejection ends the program like a Go panic.
 *
 * @example Fan out and join
 * ```ts
 * import { Channel, go } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const results = new Channel<number>({ capacity: 3 });
 * for (const n of [1, 2, 3]) go(async (x: number) => await results.send(x * x), n);
 * let sum = 0;
 * for (let i = 0; i < 3; i++) sum += (await results.receive()).value ?? 0;
 * assert.equal(sum, 14);
 * ```
 *
 * @example Handling a goroutine's error
 * ```ts
 * import { go } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const g = go(() => {
 *   throw new Error("boom");
 * });
 * await assert.rejects(g, /boom/);
 * ```
 *
 * @typeParam A The argument types of `fn`.
 * @typeParam R What `fn` returns (or resolves to).
 * @param fn The goroutine's body, sync or async.
 * @param args The arguments to call it with.
 * @returns The goroutine's result.
 */
export function go<A extends unknown[], R>(
  fn: (...args: A) => R | PromiseLike<R>,
  ...args: A
): Promise<R> {
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot start goroutine: expected a function, received ${typeof fn}`,
    );
  }
  goroutineStarted();
  // Start in a microtask (after the spawner yields), and count the
  // goroutine out when it settles. Two chained promises are the lightest
  // shape found: an async wrapper function costs ~40% more memory per
  // parked goroutine and twice the garbage collection when spawning many.
  return RESOLVED.then(() => fn(...args)).then(returned, panicked);
}

function returned<R>(value: R): R {
  goroutineEnded();
  return value;
}

function panicked(error: unknown): never {
  goroutineEnded();
  throw error;
}

/**
 * Lets other goroutines run, then resumes: Go's `runtime.Gosched()`.
 *
 * Usually it yields to the goroutines already runnable (a microtask). Once
 * microtasks have run for more than Go's 10 ms time slice since the event
 * loop last ran, it yields one whole event-loop turn instead (a few µs, by
 * `setImmediate` where the platform has it), so that timers and I/O run: a
 * goroutine spinning on `yieldNow()` cannot starve them. Awaited channel
 * operations and `select` take the same turn when the slice is over, so a
 * loop that never blocks need not call `yieldNow()` for timers to fire.
 *
 * @example Usage
 * ```ts
 * import { go, yieldNow } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * let ran = false;
 * go(() => { ran = true; });
 * await yieldNow();
 * assert.equal(ran, true);
 * ```
 *
 * @example A spinning loop still lets a timer fire
 * ```ts
 * import { yieldNow } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * let fired = false;
 * setTimeout(() => fired = true, 0);
 * let spins = 0;
 * while (!fired) {
 *   spins++;
 *   await yieldNow();
 * }
 * assert(spins > 0);
 * ```
 *
 * @returns A promise that resolves once others have had a turn.
 */
export function yieldNow(): Promise<void> {
  return preemptDue() ? afterTurn(undefined) : RESOLVED;
}

/**
 * The number of goroutines that exist: those started with {@linkcode go}
 * that have not returned, plus one for the main program, as Go's
 * `runtime.NumGoroutine()` counts `main`. Compare it before and after a
 * piece of work to check for leaked goroutines.
 *
 * @example Usage
 * ```ts
 * import { Channel, go, numGoroutine } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const before = numGoroutine();
 * const ch = new Channel<void>();
 * const g = go(() => ch.receive());
 * assert.equal(numGoroutine(), before + 1);
 * ch.close();
 * await g;
 * assert.equal(numGoroutine(), before);
 * ```
 *
 * @returns The count of live goroutines, main included.
 */
export function numGoroutine(): number {
  return liveGoroutines() + 1;
}

/**
 * Turns the deadlock report on or off for the whole program, and returns
 * whether it was on. It is on by default wherever Deno lets the library see
 * its event loop. Turn it off in a program whose channels are fed by
 * something the check cannot see, such as a raw Web Worker's messages.
 *
 * @example Usage
 * ```ts
 * import { setDeadlockDetection } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const was = setDeadlockDetection(false);
 * setDeadlockDetection(was);
 * assert.equal(typeof was, "boolean");
 * ```
 *
 * @param enabled Whether to report deadlocks.
 * @returns Whether reporting was on before the call.
 */
export function setDeadlockDetection(enabled: boolean): boolean {
  return setDetection(enabled);
}
