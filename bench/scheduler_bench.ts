// Copyright the denogo authors. MIT license.

/**
 * Multi-worker scheduler benchmarks: the last four targets of
 * `bench/README.md`.
 *
 * - tiny tasks (x => x + 1) through the scheduler: tasks per second;
 * - one task's round trip on a warm, idle runtime: µs;
 * - 8 CPU-bound tasks of ~50 ms: speedup of `procs` workers over one;
 * - fork-join fib(30) with a spawn per call above a cutoff: speedup over one
 *   (20 runs on each side, after 20 runs of warm-up on the same runtime:
 *   each worker's JIT warms up on its own share of the work, and Go's
 *   figure is a warm `b.N` loop).
 *
 * `deno run --allow-read --allow-env --allow-run bench/scheduler_bench.ts
 * [--quick]` prints all four as JSON, and, when `node` and
 * `bench/pools/node_modules` exist (`bench/pools/install.sh`), runs
 * `bench/pools/bench.mjs` (piscina, tinypool and poolifier, 2 threads) and
 * prints the ratios against the best of them. Under `deno bench` it registers the tiny-task
 * and round-trip benches.
 *
 * This module is also the task module: the runtime loads it in its workers
 * (where `import.meta.main` is false, so nothing below runs there).
 *
 * @module
 */

import { Runtime, spawn, workerIndex } from "../runtime/mod.ts";

/** The tiny task. */
export function inc(x: number): number {
  return x + 1;
}

/** Busy-loops for `ms` milliseconds. */
export function burn(ms: number): number {
  const until = performance.now() + ms;
  let spins = 0;
  while (performance.now() < until) spins++;
  return spins;
}

function fibSeq(n: number): number {
  return n < 2 ? n : fibSeq(n - 1) + fibSeq(n - 2);
}

/** Fork-join Fibonacci: a spawned child per call above `cutoff`. */
export async function fib(n: number, cutoff: number): Promise<number> {
  if (n <= cutoff) return fibSeq(n);
  const a = spawn(fib, n - 1, cutoff);
  const b = fib(n - 2, cutoff);
  return (await a) + (await b);
}

const SELF = import.meta.url;
type Self = typeof import("./scheduler_bench.ts");

async function tinyThroughput(rt: Runtime, n: number): Promise<number> {
  const { inc } = rt.module<Self>(SELF);
  const t0 = performance.now();
  const calls: Promise<number>[] = new Array(n);
  for (let i = 0; i < n; i++) calls[i] = inc(i);
  await Promise.all(calls);
  return n / ((performance.now() - t0) / 1000);
}

