// Copyright the denogo authors. MIT license.

/**
 * The typed errors of the multi-worker runtime.
 *
 * @module
 */

/**
 * A task threw (or rejected) in a worker. The awaiting caller receives this
 * error: its `message` names the task and repeats the remote error's,
 * `remoteStack` is the stack where it was thrown (in the worker), and
 * `cause` is the remote error rebuilt on this thread (an `Error` with the
 * same `name`, `message` and `stack`; structured-clonable `cause` chains are
 * kept).
 *
 * @example Usage
 * ```ts
 * import { TaskError } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * const remote = new RangeError("n must be positive");
 * const err = new TaskError("file:///tasks.ts", "fib", remote);
 * assert.equal(err.name, "TaskError");
 * assert.equal(err.cause, remote);
 * assert.match(err.message, /fib.*RangeError: n must be positive/);
 * ```
 */
export class TaskError extends Error {
  /** The module of the task's function. */
  readonly url: string;
  /** The exported name of the task's function. */
  readonly task: string;
  /** The stack of the error in the worker, as the worker printed it. */
  readonly remoteStack: string;

  /**
   * Creates the error for task `task` of module `url` that threw `remote`.
   *
   * @param url The task's module.
   * @param task The task's exported name.
   * @param remote The error the task threw, rebuilt on this thread.
   */
  constructor(url: string, task: string, remote: unknown) {
    const text = remote instanceof Error
      ? `${remote.name}: ${remote.message}`
      : String(remote);
    super(`Task "${task}" (${url}) threw ${text}`, { cause: remote });
    this.name = "TaskError";
    this.url = url;
    this.task = task;
    this.remoteStack = remote instanceof Error ? remote.stack ?? text : text;
    this.stack =
      `${this.stack}\nCaused by (in the worker): ${this.remoteStack}`;
  }
}

/**
 * The worker running a task died (it called `self.close()` or an error
 * escaped every handler) before the task finished. The runtime replaced the
 * worker; the task was not re-run because it had no retries left (see the
 * `retries` task option).
 *
 * @example Usage
 * ```ts
 * import { WorkerCrashedError } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * const err = new WorkerCrashedError("file:///tasks.ts", "work", 1, "Error: boom");
 * assert.equal(err.worker, 1);
 * assert.match(err.message, /worker 1 crashed/);
 * ```
 */
export class WorkerCrashedError extends Error {
  /** The module of the task's function. */
  readonly url: string;
  /** The exported name of the task's function. */
  readonly task: string;
  /** The index of the worker (its P) that crashed. */
  readonly worker: number;

  /**
   * Creates the error for a task of `url`/`task` that was running on
   * `worker` when it died of `reason`.
   *
   * @param url The task's module.
   * @param task The task's exported name.
   * @param worker The index of the worker that died.
   * @param reason What killed it.
   */
  constructor(url: string, task: string, worker: number, reason: string) {
    super(
      `Task "${task}" (${url}) did not finish: worker ${worker} crashed ` +
        `(${reason}); the runtime replaced the worker. Pass { retries: n } ` +
        `to re-run tasks whose worker dies`,
    );
    this.name = "WorkerCrashedError";
    this.url = url;
    this.task = task;
    this.worker = worker;
  }
}

/**
 * A runtime was used after `close()` began, or its tasks were cancelled by
 * `close({ mode: "cancel" })`.
 *
 * @example Usage
 * ```ts
 * import { RuntimeClosedError } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * assert.match(new RuntimeClosedError("Runtime.go()").message, /closed/);
 * ```
 */
export class RuntimeClosedError extends Error {
  /**
   * Creates the error for the named operation.
   *
   * @param operation What was attempted, e.g. `"Runtime.go()"`.
   * @param message A message to use instead of the default one.
   */
  constructor(operation: string, message?: string) {
    super(
      message ??
        `Cannot call ${operation}: the runtime is closed; start a new one ` +
          `with Runtime.start()`,
    );
    this.name = "RuntimeClosedError";
  }
}

/**
 * A task's arguments or result could not cross: too large for the payload
 * heap (see the `heapBytes` option), or holding what is not data (a
 * function, a symbol, a class instance other than the shared types of
 * `workers/`; the message names it and where it is), or a shared object
 * whose memory did not reach the receiving thread.
 *
 * @example Usage
 * ```ts
 * import { TaskPayloadError } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new TaskPayloadError("too big").name, "TaskPayloadError");
 * ```
 */
export class TaskPayloadError extends TypeError {
  /**
   * Creates the error.
   *
   * @param message What went wrong, and the fix.
   */
  constructor(message: string) {
    super(message);
    this.name = "TaskPayloadError";
  }
}
