// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/select7.go: a value is handed over whichever way
// each side is written (a plain operation, a one-case select, or a select
// with a second case that never fires), including when the body drops it.

import assert from "node:assert/strict";
import {
  Channel,
  go,
  type ReceiveChannel,
  recv,
  select,
  send,
  yieldNow,
} from "../../mod.ts";

type Receiver = (c: ReceiveChannel<number>) => Promise<unknown>;
type Sender = (receiver: Receiver) => Promise<void>;

const receivers: Record<string, Receiver> = {
  "a plain receive": (c) => c.receive(),
  "a one-case select": (c) => select([recv(c)]),
  "a select with an idle second case": (c) =>
    select([recv(c), recv(new Channel<number>())]),
};

const senders: Record<string, Sender> = {
  "a plain send": async (receiver) => {
    const c = new Channel<number>();
    const g = go(receiver, c);
    await yieldNow();
    await c.send(1);
    await g;
  },
  "a one-case select": async (receiver) => {
    const c = new Channel<number>();
    const g = go(receiver, c);
    await yieldNow();
    await select([send(c, 1)]);
    await g;
  },
  "a select with an idle second case": async (receiver) => {
    const c = new Channel<number>();
    const g = go(receiver, c);
    await yieldNow();
    await select([send(c, 1), send(new Channel<number>(), 1)]);
    await g;
  },
};

for (const [receiverName, receiver] of Object.entries(receivers)) {
  for (const [senderName, sender] of Object.entries(senders)) {
    Deno.test(`${senderName} delivers to ${receiverName} that discards the value`, async () => {
      let received = 0;
      await sender(async (c) => {
        await receiver(c);
        received++;
      });
      assert.equal(received, 1);
    });
  }
}
