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
   * returned: on its worker's thread now, or awaiting something the library
   * does not see, such as `fetch`), `"finishing"` (its result being
   * written), or what it awaits, in Go's words: a {@linkcode TaskWait}
   * such as `"chan receive"` for a `SharedChannel` or `Channel` receive.
   */
  state: "runnable" | "running" | "finishing" | TaskWait;
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
  /** Milliseconds since its current wait began; undefined when not waiting. */
  waitingMs: number | undefined;
  /**
   * The shared primitive it waits on, by class and id (`"SharedChannel
   * 182736455"`: the id its `console.log` shows, the same on every thread);
   * undefined when not waiting, or waiting on a select or a tier-1 object.
   */
  waitingOn: string | undefined;
}

/**
 * What a runtime task can be seen to wait on, in the words of Go's
 * goroutine dump: a receive or send on a channel (`SharedChannel` or
 * `Channel`), a blocked `select`, a lock (`SharedMutex`, `SharedRWMutex`,
 * or the tier-1 types), a wait group, a once, a semaphore (`"semacquire"`),
 * or `"waiting"` for another blocking operation of the library.
 *
 * @example Usage
 * ```ts
 * import type { TaskWait } from "@denogo/go/runtime";
 *
 * const reason: TaskWait = "chan receive";
 * console.log(reason);
 * ```
 */
export type TaskWait =
  | "waiting"
  | "chan receive"
  | "chan send"
  | "select"
  | "select (no cases)"
  | "sync.Mutex.Lock"
  | "sync.RWMutex.Lock"
  | "sync.RWMutex.RLock"
  | "sync.WaitGroup.Wait"
  | "sync.Cond.Wait"
  | "sync.Once.Do"
  | "semacquire";
