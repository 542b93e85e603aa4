// Copyright the denogo authors. MIT license.

/**
 * Fork-join Fibonacci over every core, with work stealing.
 *
 *     deno run --allow-read examples/parallel_fib.ts [n] [cutoff]   # default 32 20
 *
 * `fib` is a plain exported function of this very module: the runtime loads
 * the module in each worker (no worker file, no messages). Above the cutoff
 * each call spawns its first half as a child task onto its worker's deque
 * and computes the second half itself; idle workers steal the oldest (the
 * largest) children. The program runs it on one worker, then on all of
 * them, and prints the speedup and the steals.
 *
 * @module
 */

import { Runtime, spawn } from "../runtime/mod.ts";

function fibSeq(n: number): number {
  return n < 2 ? n : fibSeq(n - 1) + fibSeq(n - 2);
}

/** Fibonacci, forking a child task per call above `cutoff`. */
export async function fib(n: number, cutoff: number): Promise<number> {
  if (n <= cutoff) return fibSeq(n);
  const a = spawn(fib, n - 1, cutoff); // a child: another worker may steal it
  const b = fib(n - 2, cutoff); // this half runs here
  return (await a) + (await b);
}

async function timed(procs: number, n: number, cutoff: number) {
  await using rt = await Runtime.start({ procs });
  const tasks = rt.module<typeof import("./parallel_fib.ts")>(import.meta.url);
  await tasks.fib(cutoff + 2, cutoff); // warm up: load the module everywhere
  const t0 = performance.now();
  const value = await tasks.fib(n, cutoff);
  const ms = performance.now() - t0;
  return { value, ms, steals: rt.stats().steals };
}

if (import.meta.main) {
  const n = Number(Deno.args[0] ?? 32);
  const cutoff = Number(Deno.args[1] ?? 20);
  const procs = navigator.hardwareConcurrency;
  const one = await timed(1, n, cutoff);
  const all = await timed(procs, n, cutoff);
  console.log(`fib(${n}) = ${all.value} (cutoff ${cutoff})`);
  console.log(`1 worker:  ${one.ms.toFixed(1)} ms`);
  console.log(
    `${procs} workers: ${all.ms.toFixed(1)} ms, ${all.steals} steals`,
  );
  console.log(`speedup: ${(one.ms / all.ms).toFixed(2)}x on ${procs} cores`);
}
