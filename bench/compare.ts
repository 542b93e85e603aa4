// Copyright the denogo authors. MIT license.

/**
 * Runs denogo's tier-1 benchmarks and, when `go` is on the PATH, the Go
 * reference benchmarks in `bench/go/`, in the same run on the same machine,
 * and prints one Markdown table: ours, Go's and, where the row has one, the
 * platform's floor (the least a library-free program does for the same
 * work, measured in the same run), with both ratios against the speed
 * targets in `bench/README.md`. Raw outputs go to `bench/results/` (gitignored).
 *
 * ```sh
 * deno task bench:compare            # full run, a few minutes
 * deno task bench:compare --quick    # smoke run: fewer iterations, smaller batches
 * ```
 *
 * Exits non-zero only when a benchmark fails to run; a missed target is
 * reported in the table, not as a failure.
 *
 * @module
 */

const QUICK = Deno.args.includes("--quick");

const BENCH_DIR = new URL("./", import.meta.url);
const ROOT_DIR = new URL("../", BENCH_DIR);
const RESULTS_DIR = new URL("./results/", BENCH_DIR);
const GO_DIR = new URL("./go/", BENCH_DIR);

const BENCH_FILES = [
  "bench/channel_bench.ts",
  "bench/select_bench.ts",
  "bench/spawn_bench.ts",
  "bench/sync_bench.ts",
  "bench/context_bench.ts",
];

/** Goroutines parked at once for the memory row. */
const MEMORY_COUNT = QUICK ? 100_000 : 1_000_000;

function path(url: URL): string {
  // Good enough for file: URLs on POSIX and Windows.
  const p = decodeURIComponent(url.pathname);
  return Deno.build.os === "windows" ? p.slice(1) : p;
}

async function writeResult(name: string, text: string): Promise<void> {
  await Deno.mkdir(RESULTS_DIR, { recursive: true });
  await Deno.writeTextFile(new URL(name, RESULTS_DIR), text);
}

interface RunOutput {
  ok: boolean;
  stdout: string;
  stderr: string;
}

