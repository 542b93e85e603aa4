// Copyright the denogo authors. MIT license.

/**
 * Goroutine benchmarks: the two spawn targets of `bench/README.md`. "spawn and
 * wait" performs a batch of operations per bench iteration, the number in its
 * name "(1000 ops)", so the time per operation is the reported time divided by
 * it; "spawned and joined" reports the time of the whole batch. The Go
 * counterparts are in `bench/go/chan_test.go`.
 *
 * Run with `deno bench bench/spawn_bench.ts`.
 *
 * @module
 */

import { go } from "../mod.ts";
import { quick, RUNS } from "./_quick.ts";

const QUICK = quick();

/** Operations per bench iteration. */
const N = 1000;
/** Goroutines per spawn-and-join iteration (10,000 in a quick run). */
const MANY = QUICK ? 10_000 : 100_000;

if (import.meta.main) {
  console.log("Run with: deno bench bench/spawn_bench.ts");
}

function noop(): void {}
async function asyncNoop(): Promise<void> {}

// 6. Spawn a goroutine and wait for it. --------------------------------------

Deno.bench({
  name: `await an async function call, no go() (${N} ops)`,
  group: "spawn a goroutine and wait",
  baseline: true,
  ...RUNS,
  async fn() {
    for (let i = 0; i < N; i++) await asyncNoop();
  },
});

Deno.bench({
  name: `await go(fn) (${N} ops)`,
  group: "spawn a goroutine and wait",
  ...RUNS,
  async fn() {
    for (let i = 0; i < N; i++) await go(noop);
  },
});

// 7. Many goroutines spawned and joined. -------------------------------------

const MANY_RUNS = QUICK ? RUNS : { n: 30, warmup: 5 };

Deno.bench({
  name: `${MANY} async function calls joined, no go()`,
  group: "goroutines spawned and joined",
  baseline: true,
  ...MANY_RUNS,
  async fn() {
    const all: Promise<void>[] = new Array(MANY);
    for (let i = 0; i < MANY; i++) all[i] = asyncNoop();
    await Promise.all(all);
  },
});

// The least a go() does that starts each body after the caller yields and
// returns a promise of its result: one reaction on a settled promise each.
const SETTLED = Promise.resolve();
Deno.bench({
  name:
    `${MANY} calls started by reactions on a settled promise, joined, no go()`,
  group: "goroutines spawned and joined",
  ...MANY_RUNS,
  async fn() {
    const all: Promise<void>[] = new Array(MANY);
    for (let i = 0; i < MANY; i++) all[i] = SETTLED.then(noop);
    await Promise.all(all);
  },
});

Deno.bench({
  name: `${MANY} goroutines spawned and joined`,
  group: "goroutines spawned and joined",
  ...MANY_RUNS,
  async fn() {
    const all: Promise<void>[] = new Array(MANY);
    for (let i = 0; i < MANY; i++) all[i] = go(noop);
    await Promise.all(all);
  },
});
