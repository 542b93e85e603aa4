// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/select.go: a select with send cases and a default
// sends on each ready channel once, skips nil channels, and evaluates every
// case's value each time it runs.

import assert from "node:assert/strict";
import { select, send } from "../../mod.ts";
import { type Chan, NUMBER_KINDS, testEachKind } from "./_shared.ts";

testEachKind(
  NUMBER_KINDS,
  "select with a default sends once on each ready channel, then takes the default",
  async (kind) => {
    let evaluations = 0;
    let shift = 0;
    const nextValue = () => {
      evaluations++;
      return 1 << shift;
    };

    /** Sends on `a` and `b` until neither can take a value; returns the count. */
    async function sendAll(
      a: Chan<number> | null,
      b: Chan<number> | null,
    ): Promise<number> {
      let sent = 0;
      for (;;) {
        const done = await select([
          send(a, nextValue(), () => {
            sent++;
            a = null;
            return false;
          }),
          send(b, nextValue(), () => {
            sent++;
            b = null;
            return false;
          }),
        ], { default: () => true });
        if (done) return sent;
        shift++;
      }
    }

    const a = kind.make<number>(1);
    const b = kind.make<number>(1);
    assert.equal(await sendAll(a, b), 2);
    const av = (await a.receive()).value!;
    const bv = (await b.receive()).value!;
    // One went out on the first round, the other on the second.
    assert.equal(av | bv, 3);
    assert.equal(await sendAll(a, null), 1);
    // Three rounds of two cases, then two rounds of two cases.
    assert.equal(evaluations, 10);
    assert.equal(a.size, 1);
  },
);
