// Copyright the denogo authors. MIT license.

/**
 * The options of {@linkcode Runtime.start}, of one task call and of
 * {@linkcode Runtime.close}. Every option is checked when it is given: a
 * value of the wrong type throws a `TypeError`, a value out of range a
 * `RangeError`, each naming the function, the option, the rule and the
 * value as given.
 *
 * @module
 */

/**
 * Options of {@linkcode Runtime.start}.
 *
 * @example Usage
 * ```ts
 * import { Runtime, type RuntimeOptions } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * const options: RuntimeOptions = { procs: 1, maxTasks: 64, cancelGraceMs: 500 };
 * await using rt = await Runtime.start(options);
 * assert.equal(rt.procs, 1);
 * ```
 */
export interface RuntimeOptions {
  /**
   * Workers to start (Go's `GOMAXPROCS`): an integer in [1, 256].
   *
   * @default {navigator.hardwareConcurrency}
   */
  procs?: number;
  /**
   * What `await using` (`Symbol.asyncDispose`) and `close()` without a
   * mode do with unfinished tasks: `"wait"` for them, or `"cancel"` them.
   *
   * @default {"wait"}
   */
  onClose?: "wait" | "cancel";
  /**
   * Record a trace ({@linkcode Runtime.trace}): `true` keeps up to 65,536
   * task slices per worker, an integer in [0, 1048576] keeps that many.
   *
   * @default {false}
   */
  trace?: boolean | number;
  /**
   * Tasks from the main thread that may be queued or running at once
   * (an integer in [1, 1048576]); further calls wait in a queue on the
   * main thread. Rounded up to a power of two, at least 16.
   *
   * @default {16384}
   */
  maxTasks?: number;
  /**
   * How long the main thread polls for a result before it waits on the
   * event loop, in microseconds (a number in [0, 1000000]). Polling makes
   * a short task's round trip a few microseconds instead of tens, at the
   * cost of up to this much busy main-thread time per wait (less while
   * results take longer: the poll shortens each time it gives up, and
   * grows back as results come while it polls); 0 turns it off. It polls a microtask turn at a time, so the main thread's
   * goroutines and promise callbacks run meanwhile; timers and I/O wait
   * until it stops. While the main thread also polls for its own waits on
   * shared primitives (a send to a task, say), this budget starts again:
   * the result of a task that waits for the main thread is not left to
   * the event loop.
   *
   * @default {20}
   */
  spinMicros?: number;
  /**
   * Bytes of shared memory for arguments and results that do not fit a
   * task's 192-byte inline payload: an integer in [0, 1073741824],
   * rounded up to a multiple of 8.
   *
   * @default {16777216}
   */
  heapBytes?: number;
  /**
   * The grace period of a cancelled task, in milliseconds (an integer in
   * [0, 2147483647]). A task called from the main thread and cancelled
   * (through its `signal`, or by `close({ mode: "cancel" })`) whose call
   * has been rejected but which is still running this long after is
   * abandoned: the runtime retires and terminates its worker and starts a
   * replacement. Deno may run a terminated worker's code on (an endless
   * synchronous loop, a `recvSync`), but a retired one takes no further
   * value or lock from shared memory (`Retirement` in `workers/`). Other tasks
   * running on that worker at that moment fail with
   * {@linkcode WorkerCrashedError} (or are re-run, with `retries`).
   *
   * @default {1000}
   */
  cancelGraceMs?: number;
}

/**
 * Options of one task call (`rt.module(url).f.with(options)`,
 * {@linkcode Runtime.run}).
 *
 * @example Usage
 * ```ts
 * import type { TaskOptions } from "@denogo/go/runtime";
 *
 * const options: TaskOptions = { signal: AbortSignal.timeout(1000), retries: 2 };
 * ```
 */
export interface TaskOptions {
  /**
   * Cancels the task: the call rejects with the signal's reason at once; a
   * queued task never runs, a running one sees its `taskSignal()` abort
   * (and is abandoned after the runtime's `cancelGraceMs` if it runs on).
   */
  signal?: AbortSignal;
  /**
   * Times to re-run the task if the worker running it dies: an integer
   * in [0, 2147483647].
   *
   * @default {0}
   */
  retries?: number;
  /**
   * ArrayBuffers to move into the task, as `postMessage`'s transfer list
   * does: once the arguments are written to the task's slot (at the call,
   * or when a slot frees up if `maxTasks` calls are in flight), each is
   * detached, so the caller can no longer read or change what the task
   * received. The bytes of one that is among the arguments are copied once
   * into the runtime's shared memory (task payloads live there) and the
   * task gets them as a new ArrayBuffer. Each must be an ArrayBuffer, not
   * detached and listed once (else a `TypeError` naming `transfer`); a
   * `SharedArrayBuffer` is shared, never moved. A buffer that cannot be
   * detached (a `WebAssembly.Memory`'s) is found only when it is moved: the
   * call then rejects with a `TypeError` naming `transfer[i]`, and the
   * buffers listed before it are detached already.
   *
   * @example Usage
   * ```ts
   * import type { TaskOptions } from "@denogo/go/runtime";
   *
   * const buf = new ArrayBuffer(8);
   * const options: TaskOptions = { transfer: [buf] };
   * ```
   */
  transfer?: ArrayBuffer[];
}

/**
 * Options of {@linkcode Runtime.close}.
 *
 * @example Usage
 * ```ts
 * import { type CloseOptions, Runtime } from "@denogo/go/runtime";
 *
 * const rt = await Runtime.start({ procs: 1 });
 * const options: CloseOptions = { mode: "cancel" };
 * await rt.close(options);
 * ```
 */
export interface CloseOptions {
  /**
   * `"wait"` for the unfinished tasks of the main thread, then stop the
   * workers; `"cancel"` rejects them at once with
   * {@linkcode RuntimeClosedError} and stops the workers once the
   * cancelled tasks have returned or their grace period
   * (`cancelGraceMs`) has passed.
   *
   * @default {the runtime's onClose option}
   */
  mode?: "wait" | "cancel";
}
