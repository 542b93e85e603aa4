// Copyright the denogo authors. MIT license.
// piscina, tinypool and poolifier (2 threads each, default options) on the
// workloads of bench/scheduler_bench.ts: tiny-task throughput, single-task
// round trip on a warm idle pool, and 8 CPU-bound tasks of 50 ms (speedup
// over 1 thread).
// Run: ./install.sh && node bench.mjs [--quick]. Prints one JSON object.

import { Piscina } from "piscina";
import { Tinypool } from "tinypool";
import { FixedThreadPool } from "poolifier";

const quick = process.argv.includes("--quick");
const TINY = quick ? 5_000 : 50_000;
const RTT = quick ? 500 : 5_000;
const CPU_TASKS = 8;
const CPU_MS = 50;
const filename = new URL("./tasks.mjs", import.meta.url).href;

/** poolifier's pool under the interface the others share: run and destroy. */
function poolifier(threads) {
  const pool = new FixedThreadPool(
    threads,
    new URL("./poolifier_worker.mjs", import.meta.url).pathname,
  );
  return {
    run: (data) => pool.execute(data),
    destroy: () => pool.destroy(),
  };
}

async function tiny(pool) {
  const t0 = performance.now();
  const calls = [];
  for (let i = 0; i < TINY; i++) calls.push(pool.run({ op: "inc", x: i }));
  await Promise.all(calls);
  return TINY / ((performance.now() - t0) / 1000);
}

async function rtt(pool) {
  for (let i = 0; i < 200; i++) await pool.run({ op: "inc", x: i });
  const t0 = performance.now();
  for (let i = 0; i < RTT; i++) await pool.run({ op: "inc", x: i });
  return ((performance.now() - t0) / RTT) * 1000;
}

async function cpu(pool) {
  const t0 = performance.now();
  await Promise.all(
    Array.from(
      { length: CPU_TASKS },
      () => pool.run({ op: "burn", ms: CPU_MS }),
    ),
  );
  return performance.now() - t0;
}

async function measure(make) {
  const pool = make(2);
  await tiny(pool); // warm up
  const result = {
    tinyTasksPerSecond: Math.round(await tiny(pool)),
    roundTripMicros: Number((await rtt(pool)).toFixed(2)),
  };
  const two = await cpu(pool);
  await pool.destroy();
  const single = make(1);
  await cpu(single); // warm up
  const one = await cpu(single);
  await single.destroy();
  result.cpuBoundMs = {
    oneThread: Math.round(one),
    twoThreads: Math.round(two),
  };
  result.cpuBoundSpeedup = Number((one / two).toFixed(3));
  return result;
}

// poolifier's destroy() awaits its workers' exit holding nothing that keeps
// Node's event loop alive (the workers close their ports first), so under
// load the loop could empty before the exit came, and node left the
// top-level await unsettled: exit code 13, no output. A timer held for the
// run keeps the loop alive until every pool is measured and destroyed.
const keepAlive = setInterval(() => {}, 2 ** 30);
const out = {
  node: process.version,
  threads: 2,
  piscina: await measure((n) =>
    new Piscina({ filename, minThreads: n, maxThreads: n })
  ),
  tinypool: await measure((n) =>
    new Tinypool({ filename, minThreads: n, maxThreads: n })
  ),
  poolifier: await measure(poolifier),
};
clearInterval(keepAlive);
console.log(JSON.stringify(out, null, 2));
