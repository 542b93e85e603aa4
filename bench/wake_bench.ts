// Copyright the denogo authors. MIT license.

/**
 * Wake-ups of goroutines in runtime workers: a task that awaits a
 * `SharedChannel` is woken by a sender on another thread.
 *
 * - async ping-pong over two unbuffered `SharedChannel`s between two tasks
 *   on two distinct workers of one runtime (`await send()` /
 *   `await receive()` on both sides), one op a round trip; Go's
 *   `BenchmarkUnbufferedPingPong` in `bench/go/` is the target's baseline;
 *   beside it the library-free floor, an `Atomics.wait`/`notify` ping-pong
 *   between two plain workers, without and with a short spin before each
 *   wait;
 * - a tiny task whose goroutine blocks once on an unbuffered
 *   `SharedChannel`, one at a time from the main thread, end to end: its
 *   receive is registered before it asks a plain worker (another thread)
 *   for the value; beside it its floor, the same runtime's round trip of
 *   a task `x => x + 1`, and the same task with its two channels given
 *   once before rather than in each call's arguments (two shared objects
 *   in a task's arguments cost a few µs of the row), and that task fed by
 *   the main thread itself rather than by a plain worker: the same four
 *   hops, between two threads instead of three, so on two cores both may
 *   poll rather than sleep.
 *
 * The two ping-pong tasks are placed without any placement option (the
 * runtime has none): see `_wake_tasks.ts`.
 *
 * Run: `deno bench --allow-read --allow-env bench/wake_bench.ts`; Go in the
 * same minute: `cd bench/go && GOMAXPROCS=2 go test -run '^$' -bench
 * 'UnbufferedPingPong$'`.
 *
 * @module
 */

import { Runtime } from "../runtime/mod.ts";
import { SharedChannel } from "../workers/mod.ts";
import { quick } from "./_quick.ts";
import type * as Tasks from "./_wake_tasks.ts";
import type { WakeJob } from "./_wake_worker.ts";

const QUICK = quick();
const RUNS = QUICK ? { n: 5, warmup: 1 } : { n: 30, warmup: 3 };
const ROUND_TRIPS = QUICK ? 1_000 : 10_000;
const TASKS = QUICK ? 200 : 2_000;

const TASK_URL = new URL("./_wake_tasks.ts", import.meta.url);
const number = () => new SharedChannel<number>({ codec: "float64" });
const buffered = () =>
  new SharedChannel<number>({ capacity: 1, codec: "float64" });

/** A plain worker running `_wake_worker.ts` jobs. */
function plainWorker(): (job: WakeJob) => Promise<void> {
  const worker = new Worker(new URL("./_wake_worker.ts", import.meta.url), {
    type: "module",
  });
  const replies: (() => void)[] = [];
  worker.onmessage = () => replies.shift()!();
  return (job) =>
    new Promise((resolve) => {
      replies.push(resolve);
      worker.postMessage(job);
    });
}

// The ping-pong: two tasks on two workers, started once and kept.
const rt2 = await Runtime.start({ procs: 2 });
const pp = {
  started: buffered(),
  hello: number(),
  a: number(),
  b: number(),
  go: buffered(),
  done: buffered(),
};
const t2 = rt2.module<typeof Tasks>(TASK_URL);
void t2.pong(pp.started, pp.hello, pp.a, pp.b);
const pongWorker = (await pp.started.receive()).value!;
void t2.ping(pp.hello, pp.a, pp.b, pp.go, pp.done);
const pingWorker = (await pp.done.receive()).value!;
if (pingWorker === pongWorker) throw new Error("ping and pong share a worker");
/** Makes `n` round trips between the two tasks. */
async function roundTrips(n: number): Promise<void> {
  await pp.go.send(n);
  await pp.done.receive();
}
await roundTrips(ROUND_TRIPS); // warm up

// The tiny tasks: one worker, fed by a plain worker.
const rt1 = await Runtime.start({ procs: 1 });
const t1 = rt1.module<typeof Tasks>(TASK_URL);
const ask = new SharedChannel<number>({ capacity: 16, codec: "float64" });
const values = number();
const feeder = plainWorker();
void feeder({ cmd: "feed", ask: ask.handle, ch: values.handle });
for (let i = 0; i < TASKS; i++) await t1.once(ask, values); // warm up
await t1.give(ask, values);
for (let i = 0; i < TASKS; i++) await t1.onceGiven(1);
for (let i = 0; i < TASKS; i++) await t1.inc(i);
// The same task fed by the main thread itself: two threads, not three.
const mainAsk = new SharedChannel<number>({ capacity: 16, codec: "float64" });
const mainValues = number();
await t1.give(mainAsk, mainValues, 1);
/** One tiny task, its value given by the main thread once it asks. */
async function fedByMain(i: number): Promise<number> {
  const result = t1.onceGiven(1, 1);
  await mainAsk.receive();
  await mainValues.send(i);
  return await result;
}
for (let i = 0; i < TASKS; i++) await fedByMain(i); // warm up

globalThis.addEventListener("unload", () => {
  pp.go.trySend(-1);
  ask.close();
  rt1.close();
  rt2.close();
});

Deno.bench({
  name:
    `async ping-pong, two tasks on two runtime workers, await send/receive (${ROUND_TRIPS} ops)`,
  group: "ping-pong",
  ...RUNS,
  async fn(b) {
    b.start();
    await roundTrips(ROUND_TRIPS);
    b.end();
  },
});

const raw = [plainWorker(), plainWorker()];
await Promise.all(raw.map((run) => run({ cmd: "echo" })));
const words = new SharedArrayBuffer(8);
for (const spin of [0, 2_000]) {
  Deno.bench({
    name: `floor: Atomics.wait/notify ping-pong, two plain workers, ${
      spin === 0 ? "no spin" : `${spin} loads of spin`
    } (${ROUND_TRIPS} ops)`,
    group: "ping-pong",
    baseline: spin === 0,
    ...RUNS,
    async fn(b) {
      new Int32Array(words).fill(0);
      b.start();
      await Promise.all([
        raw[0]({ cmd: "ping", words, n: ROUND_TRIPS, spin }),
        raw[1]({ cmd: "pong", words, n: ROUND_TRIPS, spin }),
      ]);
      b.end();
    },
  });
}

Deno.bench({
  name:
    `tiny task blocking once on a SharedChannel, fed by another thread, one at a time (${TASKS} ops)`,
  group: "tiny task",
  ...RUNS,
  async fn(b) {
    b.start();
    for (let i = 0; i < TASKS; i++) await t1.once(ask, values);
    b.end();
  },
});
Deno.bench({
  name:
    `the same, its channels given once before, not in each call (${TASKS} ops)`,
  group: "tiny task",
  ...RUNS,
  async fn(b) {
    b.start();
    for (let i = 0; i < TASKS; i++) await t1.onceGiven(1);
    b.end();
  },
});
Deno.bench({
  name:
    `the same, fed by the main thread (its channels given once before) (${TASKS} ops)`,
  group: "tiny task",
  ...RUNS,
  async fn(b) {
    b.start();
    for (let i = 0; i < TASKS; i++) await fedByMain(i);
    b.end();
  },
});
Deno.bench({
  name: `floor: tiny task x => x + 1, one at a time (${TASKS} ops)`,
  group: "tiny task",
  baseline: true,
  ...RUNS,
  async fn(b) {
    b.start();
    for (let i = 0; i < TASKS; i++) await t1.inc(i);
    b.end();
  },
});
