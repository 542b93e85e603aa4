// Copyright the denogo authors. MIT license.

/**
 * The Chrome trace event format, which Perfetto (ui.perfetto.dev) and
 * `chrome://tracing` load: the shape of `rt.trace()` (the runtime's tasks)
 * and of {@linkcode stopGoroutineTrace} (tier-1 goroutines).
 *
 * @module
 */

/**
 * One event of a Chrome trace.
 *
 * @example Usage
 * ```ts
 * import type { TraceEvent } from "@denogo/go";
 *
 * const slice: TraceEvent = { name: "fib", ph: "X", ts: 0, dur: 5, pid: 1, tid: 1 };
 * ```
 */
export interface TraceEvent {
  /**
   * Event name: a task's exported name, a goroutine's function, what it
   * waits on, or a thread's name.
   */
  name: string;
  /** Category. */
  cat?: string;
  /**
   * Phase: `"X"` a complete event, `"b"` / `"e"` an async begin / end,
   * `"s"` / `"f"` a flow's start / finish, `"i"` an instant, `"M"`
   * metadata.
   */
  ph: "X" | "M" | "b" | "e" | "s" | "f" | "i";
  /**
   * Start, in µs: since the runtime started in `rt.trace()`, since the
   * page or process started (`performance.now()`) in a goroutine trace.
   */
  ts?: number;
  /** Duration in µs. */
  dur?: number;
  /** Async or flow id: pairs `b` with `e`, and `s` with `f`. */
  id?: string | number;
  /** Flow binding point: `"e"`, the enclosing slice. */
  bp?: "e";
  /** An instant's scope: `"t"`, its thread. */
  s?: "t";
  /** Process id: one per runtime, one for a goroutine trace. */
  pid: number;
  /**
   * Thread id: the worker's index + 1 in `rt.trace()`, the goroutine's id
   * in a goroutine trace.
   */
  tid: number;
  /** Extra fields shown in the viewer. */
  args?: Record<string, unknown>;
}

/**
 * A Chrome trace: write it with `JSON.stringify` and open it in Perfetto.
 *
 * @example Usage
 * ```ts
 * import { Runtime, type TraceFile } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * await using rt = await Runtime.start({ procs: 1, trace: 16 });
 * const trace: TraceFile = rt.trace();
 * assert.equal(trace.displayTimeUnit, "ms");
 * ```
 */
export interface TraceFile {
  /** The events. */
  traceEvents: TraceEvent[];
  /** How the viewer shows times. */
  displayTimeUnit: "ms";
}
