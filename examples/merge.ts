// Copyright the denogo authors. MIT license.

/**
 * Fan-out, fan-in and explicit cancellation, from "Go Concurrency Patterns:
 * Pipelines and cancellation" (the Go blog, 2014).
 *
 *     deno run examples/merge.ts
 *
 * 1. Fan-out, fan-in: two `sq` goroutines read from the same channel, and
 *    `merge` multiplexes their outputs onto one channel.
 * 2. Stopping short: the consumer takes one value and walks away. The
 *    stages still trying to send block forever: leaked goroutines.
 * 3. Explicit cancellation: a `done` channel shared by the whole pipeline
 *    is closed when the consumer returns, every stage selects on it, and
 *    `numGoroutine()` comes back to where it started.
 *
 * Every stage takes `done` first. Passing `null` is Go's nil channel: a
 * select case on it never fires, so the stage behaves as if it could never
 * be cancelled, which is exactly the blog's first version.
 *
 * @module
 */

import {
  Channel,
  go,
  numGoroutine,
  type ReceiveChannel,
  recv,
  select,
  send,
  yieldNow,
} from "../mod.ts";

/** A channel that is closed to tell every stage to stop (Go's `chan struct{}`). */
type Done = ReceiveChannel<void> | null;

/**
 * Sends `v` on `out` unless `done` is closed first: Go's
 *
 *     select {
 *     case out <- v:
 *     case <-done:
 *         return
 *     }
 *
 * Resolves to true if the value was sent, false if the stage must return.
 */
function sendOrDone<T>(out: Channel<T>, v: T, done: Done): Promise<boolean> {
  return select([send(out, v, () => true), recv(done, () => false)]);
}

/** gen emits the numbers on a channel, then closes it. */
function gen(done: Done, ...nums: number[]): ReceiveChannel<number> {
  const out = new Channel<number>();
  go(async () => {
    try {
      for (const n of nums) if (!await sendOrDone(out, n, done)) return;
    } finally {
      out.close(); // defer close(out)
    }
  });
  return out;
}

/** sq emits the square of each number it receives. */
function sq(done: Done, input: ReceiveChannel<number>): ReceiveChannel<number> {
  const out = new Channel<number>();
  go(async () => {
    try {
      for await (const n of input) {
        if (!await sendOrDone(out, n * n, done)) return;
      }
    } finally {
      out.close();
    }
  });
  return out;
}

/**
 * merge converts a list of channels to a single channel by starting a
 * goroutine for each inbound channel that copies the values to the sole
 * outbound channel. Once all the output goroutines have been started, merge
 * starts one more goroutine to close the outbound channel after all sends on
 * that channel are done. Go joins them with a sync.WaitGroup; here the
 * promises returned by go() are the join.
 */
function merge(
  done: Done,
  ...cs: ReceiveChannel<number>[]
): ReceiveChannel<number> {
  const out = new Channel<number>();

  // output copies values from c to out until c is closed or done is closed.
  const output = async (c: ReceiveChannel<number>) => {
    for await (const n of c) if (!await sendOrDone(out, n, done)) return;
  };

  // Start an output goroutine for each input channel in cs (wg.Add + go).
  const outputs = cs.map((c) => go(output, c));

  // Start a goroutine to close out once all the output goroutines are done.
  go(async () => {
    await Promise.all(outputs); // wg.Wait()
    out.close();
  });
  return out;
}

/**
 * Lets the goroutines run until only `target` remain, or until they stop
 * making progress; returns how many there are. (Go's leak checks poll
 * runtime.NumGoroutine() the same way.)
 */
async function settle(target: number): Promise<number> {
  for (let i = 0; i < 1000 && numGoroutine() > target; i++) await yieldNow();
  return numGoroutine();
}

if (import.meta.main) {
  const baseline = numGoroutine();

  // 1. Fan-out, fan-in.
  {
    const input = gen(null, 2, 3);
    // Distribute the sq work across two goroutines that both read from input.
    const c1 = sq(null, input);
    const c2 = sq(null, input);
    // Consume the merged output from c1 and c2.
    const got: number[] = [];
    for await (const n of merge(null, c1, c2)) got.push(n); // 4 then 9, or 9 then 4
    console.log(`fan-in: merge(sq(in), sq(in)) gave ${got.join(" ")}`);
    console.log(
      `  goroutines: ${await settle(baseline)} (baseline ${baseline})`,
    );
  }

  // 2. Stopping short: receive only the first value, with no way to cancel.
  {
    const input = gen(null, 2, 3);
    const out = merge(null, sq(null, input), sq(null, input));
    const { value } = await out.receive(); // 4 or 9
    const leaked = (await settle(baseline)) - baseline;
    console.log(`stopping short: got ${value}, then walked away`);
    console.log(`  goroutines: ${baseline + leaked}: leaked ${leaked}`);
    // Someone has to receive the rest before the senders can exit.
    for await (const _ of out) { /* drain */ }
    console.log(`  after draining: ${await settle(baseline)}`);
  }

  // 3. Explicit cancellation: close done when the consumer returns.
  {
    const first = async () => {
      // Set up a done channel that's shared by the whole pipeline, and close
      // it when this function returns, as a signal for all the goroutines we
      // started to exit. (`using` is Go's `defer close(done)`.)
      using done = new Channel<void>();
      const input = gen(done, 2, 3);
      const out = merge(done, sq(done, input), sq(done, input));
      return (await out.receive()).value; // 4 or 9
    };
    console.log(`cancellation: got ${await first()}, then closed done`);
    const now = await settle(baseline);
    console.log(
      `  goroutines: ${now} (baseline ${baseline}): ${
        now === baseline ? "none leaked" : `LEAKED ${now - baseline}`
      }`,
    );
  }
}
