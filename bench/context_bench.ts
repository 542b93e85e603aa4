// Copyright the denogo authors. MIT license.

/**
 * Context benchmarks; the Go reference is bench/go/context_test.go, one
 * Benchmark per row, named in each bench's comment.
 *
 *     deno bench bench/context_bench.ts
 *
 * @module
 */

import { Channel, recv, select } from "../mod.ts";
import {
  background,
  type Context,
  withCancel,
  withTimeout,
  withValue,
} from "../context/mod.ts";

const TREE_NODES = 10_000;
/** Operations per iteration of the batched rows. */
const N = 1000;

// Go: BenchmarkContextTree10000. A 4-ary tree of 10,000 withCancel nodes is
// built, then the root is cancelled; one op is the whole tree.
Deno.bench("context: tree of 10,000 nodes, create + cancel", () => {
  const [root, cancel] = withCancel(background());
  const nodes: Context[] = [root];
  for (let i = 0; nodes.length < TREE_NODES; i++) {
    nodes.push(withCancel(nodes[i >> 2])[0]);
  }
  cancel();
});

// Go: BenchmarkContextValueDepth10. value() of a key stored 10 withValue
// layers above the context.
const valueKey = Symbol("key");
let deep: Context = withValue(background(), valueKey, 42);
for (let i = 0; i < 10; i++) deep = withValue(deep, i, i);
let sink: unknown;
Deno.bench("context: value() lookup at depth 10", () => {
  sink = deep.value(valueKey);
});

// Go: BenchmarkContextSelectDoneReady. select over ctx.done() (never
// ready) and a buffered channel with one value; the refill is part of the op.
const [live, cancelLive] = withCancel(background());
const ready = new Channel<number>({ capacity: 1 });
// A batch of N per iteration, as the channel rows: one awaited op per
// iteration would time deno bench's own async call (~50-100 ns) with it.
Deno.bench(
  `context: select on ctx.done() + one ready channel (${N} ops)`,
  async () => {
    for (let i = 0; i < N; i++) {
      ready.trySend(1);
      await select([recv(live.done()), recv(ready)]);
    }
  },
);

// Go: BenchmarkContextWithTimeoutCancel. withTimeout + cancel: adds and
// removes an entry in the shared timer heap (_timer_heap.ts); the one JS
// timer follows the heap in a microtask, so none is armed for a deadline
// cancelled in the microtask that created it.
Deno.bench(`context: withTimeout() + cancel() (${N} ops)`, () => {
  for (let i = 0; i < N; i++) {
    const [, cancel] = withTimeout(live, 60_000);
    cancel();
  }
});

globalThis.addEventListener("unload", () => {
  cancelLive();
  if (sink === undefined) console.log(sink);
});
