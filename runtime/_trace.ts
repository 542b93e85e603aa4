// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Builds the Chrome trace (`trace.ts`) from the records the workers wrote.
 *
 * ## Trace records (`TRACE_RECORD` = 6 Float64 each, from `layout.trace`)
 *
 * Worker `w` owns records `w * traceEvents .. + traceEvents`. It fills
 * record `n` when a task starts (or when it steals one) and then adds 1 to
 * `O_TRACE_N` (an `Atomics` add, so a reader that loads `O_TRACE_N` sees
 * the records below it); it writes the durations later, once known.
 *
 * | Float64 | task record | steal record |
 * | --- | --- | --- |
 * | 0 | start, ms since the runtime started (`F_T0`) | when |
 * | 1 | synchronous part, ms (NaN until it returned) | 0 |
 * | 2 | whole life, ms (NaN while the task runs) | 0 |
 * | 3 | registry id of the task's function | `STEAL_RECORD` (-1) |
 * | 4 | slot id | slot id |
 * | 5 | spawner (worker index, or P for the main thread) | victim worker |
 *
 * ## Events
 *
 * Each task is an async pair (`b` at its start, `e` at its end, or at the
 * time of the trace for a task still running: `args.state` says
 * `"running"`), id'd by worker and record, so that overlapping async tasks
 * never become overlapping `X` slices (Perfetto drops those). The
 * synchronous part of a task is an `X` slice on its worker's thread: one
 * worker runs one at a time, so they never overlap. A steal is a flow
 * (`s` on the victim, `f` on the thief); a task spawned by another worker
 * is a flow from that worker to the task's first slice.
 *
 * @module
 */

import {
  type Memory,
  O_TRACE_N,
  OWNER_WORDS,
  STEAL_RECORD,
  TRACE_RECORD,
} from "./_layout.ts";
import type { TraceEvent, TraceFile } from "./trace.ts";

/** µs, rounded: the viewers want integers. */
function us(ms: number): number {
  return Math.round(ms * 1000);
}

/**
 * Builds the trace of the records in `m`: `nameOf` names function ids,
 * `pid` is this runtime's process id and `nowMs` the time of the trace,
 * in ms since the runtime started.
 */
export function buildTrace(
  m: Memory,
  nameOf: (fnId: number) => { url: string; name: string },
  pid: number,
  nowMs: number,
): TraceFile {
  const { f64, i32, layout } = m;
  const events: TraceEvent[] = [{
    name: "process_name",
    ph: "M",
    pid,
    tid: 0,
    args: { name: `denogo runtime ${pid}` },
  }, {
    name: "thread_name",
    ph: "M",
    pid,
    tid: layout.procs + 1,
    args: { name: "main thread" },
  }];
  let flow = 0;
  const end = us(nowMs);
  for (let w = 0; w < layout.procs; w++) {
    const tid = w + 1;
    events.push({
      name: "thread_name",
      ph: "M",
      pid,
      tid,
      args: { name: `worker ${w}` },
    });
    const n = Math.min(
      Atomics.load(i32, layout.owners + w * OWNER_WORDS + O_TRACE_N),
      layout.traceEvents,
    );
    let lastEnd = 0;
    for (let k = 0; k < n; k++) {
      const at = layout.trace + (w * layout.traceEvents + k) * TRACE_RECORD;
      const ts = Math.max(0, us(f64[at]));
      const slot = f64[at + 4];
      if (f64[at + 3] === STEAL_RECORD) {
        const id = ++flow;
        const victim = f64[at + 5] + 1;
        const common = { name: "steal", cat: "steal", pid, ts, id };
        events.push({ ...common, ph: "s", tid: victim, args: { slot } });
        events.push({ ...common, ph: "f", bp: "e", tid, args: { slot } });
        continue;
      }
      const { url, name } = nameOf(f64[at + 3]);
      const spawner = f64[at + 5];
      const life = f64[at + 2];
      const running = Number.isNaN(life);
      const id = `w${w}r${k}`;
      const args = {
        module: url,
        slot,
        spawner: spawner === layout.procs ? "main" : `worker ${spawner}`,
        state: running ? "running" : "done",
      };
      events.push({ name, cat: "task", ph: "b", ts, pid, tid, id, args });
      events.push({
        name,
        cat: "task",
        ph: "e",
        ts: running ? Math.max(ts, end) : ts + Math.max(1, us(life)),
        pid,
        tid,
        id,
      });
      // The synchronous part: clamped so that slices never overlap.
      const sync = f64[at + 1];
      const start = Math.max(ts, lastEnd);
      const stop = Math.max(
        start + 1,
        Number.isNaN(sync) ? start + 1 : ts + us(sync),
      );
      lastEnd = stop;
      events.push({
        name,
        cat: "run",
        ph: "X",
        ts: start,
        dur: stop - start,
        pid,
        tid,
        args: { slot },
      });
      if (spawner !== w) {
        const fid = ++flow;
        const from = spawner + 1; // P + 1 is the main thread's track.
        const common = { name: "spawn", cat: "spawn", pid, ts: start, id: fid };
        events.push({ ...common, ph: "s", tid: from });
        events.push({ ...common, ph: "f", bp: "e", tid });
      }
    }
  }
  return { traceEvents: events, displayTimeUnit: "ms" };
}
