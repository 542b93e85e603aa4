// Copyright the denogo authors. MIT license.

/**
 * Fan-out over cores, as Go writes it: N tasks range over one
 * `SharedChannel` of jobs and send on one of results; the main thread
 * stops them all by cancelling a `SharedContext` they were handed, which
 * every task selects on beside its channel operations.
 *
 *     deno run --allow-read examples/fan_out.ts [want] [tasks]   # default 20 primes, 4 tasks
 *
 * The jobs are the odd numbers from 10¹² + 1 upwards; each task tests its
 * job for primality by trial division (CPU-bound, tens of microseconds)
 * and sends the primes it finds. Once the main thread has `want` primes it
 * cancels the context: the feeder goroutine stops sending, and each task,
 * whether it waits for a job or to send a result, sees `ctx.done()` close
 * and returns how many jobs it did. Which primes come first depends on the
 * interleaving; that each is prime, and that the tasks' counts add up to
 * every job handed out, does not.
 *
 * @module
 */

import { go, recv, select, send } from "../mod.ts";
import { Runtime } from "../runtime/mod.ts";
import { SharedChannel, SharedContext } from "../workers/mod.ts";

/** Whether `n` is prime, by trial division. */
export function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/**
 * A task: takes jobs until `jobs` is closed or `ctx` is cancelled, and
 * sends each prime on `primes`; returns how many jobs it took.
 */
export async function worker(
  jobs: SharedChannel<number>,
  primes: SharedChannel<number>,
  ctx: SharedContext,
): Promise<number> {
  let taken = 0;
  for (;;) {
    const job = await select([
      recv(jobs, (n, ok) => ok ? n : undefined),
      recv(ctx.done(), () => undefined),
    ]);
    if (job === undefined) return taken;
    taken++;
    if (!isPrime(job)) continue;
    const sent = await select([
      send(primes, job, () => true),
      recv(ctx.done(), () => false),
    ]);
    if (!sent) return taken;
  }
}

if (import.meta.main) {
  const want = Number(Deno.args[0] ?? 20);
  const n = Number(Deno.args[1] ?? 4);
  await using rt = await Runtime.start();
  const tasks = rt.module<typeof import("./fan_out.ts")>(import.meta.url);
  const jobs = new SharedChannel<number>({ capacity: 64, codec: "float64" });
  const primes = new SharedChannel<number>({ capacity: 8, codec: "float64" });
  const ctx = new SharedContext();
  const t0 = performance.now();

  // The feeder: odd numbers until cancelled.
  let fed = 0;
  const feeding = new Promise<void>((resolve) =>
    go(async () => {
      for (let job = 1e12 + 1;; job += 2) {
        const ok = await select([
          send(jobs, job, () => true),
          recv(ctx.done(), () => false),
        ]);
        if (!ok) break;
        fed++;
      }
      resolve();
    })
  );
  const running = Array.from(
    { length: n },
    () => tasks.worker(jobs, primes, ctx),
  );

  const found: number[] = [];
  while (found.length < want) found.push((await primes.receive()).value!);
  ctx.cancel();
  await feeding;
  const taken = await Promise.all(running);
  // Jobs fed but not taken are still in the channel.
  let left = 0;
  while (jobs.tryReceive().state === "ok") left++;

  const ms = performance.now() - t0;
  console.log(`${found.length} primes above 10^12, e.g. ${found[0]}`);
  console.log(`all prime: ${found.every(isPrime)}`);
  console.log(
    `jobs per task: ${taken.join(" + ")} = ${
      taken.reduce((a, b) => a + b, 0)
    }, ${left} left in the channel, ${fed} fed`,
  );
  console.log(`${ms.toFixed(0)} ms on ${rt.procs} runtime workers`);
}
