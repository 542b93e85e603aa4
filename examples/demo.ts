// Copyright the denogo authors. MIT license.

/**
 * A short tour of denogo, then a live measurement of what its channels cost.
 *
 *     deno task demo                                   # = the line below
 *     deno run --allow-read examples/demo.ts [--quick]
 *
 * `--allow-read` lets the runtime's workers load this module (its `spin`
 * task). In a few seconds it shows:
 *
 * 1. a pipeline (gen → sq → main) with values flowing through goroutines,
 * 2. `select` with a timeout against a slow server,
 * 3. a fan-in of three talkers (Rob Pike's `fanIn`),
 * 4. channel latency measured now: buffered send+receive (non-blocking and
 *    awaited), unbuffered ping-pong, select, spawn+join, beside Go's
 *    figures,
 * 5. the multi-worker runtime spreading CPU-bound tasks over every core,
 *    with the speedup over one worker.
 *
 * @module
 */

import {
  after,
  Channel,
  go,
  numGoroutine,
  type ReceiveChannel,
  recv,
  select,
  send,
  sleep,
  yieldNow,
} from "../mod.ts";
import { Runtime, workerIndex } from "../runtime/mod.ts";

const quick = Deno.args.includes("--quick");
const useColor = !Deno.noColor && Deno.stdout.isTerminal();

const paint = (code: number) => (s: string | number): string =>
  useColor ? `\x1b[${code}m${s}\x1b[0m` : String(s);
const bold = paint(1);
const dim = paint(2);
const red = paint(31);
const green = paint(32);
const yellow = paint(33);
const blue = paint(34);
const magenta = paint(35);
const cyan = paint(36);

function heading(n: number, title: string, note: string): void {
  console.log(`\n${bold(cyan(`${n}.`))} ${bold(title)}  ${dim(note)}`);
}

// ---------------------------------------------------------------------------
// 1. A pipeline: gen → sq → main, unbuffered channels, one goroutine a stage.

async function pipeline(): Promise<void> {
  heading(1, "Pipeline", "gen → sq → main, one goroutine per stage");
  const col = (n: number, s: string) => " ".repeat(5 + 16 * n) + s;
  const stages = ["gen", "sq", "main"].map((s) => s.padEnd(16)).join("");
  console.log(dim(col(0, stages.trimEnd())));

  const nums = new Channel<number>();
  go(async () => {
    for (const n of [1, 2, 3, 4]) {
      await sleep(quick ? 0 : 70); // Pace the source so the flow is visible.
      console.log(col(0, `${cyan(n)} ${dim("─".repeat(12) + "▶")}`));
      await nums.send(n);
    }
    nums.close();
  });

  const squares = new Channel<number>();
  go(async () => {
    for await (const n of nums) {
      const label = `${n}²=${n * n}`.padEnd(6);
      console.log(col(1, `${magenta(label)} ${dim("─".repeat(8) + "▶")}`));
      await squares.send(n * n);
    }
    squares.close();
  });

  let sum = 0;
  for await (const sq of squares) {
    sum += sq;
    console.log(col(2, `${green(sq)}`));
  }
  console.log(`     sum of squares: ${bold(sum)}`);
}

// ---------------------------------------------------------------------------
// 2. select with a timeout: ask a slow server, give up after 60 ms.

/** A server that answers after `delay` ms, on a buffered channel so that a
 * late answer nobody waits for does not block it. */
function server(delay: number): ReceiveChannel<number> {
  const reply = new Channel<number>({ capacity: 1 });
  go(async () => {
    await sleep(delay);
    await reply.send(delay);
  });
  return reply;
}

async function timeouts(): Promise<void> {
  const limit = 60;
  heading(
    2,
    "Select with a timeout",
    `each request gives up after ${limit} ms`,
  );
  const width = 24;
  const before = numGoroutine();
  for (const [i, delay] of [23, 91, 7, 48, 130, 36].entries()) {
    const start = performance.now();
    const line = await select([
      recv(server(delay), (ms) => green(`✓ answered in ${ms} ms`)),
      recv(after(limit), () => yellow(`⏱ timed out at ${limit} ms`)),
    ]);
    const took = performance.now() - start;
    const cells = Math.min(width, Math.round((took / 100) * width));
    console.log(
      `     request ${i + 1}  ${blue("█".repeat(cells))}${
        dim("░".repeat(width - cells))
      }  ${line}`,
    );
  }
  // The late servers still answer, into buffered channels nobody reads.
  while (numGoroutine() > before) await sleep(5);
  console.log(dim("     late answers went into buffers: no server is stuck"));
}

