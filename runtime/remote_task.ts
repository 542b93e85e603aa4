// Copyright the denogo authors. MIT license.

/**
 * The types of tasks called through {@linkcode Runtime.module}.
 *
 * @module
 */

import type { TaskOptions } from "./options.ts";
import type { TaskFunction } from "./spawn.ts";

/**
 * A task function called through the runtime.
 *
 * @example Usage
 * ```ts
 * import { type RemoteTask, Runtime } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * await using rt = await Runtime.start({ procs: 1 });
 * const url = import.meta.resolve("./_example_tasks.ts");
 * const square: RemoteTask<[number], number> =
 *   rt.module<typeof import("./_example_tasks.ts")>(url).square;
 * assert.equal(await square(3), 9);
 * assert.equal(await square.with({ retries: 1 })(4), 16);
 * ```
 */
export interface RemoteTask<A extends unknown[], R> {
  /** Runs the task on a worker and resolves to its result. */
  (...args: A): Promise<R>;
  /**
   * The same task with call options (cancellation, retries, transfer).
   *
   * @param options The options for calls through the returned function.
   * @returns A function that runs the task with `options`.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {RangeError} If `retries` is not an integer in [0, 2147483647].
   */
  with(options: TaskOptions): (...args: A) => Promise<R>;
}

/**
 * The task functions of module type `M` (from `typeof import("./m.ts")`):
 * each exported function becomes a {@linkcode RemoteTask} with the same
 * parameters, resolving to its awaited result.
 *
 * @example Usage
 * ```ts
 * import type { Tasks } from "@denogo/go/runtime";
 *
 * // What rt.module<typeof import("./_example_tasks.ts")>(url) returns.
 * type ExampleTasks = Tasks<typeof import("./_example_tasks.ts")>;
 * const check = (t: ExampleTasks): Promise<number> => t.fib(10);
 * ```
 */
export type Tasks<M> = {
  readonly [K in keyof M as M[K] extends TaskFunction ? K : never]: M[K] extends
    (...args: infer A) => infer R ? RemoteTask<A, Awaited<R>> : never;
};