async function roundTrip(rt: Runtime, n: number): Promise<number> {
  const { inc } = rt.module<Self>(SELF);
  for (let i = 0; i < 200; i++) await inc(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await inc(i);
  return ((performance.now() - t0) / n) * 1000;
}

async function timed(procs: number, body: (rt: Runtime) => Promise<unknown>) {
  await using rt = await Runtime.start({ procs });
  await body(rt); // warm up: load the module, JIT the task
  const t0 = performance.now();
  await body(rt);
  return { ms: performance.now() - t0, steals: rt.stats().steals };
}

async function report(quick: boolean) {
  const procs = navigator.hardwareConcurrency;
  const rt = await Runtime.start({ procs });
  await tinyThroughput(rt, 5_000);
  const tiny = await tinyThroughput(rt, quick ? 20_000 : 200_000);
  const rtt = await roundTrip(rt, quick ? 1_000 : 10_000);
  await rt.close();

  const cpu = (r: Runtime) =>
    Promise.all(Array.from({ length: 8 }, () => r.module<Self>(SELF).burn(50)));
  const cpuOne = await timed(1, cpu);
  const cpuAll = await timed(procs, cpu);

  const fibN = quick ? 27 : 30;
  const fibRuns = quick ? 5 : 20;
  const fibRun = async (r: Runtime) => {
    for (let i = 0; i < fibRuns; i++) {
      await r.module<Self>(SELF).fib(fibN, fibN - 12);
    }
  };
  const fibOne = await timed(1, fibRun);
  const fibAll = await timed(procs, fibRun);

  return {
    procs,
    tinyTasksPerSecond: Math.round(tiny),
    roundTripMicros: Number(rtt.toFixed(2)),
    cpuBound: {
      tasks: 8,
      taskMs: 50,
      oneWorkerMs: Math.round(cpuOne.ms),
      allWorkersMs: Math.round(cpuAll.ms),
      speedup: Number((cpuOne.ms / cpuAll.ms).toFixed(3)),
    },
    forkJoinFib: {
      n: fibN,
      runs: fibRuns,
      cutoff: fibN - 12,
      oneWorkerMs: Math.round(fibOne.ms),
      allWorkersMs: Math.round(fibAll.ms),
      speedup: Number((fibOne.ms / fibAll.ms).toFixed(3)),
      steals: fibAll.steals,
    },
  };
}

interface PoolResult {
  tinyTasksPerSecond: number;
  roundTripMicros: number;
  cpuBoundSpeedup: number;
}

/** The pools of bench/pools, each measured by bench/pools/bench.mjs. */
const POOLS = ["piscina", "tinypool", "poolifier"] as const;
type Pools = Record<typeof POOLS[number], PoolResult>;

/** The pools under Node (bench/pools), installed on first use. */
async function pools(quick: boolean): Promise<Pools | null> {
  const dir = new URL("./pools/", import.meta.url);
  try {
    try {
      for (const name of POOLS) {
        await Deno.stat(new URL(`node_modules/${name}`, dir));
      }
    } catch {
      console.error(`installing ${POOLS.join(", ")} into bench/pools ...`);
      const install = await new Deno.Command("sh", {
        args: ["install.sh"],
        cwd: dir,
        stdout: "null",
        stderr: "inherit",
      }).output();
      if (!install.success) return null;
    }
    const { code, stdout } = await new Deno.Command("node", {
      args: ["bench.mjs", ...(quick ? ["--quick"] : [])],
      cwd: dir,
      stderr: "inherit",
    }).output();
    if (code !== 0) {
      console.error(`node bench/pools/bench.mjs exited with code ${code}`);
      return null;
    }
    return JSON.parse(new TextDecoder().decode(stdout));
  } catch (error) {
    console.error(`bench/pools not run: ${error}`);
    return null;
  }
}

/** Go's fork-join fib(30) (bench/go/fib_test.go): ms per run at 1 and N procs. */
async function goFib(
  procs: number,
): Promise<{ oneMs: number; allMs: number } | null> {
  try {
    const { code, stdout } = await new Deno.Command("go", {
      args: [
        "test",
        "-run",
        "^$",
        "-bench",
        "ForkJoinFib30",
        "-cpu",
        `1,${procs}`,
        "-count",
        "1",
      ],
      cwd: new URL("./go/", import.meta.url),
      env: { GOFLAGS: "-mod=mod", GOPROXY: "off" },
      stderr: "null",
    }).output();
    if (code !== 0) return null;
    const ns = [
      ...new TextDecoder().decode(stdout).matchAll(
        /^BenchmarkForkJoinFib30(?:-(\d+))?\s+\d+\s+([\d.]+) ns\/op/gm,
      ),
    ].map((m) => ({ procs: Number(m[1] ?? 1), ms: Number(m[2]) / 1e6 }));
    const one = ns.find((r) => r.procs === 1);
    const all = ns.find((r) => r.procs === procs) ?? one;
    return one && all ? { oneMs: one.ms, allMs: all.ms } : null;
  } catch {
    return null; // No go on the PATH.
  }
}

type Ours = Awaited<ReturnType<typeof report>>;

/** One Markdown table: the scheduler's targets in `bench/README.md`. */
function table(
  ours: Ours,
  others: Pools | null,
  go: { oneMs: number; allMs: number } | null,
): string {
  const cell = (v: number | undefined, digits = 0) =>
    v === undefined ? "-" : v.toLocaleString("en-US", {
      maximumFractionDigits: digits,
      minimumFractionDigits: digits,
    });
  const met = (ok: boolean | undefined) =>
    ok === undefined ? "-" : ok ? "yes" : "no";
  // The best of the pools: the most tasks per second, the shortest trip.
  const best = others
    ? Math.max(...POOLS.map((name) => others[name].tinyTasksPerSecond))
    : undefined;
  const tinyRatio = best ? ours.tinyTasksPerSecond / best : undefined;
  const bestTrip = others
    ? Math.min(...POOLS.map((name) => others[name].roundTripMicros))
    : undefined;
  const rttRatio = bestTrip ? ours.roundTripMicros / bestTrip : undefined;
  const poolCells = (pick: (r: PoolResult) => number, digits: number) =>
    POOLS.map((name) => cell(others ? pick(others[name]) : undefined, digits))
      .join(" | ");
  const cpuRatio = ours.cpuBound.speedup / ours.procs;
  const fibMs = ours.forkJoinFib.allWorkersMs / ours.forkJoinFib.runs;
  const fibOneMs = ours.forkJoinFib.oneWorkerMs / ours.forkJoinFib.runs;
  const rows = [
    "| workload | denogo | piscina | tinypool | poolifier | Go | ratio | target | met? |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    `| tiny tasks (x => x + 1), tasks/s | ${cell(ours.tinyTasksPerSecond)} | ${
      poolCells((r) => r.tinyTasksPerSecond, 0)
    } | - | ${cell(tinyRatio, 1)} × best pool | ≥ 10 | ${
      met(tinyRatio !== undefined ? tinyRatio >= 10 : undefined)
    } |`,
    `| one task's round trip, warm idle runtime, µs | ${
      cell(ours.roundTripMicros, 1)
    } | ${poolCells((r) => r.roundTripMicros, 1)} | - | ${
      cell(rttRatio, 3)
    } × best pool | ≤ 0.2 | ${
      met(rttRatio !== undefined ? rttRatio <= 0.2 : undefined)
    } |`,
    `| 8 CPU-bound tasks of 50 ms, speedup over 1 worker | ${
      cell(ours.cpuBound.speedup, 2)
    } | ${poolCells((r) => r.cpuBoundSpeedup, 2)} | - | ${
      cell(cpuRatio, 3)
    } × cores | ≥ 0.95 | ${met(cpuRatio >= 0.95)} |`,
    `| fork-join fib(${ours.forkJoinFib.n}), cutoff ${ours.forkJoinFib.cutoff}, ms per run on ${ours.procs} procs | ${
      cell(fibMs, 1)
    } | - | - | - | ${cell(go?.allMs, 1)} | ${
      go ? cell(fibMs / go.allMs, 2) : "-"
    } × Go | - | - |`,
    `| fork-join fib, speedup over 1 proc | ${
      cell(fibOneMs / fibMs, 2)
    } | - | - | - | ${go ? cell(go.oneMs / go.allMs, 2) : "-"} | - | - | - |`,
  ];
  return rows.join("\n");
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const ours = await report(quick);
  const others = await pools(quick);
  const go = ours.forkJoinFib.n === 30 ? await goFib(ours.procs) : null;
  if (Deno.args.includes("--json")) {
    console.log(JSON.stringify({ denogo: ours, pools: others, go }, null, 2));
  } else {
    console.log(
      `Scheduler: Deno ${Deno.version.deno}, ${ours.procs} CPUs` +
        `${others ? "" : ", pools not run"}${go ? "" : ", no Go"}\n`,
    );
    console.log(table(ours, others, go));
  }
} else if (workerIndex() === -1) {
  const N = 10_000;
  Deno.bench({
    name: `tiny tasks x => x + 1 through the scheduler (${N} tasks)`,
    group: "scheduler",
    n: 10,
    warmup: 2,
    async fn(b) {
      await using rt = await Runtime.start();
      await tinyThroughput(rt, 1000);
      b.start();
      await tinyThroughput(rt, N);
      b.end();
    },
  });
  Deno.bench({
    name: "one task's round trip on a warm idle runtime (1000 tasks)",
    group: "scheduler",
    n: 10,
    warmup: 2,
    async fn(b) {
      await using rt = await Runtime.start();
      const { inc } = rt.module<Self>(SELF);
      for (let i = 0; i < 200; i++) await inc(i);
      b.start();
      for (let i = 0; i < 1000; i++) await inc(i);
      b.end();
    },
  });
}
