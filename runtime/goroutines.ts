// Copyright the denogo authors. MIT license.

/**
 * The runtime's goroutine dump: {@linkcode Runtime.goroutines} lists every
 * task the runtime holds (queued, running, or finishing) from its shared
 * memory, and {@linkcode Runtime.goroutineDump} prints them as Go's
 * `SIGQUIT` traceback prints goroutines.
 *
 * @module
 */

/**
 * One task of a runtime, as {@linkcode Runtime.goroutines} sees it.
 *
 * @example Usage
 * ```ts
 * import { Runtime, type TaskInfo } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * await using rt = await Runtime.start({ procs: 1 });
 * const tasks: TaskInfo[] = rt.goroutines();
 * assert.deepEqual(tasks, []); // nothing running
 * ```
 */
export interface TaskInfo {
  /** The task's slot: a stable id while the task lives. */
  id: number;
  /**
   * `"runnable"` (queued, not started), `"running"` (started and not yet
   * returned: on its worker's thread now, or awaiting something), or
   * `"finishing"` (its result being written).
   */
  state: "runnable" | "running" | "finishing";
  /** The exported function's name. */
  function: string;
  /** The URL of the module that exports it. */
  module: string;
  /** The worker running it; undefined while it is queued. */
  worker: number | undefined;
  /** Who spawned it: `"main thread"` or `"worker N"`. */
  createdBy: string;
  /** Whether its cancellation was requested. */
  cancelled: boolean;
  /**
   * Milliseconds since it started (running, finishing), or since it was
   * queued (runnable; known for calls from the main thread only).
   */
  forMs: number | undefined;
}
