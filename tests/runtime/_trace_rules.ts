// Copyright the denogo authors. MIT license.

/**
 * The Trace Event Format rules whose breach makes Perfetto or
 * `chrome://tracing` drop events or refuse a file; `traceProblems` lists
 * every breach in a trace (none: it loads whole).
 */

import type { TraceEvent, TraceFile } from "../../runtime/mod.ts";

const PHASES = new Set(["X", "M", "b", "e", "s", "t", "f", "B", "E", "i"]);

/** Every rule `trace` breaks, one line each. */
export function traceProblems(trace: TraceFile): string[] {
  const problems: string[] = [];
  if (!Array.isArray(trace.traceEvents)) return ["traceEvents not an array"];
  const slices = new Map<string, TraceEvent[]>();
  const open = new Map<string, number>();
  const flows = new Map<string, string[]>();
  for (const [i, e] of trace.traceEvents.entries()) {
    const at = `event ${i} (${e.ph} ${e.name})`;
    if (!PHASES.has(e.ph)) problems.push(`${at}: invalid ph`);
    if (typeof e.name !== "string") problems.push(`${at}: no name`);
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid)) {
      problems.push(`${at}: pid and tid must be integers`);
    }
    if (e.ph === "M") continue;
    if (!Number.isInteger(e.ts) || e.ts! < 0) {
      problems.push(`${at}: ts must be a non-negative integer (µs)`);
    }
    if (e.ph === "X") {
      if (!Number.isInteger(e.dur) || e.dur! < 0) {
        problems.push(`${at}: dur must be a non-negative integer`);
      }
      const key = `${e.pid}/${e.tid}`;
      slices.set(key, [...slices.get(key) ?? [], e]);
    } else if (e.ph === "b" || e.ph === "e") {
      if (e.id === undefined || e.cat === undefined) {
        problems.push(`${at}: async events need id and cat`);
        continue;
      }
      const key = `${e.pid}/${e.cat}/${e.id}/${e.name}`;
      const depth = (open.get(key) ?? 0) + (e.ph === "b" ? 1 : -1);
      if (depth < 0) problems.push(`${at}: "e" without a "b"`);
      open.set(key, depth);
    } else if (e.ph === "s" || e.ph === "f" || (e.ph as string) === "t") {
      if (e.id === undefined || e.cat === undefined) {
        problems.push(`${at}: flow events need id and cat`);
        continue;
      }
      const key = `${e.pid}/${e.cat}/${e.id}`;
      flows.set(key, [...flows.get(key) ?? [], e.ph]);
    }
  }
  for (const [key, depth] of open) {
    if (depth !== 0) problems.push(`async ${key}: unmatched b/e`);
  }
  for (const [key, phases] of flows) {
    if (phases[0] !== "s" || phases.at(-1) !== "f") {
      problems.push(`flow ${key}: must start with s and end with f`);
    }
  }
  for (const [key, list] of slices) {
    // Complete slices on one thread must nest or be disjoint.
    const sorted = list.toSorted((a, b) => a.ts! - b.ts! || b.dur! - a.dur!);
    const stack: number[] = [];
    for (const e of sorted) {
      while (stack.length > 0 && stack.at(-1)! <= e.ts!) stack.pop();
      const end = e.ts! + e.dur!;
      if (stack.length > 0 && end > stack.at(-1)!) {
        problems.push(`thread ${key}: X "${e.name}" at ${e.ts} overlaps`);
      }
      stack.push(end);
    }
  }
  return problems;
}
