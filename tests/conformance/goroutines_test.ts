// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/goroutines.go: many goroutines threaded together
// by unbuffered channels pass one value down the chain and all finish.

import assert from "node:assert/strict";
import { Channel, go, numGoroutine } from "../../mod.ts";

const N = 10_000;

Deno.test("ten thousand chained goroutines pass a value along and all finish", async () => {
  const before = numGoroutine();
  const leftmost = new Channel<number>();
  let left = leftmost;
  let right = leftmost;
  const chain: Promise<void>[] = [];
  for (let i = 0; i < N; i++) {
    right = new Channel<number>();
    chain.push(go(
      async (l: Channel<number>, r: Channel<number>) => {
        const { value } = await r.receive();
        await l.send(value!);
      },
      left,
      right,
    ));
    left = right;
  }
  assert.equal(numGoroutine(), before + N);
  const last = go((c: Channel<number>) => c.send(1), right);
  assert.deepEqual(await leftmost.receive(), { value: 1, ok: true });
  await Promise.all([...chain, last]);
  assert.equal(numGoroutine(), before);
});
