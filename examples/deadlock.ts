// Copyright the denogo authors. MIT license.

/**
 * The most common Go deadlock, and two ways to see it: a worker pool whose
 * producer forgets `close(jobs)`, so the workers wait in `for range jobs`
 * for ever and `main` waits in `wg.Wait()` for them.
 *
 *     deno run examples/deadlock.ts deadlock
 *     deno run examples/deadlock.ts dump
 *
 * - `deadlock` (the default): the program blocks for good; the deadlock
 *   detector prints Go's `fatal error: all goroutines are asleep -
 *   deadlock!` report (every goroutine, what it waits on, where it was
 *   started) and exits with status 2.
 * - `dump`: the same bug, but `main` waits only 100 ms (`select` on the
 *   group's `done` and `after(100)`); then it prints the goroutine dump
 *   (`goroutineDump()`, what `SIGQUIT` prints with `dumpOnSignal()`),
 *   shows the jobs channel (`Deno.inspect`), closes it — the fix — and
 *   exits normally.
 *
 * Goroutine tracing (`setGoroutineTracing(true)`) adds where each goroutine
 * was started and where it waits.
 *
 * @module
 */

import {
  after,
  Channel,
  go,
  goroutineDump,
  main,
  recv,
  select,
  setGoroutineTracing,
  WaitGroup,
} from "../mod.ts";

const mode = Deno.args[0] ?? "deadlock";
if (mode !== "deadlock" && mode !== "dump") {
  console.error(`usage: deno run examples/deadlock.ts [deadlock|dump]`);
  Deno.exit(1);
}

setGoroutineTracing(true);

async function worker(id: number, jobs: Channel<number>, wg: WaitGroup) {
  for await (const job of jobs) {
    console.log(`worker ${id} did job ${job}`);
  }
  wg.done(); // never reached: nobody closes jobs
}

main(async () => {
  const jobs = new Channel<number>(3);
  const wg = new WaitGroup();
  for (let id = 1; id <= 2; id++) {
    wg.add(1);
    go(worker, id, jobs, wg);
  }
  for (let job = 1; job <= 3; job++) await jobs.send(job);
  // The bug: `jobs.close()` belongs here.

  if (mode === "deadlock") {
    await wg.wait(); // blocks for good: the detector reports it
    return;
  }
  const done = new Channel<void>();
  go(async function waiter() {
    await wg.wait();
    done.close();
  });
  const finished = await select([
    recv(done, () => true),
    recv(after(100), () => false),
  ]);
  if (!finished) {
    console.log("still waiting after 100 ms; the goroutines:\n");
    console.log(goroutineDump());
    console.log(`\njobs: ${Deno.inspect(jobs)}`);
    console.log("\nclosing jobs (the fix)");
    jobs.close();
    await done.receive();
  }
  console.log("all workers returned");
});
