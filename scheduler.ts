// Copyright the denogo authors. MIT license.

/**
 * Goroutines on one isolate: {@linkcode go}, {@linkcode yieldNow},
 * {@linkcode numGoroutine}, {@linkcode main}, the goroutine dump and the
 * deadlock report.
 *
 * A goroutine is an async function run on the event loop. It is cheap (a
 * few promises) and blocks only by awaiting, so thousands can wait on
 * channels while others run. `go()` returns the goroutine's result as a
 * promise: an error it throws rejects that promise, and a rejection nobody
 * handles ends the program with the error and its stack, as a panic ends a
 * Go program. Await the promise (or pass it to `Promise.all`, an `ErrGroup`,
 * ...) to handle the error instead.
 *
 * Deadlock: when the event loop has nothing left to do (no timer, socket,
 * server, child process, fetch, worker, file or crypto operation pending)
 * while the main program is blocked, nothing can ever wake it. The program
 * then prints Go's report on stderr and exits with code 2, as Go does:
 *
 * ```text
 * fatal error: all goroutines are asleep - deadlock!
 *
 * goroutine 1 [chan receive]:
 * main(...)
 *
 * goroutine 2 [chan send]:
 * producer(...)
 * created by main in goroutine 1
 * ```
 *
 * The main program is blocked when the body given to {@linkcode main} has
 * not returned, or, without `main()`, when an operation that no goroutine
 * started is parked on a channel, `select` or `sync` primitive. Two limits
 * come from Deno: a program blocked in a top-level `await` ends with Deno's
 * "Top-level await promise never resolved" (exit code 1) before the loop
 * reports that it is dry (write the program as `main(async () => ...)` to
 * get Go's report), and `deno test` fails a test that can never finish with
 * "Promise resolution is still pending but the event loop has already
 * resolved" (the library cannot report it there). And Deno does not count a
 * signal listener (`Deno.addSignalListener`) as pending work once the main
 * module has run: a program blocked until a signal arrives ends when the
 * loop runs dry, with the report if it is blocked on a channel.
 *
 * {@linkcode goroutines} and {@linkcode goroutineDump} list every goroutine
 * with what it waits on, as Go's goroutine dump does, and
 * {@linkcode setGoroutineTracing} adds where each was started and where it
 * waits.
 *
 * @module
 */

import {
  describe,
  format,
  type Goroutine,
  type GoroutineInfo,
  liveGoroutines,
  MAIN,
  running,
  setTracing,
  spawn,
  startEnded,
  startQueued,
  startSuspended,
  takeStartingArgs,
  unregister,
} from "./_goroutines.ts";
import { setDetection } from "./_deadlock.ts";
import { allParked } from "./_parking.ts";
import { describe as describeValue } from "./_describe.ts";
import { afterTurn, preemptDue } from "./_preempt.ts";

export { DeadlockError } from "./_parking.ts";
export type { GoroutineInfo } from "./_goroutines.ts";
export { main } from "./main.ts";

const RESOLVED: Promise<void> = Promise.resolve();
const NO_ARGS: unknown[] = [];
/**
 * `Promise.prototype.then` as it was when this module loaded: the start of
 * goroutines relies on its reactions running in the order they were made,
 * which a later patch of `then` must not be able to change.
 */
