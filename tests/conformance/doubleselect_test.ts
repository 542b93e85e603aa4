// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/doubleselect.go: a select over four send cases
// commits exactly one of them each time, so no value is duplicated or lost
// on its way through four forwarding goroutines.

import assert from "node:assert/strict";
import { Channel, go, type ReceiveChannel, select, send } from "../../mod.ts";

const ITERATIONS = 100_000;

Deno.test("a select over four send cases sends each value exactly once", async () => {
  const outs = [0, 1, 2, 3].map(() => new Channel<number>());
  const merged = new Channel<number>();
  const done = new Channel<boolean>();

  const sender = go(async () => {
    for (let i = 0; i < ITERATIONS; i++) {
      await select(outs.map((c) => send(c, i)));
    }
    for (const c of outs) c.close();
  });
  const forward = async (input: ReceiveChannel<number>) => {
    for await (const v of input) await merged.send(v);
    await done.send(true);
  };
  const muxes = outs.map((c) => go(forward, c));
  const closer = go(async () => {
    for (let i = 0; i < outs.length; i++) await done.receive();
    merged.close();
  });

  const seen = new Set<number>();
  for await (const v of merged) {
    assert(!seen.has(v), `got duplicate value ${v}`);
    seen.add(v);
  }
  assert.equal(seen.size, ITERATIONS);
  await Promise.all([sender, ...muxes, closer]);
});
