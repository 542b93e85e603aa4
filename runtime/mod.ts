// Copyright the denogo authors. MIT license.

/**
 * Go's scheduler for Deno: run plain exported functions as tasks on a pool
 * of workers (`GOMAXPROCS` of them) with work stealing, fork-join
 * ({@linkcode spawn}), cancellation, crash recovery and tracing.
 *
 * ```ts
 * // tasks.ts: a plain module; the runtime loads it in its workers.
 * import { spawn } from "@denogo/go/runtime";
 *
 * export function square(x: number): number {
 *   return x * x;
 * }
 * export async function fib(n: number): Promise<number> {
 *   if (n < 20) return fibSeq(n);
 *   const [a, b] = await Promise.all([spawn(fib, n - 1), spawn(fib, n - 2)]);
 *   return a + b;
 * }
 * function fibSeq(n: number): number {
 *   return n < 2 ? n : fibSeq(n - 1) + fibSeq(n - 2);
 * }
 * ```
 *
 * ```ts
 * // main.ts (here `_example_tasks.ts` holds the tasks above)
 * import { Runtime } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * await using rt = await Runtime.start({ procs: 2 });
 * const tasks = rt.module<typeof import("./_example_tasks.ts")>(
 *   import.meta.resolve("./_example_tasks.ts"),
 * );
 * assert.equal(await tasks.square(7), 49); // typed: (x: number) => Promise<number>
 * assert.equal(await tasks.fib(25), 75025); // fork-join over every worker
 * assert.equal(rt.stats().pending, 0);
 * ```
 *
 * - {@linkcode Runtime}: start, call tasks (`module()`, `go()`, `run()`),
 *   `stats()`, `trace()`, `close()` / `await using`.
 * - {@linkcode traceToHtml}: a trace as a timeline page that opens anywhere.
 * - {@linkcode spawn}, {@linkcode taskSignal}, {@linkcode workerIndex}: for
 *   code running inside a task.
 * - Errors: {@linkcode TaskError}, {@linkcode WorkerCrashedError},
 *   {@linkcode RuntimeClosedError}, {@linkcode TaskPayloadError}.
 *
 * Workers import task modules, so local modules need `--allow-read`.
 *
 * @module
 */

export * from "./errors.ts";
export * from "./options.ts";
export * from "./runtime.ts";
export type { RemoteTask, Tasks } from "./remote_task.ts";
export type { HistogramStats, RuntimeStats, WorkerStats } from "./stats.ts";
export * from "./events.ts";
export { spawn, type TaskFunction, taskSignal, workerIndex } from "./spawn.ts";
export type { TaskInfo, TaskWait } from "./goroutines.ts";
export type { TraceEvent, TraceFile } from "./trace.ts";
export { traceToHtml } from "./timeline.ts";
