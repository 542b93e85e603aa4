// Copyright the denogo authors. MIT license.

/**
 * A three-stage pipeline whose middle stage runs in parallel on two
 * workers, connected by SharedChannels: Go's pipeline pattern with real
 * parallelism.
 *
 *     deno run --allow-read examples/parallel_pipeline.ts          # 1,000,000 numbers
 *     deno run --allow-read examples/parallel_pipeline.ts 100000   # fewer
 *
 * - Stage 1 (main thread, a goroutine): sends 0..n-1 on `numbers`.
 * - Stage 2 (two workers): each takes batches from `numbers`, does some
 *   floating-point work per number, and sends the results on `results`.
 *   Both workers share both channels: they split the work between them
 *   with no coordination but the channels.
 * - Stage 3 (main thread): sums `results` until it is closed.
 *
 * The workers use the thread-blocking batch calls (`recvManySync`,
 * `sendManySync`); the main thread stays async. It prints the sum (the
 * same for any interleaving) and the throughput.
 *
 * @module
 */

import { go } from "../mod.ts";
import { SharedChannel, type SharedChannelHandle } from "../workers/mod.ts";

/** The middle stage's work on one number: deterministic, CPU-bound. */
export function work(x: number): number {
  let y = x;
  for (let i = 0; i < 20; i++) y = Math.sqrt(y * y + i);
  return Math.round(y);
}

interface Stage2 {
  numbers: SharedChannelHandle<number>;
  results: SharedChannelHandle<number>;
}

const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown })
  .WorkerGlobalScope !== "undefined";

if (inWorker) {
  // Stage 2, in a worker: until `numbers` is closed and drained.
  const scope = self as unknown as {
    onmessage: ((e: MessageEvent<Stage2>) => void) | null;
    postMessage(message: unknown): void;
  };
  scope.onmessage = (e) => {
    const numbers = SharedChannel.from(e.data.numbers);
    const results = SharedChannel.from(e.data.results);
    let n = 0;
    for (let xs = numbers.recvManySync(256); xs.length > 0;) {
      for (let i = 0; i < xs.length; i++) xs[i] = work(xs[i]);
      results.sendManySync(xs);
      n += xs.length;
      xs = numbers.recvManySync(256);
    }
    scope.postMessage(n);
  };
} else if (import.meta.main) {
  const n = Number(Deno.args[0] ?? 1_000_000);
  const numbers = new SharedChannel<number>({
    capacity: 4096,
    codec: "float64",
  });
  const results = new SharedChannel<number>({
    capacity: 4096,
    codec: "float64",
  });
  const workers = [0, 1].map(() =>
    new Worker(import.meta.url, { type: "module" })
  );
  const start = performance.now();
  const done = workers.map((w) =>
    new Promise<number>((resolve, reject) => {
      w.onmessage = (e) => resolve(e.data);
      w.onerror = (e) => {
        e.preventDefault();
        reject(new Error(e.message));
      };
      w.postMessage({ numbers: numbers.handle, results: results.handle });
    })
  );

  // Stage 1.
  go(async () => {
    for (let i = 0; i < n; i++) await numbers.send(i);
    numbers.close();
  });
  // Stage 2 ends when both workers have drained `numbers`.
  const shares = Promise.all(done).then((counts) => {
    results.close();
    return counts;
  });
  // Stage 3.
  let sum = 0;
  let count = 0;
  for await (const y of results) {
    sum += y;
    count++;
  }
  const counts = await shares;
  const seconds = (performance.now() - start) / 1000;
  for (const w of workers) w.terminate();
  console.log(`${count} results, sum ${sum}`);
  console.log(`worker shares: ${counts.join(" + ")}`);
  console.log(
    `${(count / seconds).toFixed(0)} items/s through 3 stages (${
      (seconds * 1000).toFixed(0)
    } ms)`,
  );
}