const promiseThen = Promise.prototype.then;

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
): Promise<R>;
export function go(fn: unknown): Promise<unknown> {
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot start goroutine: expected a function, received ${typeof fn}`,
    );
  }
  // The arguments are read from `arguments`, not a rest parameter: a rest
  // array would be made (and dropped) even by a call with none.
  const n = arguments.length;
  let args = NO_ARGS;
  if (n > 1) {
    args = new Array(n - 1);
    for (let i = 1; i < n; i++) args[i - 1] = arguments[i];
  }
  spawn(fn, args);
  // One reaction per goroutine, on a promise that is already settled: the
  // reactions run in the order they were queued, which is the order of the
  // queue of goroutines not started, so each `start` takes the oldest. No
  // closure is made per go().
  return promiseThen.call(RESOLVED, start);
}

/**
 * Runs the oldest goroutine not yet started, as the running goroutine; a
 * sync body is taken out of the registry at once, an async one when the
 * promise it returns settles. A sync body that parks nothing, starts no
 * goroutine and asks for no dump never has a record made (see
 * `_goroutines.ts`): it is counted in and out.
 */
function start(): unknown {
  const fn = startQueued() as (...a: unknown[]) => unknown;
  const args = takeStartingArgs(); // A started goroutine holds none.
  let result: unknown;
  let then: unknown;
  try {
    // Called as a plain function: `this` is undefined. A call without
    // arguments is not spread (a spread call is a slower builtin).
    result = args.length === 0 ? fn() : fn(...args);
    if (
      result !== null &&
      (typeof result === "object" || typeof result === "function")
    ) then = (result as PromiseLike<unknown>).then;
  } catch (error) {
    startEnded();
    throw error;
  }
  if (typeof then !== "function") {
    startEnded();
    return result;
  }
  const g = startSuspended();
  if (then === promiseThen) {
    // A promise: go()'s promise follows it directly (V8 links the two with
    // one reaction, no resolving functions), and one more reaction takes
    // the goroutine out of the registry first, whichever way it settles.
    // That reaction's own promise always fulfils, so a rejection is
    // reported once, through go()'s promise.
    const done = ended.bind(g);
    promiseThen.call(result, done, done);
    return result;
  }
  // Another thenable is asked once, as `await` would ask it.
  return (then as PromiseLike<unknown>["then"]).call(
    result,
    returned.bind(g),
    panicked.bind(g),
  );
}

function ended(this: Goroutine): void {
  unregister(this);
}

function returned(this: Goroutine, value: unknown): unknown {
  unregister(this);
  return value;
}

function panicked(this: Goroutine, error: unknown): never {
  unregister(this);
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
 * whether it was on. It is on by default. With it off, a program whose main
 * program is blocked when the event loop runs dry just ends, as Deno ends
 * any program with nothing left to do (exit code 0).
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
  if (typeof enabled !== "boolean") {
    throw new TypeError(
      `Cannot set deadlock detection: expected a boolean, received ${
        describeValue(enabled)
      }`,
    );
  }
  return setDetection(enabled);
}

/**
 * Every goroutine that exists, as Go's goroutine dump lists them: the main
 * program (goroutine 1) first, then those started with {@linkcode go} that
 * have not returned, oldest first, each with what it waits on.
 *
 * A goroutine's state is exact while it is parked on one of this library's
 * primitives (a channel operation, `select`, a `sync` type, a context's
 * `done()` channel) and was started or last resumed by the library. One
 * resumed by something else (a `fetch`, a plain promise, `Promise.all`)
 * shows `"await"` until the library resumes it again, and what it parks on
 * meanwhile is shown under goroutine 1. Wait times and creation sites are
 * recorded only while {@linkcode setGoroutineTracing} is on.
 *
 * @example Usage
 * ```ts
 * import { Channel, go, goroutines } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const ch = new Channel<number>();
 * const g = go(async function producer() {
 *   await ch.send(1);
 * });
 * await Promise.resolve(); // Let it start and park.
 * const producer = goroutines().find((r) => r.function === "producer")!;
 * assert.equal(producer.state, "chan send");
 * assert.equal(producer.createdIn, 1);
 * await ch.receive();
 * await g;
 * ```
 *
 * @returns One record per goroutine, goroutine 1 first.
 */
export function goroutines(): GoroutineInfo[] {
  return describe(allParked(), true, running() ?? MAIN).goroutines;
}

/**
 * Go's goroutine dump (what `SIGQUIT` prints): one block per goroutine with
 * its id, state, function, and the goroutine that started it, as
 * {@linkcode goroutines} describes them.
 *
 * @example Usage
 * ```ts
 * import { Channel, go, goroutineDump } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const ch = new Channel<number>();
 * const g = go(async function consumer() {
 *   await ch.receive();
 * });
 * await Promise.resolve();
 * assert.match(goroutineDump(), /goroutine \d+ \[chan receive\]:\nconsumer/);
 * ch.close();
 * await g;
 * ```
 *
 * @returns The dump, goroutine 1 first, blocks separated by blank lines.
 */
export function goroutineDump(): string {
  return format(describe(allParked(), true, running() ?? MAIN));
}

/**
 * Turns goroutine tracing on or off, and returns whether it was on. While it
 * is on, `go()` records where it was called (an `Error` stack: about 4 µs a
 * spawn, several times the cost of the spawn itself) and every wait records
 * when it began, so the deadlock report and the dump show Go's
 * `created by ... main.ts:12:3` line and `[chan receive, 2 minutes]`. Off by
 * default; goroutines started while it was off have no creation site.
 *
 * @example Usage
 * ```ts
 * import { go, goroutines, setGoroutineTracing } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const was = setGoroutineTracing(true);
 * try {
 *   const g = go(async function traced() {});
 *   const record = goroutines().find((r) => r.function === "traced")!;
 *   assert.match(record.site ?? "", /:\d+:\d+$/);
 *   await g;
 * } finally {
 *   setGoroutineTracing(was);
 * }
 * ```
 *
 * @param enabled Whether to record creation sites and wait times.
 * @returns Whether tracing was on before the call.
 */
export function setGoroutineTracing(enabled: boolean): boolean {
  if (typeof enabled !== "boolean") {
    throw new TypeError(
      `Cannot set goroutine tracing: expected a boolean, received ${
        describeValue(enabled)
      }`,
    );
  }
  return setTracing(enabled);
}