// ---------------------------------------------------------------------------
// 3. Fan-in: Rob Pike's fanIn, three talkers multiplexed onto one channel.

function talker(
  name: string,
  quit: ReceiveChannel<void>,
): ReceiveChannel<string> {
  const c = new Channel<string>();
  go(async () => {
    const quitting = recv(quit, () => false);
    for (let i = 0;; i++) {
      // Pause a random while, or stop at once if told to quit.
      const pause = Math.random() * (quick ? 5 : 80);
      if (!await select([recv(after(pause), () => true), quitting])) return;
      if (!await select([send(c, `${name} ${i}`, () => true), quitting])) {
        return;
      }
    }
  });
  return c;
}

/** Whoever is ready first gets through: Pike's fanIn with a select. */
function fanIn(
  quit: ReceiveChannel<void>,
  ...inputs: ReceiveChannel<string>[]
): ReceiveChannel<string> {
  const c = new Channel<string>();
  go(async () => {
    const cases = [
      ...inputs.map((input) => recv(input, (s) => s)),
      recv(quit, () => null),
    ];
    for (;;) {
      const s = await select(cases);
      if (s == null) return; // quit was closed
      if (!await select([send(c, s, () => true), recv(quit, () => false)])) {
        return;
      }
    }
  });
  return c;
}

async function fanInTour(): Promise<void> {
  heading(3, "Fan-in", "three talkers, one channel: whoever is ready first");
  const names = ["Joe", "Ann", "Bob"];
  const colors = [cyan, magenta, green];
  const col = (i: number, s: string) => " ".repeat(5 + 12 * i) + s;
  console.log(
    dim(`     ${names.map((name) => name.padEnd(12)).join("").trimEnd()}`),
  );

  const before = numGoroutine();
  const quit = new Channel<void>();
  const c = fanIn(quit, ...names.map((name) => talker(name, quit)));
  for (let i = 0; i < 9; i++) {
    const { value } = await c.receive();
    const who = names.indexOf(value!.split(" ")[0]);
    console.log(col(who, colors[who](value!)));
  }

  quit.close(); // Everybody stop talking.
  const started = numGoroutine() - before;
  while (numGoroutine() > before) await yieldNow();
  console.log(dim(`     closed quit: all ${started} goroutines returned`));
}

// ---------------------------------------------------------------------------
// 4. Measurements.

/** Runs `body(n)` (n iterations) in batches for about `ms`; the median
 * nanoseconds per iteration. */
