// Copyright the denogo authors. MIT license.

/**
 * Draws a trace from {@linkcode Runtime.trace} as one self-contained HTML
 * page (inline script, style and SVG; nothing fetched), like
 * `go tool trace`'s timeline view: a row per thread (each worker, then the
 * main thread) of each runtime in the trace, each row a strip of what ran
 * on the thread (the tasks' synchronous parts) above a bar per task (or
 * goroutine) for its whole life, overlapping async bars in lanes of their
 * own; an arrow per steal and per spawn from another thread, a time axis
 * and a legend. It
 * opens in any browser, offline. `deno task trace` writes one for a small
 * demo program.
 *
 * @module
 */

import { describe } from "../_describe.ts";
import type { TraceFile } from "./trace.ts";

/**
 * Returns the HTML page that draws `trace`; write it to a file and open it
 * in a browser. The page draws one `g.row` per thread, one `rect.task`
 * (`rect.goroutine` for tier-1 goroutines, `rect.wait` for their waits) per
 * async `b`/`e` pair, one
 * `rect.run` per `X` slice and one `line.steal` / `line.spawn` per flow;
 * hovering a bar shows its name and duration. It also writes what it drew
 * into `#summary` as JSON (`{ rows, lanes, tasks, running, slices,
 * steals, spawns }`: `rows` the row labels, `lanes` how many lanes of
 * bars each row has), for tools that check the page.
 *
 * Events of any process are drawn (concatenate the `traceEvents` of
 * several runtimes to see them together); events it does not draw (other
 * phases, unmatched pairs) are skipped. Times are shown in ms from the
 * trace's first timed event.
 *
 * @example Write the timeline of a runtime's work
 * ```ts
 * import { Runtime, traceToHtml } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * await using rt = await Runtime.start({ procs: 2, trace: true });
 * const { fib } = rt.module<typeof import("./_example_tasks.ts")>(
 *   import.meta.resolve("./_example_tasks.ts"),
 * );
 * await fib(22);
 * const html = traceToHtml(rt.trace());
 * assert.ok(html.startsWith("<!DOCTYPE html>"));
 * // await Deno.writeTextFile("timeline.html", html);
 * ```
 *
 * @param trace A trace, as {@linkcode Runtime.trace} returns it.
 * @returns The page's HTML text.
 * @throws {TypeError} If `trace` is not an object with a `traceEvents`
 *   array.
 */
export function traceToHtml(trace: TraceFile): string {
  if (
    trace === null || typeof trace !== "object" ||
    !Array.isArray(trace.traceEvents)
  ) {
    const got = trace !== null && typeof trace === "object"
      ? `${describe(trace)} without a traceEvents array`
      : describe(trace);
    throw new TypeError(
      "traceToHtml(): trace must be an object with a traceEvents array " +
        `(from Runtime.trace()), received ${got}`,
    );
  }
  // "<" escaped so that no event name can close the script element.
  const data = JSON.stringify(trace.traceEvents).replaceAll("<", "\\u003c");
  return PAGE.replace("/*EVENTS*/[]", () => data);
}

