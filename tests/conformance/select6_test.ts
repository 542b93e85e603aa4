// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/select6.go (Go issue 2075): a select that loses
// on a channel where other receivers also wait must leave that channel's
// queue intact, so later receivers on it still wake.

import { Channel, go, recv, select } from "../../mod.ts";

Deno.test("a select's losing case leaves the other receivers queued on that channel", async () => {
  const c1 = new Channel<boolean>();
  const c2 = new Channel<boolean>();
  const c3 = new Channel<boolean>();
  const first = go(() => c1.receive());
  const second = go(async () => {
    await select([
      recv(c1, () => {
        throw new Error("the select received from c1");
      }),
      recv(c2, () => c3.send(true)),
    ]);
    await c1.receive();
  });
  const third = go(() => c2.send(true));
  await c3.receive();
  await c1.send(true);
  await c1.send(true);
  await Promise.all([first, second, third]);
});
