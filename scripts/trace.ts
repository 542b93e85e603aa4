// Copyright the denogo authors. MIT license.

/**
 * `deno task trace [out.html]`: runs a small program on a traced runtime
 * (fork-join Fibonacci, a skewed fan-out that makes workers steal, and
 * overlapping async tasks) and writes its timeline page
 * ({@linkcode traceToHtml}) to `out.html` (by default `out/timeline.html`,
 * git-ignored) and the raw trace next to it (`.json`, for Perfetto).
 *
 * The file is also the demo's task module: the runtime's workers import
 * it, and only the main thread (`import.meta.main`) runs the program.
 *
 * @module
 */

import { Runtime, spawn, type TraceFile, traceToHtml } from "../runtime/mod.ts";

function fibSeq(n: number): number {
  return n < 2 ? n : fibSeq(n - 1) + fibSeq(n - 2);
}

/** Fork-join Fibonacci: a child task per call above 18. */
export async function fib(n: number): Promise<number> {
  if (n <= 18) return fibSeq(n);
  const [a, b] = await Promise.all([spawn(fib, n - 1), spawn(fib, n - 2)]);
  return a + b;
}

/** Busy for `ms`. */
export function burn(ms: number): number {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
  return ms;
}

/** One task spawning `n` busy children on its own worker: others steal them. */
export async function fanOut(n: number, ms: number): Promise<number> {
  const children: Promise<number>[] = [];
  for (let i = 0; i < n; i++) children.push(spawn(burn, ms));
  return (await Promise.all(children)).length;
}

/** Async: waits `ms` without holding its worker. */
export async function sleepy(ms: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return burn(0.2);
}

/** Runs the demo on `procs` workers; returns its trace. */
export async function demo(procs = 3): Promise<TraceFile> {
  await using rt = await Runtime.start({ procs, trace: true });
  const tasks = rt.module<typeof import("./trace.ts")>(import.meta.url);
  await Promise.all([tasks.fib(23), tasks.fanOut(12, 2)]);
  await Promise.all(Array.from({ length: 8 }, (_, i) => tasks.sleepy(i + 1)));
  return rt.trace();
}

if (import.meta.main) {
  const path = Deno.args[0] ?? "out/timeline.html";
  const trace = await demo();
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  if (dir) await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(path, traceToHtml(trace));
  const json = path.replace(/(\.html?)?$/, ".json");
  await Deno.writeTextFile(json, JSON.stringify(trace));
  console.log(`wrote ${path} (open it in a browser) and ${json} (Perfetto)`);
}
