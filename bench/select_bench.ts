// Copyright the denogo authors. MIT license.

/**
 * Select benchmarks (a target in `bench/README.md`): a select over two receive
 * cases of which one is ready. Each bench iteration performs a batch of
 * operations; the number is in the bench's name, "(1000 ops)", so the time per
 * operation is the reported time divided by it. Every operation refills the
 * ready channel with `trySend` first, as the Go counterpart in
 * `bench/go/chan_test.go` does with `a <- i`.
 *
 * Run with `deno bench bench/select_bench.ts`.
 *
 * @module
 */

import { Channel, recv, select } from "../mod.ts";
import { RUNS } from "./_quick.ts";

/** Operations per bench iteration. */
const N = 1000;

if (import.meta.main) {
  console.log("Run with: deno bench bench/select_bench.ts");
}

const a = new Channel<number>({ capacity: 1 });
const b = new Channel<number>({ capacity: 1 });

Deno.bench({
  name: `trySend + await receive, no select (${N} ops)`,
  group: "select, two cases, one ready",
  baseline: true,
  ...RUNS,
  async fn() {
    for (let i = 0; i < N; i++) {
      a.trySend(i);
      await a.receive();
    }
  },
});

Deno.bench({
  name: `trySend + select two cases, one ready (${N} ops)`,
  group: "select, two cases, one ready",
  ...RUNS,
  async fn() {
    for (let i = 0; i < N; i++) {
      a.trySend(i);
      await select([recv(a), recv(b)]);
    }
  },
});

Deno.bench({
  name: `trySend + select two cases with bodies, one ready (${N} ops)`,
  group: "select, two cases, one ready",
  ...RUNS,
  async fn() {
    let sum = 0;
    for (let i = 0; i < N; i++) {
      a.trySend(i);
      sum += await select([
        recv(a, (v, ok) => ok ? v : 0),
        recv(b, (v, ok) => ok ? v : 0),
      ]);
    }
    if (sum < 0) throw new Error("unreachable");
  },
});

const hoisted = [recv(a), recv(b)] as const;

Deno.bench({
  name: `trySend + select on hoisted cases, one ready (${N} ops)`,
  group: "select, two cases, one ready",
  ...RUNS,
  async fn() {
    for (let i = 0; i < N; i++) {
      a.trySend(i);
      await select(hoisted);
    }
  },
});
