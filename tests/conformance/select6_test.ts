// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/select6.go (Go issue 2075): a select that loses
// on a channel where other receivers also wait must leave that channel's
// queue intact, so later receivers on it still wake. Go's channels carry
// bools; their values do not matter, so numbers let every kind run it.

import { go, recv, select } from "../../mod.ts";
import { NUMBER_KINDS, testEachKind } from "./_shared.ts";

testEachKind(
  NUMBER_KINDS,
  "a select's losing case leaves the other receivers queued on that channel",
  async (kind) => {
    const c1 = kind.make<number>();
    const c2 = kind.make<number>();
    const c3 = kind.make<number>();
    const first = go(() => c1.receive());
    const second = go(async () => {
      await select([
        recv(c1, () => {
          throw new Error("the select received from c1");
        }),
        recv(c2, () => c3.send(1)),
      ]);
      await c1.receive();
    });
    const third = go(() => c2.send(1));
    await c3.receive();
    await c1.send(1);
    await c1.send(1);
    await Promise.all([first, second, third]);
  },
);
