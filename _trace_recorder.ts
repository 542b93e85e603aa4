// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The goroutine trace recorder: while {@linkcode recording}, the registry
 * (`_goroutines.ts`) and the parked list (`_parking.ts`) report each
 * goroutine's creation and end and each operation's park and unpark here;
 * {@linkcode build} turns them into Chrome trace events. While not
 * recording, each of those four places pays one read of a module
 * variable.
 *
 * The trace has one process (`pid` {@linkcode TRACE_PID}) and one thread
 * per goroutine (`tid` = its id; 1 is the main program, and operations
 * parked where no goroutine is known). A goroutine's life is an async pair
 * (`"b"`/`"e"`, category `"goroutine"`) on its thread, and each wait one
 * too (category `"block"`, named as Go names it: `chan receive`,
 * `select`, ...), since a goroutine may wait on several operations at once
 * (`Promise.all`); the spans in which it waited on nothing are complete
 * slices (`"X"`), which never overlap; `go()` is a flow (`"s"`/`"f"`,
 * category `"go"`) from the creator's thread to the new goroutine's.
 */

import type { Goroutine } from "./_goroutines.ts";
import type { Parked } from "./_parking.ts";
import type { TraceEvent, TraceFile } from "./trace_event.ts";

/** The process id of a goroutine trace. */
export const TRACE_PID = 0;

/** Whether a goroutine trace is being recorded. */
export let recording = false;

/** One goroutine seen by the trace. */
interface Life {
  id: number;
  name: string;
  /** Creation (or first sight), and end; ms (`performance.now()`). */
  start: number;
  end: number | undefined;
  /** The creator's id, for the flow; undefined if created before. */
  parent: number | undefined;
}

/** One wait: its goroutine's id, what it waits on, and when. */
interface Wait {
  tid: number;
  reason: string;
  start: number;
  end: number | undefined;
}

let startedAt = 0;
let limit = 0;
let dropped = 0;
let lives = new Map<number, Life>();
let waits: Wait[] = [];
let open = new Map<Parked, Wait>();

/** Starts recording, keeping at most `maxEvents` records. */
export function start(maxEvents: number): void {
  recording = true;
  startedAt = performance.now();
  limit = maxEvents;
  dropped = 0;
  lives = new Map();
  waits = [];
  open = new Map();
}

function full(): boolean {
  if (lives.size + waits.length < limit) return false;
  dropped++;
  return true;
}

function lifeOf(g: Goroutine | null, name: (g: Goroutine) => string): number {
  const id = g === null ? 1 : g.id;
  if (!lives.has(id) && !full()) {
    lives.set(id, {
      id,
      name: g === null ? "main" : name(g),
      start: id === 1 ? startedAt : performance.now(),
      end: undefined,
      parent: undefined,
    });
  }
  return id;
}

/** A goroutine was created by `parent` (null: the main program). */
export function created(
  g: Goroutine,
  parent: Goroutine | null,
  name: (g: Goroutine) => string,
): void {
  if (full()) return;
  const parentId = lifeOf(parent, name);
  lives.set(g.id, {
    id: g.id,
    name: name(g),
    start: performance.now(),
    end: undefined,
    parent: parentId,
  });
}

/** A goroutine returned or threw. */
export function ended(g: Goroutine, name: (g: Goroutine) => string): void {
  lifeOf(g, name);
  const life = lives.get(g.id);
  if (life !== undefined) life.end = performance.now();
}

/** An operation parked. */
export function parked(p: Parked, name: (g: Goroutine) => string): void {
  if (full()) return;
  const wait: Wait = {
    tid: lifeOf(p.g, name),
    reason: p.reason,
    start: performance.now(),
    end: undefined,
  };
  waits.push(wait);
  open.set(p, wait);
}

/** An operation was unparked (woken, or aborted). */
export function unparked(p: Parked): void {
  const wait = open.get(p);
  if (wait === undefined) return;
  open.delete(p);
  wait.end = performance.now();
}

/**
 * The spans of [from, to] (µs) in which goroutine `tid` waited on nothing:
 * its running (or runnable) time, as non-overlapping intervals.
 */
function running(tid: number, from: number, to: number): [number, number][] {
  const us = (ms: number) => Math.max(0, Math.round(ms * 1000));
  const mine = waits
    .filter((w) => w.tid === tid)
    .map((w) => [us(w.start), w.end === undefined ? to : us(w.end)])
    .sort((a, b) => a[0] - b[0]);
  const spans: [number, number][] = [];
  let at = from;
  for (const [start, end] of mine) {
    if (start > at) spans.push([at, Math.min(start, to)]);
    at = Math.max(at, end);
    if (at >= to) break;
  }
  if (at < to) spans.push([at, to]);
  return spans.filter(([a, b]) => b > a);
}

/** Stops recording; returns the trace, open slices ended now. */
export function stop(): TraceFile {
  recording = false;
  const now = performance.now();
  const us = (ms: number) => Math.max(0, Math.round(ms * 1000));
  const events: TraceEvent[] = [{
    name: "process_name",
    ph: "M",
    pid: TRACE_PID,
    tid: 0,
    args: { name: "denogo goroutines" },
  }];
  if (dropped > 0) {
    events.push({
      name: "process_labels",
      ph: "M",
      pid: TRACE_PID,
      tid: 0,
      args: { labels: `${dropped} records dropped (maxEvents)` },
    });
  }
  if (!lives.has(1)) lifeOf(null, () => "main");
  const sorted = [...lives.values()].sort((a, b) => a.id - b.id);
  for (const life of sorted) {
    const tid = life.id;
    events.push({
      name: "thread_name",
      ph: "M",
      pid: TRACE_PID,
      tid,
      args: { name: `goroutine ${tid} ${life.name}` },
    });
    const ts = us(life.start);
    const endTs = Math.max(ts, us(life.end ?? now));
    const state = life.end === undefined ? "live" : "ended";
    const common = {
      name: life.name,
      cat: "goroutine",
      id: `g${tid}`,
      pid: TRACE_PID,
      tid,
    };
    events.push({ ...common, ph: "b", ts, args: { goroutine: tid, state } });
    events.push({ ...common, ph: "e", ts: endTs, args: { state } });
    for (const [from, to] of running(tid, ts, endTs)) {
      events.push({
        name: life.name,
        cat: "goroutine",
        ph: "X",
        ts: from,
        dur: to - from,
        pid: TRACE_PID,
        tid,
        args: { state: "not waiting" },
      });
    }
    if (life.parent !== undefined && lives.has(life.parent)) {
      const flow = { name: "go", cat: "go", id: tid, pid: TRACE_PID, ts };
      events.push({ ...flow, ph: "s", tid: life.parent });
      events.push({ ...flow, ph: "f", bp: "e", tid });
    }
  }
  for (const [i, wait] of waits.entries()) {
    const end = wait.end ?? now;
    const common = {
      name: wait.reason,
      cat: "block",
      id: i + 1,
      pid: TRACE_PID,
      tid: wait.tid,
    };
    const ts = us(wait.start);
    events.push({ ...common, ph: "b", ts });
    events.push({
      ...common,
      ph: "e",
      ts: Math.max(ts, us(end)),
      args: { state: wait.end === undefined ? "waiting" : "woken" },
    });
  }
  lives = new Map();
  waits = [];
  open = new Map();
  return { traceEvents: events, displayTimeUnit: "ms" };
}
