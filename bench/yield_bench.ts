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
 *
 * Run with `deno bench bench/yield_bench.ts`.
 *
 * @module
 */

import { yieldNow } from "../mod.ts";
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
