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

import {
  type Memory,
  O_TRACE_N,
  OWNER_WORDS,
  TRACE_RECORD,
} from "./_layout.ts";

/** One event of a Chrome trace. */
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

/** A Chrome trace: write it with `JSON.stringify` and open it in Perfetto. */
export interface TraceFile {
  /** The events. */
  traceEvents: TraceEvent[];
  /** How the viewer shows times. */
  displayTimeUnit: "ms";
}

/** Builds the trace of the records in `m`; `nameOf` names function ids. */
export function buildTrace(
  m: Memory,
  nameOf: (fnId: number) => { url: string; name: string },
): TraceFile {
  const { f64, i32, layout } = m;
  const events: TraceEvent[] = [{
    name: "process_name",
    ph: "M",
    pid: 1,
    tid: 0,
    args: { name: "denogo runtime" },
  }];
  for (let w = 0; w < layout.procs; w++) {
    events.push({
      name: "thread_name",
      ph: "M",
      pid: 1,
      tid: w + 1,
      args: { name: `worker ${w}` },
    });
    const n = Math.min(
      Atomics.load(i32, layout.owners + w * OWNER_WORDS + O_TRACE_N),
      layout.traceEvents,
    );
    for (let k = 0; k < n; k++) {
      const at = layout.trace + (w * layout.traceEvents + k) * TRACE_RECORD;
      const { url, name } = nameOf(f64[at + 2]);
      events.push({
        name,
        cat: "task",
        ph: "X",
        ts: Math.round(f64[at] * 1000),
        dur: Math.max(1, Math.round(f64[at + 1] * 1000)),
        pid: 1,
        tid: w + 1,
        args: { module: url, slot: f64[at + 3] },
      });
    }
  }
  return { traceEvents: events, displayTimeUnit: "ms" };
}
