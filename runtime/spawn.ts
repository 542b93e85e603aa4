// Copyright the denogo authors. MIT license.

/**
 * The API a task uses from inside a worker: {@linkcode spawn} (fork a child
 * task onto this worker's deque, Go's `go` inside a goroutine),
 * {@linkcode taskSignal} and {@linkcode workerIndex}.
 *
 * @module
 */

/**
 * Any function that can be a task: an exported function of a module, sync
 * or async, whose arguments and result are data (`node:v8`'s serializer
 * can copy them; class instances, functions and symbols are refused) or
 * shared objects of `workers/`, which cross as themselves.
 *
 * @example Usage
 * ```ts
 * import type { TaskFunction } from "@denogo/go/runtime";
 *
 * const task: TaskFunction = (a: number, b: number) => a + b;
 * ```
 */
// deno-lint-ignore no-explicit-any
export type TaskFunction = (...args: any[]) => unknown;

/** What the worker's processor provides to this module. @internal */
export interface ProcessorHooks {
  /** Spawns `fn(...args)` as a child task. */
  spawn(fn: TaskFunction, args: unknown[]): Promise<unknown>;
  /** The signal of the task whose synchronous code is running. */
  taskSignal(): AbortSignal;
  /** This worker's index. */
  index: number;
}

let hooks: ProcessorHooks | undefined;

/** Installs the worker's processor (done by `_worker_main.ts`). @internal */
export function installProcessor(processor: ProcessorHooks): void {
  hooks = processor;
}

/**
 * Runs `fn(...args)` as a new task on the runtime, from inside a task, and
 * returns its result: fork-join parallelism. The child goes on the bottom
 * of this worker's own deque (Go's local run queue): this worker runs it
 * next unless an idle worker steals it first (thieves take the oldest
 * entries, so big subproblems move and small ones stay).
 *
 * `fn` must be an exported function of a module the runtime has loaded in
 * this worker (the module of the running task, or any module of a task run
 * here before); arguments and result cross threads as `Runtime.go`'s do
 * (shared objects as themselves, data copied). If the deque is full the child runs as a goroutine
 * on this worker instead, which keeps the same result.
 *
 * A task whose spawned children are not awaited keeps running after its
 * parent returns; await every child (or `Promise.all`) for fork-join. So
 * does a goroutine a task starts with `go()` and does not await: its worker
 * runs it on after the task has returned (a plain function's too), and
 * what it spawns then is no child of the finished task.
 *
 * Cancellation flows down the tree: the child belongs to the task that
 * calls `spawn()` (in its synchronous part or after any `await`), and when
 * that task is cancelled (its {@linkcode taskSignal} aborts), every child
 * it spawned that has not finished is cancelled too: a child still queued
 * never runs and its `spawn()` promise rejects with an `AbortError`
 * `DOMException`; a running child's own `taskSignal()` aborts, and so on
 * down to its children. A child spawned by an already cancelled task is
 * cancelled at once. A child that has finished, or whose parent has
 * finished, is not affected.
 *
 * A task that is an `async function` is followed across all its awaits. A
 * plain function is too until one of its calls returns a value that is
 * not a promise; from then on its calls run without that tracking (it
 * costs about as much as the rest of a tiny task), and the first call that
 * returns a promise again brings it back for the calls after it. In that
 * one call, a child spawned from a callback of the returned promise is
 * not its child for cancellation, and its waits are not in the goroutine
 * dump. Write a task that awaits as an `async function`.
 *
 * Happens-before: what the parent did before `spawn()` synchronizes before
 * the child starts, and what the child did before it returned
 * synchronizes before the `spawn()` promise resolves (as for a call from
 * the main thread: see {@linkcode Runtime}).
 *
 * @example Fork-join Fibonacci (in the module that the runtime loads)
 * ```ts
 * import { spawn } from "@denogo/go/runtime";
 *
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
 * @typeParam F The child's function type; checks `args` and types the result.
 * @param fn An exported function of a module loaded by the runtime.
 * @param args Its arguments.
 * @returns The child's result.
 * @throws {Error} If called outside a task running in a runtime worker.
 */
export function spawn<F extends TaskFunction>(
  fn: F,
  ...args: Parameters<F>
): Promise<Awaited<ReturnType<F>>> {
  if (hooks === undefined) {
    throw new Error(
      "Cannot call spawn() outside a task: it forks a task from inside a " +
        "runtime worker; on the main thread use Runtime.go() or " +
        "Runtime.module()",
    );
  }
  return hooks.spawn(fn, args) as Promise<Awaited<ReturnType<F>>>;
}

/**
 * The `AbortSignal` of the running task: it aborts when the caller cancels
 * the task (the `signal` task option), closes the runtime with
 * `mode: "cancel"`, or, for a task started with {@linkcode spawn}, when the
 * task that spawned it is cancelled (before this one finished). Its abort
 * also cancels every unfinished task this one spawned, recursively, whether
 * or not this task ever calls `taskSignal()`. Call it in the task's
 * synchronous part (before its first `await`) and keep the signal.
 *
 * @example Usage (in a task module)
 * ```ts
 * import { taskSignal } from "@denogo/go/runtime";
 *
 * export async function poll(url: string): Promise<string> {
 *   const signal = taskSignal();
 *   return await (await fetch(url, { signal })).text();
 * }
 * ```
 *
 * @returns The running task's signal.
 * @throws {Error} If no task's synchronous code is running.
 */
export function taskSignal(): AbortSignal {
  if (hooks === undefined) {
    throw new Error(
      "Cannot call taskSignal() outside a task running in a runtime worker",
    );
  }
  return hooks.taskSignal();
}

/**
 * The index (0 .. procs - 1) of the worker running this code, or -1 outside
 * a runtime worker.
 *
 * @example Usage
 * ```ts
 * import { workerIndex } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(workerIndex(), -1); // the main thread
 * ```
 *
 * @returns The worker's index, or -1.
 */
export function workerIndex(): number {
  return hooks === undefined ? -1 : hooks.index;
}
