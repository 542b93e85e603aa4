// Copyright the denogo authors. MIT license.

/**
 * `yieldNow()` and preemption. Each bench iteration performs a batch of
 * operations, the number in its name, so the time per operation is the
 * reported time divided by it.
 *
 * - "yieldNow(), no turn due": the usual case, a microtask.
 * - "one event-loop turn": what `yieldNow()` (and a preempted channel
 *   operation) costs when its time slice is over and it must reach the
 *   event loop, against `setTimeout(0)`, the turn it used to take.
 * - "preemption latency": the port of Go's `goodWorker` (a loop polling
 *   `ctx.done()` with `select` + `default`) under a 50 ms timeout, which
 *   should stop within 2 × 50 ms; and a ping-pong loop that must let a
 *   `setTimeout(0)` fire (Go's time slice is 10 ms). Each reports the time
 *   of one whole run.
 *
 * Run with `deno bench bench/yield_bench.ts`.
 *
 * @module
 */

import { Channel, go, recv, select, yieldNow } from "../mod.ts";
import { background, withTimeout } from "../context/mod.ts";
import { afterTurn } from "../_preempt.ts";
import { RUNS } from "./_quick.ts";

/** Operations per bench iteration. */
const N = 1000;
/** Turns per bench iteration. */
const TURNS = 100;

if (import.meta.main) {
  console.log("Run with: deno bench bench/yield_bench.ts");
}

Deno.bench({
  name: `await Promise.resolve() (${N} ops)`,
  group: "yieldNow(), no turn due",
  baseline: true,
  ...RUNS,
  async fn() {
    for (let i = 0; i < N; i++) await Promise.resolve();
  },
});

Deno.bench({
  name: `await yieldNow() (${N} ops)`,
  group: "yieldNow(), no turn due",
  ...RUNS,
  async fn() {
    for (let i = 0; i < N; i++) await yieldNow();
  },
});

Deno.bench({
  name: `one event-loop turn, as yieldNow() takes it (${TURNS} ops)`,
  group: "one event-loop turn",
  baseline: true,
  ...RUNS,
  async fn() {
    for (let i = 0; i < TURNS; i++) await afterTurn(undefined);
  },
});

Deno.bench({
  name: `one event-loop turn by setTimeout(0) (${TURNS} ops)`,
  group: "one event-loop turn",
  n: 20,
  warmup: 2,
  async fn() {
    for (let i = 0; i < TURNS; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  },
});

// Preemption latency: how long a loop that never blocks starves a timer.

Deno.bench({
  name: "goodWorker port, withTimeout(50): time until it stops",
  group: "preemption latency",
  n: 10,
  warmup: 1,
  async fn() {
    const [ctx, cancel] = withTimeout(background(), 50);
    for (;;) {
      const done = await select([recv(ctx.done(), () => true)], {
        default: () => false,
      });
      if (done) break;
    }
    cancel();
  },
});

Deno.bench({
  name: "unbuffered ping-pong loop until a setTimeout(0) fires",
  group: "preemption latency",
  n: 20,
  warmup: 2,
  async fn() {
    const ping = new Channel<number>();
    const pong = new Channel<number>();
    const echo = go(async () => {
      for await (const v of ping) await pong.send(v);
    });
    let fired = false;
    setTimeout(() => fired = true, 0);
    while (!fired) {
      await ping.send(0);
      await pong.receive();
    }
    ping.close();
    await echo;
  },
});
