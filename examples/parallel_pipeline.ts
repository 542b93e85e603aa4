// Copyright the denogo authors. MIT license.

/**
 * A three-stage pipeline whose middle stage runs in parallel on two
 * workers of the runtime, connected by SharedChannels passed to its tasks
 * as arguments: Go's pipeline pattern with real parallelism.
 *
 *     deno run --allow-read examples/parallel_pipeline.ts          # 1,000,000 numbers
 *     deno run --allow-read examples/parallel_pipeline.ts 100000   # fewer
 *
 * - Stage 1 (main thread, a goroutine): sends 0..n-1 on `numbers`.
 * - Stage 2 (two tasks, `square`, on a runtime of two workers): each takes
 *   batches from `numbers`, does some floating-point work per number, and
 *   sends the results on `results`. Both tasks are handed both channels, as
 *   a Go function is handed `chan` values: they split the work with no
 *   coordination but the channels.
 * - Stage 3 (main thread): sums `results` until it is closed.
 *
 * The tasks use the thread-blocking batch calls (`recvManySync`,
 * `sendManySync`): each has a worker to itself. The main thread stays
 * async. It prints the sum (the same for any interleaving) and the
 * throughput.
 *
 * @module
 */

import { go } from "../mod.ts";
import { Runtime } from "../runtime/mod.ts";
import { SharedChannel } from "../workers/mod.ts";

/** The middle stage's work on one number: deterministic, CPU-bound. */
export function work(x: number): number {
  let y = x;
  for (let i = 0; i < 20; i++) y = Math.sqrt(y * y + i);
  return Math.round(y);
}

/**
 * Stage 2, a task: until `numbers` is closed and drained, sends `work(x)`
 * on `results` for each `x`; returns how many it did.
 */
export function square(
  numbers: SharedChannel<number>,
  results: SharedChannel<number>,
): number {
  let n = 0;
  for (let xs = numbers.recvManySync(256); xs.length > 0;) {
    for (let i = 0; i < xs.length; i++) xs[i] = work(xs[i]);
    results.sendManySync(xs);
    n += xs.length;
    xs = numbers.recvManySync(256);
  }
  return n;
}

if (import.meta.main) {
  const n = Number(Deno.args[0] ?? 1_000_000);
  await using rt = await Runtime.start({ procs: 2 });
  const tasks = rt.module<typeof import("./parallel_pipeline.ts")>(
    import.meta.url,
  );
  const numbers = new SharedChannel<number>({
    capacity: 4096,
    codec: "float64",
  });
  const results = new SharedChannel<number>({
    capacity: 4096,
    codec: "float64",
  });
  const start = performance.now();

  // Stage 1.
  go(async () => {
    for (let i = 0; i < n; i++) await numbers.send(i);
    numbers.close();
  });
  // Stage 2 ends when both tasks have drained `numbers`.
  const shares = Promise.all([
    tasks.square(numbers, results),
    tasks.square(numbers, results),
  ]).finally(() => results.close());
  // Stage 3.
  let sum = 0;
  let count = 0;
  for await (const y of results) {
    sum += y;
    count++;
  }
  const counts = await shares;
  const seconds = (performance.now() - start) / 1000;
  console.log(`${count} results, sum ${sum}`);
  console.log(`worker shares: ${counts.join(" + ")}`);
  console.log(
    `${(count / seconds).toFixed(0)} items/s through 3 stages (${
      (seconds * 1000).toFixed(0)
    } ms)`,
  );
}
