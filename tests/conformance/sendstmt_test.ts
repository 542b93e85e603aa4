// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/sendstmt.go (its runtime half; the rest checks Go's
// parser): a channel of channels, and a select that sends on a channel it
// has just received. The channel of channels is a tier-1 `Channel` (it
// carries channel objects by reference); the inner channel is of each kind.

import assert from "node:assert/strict";
import { Channel, select, send } from "../../mod.ts";
import { type Chan, NUMBER_KINDS, testEachKind } from "./_shared.ts";

testEachKind(
  NUMBER_KINDS,
  "select sends on a channel received from a channel of channels",
  async (kind) => {
    const cc = new Channel<Chan<number>>({ capacity: 1 });
    const c = kind.make<number>(1);
    await cc.send(c);
    // Go's `case <-cc <- 2:` sends 2 on the channel that <-cc yields.
    const inner = (await cc.receive()).value!;
    await select([send(inner, 2)], { default: () => assert.fail("blocked") });
    assert.deepEqual(await c.receive(), { value: 2, ok: true });
  },
);
