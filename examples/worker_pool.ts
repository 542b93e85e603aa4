// Copyright the denogo authors. MIT license.

/**
 * Go by Example's worker pool, with real parallelism: `jobs` and `results`
 * channels, and workers that run each job as a task on the multi-worker
 * runtime.
 *
 *     deno run --allow-read examples/worker_pool.ts [jobs]   # default 9
 *
 * Three worker goroutines receive from `jobs` and send to `results`, as in
 * Go; each job's work (a CPU-bound `process`, an exported function of this
 * module) runs on one of the runtime's workers, so jobs really run in
 * parallel on every core instead of taking turns on the main thread.
 *
 * @module
 */

import { Channel, go, type ReceiveChannel, type SendChannel } from "../mod.ts";
import { Runtime, workerIndex } from "../runtime/mod.ts";

/** The job's work: ~20 ms of computation; returns its result and where it ran. */
export function process(
  job: number,
): { job: number; result: number; on: number } {
  const until = performance.now() + 20;
  while (performance.now() < until) {
    // work
  }
  return { job, result: job * 2, on: workerIndex() };
}

type Tasks = typeof import("./worker_pool.ts");
type Result = Awaited<ReturnType<Tasks["process"]>>;

async function worker(
  id: number,
  rt: Runtime,
  jobs: ReceiveChannel<number>,
  results: SendChannel<Result>,
): Promise<void> {
  const tasks = rt.module<Tasks>(import.meta.url);
  for await (const job of jobs) {
    console.log(`worker ${id} started  job ${job}`);
    const result = await tasks.process(job);
    console.log(
      `worker ${id} finished job ${job} (on runtime worker ${result.on})`,
    );
    await results.send(result);
  }
}

if (import.meta.main) {
  const numJobs = Number(Deno.args[0] ?? 9);
  await using rt = await Runtime.start();
  const jobs = new Channel<number>({ capacity: numJobs });
  const results = new Channel<Result>({ capacity: numJobs });

  for (let w = 1; w <= 3; w++) go(worker, w, rt, jobs, results);

  const t0 = performance.now();
  for (let j = 1; j <= numJobs; j++) await jobs.send(j);
  jobs.close();

  let sum = 0;
  for (let a = 1; a <= numJobs; a++) {
    sum += (await results.receive()).value!.result;
  }
  const ms = performance.now() - t0;
  console.log(`sum of results: ${sum}`);
  console.log(
    `${numJobs} jobs of 20 ms in ${
      ms.toFixed(0)
    } ms on ${rt.procs} runtime workers`,
  );
}