async function run(
  command: string,
  args: string[],
  cwd: URL,
  env: Record<string, string> = {},
): Promise<RunOutput> {
  console.error(`$ ${command} ${args.join(" ")}`);
  try {
    const out = await new Deno.Command(command, {
      args,
      cwd: path(cwd),
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    return {
      ok: out.success,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  } catch (error) {
    return { ok: false, stdout: "", stderr: String(error) };
  }
}

// Deno. ----------------------------------------------------------------------

/** ns per operation of each Deno bench, keyed by `group / name`. */
type Timings = Map<string, number>;

interface DenoBenchJson {
  benches: {
    group: string | null;
    name: string;
    results: { ok?: { avg: number } }[];
  }[];
}

/**
 * Reads `deno bench --json`. A name ending in "(N ops)" is a batch of N
 * operations per iteration: its time per operation is the average / N.
 */
function parseDenoBench(json: string): Timings {
  const timings: Timings = new Map();
  const data = JSON.parse(json) as DenoBenchJson;
  for (const bench of data.benches) {
    const avg = bench.results[0]?.ok?.avg;
    if (avg === undefined) continue;
    const ops = /\((\d+) ops\)$/.exec(bench.name);
    timings.set(
      `${bench.group ?? ""} / ${bench.name}`,
      ops === null ? avg : avg / Number(ops[1]),
    );
  }
  return timings;
}

/**
 * Runs `deno bench --json` on `files`; `name` names the raw outputs. The
 * shared-memory benches start workers, which need to read their module.
 */
async function runDenoBenches(
  name: string,
  files: string[],
  extra: string[] = [],
): Promise<Timings | null> {
  const result = await run(
    Deno.execPath(),
    [
      "bench",
      "--json",
      "--allow-env=DENOGO_BENCH_QUICK",
      ...extra,
      ...files,
    ],
    ROOT_DIR,
    { DENOGO_BENCH_QUICK: QUICK ? "1" : "0", NO_COLOR: "1" },
  );
  await writeResult(`${name}.json`, result.stdout);
  await writeResult(`${name}.stderr.txt`, result.stderr);
  if (!result.ok) {
    console.error(`deno bench failed:\n${result.stderr}`);
    return null;
  }
  return parseDenoBench(result.stdout);
}

/**
 * The runs of `bench/memory.ts`, each in a process of its own: its flag and
 * the file its output is kept in. "library" is the library's goroutines;
 * "floor" library-free async functions parked on bare promises; "go" those
 * started as `go()` starts a body, its result promise kept; "counted"
 * those, plus a reaction bound to each body.
 */
const MEMORY_RUNS = {
  library: { flags: [], file: "deno-memory.json" },
  floor: { flags: ["--floor"], file: "deno-memory-floor.json" },
  go: { flags: ["--go-floor"], file: "deno-memory-go-floor.json" },
  counted: {
    flags: ["--counted-floor"],
    file: "deno-memory-counted-floor.json",
  },
} as const;

/** Bytes per parked goroutine (or floor body) of one of `MEMORY_RUNS`. */
async function runDenoMemory(
  kind: keyof typeof MEMORY_RUNS,
): Promise<number | null> {
  const { flags, file } = MEMORY_RUNS[kind];
  const result = await run(
    Deno.execPath(),
    [
      "run",
      "--v8-flags=--expose-gc",
      "bench/memory.ts",
      "--json",
      "--count",
      String(MEMORY_COUNT),
      ...flags,
    ],
    ROOT_DIR,
  );
  await writeResult(file, result.stdout);
  if (!result.ok) {
    console.error(`bench/memory.ts failed:\n${result.stderr}`);
    return null;
  }
  return (JSON.parse(result.stdout) as { bytesPerGoroutine: number })
    .bytesPerGoroutine;
}

// Go. ------------------------------------------------------------------------

/** ns/op of each Go benchmark, keyed by name without "Benchmark" and "-P". */
type GoTimings = Map<string, number>;

function parseGoBench(text: string): GoTimings {
  const timings: GoTimings = new Map();
  const line = /^Benchmark(\w+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns\/op/gm;
  for (const m of text.matchAll(line)) timings.set(m[1], Number(m[2]));
  return timings;
}

async function goAvailable(): Promise<boolean> {
  return (await run("go", ["version"], GO_DIR)).ok;
}

function goEnv(): Record<string, string> {
  // A cache and GOPATH of our own, so the run works offline and leaves the
  // user's caches alone; the module has no dependencies.
  const goRoot = path(new URL("go-env/", RESULTS_DIR));
  return {
    GOMAXPROCS: "2",
    GOFLAGS: "-mod=mod",
    GOPROXY: "off",
    GOCACHE: `${goRoot}cache`,
    GOPATH: `${goRoot}path`,
    DENOGO_BENCH_QUICK: QUICK ? "1" : "0",
  };
}

async function runGoBenches(): Promise<GoTimings | null> {
  const args = [
    "test",
    "-bench",
    ".",
    "-benchmem",
    "-run",
    "^$",
    "-count",
    "1",
  ];
  if (QUICK) args.push("-benchtime", "0.1s");
  const result = await run("go", args, GO_DIR, goEnv());
  await writeResult("go-bench.txt", result.stdout + result.stderr);
  if (!result.ok) {
    console.error(`go test -bench failed:\n${result.stdout}${result.stderr}`);
    return null;
  }
  return parseGoBench(result.stdout);
}

async function runGoMemory(): Promise<number | null> {
  const result = await run(
    "go",
    ["test", "-run", "^TestParkedGoroutineMemory$", "-v", "-count", "1"],
    GO_DIR,
    { ...goEnv(), DENOGO_BENCH_MEMORY: String(MEMORY_COUNT) },
  );
  await writeResult("go-memory.txt", result.stdout + result.stderr);
  const m = /bytes_per_goroutine=([\d.]+)/.exec(result.stdout);
  if (!result.ok || m === null) {
    console.error(`go memory test failed:\n${result.stdout}${result.stderr}`);
    return null;
  }
  return Number(m[1]);
}

// The table. -----------------------------------------------------------------

const MANY = QUICK ? "10,000" : "100,000";

interface Row {
  workload: string;
  /** `group / name` of our bench, or "memory". */
  ours: string;
  /** Go benchmark name, or "memory", or null when Go has no counterpart. */
  go: string | null;
  /** The largest ratio against Go (or `against`) that meets the target. */
  target: number | null;
  /**
   * `group / name` of the floor bench in the same run, or "memory" (or
   * "memory go", the floor of an async function started as `go()` starts one,
   * or "memory counted", that floor plus a reaction bound to each body): the
   * least a library-free program does for the row's work.
   */
  floor?: string;
  /** The largest ratio against the floor that meets the target. */
  floorTarget?: number;
  /** Our bench to divide by instead of Go. */
  against?: string;
  /** What `against` is, for the ratio and target columns. */
  againstLabel?: string;
}

const ROWS: Row[] = [
  {
    workload: "buffered send+recv, non-blocking (trySend + tryReceive)",
    ours:
      "buffered send+recv, non-blocking / buffered trySend+tryReceive (1000 ops)",
    go: "BufferedSendRecv",
    target: 1.0,
  },
  {
    workload:
      "buffered send+recv, awaited (floor: an `await Promise.resolve()` pair)",
    ours:
      "buffered send+recv, awaited / buffered await send+receive (1000 ops)",
    go: "BufferedSendRecv",
    target: null,
    floor:
      "buffered send+recv, awaited / await Promise.resolve() pair (1000 ops)",
    floorTarget: 1.25,
  },
  {
    workload:
      "the same, against what receive() cannot do without (floor: await a settled promise + a fresh `{ value, ok }` promise)",
    ours:
      "buffered send+recv, awaited / buffered await send+receive (1000 ops)",
    go: null,
    target: null,
    floor:
      "buffered send+recv, awaited / floor: await a settled promise + a fresh { value, ok } promise (1000 ops)",
  },
  {
    workload:
      "unbuffered ping-pong round trip between two goroutines (floor: two bare promises resolved in turn)",
    ours: "unbuffered ping-pong / unbuffered ping-pong round trip (1000 ops)",
    go: "UnbufferedPingPong",
    target: 1.0,
    floor:
      "unbuffered ping-pong / floor: ping-pong through resolved promises (1000 ops)",
  },
  {
    workload: "producer-consumer through a buffer of 1024, per item",
    ours: "producer-consumer / producer-consumer, buffer 1024 (10000 ops)",
    go: "ProducerConsumerBuffered1024",
    target: 1.5,
  },
  {
    workload: "producer-consumer through an unbuffered channel, per item",
    ours: "producer-consumer / producer-consumer, unbuffered (10000 ops)",
    go: "ProducerConsumerUnbuffered",
    target: null,
  },
  {
    workload: "select, two cases, one ready",
    ours:
      "select, two cases, one ready / trySend + select two cases, one ready (1000 ops)",
    go: "SelectTwoCasesOneReady",
    target: 1.5,
  },
  {
    workload:
      "spawn a goroutine and wait for it (floor: await an async function call)",
    ours: "spawn a goroutine and wait / await go(fn) (1000 ops)",
    go: "SpawnAndWait",
    target: 0.5,
    floor:
      "spawn a goroutine and wait / await an async function call, no go() (1000 ops)",
  },
  {
    workload:
      `${MANY} goroutines spawned and joined, ns per batch (floor: ${MANY} async calls + \`Promise.all\`)`,
    ours: `goroutines spawned and joined / ${
      MANY.replace(",", "")
    } goroutines spawned and joined`,
    go: "SpawnJoin100k",
    target: 1.0,
    floor: `goroutines spawned and joined / ${
      MANY.replace(",", "")
    } async function calls joined, no go()`,
    floorTarget: 1.2,
  },
  {
    workload:
      `the same, against what go() cannot do without (floor: ${MANY} calls started by reactions on a settled promise + \`Promise.all\`)`,
    ours: `goroutines spawned and joined / ${
      MANY.replace(",", "")
    } goroutines spawned and joined`,
    go: null,
    target: null,
    floor: `goroutines spawned and joined / ${
      MANY.replace(",", "")
    } calls started by reactions on a settled promise, joined, no go()`,
  },
  {
    workload: `memory per goroutine parked on a channel, ${
      QUICK ? "100,000" : "1,000,000"
    } parked, bytes (floor: async functions parked on bare promises)`,
    ours: "memory",
    go: "memory",
    target: 0.3,
    floor: "memory",
    floorTarget: 1.2,
  },
  {
    workload:
      "the same, against what go() cannot do without (floor: those async functions started by reactions on a settled promise, each result promise kept)",
    ours: "memory",
    go: null,
    target: null,
    floor: "memory go",
  },
  {
    workload:
      "the same, against what telling which goroutine settled cannot do without (floor: those, plus a reaction bound to each body)",
    ours: "memory",
    go: null,
    target: null,
    floor: "memory counted",
  },
];

/** The sync and context rows (issue: the sync and context packages). */
const SYNC_ROWS: Row[] = [
  {
    workload: "sync: Mutex tryLock+unlock, uncontended (Go: Lock+Unlock)",
    ours: "mutex uncontended, non-blocking / Mutex tryLock+unlock (1000 ops)",
    go: "MutexUncontended",
    target: 1.5,
  },
  {
    workload: "sync: Mutex await lock()+unlock, uncontended",
    ours: "mutex uncontended, awaited / Mutex await lock+unlock (1000 ops)",
    go: "MutexUncontended",
    target: null,
    floor: "mutex uncontended, awaited / await Promise.resolve() (1000 ops)",
  },
  {
    workload:
      "sync: Mutex hand-off between two goroutines (floor: a hand-off through a resolved promise)",
    ours: "mutex contended / Mutex hand-off between two goroutines (1000 ops)",
    go: "MutexContended",
    target: 2.0,
    floor:
      "mutex contended / floor: hand-off through a resolved promise (1000 ops)",
  },
  {
    workload:
      "the same, against a hand-off that names the woken goroutine (floor: that hand-off plus the two microtasks naming it)",
    ours: "mutex contended / Mutex hand-off between two goroutines (1000 ops)",
    go: null,
    target: null,
    floor:
      "mutex contended / floor: hand-off through a resolved promise, waker named (1000 ops)",
  },
  {
    workload: "sync: RWMutex tryRLock+rUnlock, uncontended",
    ours: "other non-blocking paths / RWMutex tryRLock+rUnlock (1000 ops)",
    go: "RWMutexRLockUncontended",
    target: 1.5,
  },
  {
    workload: "sync: Semaphore tryAcquire+release",
    ours: "other non-blocking paths / Semaphore tryAcquire+release (1000 ops)",
    go: "SemaphoreTryAcquire",
    target: 1.5,
  },
  {
    workload: "sync: Once.do after the first call",
    ours: "other non-blocking paths / Once.do after the first call (1000 ops)",
    go: "OnceDone",
    target: 1.5,
  },
  {
    workload: "sync: WaitGroup, spawn one goroutine and wait",
    ours: "wait group / WaitGroup spawn one goroutine and wait (1000 ops)",
    go: "WaitGroupSpawnWait",
    target: null,
  },
  {
    workload: "sync: WaitGroup, spawn 100 goroutines and wait (per batch)",
    ours: "wait group / WaitGroup spawn 100 goroutines and wait (10 ops)",
    go: "WaitGroupSpawnWait100",
    target: null,
  },
  {
    workload: "context: tree of 10,000 nodes, create + cancel (per tree)",
    ours: " / context: tree of 10,000 nodes, create + cancel",
    go: "ContextTree10000",
    target: null,
  },
  {
    workload: "context: value() lookup at depth 10",
    ours: " / context: value() lookup at depth 10",
    go: "ContextValueDepth10",
    target: null,
  },
  {
    workload: "context: select on ctx.done() + one ready channel",
    ours: " / context: select on ctx.done() + one ready channel (1000 ops)",
    go: "ContextSelectDoneReady",
    target: 1.5,
  },
  {
    workload: "context: withTimeout() + cancel()",
    ours: " / context: withTimeout() + cancel() (1000 ops)",
    go: "ContextWithTimeoutCancel",
    target: 1.5,
  },
];

/** The shared-memory rows (issue: the shared-memory tier). */
const SHARED_ROWS: Row[] = [
  {
    workload:
      "shared: SharedChannel<number> float64, cap 1024, worker → worker, sendSync/recvSync, per item (Go: producer-consumer 1024)",
    ours:
      `throughput / SharedChannel<number> float64 cap 1024, worker -> worker, sendSync/recvSync (100000 ops)`,
    go: "ProducerConsumerBuffered1024",
    target: 2.0,
  },
  {
    workload: "shared: the same, sendManySync/recvManySync ×256, per item",
    ours:
      `throughput / SharedChannel<number> float64 cap 1024, worker -> worker, sendManySync/recvManySync x256 (100000 ops)`,
    go: "ProducerConsumerBuffered1024",
    target: null,
  },
  {
    workload:
      "shared: SharedChannel<object> structured (10 fields), worker → worker, per item",
    ours:
      `throughput / SharedChannel<object> structured (10 fields) cap 1024, worker -> worker (5000 ops)`,
    go: "ProducerConsumerBuffered1024",
    target: null,
  },
  {
    workload:
      "shared: unbuffered SharedChannel ping-pong across two workers, sendSync/recvSync (round trip)",
    ours:
      `round trip / unbuffered SharedChannel ping-pong, two workers, sendSync/recvSync (20000 ops)`,
    go: "UnbufferedPingPong",
    target: 2.0,
  },
  {
    workload:
      "shared: the same sendSync/recvSync ping-pong against Go's with each goroutine locked to an OS thread (cross-thread, as between workers)",
    ours:
      `round trip / unbuffered SharedChannel ping-pong, two workers, sendSync/recvSync (20000 ops)`,
    go: "UnbufferedPingPongOSThreads",
    target: null,
  },
  {
    workload: "shared: the same ping-pong with await send/receive (round trip)",
    ours:
      `round trip / unbuffered SharedChannel ping-pong, two workers, await send/receive (1000 ops)`,
    go: "UnbufferedPingPong",
    target: null,
  },
  {
    workload:
      "shared: wake-up round trip across two workers (Atomics.wait/notify) against a postMessage round trip",
    ours:
      `round trip / Atomics.wait/notify wake-up ping-pong, two workers (20000 ops)`,
    go: null,
    target: 0.05,
    against: `round trip / postMessage round trip, main <-> worker (2000 ops)`,
    againstLabel: "postMessage",
  },
  {
    workload:
      "shared: SharedMutex lockSync/unlock contended by two workers, per lock (Go: Mutex hand-off)",
    ours:
      `mutex / SharedMutex lockSync/unlock contended by two workers (40000 ops)`,
    go: "MutexContended",
    target: 3.0,
    floor:
      `mutex / SharedMutex floor: a CAS spin lock on a SharedArrayBuffer, two workers (40000 ops)`,
  },
];

function format(value: number | null | undefined): string {
  if (value === null || value === undefined) return "-";
  if (value >= 1000) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(1);
}

function ratioText(ratio: number | null, label: string): string {
  if (ratio === null) return "-";
  return `${ratio.toFixed(ratio < 0.1 ? 3 : 2)} × ${label}`;
}

function targetText(target: number | null | undefined, label: string) {
  if (target === null || target === undefined) return null;
  return `≤ ${
    Number.isInteger(target) ? target.toFixed(1) : target
  } × ${label}`;
}

/** Our figures: benches by `group / name`, and the two memory runs. */
interface Ours {
  timings: Timings;
  memory: number | null;
  memoryFloor: number | null;
  memoryGoFloor: number | null;
  memoryCountedFloor: number | null;
}

function table(
  ours: Ours,
  go: GoTimings | null,
  goMemory: number | null,
): string {
  const lines = [
    "| workload | ours (ns/op) | Go (ns/op) | floor (ns/op) | ours / Go | ours / floor | target | met? |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
  ];
  const divide = (a: number | null | undefined, b: number | null | undefined) =>
    a === null || a === undefined || b === null || b === undefined
      ? null
      : a / b;
  for (const row of [...ROWS, ...SYNC_ROWS, ...SHARED_ROWS]) {
    const mine = row.ours === "memory"
      ? ours.memory
      : ours.timings.get(row.ours);
    const theirs = row.go === null
      ? null
      : row.go === "memory"
      ? goMemory
      : go?.get(row.go);
    const floor = row.floor === undefined
      ? null
      : row.floor === "memory"
      ? ours.memoryFloor
      : row.floor === "memory go"
      ? ours.memoryGoFloor
      : row.floor === "memory counted"
      ? ours.memoryCountedFloor
      : ours.timings.get(row.floor);
    const label = row.against !== undefined ? row.againstLabel ?? "ours" : "Go";
    const ratio = divide(
      mine,
      row.against !== undefined ? ours.timings.get(row.against) : theirs,
    );
    const floorRatio = divide(mine, floor);
    const targets = [
      targetText(row.target, label),
      targetText(row.floorTarget, "floor"),
    ].filter((t) => t !== null);
    const checks: boolean[] = [];
    if (row.target !== null && ratio !== null) {
      checks.push(ratio <= row.target);
    }
    if (row.floorTarget !== undefined && floorRatio !== null) {
      checks.push(floorRatio <= row.floorTarget);
    }
    const met = checks.length === 0
      ? "-"
      : checks.every(Boolean)
      ? "yes"
      : "no";
    lines.push(
      `| ${row.workload} | ${format(mine)} | ${format(theirs)} | ${
        format(floor)
      } | ${ratioText(ratio, label)} | ${ratioText(floorRatio, "floor")} | ${
        targets.length === 0 ? "-" : targets.join(", ")
      } | ${met} |`,
    );
  }
  return lines.join("\n");
}

// Main. ----------------------------------------------------------------------

if (import.meta.main) {
  let failed = false;
  const tier1 = await runDenoBenches("deno-bench", BENCH_FILES);
  const shared = await runDenoBenches("deno-shared-bench", [
    "bench/shared_bench.ts",
  ], ["--allow-read"]);
  if (tier1 === null || shared === null) failed = true;
  const ours: Timings | null = tier1 === null && shared === null
    ? null
    : new Map([...tier1 ?? [], ...shared ?? []]);
  const oursMemory = await runDenoMemory("library");
  const memoryFloor = await runDenoMemory("floor");
  const memoryGoFloor = await runDenoMemory("go");
  const memoryCountedFloor = await runDenoMemory("counted");
  if (
    oursMemory === null || memoryFloor === null || memoryGoFloor === null ||
    memoryCountedFloor === null
  ) {
    failed = true;
  }

  let go: GoTimings | null = null;
  let goMemory: number | null = null;
  const haveGo = await goAvailable();
  if (haveGo) {
    go = await runGoBenches();
    goMemory = await runGoMemory();
    if (go === null || goMemory === null) failed = true;
  } else {
    console.error("go is not on the PATH: the Go column is empty.");
  }

  const markdown = table(
    {
      timings: ours ?? new Map(),
      memory: oursMemory,
      memoryFloor,
      memoryGoFloor,
      memoryCountedFloor,
    },
    go,
    goMemory,
  );
  const header = `${
    QUICK ? "Quick run (smoke test, not for quoting)" : "Full run"
  }: Deno ${Deno.version.deno}${
    haveGo ? "" : ", no Go"
  }, ${navigator.hardwareConcurrency} CPUs, ${new Date().toISOString()}\n`;
  await writeResult("table.md", `${header}\n${markdown}\n`);
  console.log(`${header}\n${markdown}`);
  if (failed) Deno.exit(1);
}
