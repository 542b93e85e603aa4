// Copyright the denogo authors. MIT license.

/**
 * The shared-memory tier across real workers, against `postMessage` in the
 * same run:
 *
 * - SharedChannel<number> (float64, capacity 1024): a producer worker's
 *   `sendSync` to a consumer worker's `recvSync`, one item per call, and
 *   batched (`sendManySync` / `recvManySync`, 256 per call);
 * - SharedChannel of `structured` objects of 10 fields, worker to worker;
 * - unbuffered SharedChannel ping-pong between two workers (sync and async);
 * - the raw cross-worker wake-up round trip (`Atomics.wait`/`notify`)
 *   against a `postMessage` round trip between the main thread and a
 *   worker, in the same run;
 * - a SharedMutex contended by two workers (lock, increment, unlock), and
 *   its floor: the same loop with a hand-written compare-and-swap spin lock.
 *
 * Each row runs on a fresh pair of workers. Each bench iteration moves
 * many items; a name ending in "(N ops)" says
 * how many (items, round trips or lock hand-offs), which `bench/compare.ts`
 * divides by. After the run the file also prints the best time per item of
 * each row.
 *
 * This file is also the workers' script: loaded in a worker, it serves jobs
 * instead of registering benches.
 *
 * Run: `deno bench --allow-read bench/shared_bench.ts`; its rows are also
 * in `deno task bench:compare`.
 */

import {
  SharedChannel,
  type SharedChannelHandle,
  SharedMutex,
  type SharedMutexHandle,
} from "../workers/mod.ts";

import { RUNS } from "./_quick.ts";
import { benchObject } from "./_structured_object.ts";

// Large enough that starting each iteration's jobs with postMessage (about
// 0.1 ms) is a small part of the time per item.
const ITEMS = 100_000;
const OBJECTS = 5_000;
const ROUND_TRIPS = 20_000;
/** Async round trips are slow (tens of µs): fewer per iteration. */
const ASYNC_ROUND_TRIPS = 1_000;
/** postMessage round trips, one after another from the main thread. */
const MESSAGES = 2_000;
const LOCKS = 20_000;
const BATCH = 256;

type Job =
  | { cmd: "produce"; ch: SharedChannelHandle<number>; n: number }
  | { cmd: "consume"; ch: SharedChannelHandle<number>; n: number }
  | { cmd: "produceMany"; ch: SharedChannelHandle<number>; n: number }
  | { cmd: "consumeMany"; ch: SharedChannelHandle<number>; n: number }
  | { cmd: "produceObjects"; ch: SharedChannelHandle<object>; n: number }
  | { cmd: "consumeObjects"; ch: SharedChannelHandle<object>; n: number }
  | {
    cmd: "lockLoop";
    mu: SharedMutexHandle;
    cell: SharedArrayBuffer;
    n: number;
  }
  | {
    cmd: "spinLoop";
    lock: SharedArrayBuffer;
    cell: SharedArrayBuffer;
    n: number;
  }
  | { cmd: "ping" | "pong"; words: SharedArrayBuffer; n: number }
  | {
    cmd: "chanPing" | "chanPong";
    a: SharedChannelHandle<number>;
    b: SharedChannelHandle<number>;
    n: number;
    sync: boolean;
  }
  | { cmd: "echo" };

const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown })
  .WorkerGlobalScope !== "undefined";

/** Spins this many times before `Atomics.wait` in the raw ping-pong. */
const RAW_SPIN = 2_000;

function waitFor(words: Int32Array, index: number, want: number): void {
  for (let i = 0; i < RAW_SPIN; i++) {
    if (Atomics.load(words, index) === want) return;
  }
  let v;
  while ((v = Atomics.load(words, index)) !== want) {
    Atomics.wait(words, index, v);
  }
}

