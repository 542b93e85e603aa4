// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Builds the Chrome trace (`trace.ts`) from the records the workers wrote.
 *
 * ## Trace records (`TRACE_RECORD` = 4 Float64 each, from `layout.trace`)
 *
 * Worker `w` owns records `w * traceEvents .. + traceEvents`; it writes
 * record `n` and then stores `O_TRACE_N = n + 1` (an `Atomics` store, so a
 * reader that loads `O_TRACE_N` sees the records below it).
 *
 * | Float64 | meaning |
 * | --- | --- |
 * | 0 | start, ms since the runtime started (`F_T0`) |
 * | 1 | duration, ms |
 * | 2 | registry id of the task's function |
 * | 3 | slot id |
 *
 * @module
 */

import {
  type Memory,
  O_TRACE_N,
  OWNER_WORDS,
  TRACE_RECORD,
} from "./_layout.ts";
import type { TraceEvent, TraceFile } from "./trace.ts";

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