async function measure(
  body: (n: number) => Promise<void> | void,
  ms: number,
): Promise<number> {
  // Warm up, and find a batch size that takes about 5 ms.
  let n = 64;
  for (;;) {
    const t = performance.now();
    await body(n);
    const took = performance.now() - t;
    if (took >= 5 || n >= 1 << 24) break;
    n = took < 0.5 ? n * 8 : Math.ceil(n * 5 / took);
  }
  const samples: number[] = [];
  const end = performance.now() + ms;
  while (samples.length < 5 || performance.now() < end) {
    const t = performance.now();
    await body(n);
    samples.push(((performance.now() - t) * 1e6) / n);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

const noop = (): void => {};

interface Row {
  what: string;
  how: string;
  go: number;
  body: (n: number) => Promise<void> | void;
  teardown?: () => Promise<void>;
}

function rows(): Row[] {
  const buffered = new Channel<number>({ capacity: 1 });
  const a = new Channel<number>({ capacity: 1 });
  const b = new Channel<number>({ capacity: 1 });

  // An echo goroutine for the ping-pong.
  const ping = new Channel<number>();
  const pong = new Channel<number>();
  const echo = go(async () => {
    for await (const v of ping) await pong.send(v);
  });

  return [{
    what: "buffered send+recv, non-blocking",
    how: "ch.trySend(v); ch.tryReceive()",
    go: 30,
    body(n) {
      for (let i = 0; i < n; i++) {
        buffered.trySend(i);
        buffered.tryReceive();
      }
    },
  }, {
    what: "buffered send+recv, awaited",
    how: "await ch.send(v); await ch.receive()",
    go: 30,
    async body(n) {
      for (let i = 0; i < n; i++) {
        await buffered.send(i);
        await buffered.receive();
      }
    },
  }, {
    what: "unbuffered ping-pong round trip",
    how: "two goroutines, two unbuffered channels",
    go: 320,
    async body(n) {
      for (let i = 0; i < n; i++) {
        await ping.send(i);
        await pong.receive();
      }
    },
    async teardown() {
      ping.close();
      await echo;
    },
  }, {
    what: "select, 2 cases, 1 ready",
    how: "await select([recv(a), recv(b)])",
    go: 67,
    async body(n) {
      for (let i = 0; i < n; i++) {
        a.trySend(i);
        await select([recv(a), recv(b)]);
      }
    },
  }, {
    what: "spawn a goroutine and wait for it",
    how: "await go(fn)",
    go: 199,
    async body(n) {
      for (let i = 0; i < n; i++) await go(noop);
    },
  }];
}

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** A bar `value / max * width` cells long, in eighths of a cell. */
function bar(value: number, max: number, width: number): string {
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return "█".repeat(eighths >> 3) + EIGHTHS[eighths & 7];
}

function ns(v: number): string {
  return `${v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString("en-US")} ns`
    .padStart(9);
}

async function latency(): Promise<void> {
  const ms = quick ? 20 : 220;
  heading(
    4,
    "What it costs",
    "ns per operation, measured now; lower is better",
  );
  const articles =
    "~50–100 ns per channel operation, ~200 ns–1 µs per goroutine";
  console.log(dim(`     Go's articles: ${articles}.`));
  const width = 30;
  const all = rows();
  for (const row of all) {
    const ours = await measure(row.body, ms);
    await row.teardown?.();
    const max = Math.max(ours, row.go);
    const ratio = ours / row.go;
    const verdict = (ratio <= 1 ? green : ratio <= 2 ? yellow : red)(
      `${ratio.toFixed(1)}× Go`,
    );
    console.log(`\n     ${bold(row.what)}  ${dim(row.how)}`);
    console.log(
      `       denogo  ${ns(ours)}  ${
        cyan(bar(ours, max, width).padEnd(width))
      }  ${verdict}`,
    );
    console.log(
      `       Go 1.19 ${ns(row.go)}  ${dim(bar(row.go, max, width))}`,
    );
  }
  const hop = await measure(async (n) => {
    for (let i = 0; i < n; i++) await undefined;
  }, ms / 4);
  console.log(
    dim(
      `\n     For scale, one bare \`await\` costs ${ns(hop).trim()} here.` +
        "\n     Go: Go 1.19, go test -bench, GOMAXPROCS=2 on this kind of 2-core" +
        "\n     machine; `deno task bench:compare` runs both at once.",
    ),
  );
}

// ---------------------------------------------------------------------------
// 5. All cores: CPU-bound tasks on the multi-worker runtime.

/** A task: burns `ms` of CPU on whichever worker runs it; returns the worker. */
export function spin(ms: number): number {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // work
  }
  return workerIndex();
}

async function allCores(): Promise<void> {
  const cores = navigator.hardwareConcurrency;
  const tasks = cores * 4;
  const ms = quick ? 10 : 50;
  heading(
    5,
    "All cores",
    `${tasks} tasks of ${ms} ms of CPU each, on the work-stealing runtime`,
  );
  const times: number[] = [];
  for (const procs of [1, cores]) {
    await using rt = await Runtime.start({ procs });
    const t = rt.module<typeof import("./demo.ts")>(import.meta.url);
    await Promise.all(Array.from({ length: procs }, () => t.spin(1))); // warm
    const start = performance.now();
    const ran = await Promise.all(
      Array.from({ length: tasks }, () => t.spin(ms)),
    );
    const took = performance.now() - start;
    times.push(took);
    const perWorker = Array.from(
      { length: procs },
      (_, w) => ran.filter((x) => x === w).length,
    );
    const label = `${procs} worker${procs === 1 ? " " : "s"}`;
    console.log(
      `     ${label}  ${took.toFixed(0).padStart(5)} ms  ${
        dim(bar(took, times[0], 30))
      }  ${dim(`tasks per worker: ${perWorker.join(" / ")}`)}`,
    );
  }
  const speedup = times[0] / times[1];
  console.log(
    `     speedup ${bold(`${speedup.toFixed(2)}×`)} on ${cores} cores ${
      dim(`(${(speedup / cores * 100).toFixed(0)}% of linear)`)
    }`,
  );
}

// ---------------------------------------------------------------------------

if (import.meta.main) {
  const start = performance.now();
  const title = "Go's goroutines, channels and select, native to Deno";
  const version = `Deno ${Deno.version.deno}, V8 ${Deno.version.v8}`;
  console.log(`${bold("denogo")} ${dim("·")} ${title} ${dim(`(${version})`)}`);
  await pipeline();
  await timeouts();
  await fanInTour();
  await latency();
  await allCores();
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  console.log(`\n${dim(`tour finished in ${seconds} s`)}`);
}
