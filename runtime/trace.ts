// Copyright the denogo authors. MIT license.

/**
 * Trace recording in the Chrome trace event format, which Perfetto
 * (ui.perfetto.dev) and `chrome://tracing` load whole: one process per
 * runtime (its own `pid` and `process_name`), one thread per worker (and one
 * for the main thread). Each task is an async pair (`"b"` / `"e"`) from its
 * start to its end, tasks still running included (ended at the time of the
 * trace, `args.state` `"running"`); its synchronous part is a complete
 * event (`"X"`) on its worker's thread, and those never overlap. Steals and
 * spawns from another thread are flows (`"s"` / `"f"`).
 * {@linkcode traceToHtml} draws a trace as a page that opens anywhere.
 *
 * Workers write their records into the runtime's shared memory (no
 * messages); {@linkcode Runtime.trace} reads them. Each worker keeps at
 * most `trace` records (the `trace` option); later tasks are not recorded.
 *
 * @module
 */

/**
 * One event of a Chrome trace.
 *
 * @example Usage
 * ```ts
 * import type { TraceEvent } from "@denogo/go/runtime";
 *
 * const slice: TraceEvent = { name: "fib", ph: "X", ts: 0, dur: 5, pid: 1, tid: 1 };
 * ```
 */
export interface TraceEvent {
  /** Event name: the task's exported name, or the thread's name. */
  name: string;
  /** Category. */
  cat?: string;
  /**
   * Phase: `"X"` a complete event, `"b"` / `"e"` an async begin / end,
   * `"s"` / `"f"` a flow's start / finish, `"M"` metadata.
   */
  ph: "X" | "M" | "b" | "e" | "s" | "f";
  /** Start, in µs since the runtime started. */
  ts?: number;
  /** Duration in µs. */
  dur?: number;
  /** Async or flow id: pairs `b` with `e`, and `s` with `f`. */
  id?: string | number;
  /** Flow binding point: `"e"`, the enclosing slice. */
  bp?: "e";
  /** Process id: one per runtime. */
  pid: number;
  /** Thread id: the worker's index + 1. */
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
