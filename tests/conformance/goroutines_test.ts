// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/goroutines.go: many goroutines threaded together
// by unbuffered channels pass one value down the chain and all finish.

import assert from "node:assert/strict";
import { go, numGoroutine } from "../../mod.ts";
import { type Chan, FULL, NUMBER_KINDS, testEachKind } from "./_shared.ts";

/**
 * Go's count. Each shared channel is a `SharedArrayBuffer` of its own, so the
 * shared kinds chain a tenth as many unless `STRESS=full`.
 */
const N = 10_000;

testEachKind(
  NUMBER_KINDS,
  "a chain of ten thousand goroutines (a thousand over shared channels) passes a value along",
  async (kind) => {
    const n = kind.shared && !FULL ? N / 10 : N;
    const before = numGoroutine();
    const leftmost = kind.make<number>();
    let left = leftmost;
    let right = leftmost;
    const chain: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      right = kind.make<number>();
      chain.push(go(
        async (l: Chan<number>, r: Chan<number>) => {
          const { value } = await r.receive();
          await l.send(value!);
        },
        left,
        right,
      ));
      left = right;
    }
    assert.equal(numGoroutine(), before + n);
    const last = go((c: Chan<number>) => c.send(1), right);
    assert.deepEqual(await leftmost.receive(), { value: 1, ok: true });
    await Promise.all([...chain, last]);
    assert.equal(numGoroutine(), before);
  },
);
