// Copyright the denogo authors. MIT license.

/**
 * Trace recording in the Chrome trace event format: one track (thread) per
 * worker, one complete event (`"ph": "X"`) per task, from its start to its
 * end (an async task's slice includes the time it was suspended). Open the
 * JSON in Perfetto (ui.perfetto.dev) or `chrome://tracing`.
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
  /** Phase: `"X"` a complete event, `"M"` metadata. */
  ph: "X" | "M";
  /** Start, in µs since the runtime started. */
  ts?: number;
  /** Duration in µs. */
  dur?: number;
  /** Process id (always 1). */
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