async function serve(job: Job): Promise<unknown> {
  switch (job.cmd) {
    case "produce": {
      const ch = SharedChannel.from(job.ch);
      for (let i = 0; i < job.n; i++) ch.sendSync(i);
      return null;
    }
    case "consume": {
      const ch = SharedChannel.from(job.ch);
      let sum = 0;
      for (let i = 0; i < job.n; i++) sum += ch.recvSync().value!;
      return sum;
    }
    case "produceMany": {
      const ch = SharedChannel.from(job.ch);
      // Exactly n values: a last, shorter batch when n is not a multiple of
      // BATCH (values left over would block the next run's producer).
      for (let i = 0; i < job.n; i += BATCH) {
        const xs = new Array<number>(Math.min(BATCH, job.n - i));
        for (let j = 0; j < xs.length; j++) xs[j] = i + j;
        ch.sendManySync(xs);
      }
      return null;
    }
    case "consumeMany": {
      const ch = SharedChannel.from(job.ch);
      let sum = 0;
      for (let got = 0; got < job.n;) {
        const xs = ch.recvManySync(Math.min(BATCH, job.n - got));
        for (let j = 0; j < xs.length; j++) sum += xs[j];
        got += xs.length;
      }
      return sum;
    }
    case "produceObjects": {
      const ch = SharedChannel.from(job.ch);
      for (let i = 0; i < job.n; i++) {
        ch.sendSync(benchObject(i));
      }
      return null;
    }
    case "consumeObjects": {
      const ch = SharedChannel.from(job.ch);
      let sum = 0;
      for (let i = 0; i < job.n; i++) {
        sum += (ch.recvSync().value as { id: number }).id;
      }
      return sum;
    }
    case "lockLoop": {
      const mu = SharedMutex.from(job.mu);
      const cell = new Int32Array(job.cell);
      for (let i = 0; i < job.n; i++) {
        mu.lockSync();
        cell[0]++;
        mu.unlock();
      }
      return null;
    }
    case "spinLoop": {
      // The floor: a hand-written spin lock, no library, no sleeping.
      const lock = new Int32Array(job.lock);
      const cell = new Int32Array(job.cell);
      for (let i = 0; i < job.n; i++) {
        while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) { /* spin */ }
        cell[0]++;
        Atomics.store(lock, 0, 0);
      }
      return null;
    }
    case "ping": {
      const w = new Int32Array(job.words);
      for (let i = 1; i <= job.n; i++) {
        Atomics.store(w, 0, i);
        Atomics.notify(w, 0);
        waitFor(w, 1, i);
      }
      return null;
    }
    case "pong": {
      const w = new Int32Array(job.words);
      for (let i = 1; i <= job.n; i++) {
        waitFor(w, 0, i);
        Atomics.store(w, 1, i);
        Atomics.notify(w, 1);
      }
      return null;
    }
    case "chanPing": {
      const a = SharedChannel.from(job.a), b = SharedChannel.from(job.b);
      for (let i = 0; i < job.n; i++) {
        if (job.sync) {
          a.sendSync(i);
          b.recvSync();
        } else {
          await a.send(i);
          await b.receive();
        }
      }
      return null;
    }
    case "chanPong": {
      const a = SharedChannel.from(job.a), b = SharedChannel.from(job.b);
      for (let i = 0; i < job.n; i++) {
        if (job.sync) b.sendSync(a.recvSync().value!);
        else await b.send((await a.receive()).value!);
      }
      return null;
    }
    case "echo":
      return null;
  }
}

