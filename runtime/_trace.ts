// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Builds the Chrome trace (`trace.ts`) from the records the workers wrote.
 *
 * ## Trace records (`TRACE_RECORD` = 7 Float64 each, from `layout.trace`)
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
 * | 6 | how it ended: NaN while it runs, else `ENDED_*` (`_layout.ts`) | 0 |
 *
 * A task cancelled while queued gets a record when a worker takes it from
 * a queue, ended `ENDED_UNRUN` with no duration. When a worker dies or is
 * replaced, the main thread ends its open records `ENDED_CRASHED`
 * ({@linkcode endOpenRecords}).
 *
 * ## Events
 *
 * Each task is an async pair (`b` at its start, `e` at its end, or at the
 * time of the trace for a task still running), id'd by worker and record,
 * with `args.state`: `"running"` (and `args.cancelled` once its
 * cancellation was requested), `"done"`, `"failed"`, `"cancelled"` (failed
 * after its cancellation was requested) or `"crashed"`. A task cancelled
 * before it ran is an instant (`i`) event, `"cancelled before it ran"`.
 * The pairs are id'd so that overlapping async tasks
 * never become overlapping `X` slices (Perfetto drops those). The
 * synchronous part of a task is an `X` slice on its worker's thread: one
 * worker runs one at a time, so they never overlap. A steal is a flow
 * (`s` on the victim, `f` on the thief); a task spawned by another worker
 * is a flow from that worker to the task's first slice.
 *
 * @module
 */

import {
  ENDED_CANCELLED,
  ENDED_CRASHED,
  ENDED_FAILED,
  ENDED_OK,
  ENDED_UNRUN,
  F_T0,
  type Memory,
  now,
  O_TRACE_N,
  OWNER_WORDS,
  STEAL_RECORD,
  TRACE_RECORD,
} from "./_layout.ts";
import {
  FLAG_CANCEL,
  RUNNING,
  S_EXEC,
  S_FLAGS,
  S_STATE,
  slotBase,
} from "./_slot.ts";

const ENDINGS = new Map<number, string>([
  [ENDED_OK, "done"],
  [ENDED_FAILED, "failed"],
  [ENDED_CANCELLED, "cancelled"],
  [ENDED_CRASHED, "crashed"],
]);

/** How many records worker `w` has written (all visible to this thread). */
function recordCount(m: Memory, w: number): number {
  const { i32, layout } = m;
  return Math.min(
    Atomics.load(i32, layout.owners + w * OWNER_WORDS + O_TRACE_N),
    layout.traceEvents,
  );
}

/** The Float64 index of worker `w`'s record `k`. */
export function recordAt(m: Memory, w: number, k: number): number {
  const { layout } = m;
  return layout.trace + (w * layout.traceEvents + k) * TRACE_RECORD;
}

/**
 * Ends, as crashed at the time of the call, the open records of worker
 * `w`, which died or was replaced: called by the main thread once the
 * worker's generation is bumped, so that its leftover code writes no more.
 */
export function endOpenRecords(m: Memory, w: number): void {
  const { f64, layout } = m;
  if (layout.traceEvents === 0) return;
  const n = recordCount(m, w);
  const t = now() - f64[F_T0];
  for (let k = 0; k < n; k++) {
    const at = recordAt(m, w, k);
    if (f64[at + 3] === STEAL_RECORD || !Number.isNaN(f64[at + 2])) continue;
    f64[at + 6] = ENDED_CRASHED;
    f64[at + 2] = Math.max(0, t - f64[at]);
  }
}
import type { TraceEvent, TraceFile } from "./trace.ts";

/** Whether `slot` runs on worker `w` with its cancellation requested. */
function cancelRequested(m: Memory, slot: number, w: number): boolean {
  const base = slotBase(m, slot);
  return Atomics.load(m.i32, base + S_STATE) === RUNNING &&
    Atomics.load(m.i32, base + S_EXEC) === w &&
    (Atomics.load(m.i32, base + S_FLAGS) & FLAG_CANCEL) !== 0;
}

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
  const { f64, layout } = m;
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
    const n = recordCount(m, w);
    let lastEnd = 0;
    for (let k = 0; k < n; k++) {
      const at = recordAt(m, w, k);
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
      const from = spawner === layout.procs ? "main" : `worker ${spawner}`;
      if (f64[at + 6] === ENDED_UNRUN) {
        events.push({
          name,
          cat: "task",
          ph: "i",
          s: "t",
          ts,
          pid,
          tid,
          args: {
            module: url,
            slot,
            spawner: from,
            state: "cancelled before it ran",
          },
        });
        continue;
      }
      const id = `w${w}r${k}`;
      const args: Record<string, unknown> = {
        module: url,
        slot,
        spawner: from,
        state: running ? "running" : ENDINGS.get(f64[at + 6]) ?? "done",
      };
      if (running && cancelRequested(m, slot, w)) args.cancelled = true;
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