const PAGE = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>denogo timeline</title>
<style>
body { font: 12px sans-serif; margin: 8px; background: #fff; color: #222; }
h1 { font-size: 14px; margin: 0 0 6px; }
text.label { font-weight: bold; font-size: 12px; }
text.tick { font-size: 10px; fill: #666; }
rect.task { fill: #8fb8de; }
rect.goroutine { fill: #b39ddb; }
rect.wait { fill: #f48fb1; }
rect.running { fill: #f0b55c; }
rect.run { fill: #2a5d8f; }
line.steal { stroke: #c0392b; stroke-width: 2; }
line.spawn { stroke: #27ae60; stroke-width: 1; stroke-opacity: .7; }
#legend span { display: inline-block; margin-right: 16px; }
#legend i { display: inline-block; width: 14px; height: 10px; margin-right: 4px; vertical-align: middle; }
#summary { display: none; }
</style></head><body>
<h1>denogo timeline</h1>
<div id="legend">
<span><i style="background:#8fb8de"></i>task (its whole life)</span>
<span><i style="background:#2a5d8f"></i>running on the thread</span>
<span><i style="background:#f0b55c"></i>still running at trace time</span>
<span><i style="background:#b39ddb"></i>goroutine</span>
<span><i style="background:#f48fb1"></i>waiting (goroutine trace)</span>
<span><i style="background:#c0392b"></i>steal (victim to thief)</span>
<span><i style="background:#27ae60"></i>spawn (spawner to task)</span>
</div>
<svg id="timeline" xmlns="http://www.w3.org/2000/svg"></svg>
<pre id="summary"></pre>
<script>
"use strict";
const events = /*EVENTS*/[];
const NS = "http://www.w3.org/2000/svg";
const LABEL = 170, TOP = 24, RUN = 10, LANE = 9, PAD = 5, MAX_LANES = 8;
const WIDTH = Math.max(800, innerWidth - 24);
const key = (e) => e.pid + "/" + e.tid;
const names = new Map(), procs = new Map(), seen = new Map();
for (const e of events) {
  if (e.ph === "M" && e.name === "process_name") procs.set(e.pid, e.args.name);
  else if (e.ph === "M" && e.name === "thread_name") names.set(key(e), e.args.name);
  if (e.ph !== "M" && !seen.has(key(e))) seen.set(key(e), e);
}
for (const [k, e] of seen) if (!names.has(k)) names.set(k, "thread " + e.tid);
// Workers first (by tid), the main thread last, runtime by runtime.
const order = [...names.keys()].map((k) => k.split("/").map(Number))
  .sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((p) => p.join("/"));
let t0 = Infinity, t1 = -Infinity;
for (const e of events) {
  if (e.ph === "M" || typeof e.ts !== "number") continue;
  t0 = Math.min(t0, e.ts);
  t1 = Math.max(t1, e.ts + (e.dur || 0));
}
if (t0 === Infinity) t0 = t1 = 0;
t1 = Math.max(t1, t0 + 1);
const x = (ts) => LABEL + (ts - t0) / (t1 - t0) * (WIDTH - LABEL - 10);
// Pairs and flows first: bars are laid out in lanes before drawing.
const open = new Map(), starts = new Map(), bars = [], slices = [], arrows = [];
for (const e of events) {
  const pair = e.pid + "/" + e.cat + "/" + e.id;
  if (e.ph === "b") open.set(pair, e);
  else if (e.ph === "e" && open.has(pair)) {
    bars.push({ b: open.get(pair), e });
    open.delete(pair);
  } else if (e.ph === "X") slices.push(e);
  else if (e.ph === "s") starts.set(pair, e);
  else if (e.ph === "f" && starts.has(pair)) {
    arrows.push({ s: starts.get(pair), f: e });
    starts.delete(pair);
  }
}
// Each row: a strip of what ran on the thread, then its async bars in
// lanes, a bar in the first lane free at its start (overlapping ones
// share the last lane beyond MAX_LANES).
const lanesOf = new Map();
bars.sort((a, b) => a.b.ts - b.b.ts);
for (const bar of bars) {
  const k = key(bar.b);
  if (!lanesOf.has(k)) lanesOf.set(k, []);
  const ends = lanesOf.get(k);
  let lane = ends.findIndex((end) => end <= bar.b.ts);
  if (lane < 0) lane = ends.length < MAX_LANES ? ends.length : MAX_LANES - 1;
  ends[lane] = Math.max(ends[lane] ?? -Infinity, bar.e.ts);
  bar.lane = lane;
}
const rowTop = new Map();
let height = TOP;
for (const k of order) {
  rowTop.set(k, height);
  height += PAD + RUN + Math.max(1, (lanesOf.get(k) || []).length) * LANE + PAD;
}
const mid = (e) => (rowTop.get(key(e)) ?? TOP) + PAD + RUN / 2;
const svg = document.getElementById("timeline");
svg.setAttribute("width", WIDTH);
svg.setAttribute("height", height + 8);
function el(name, attrs, parent) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  (parent || svg).appendChild(node);
  return node;
}
const defs = el("defs", {});
for (const [id, colour] of [["steal", "#c0392b"], ["spawn", "#27ae60"]]) {
  const m = el("marker", { id: "arrow-" + id, markerWidth: 6, markerHeight: 6,
    refX: 5, refY: 3, orient: "auto" }, defs);
  el("path", { d: "M0,0 L6,3 L0,6 z", fill: colour }, m);
}
for (let i = 0; i <= 10; i++) {
  const ts = t0 + (t1 - t0) * i / 10, at = x(ts);
  el("line", { x1: at, x2: at, y1: TOP - 4, y2: height, stroke: "#eee" });
  el("text", { x: at, y: TOP - 8, class: "tick", "text-anchor": i === 0 ? "start" : i === 10 ? "end" : "middle" })
    .textContent = ((ts - t0) / 1000).toFixed(2) + " ms";
}
const groups = new Map(), labels = [];
for (const k of order) {
  const g = el("g", { class: "row", "data-thread": k });
  groups.set(k, g);
  const pid = Number(k.split("/")[0]);
  const label = (procs.size > 1 ? procs.get(pid) + ": " : "") + names.get(k);
  labels.push(label);
  const top = rowTop.get(k);
  el("text", { x: 2, y: top + PAD + RUN, class: "label" }, g).textContent = label;
  const bottom = top + PAD + RUN + Math.max(1, (lanesOf.get(k) || []).length) * LANE + PAD;
  el("line", { x1: LABEL, x2: WIDTH, y1: bottom - 0.5, y2: bottom - 0.5, stroke: "#ccc" }, g);
}
const count = { tasks: 0, running: 0, slices: 0, steals: 0, spawns: 0 };
const ms = (us) => (us / 1000).toFixed(3) + " ms";
for (const { b, e, lane } of bars) {
  const running = b.args && b.args.state === "running";
  const kind = b.cat === "goroutine"
    ? "goroutine"
    : b.cat === "block"
    ? "wait"
    : "task";
  const top = (rowTop.get(key(b)) ?? TOP) + PAD + RUN + 1 + lane * LANE;
  const r = el("rect", { class: kind + (running ? " running" : ""), x: x(b.ts),
    y: top, width: Math.max(1, x(e.ts) - x(b.ts)), height: LANE - 2 },
    groups.get(key(b)) || svg);
  el("title", {}, r).textContent = b.name + ": " + ms(e.ts - b.ts) +
    (running ? " (still running)" : "");
  count.tasks++;
  if (running) count.running++;
}
for (const e of slices) {
  const r = el("rect", { class: "run", x: x(e.ts), y: (rowTop.get(key(e)) ?? TOP) + PAD,
    width: Math.max(1, x(e.ts + e.dur) - x(e.ts)), height: RUN }, groups.get(key(e)) || svg);
  el("title", {}, r).textContent = e.name + " ran " + ms(e.dur);
  count.slices++;
}
for (const { s, f } of arrows) {
  const kind = f.cat === "steal" ? "steal" : "spawn";
  const y1 = mid(s), y2 = mid(f);
  el("line", { class: kind, x1: x(s.ts), y1, x2: x(f.ts),
    y2: y2 + (y2 > y1 ? -6 : y2 < y1 ? 6 : 0), "marker-end": "url(#arrow-" + kind + ")" });
  count[kind === "steal" ? "steals" : "spawns"]++;
}
document.getElementById("summary").textContent =
  JSON.stringify({
    rows: labels,
    lanes: order.map((k) => (lanesOf.get(k) || []).length),
    ...count,
  });
</script></body></html>
`;
