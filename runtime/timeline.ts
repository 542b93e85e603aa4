// Copyright the denogo authors. MIT license.

/**
 * Draws a trace from {@linkcode Runtime.trace} as one self-contained HTML
 * page (inline script, style and SVG; nothing fetched), like
 * `go tool trace`'s timeline view: a row per thread (each worker, then the
 * main thread) of each runtime in the trace, a bar per task (or goroutine)
 * for its whole life with its synchronous part darker on top, an arrow per
 * steal and per spawn from another thread, a time axis and a legend. It
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
 * (`rect.goroutine` for tier-1 goroutines) per async `b`/`e` pair, one
 * `rect.run` per `X` slice and one `line.steal` / `line.spawn` per flow;
 * hovering a bar shows its name and duration. It also writes what it drew
 * into `#summary` as JSON (`{ rows, tasks, running, slices, steals,
 * spawns }`, `rows` the row labels), for tools that check the page.
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
<span><i style="background:#c0392b"></i>steal (victim to thief)</span>
<span><i style="background:#27ae60"></i>spawn (spawner to task)</span>
</div>
<svg id="timeline" xmlns="http://www.w3.org/2000/svg"></svg>
<pre id="summary"></pre>
<script>
"use strict";
const events = /*EVENTS*/[];
const NS = "http://www.w3.org/2000/svg";
const LABEL = 170, ROW = 28, TOP = 24, WIDTH = Math.max(800, innerWidth - 24);
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
const rows = new Map(order.map((k, i) => [k, i]));
let t0 = Infinity, t1 = -Infinity;
for (const e of events) {
  if (e.ph === "M" || typeof e.ts !== "number") continue;
  t0 = Math.min(t0, e.ts);
  t1 = Math.max(t1, e.ts + (e.dur || 0));
}
if (t0 === Infinity) t0 = t1 = 0;
t1 = Math.max(t1, t0 + 1);
const x = (ts) => LABEL + (ts - t0) / (t1 - t0) * (WIDTH - LABEL - 10);
const y = (e) => TOP + (rows.get(key(e)) ?? 0) * ROW;
const svg = document.getElementById("timeline");
svg.setAttribute("width", WIDTH);
svg.setAttribute("height", TOP + rows.size * ROW + 8);
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
  el("line", { x1: at, x2: at, y1: TOP - 4, y2: TOP + rows.size * ROW, stroke: "#eee" });
  el("text", { x: at, y: TOP - 8, class: "tick", "text-anchor": i === 0 ? "start" : i === 10 ? "end" : "middle" })
    .textContent = ((ts - t0) / 1000).toFixed(2) + " ms";
}
const groups = new Map(), labels = [];
for (const [k, index] of rows) {
  const g = el("g", { class: "row", "data-thread": k });
  groups.set(k, g);
  const pid = Number(k.split("/")[0]);
  const label = (procs.size > 1 ? procs.get(pid) + ": " : "") + names.get(k);
  labels.push(label);
  el("text", { x: 2, y: TOP + index * ROW + 17, class: "label" }, g).textContent = label;
  el("line", { x1: LABEL, x2: WIDTH, y1: TOP + index * ROW + ROW - 1,
    y2: TOP + index * ROW + ROW - 1, stroke: "#ccc" }, g);
}
const open = new Map(), flows = new Map();
const count = { tasks: 0, running: 0, slices: 0, steals: 0, spawns: 0 };
const ms = (us) => (us / 1000).toFixed(3) + " ms";
for (const e of events) {
  const parent = groups.get(key(e)) || svg;
  const pair = e.pid + "/" + e.cat + "/" + e.id;
  if (e.ph === "b") open.set(pair, e);
  else if (e.ph === "e") {
    const b = open.get(pair);
    if (!b) continue;
    open.delete(pair);
    const running = b.args && b.args.state === "running";
    const kind = b.cat === "goroutine" ? "goroutine" : "task";
    const r = el("rect", { class: kind + (running ? " running" : ""), x: x(b.ts),
      y: y(b) + 3, width: Math.max(1, x(e.ts) - x(b.ts)), height: ROW - 8 },
      groups.get(key(b)) || svg);
    el("title", {}, r).textContent = b.name + ": " + ms(e.ts - b.ts) +
      (running ? " (still running)" : "");
    count.tasks++;
    if (running) count.running++;
  } else if (e.ph === "X") {
    const r = el("rect", { class: "run", x: x(e.ts), y: y(e) + 9,
      width: Math.max(1, x(e.ts + e.dur) - x(e.ts)), height: ROW - 20 }, parent);
    el("title", {}, r).textContent = e.name + " ran " + ms(e.dur);
    count.slices++;
  } else if (e.ph === "s") flows.set(pair, e);
  else if (e.ph === "f") {
    const s = flows.get(pair);
    if (!s) continue;
    flows.delete(pair);
    const kind = e.cat === "steal" ? "steal" : "spawn";
    const y1 = y(s) + ROW / 2, y2 = y(e) + ROW / 2;
    el("line", { class: kind, x1: x(s.ts), y1, x2: x(e.ts),
      y2: y2 + (y2 > y1 ? -6 : y2 < y1 ? 6 : 0), "marker-end": "url(#arrow-" + kind + ")" });
    count[kind === "steal" ? "steals" : "spawns"]++;
  }
}
document.getElementById("summary").textContent =
  JSON.stringify({ rows: labels, ...count });
</script></body></html>
`;
