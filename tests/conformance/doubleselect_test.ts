// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/doubleselect.go: a select over four send cases
// commits exactly one of them each time, so no value is duplicated or lost
// on its way through four forwarding goroutines.

import assert from "node:assert/strict";
import { go, type ReceiveChannel, select, send } from "../../mod.ts";
import { FULL, NUMBER_KINDS, testEachKind } from "./_shared.ts";

/** Go's count; shared channels run a tenth of it unless `STRESS=full`. */
const ITERATIONS = 100_000;

testEachKind(
  NUMBER_KINDS,
  "a select over four send cases sends each value exactly once",
  async (kind) => {
    const iterations = kind.shared && !FULL ? ITERATIONS / 10 : ITERATIONS;
    const outs = [0, 1, 2, 3].map(() => kind.make<number>());
    const merged = kind.make<number>();
    const done = kind.make<number>();

    const sender = go(async () => {
      for (let i = 0; i < iterations; i++) {
        await select(outs.map((c) => send(c, i)));
      }
      for (const c of outs) c.close();
    });
    const forward = async (input: ReceiveChannel<number>) => {
      for await (const v of input) await merged.send(v);
      await done.send(1);
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
    assert.equal(seen.size, iterations);
    await Promise.all([sender, ...muxes, closer]);
  },
);