if (inWorker) {
  const scope = self as unknown as {
    onmessage: ((e: MessageEvent<Job>) => void) | null;
    postMessage(message: unknown): void;
  };
  scope.onmessage = async (e) => scope.postMessage(await serve(e.data));
} else {
  const spawn = () => {
    const worker = new Worker(import.meta.url, { type: "module" });
    const replies: ((v: unknown) => void)[] = [];
    worker.onmessage = (e) => replies.shift()!(e.data);
    return {
      run(job: Job): Promise<unknown> {
        return new Promise((resolve) => {
          replies.push(resolve);
          worker.postMessage(job);
        });
      },
    };
  };
  type Runner = ReturnType<typeof spawn>;

  // Each row runs on a fresh pair of workers, as `go test` collects
  // garbage before each benchmark: otherwise the garbage of one row (the
  // structured codec's, above all) is collected during the next one, and a
  // collection pausing one worker of a ping-pong stalls the other too. The
  // pairs of earlier rows are left idle, not terminated: tearing a worker
  // down takes CPU while the next row runs (it doubled the ping-pong's
  // time on two cores).
  const freshPair = async (): Promise<Runner[]> => {
    const pair = [spawn(), spawn()];
    await Promise.all(pair.map((w) => w.run({ cmd: "echo" })));
    return pair;
  };

  /** Best time per item of each row, printed after the run. */
  const best = new Map<string, number>();
  const row = (
    name: string,
    group: string,
    per: number,
    fn: (w1: Runner, w2: Runner) => Promise<unknown>,
    baseline = false,
  ) => {
    let workers: Runner[] | undefined;
    Deno.bench({
      name,
      group,
      baseline,
      ...RUNS,
      async fn(b) {
        workers ??= await freshPair();
        b.start();
        const t = performance.now();
        await fn(workers[0], workers[1]);
        const ns = (performance.now() - t) * 1e6 / per;
        b.end();
        best.set(name, Math.min(best.get(name) ?? Infinity, ns));
      },
    });
  };
  globalThis.addEventListener("unload", () => {
    // On stderr, so that `deno bench --json` output stays JSON.
    console.error("\nbest per item / round trip:");
    for (const [name, ns] of best) {
      console.error(`  ${ns.toFixed(0).padStart(7)} ns  ${name}`);
    }
  });

  const items = new SharedChannel<number>({ capacity: 1024, codec: "float64" });
  row(
    `SharedChannel<number> float64 cap 1024, worker -> worker, sendSync/recvSync (${ITEMS} ops)`,
    "throughput",
    ITEMS,
    (w1, w2) =>
      Promise.all([
        w1.run({ cmd: "produce", ch: items.handle, n: ITEMS }),
        w2.run({ cmd: "consume", ch: items.handle, n: ITEMS }),
      ]),
  );
  row(
    `SharedChannel<number> float64 cap 1024, worker -> worker, sendManySync/recvManySync x${BATCH} (${ITEMS} ops)`,
    "throughput",
    ITEMS,
    (w1, w2) =>
      Promise.all([
        w1.run({ cmd: "produceMany", ch: items.handle, n: ITEMS }),
        w2.run({ cmd: "consumeMany", ch: items.handle, n: ITEMS }),
      ]),
  );
  const objects = new SharedChannel<object>({
    capacity: 1024,
    codec: "structured",
  });
  row(
    `SharedChannel<object> structured (10 fields) cap 1024, worker -> worker (${OBJECTS} ops)`,
    "throughput",
    OBJECTS,
    (w1, w2) =>
      Promise.all([
        w1.run({ cmd: "produceObjects", ch: objects.handle, n: OBJECTS }),
        w2.run({ cmd: "consumeObjects", ch: objects.handle, n: OBJECTS }),
      ]),
  );

  const a = new SharedChannel<number>({ codec: "float64" });
  const b = new SharedChannel<number>({ codec: "float64" });
  for (const sync of [true, false]) {
    row(
      `unbuffered SharedChannel ping-pong, two workers, ${
        sync ? "sendSync/recvSync" : "await send/receive"
      } (${sync ? ROUND_TRIPS : ASYNC_ROUND_TRIPS} ops)`,
      "round trip",
      sync ? ROUND_TRIPS : ASYNC_ROUND_TRIPS,
      (w1, w2) => {
        const n = sync ? ROUND_TRIPS : ASYNC_ROUND_TRIPS;
        const job = { a: a.handle, b: b.handle, n, sync };
        return Promise.all([
          w1.run({ cmd: "chanPing", ...job }),
          w2.run({ cmd: "chanPong", ...job }),
        ]);
      },
    );
  }

  const words = new SharedArrayBuffer(8);
  row(
    `Atomics.wait/notify wake-up ping-pong, two workers (${ROUND_TRIPS} ops)`,
    "round trip",
    ROUND_TRIPS,
    (w1, w2) => {
      new Int32Array(words).fill(0);
      return Promise.all([
        w1.run({ cmd: "ping", words, n: ROUND_TRIPS }),
        w2.run({ cmd: "pong", words, n: ROUND_TRIPS }),
      ]);
    },
  );
  row(
    `postMessage round trip, main <-> worker (${MESSAGES} ops)`,
    "round trip",
    MESSAGES,
    async (w1) => {
      for (let i = 0; i < MESSAGES; i++) await w1.run({ cmd: "echo" });
    },
    true,
  );

  const mu = new SharedMutex();
  const cell = new SharedArrayBuffer(4);
  row(
    `SharedMutex lockSync/unlock contended by two workers (${2 * LOCKS} ops)`,
    "mutex",
    2 * LOCKS,
    (w1, w2) =>
      Promise.all([
        w1.run({ cmd: "lockLoop", mu: mu.handle, cell, n: LOCKS }),
        w2.run({ cmd: "lockLoop", mu: mu.handle, cell, n: LOCKS }),
      ]),
  );
  const spin = new SharedArrayBuffer(4);
  const spinCell = new SharedArrayBuffer(4);
  row(
    `SharedMutex floor: a CAS spin lock on a SharedArrayBuffer, two workers (${
      2 * LOCKS
    } ops)`,
    "mutex",
    2 * LOCKS,
    (w1, w2) =>
      Promise.all([
        w1.run({ cmd: "spinLoop", lock: spin, cell: spinCell, n: LOCKS }),
        w2.run({ cmd: "spinLoop", lock: spin, cell: spinCell, n: LOCKS }),
      ]),
  );
}
