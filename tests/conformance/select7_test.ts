// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/select7.go: a value is handed over whichever way
// each side is written (a plain operation, a one-case select, or a select
// with a second case that never fires), including when the body drops it.

import assert from "node:assert/strict";
import {
  go,
  type ReceiveChannel,
  recv,
  select,
  send,
  yieldNow,
} from "../../mod.ts";
import { type ChannelKind, NUMBER_KINDS, testEachKind } from "./_shared.ts";

type Receiver = (c: ReceiveChannel<number>) => Promise<unknown>;
type Sender = (receiver: Receiver, kind: ChannelKind) => Promise<void>;

const receivers: Record<string, (kind: ChannelKind) => Receiver> = {
  "a plain receive": () => (c) => c.receive(),
  "a one-case select": () => (c) => select([recv(c)]),
  "a select with an idle second case": (kind) => (c) =>
    select([recv(c), recv(kind.make<number>())]),
};

const senders: Record<string, Sender> = {
  "a plain send": async (receiver, kind) => {
    const c = kind.make<number>();
    const g = go(receiver, c);
    await yieldNow();
    await c.send(1);
    await g;
  },
  "a one-case select": async (receiver, kind) => {
    const c = kind.make<number>();
    const g = go(receiver, c);
    await yieldNow();
    await select([send(c, 1)]);
    await g;
  },
  "a select with an idle second case": async (receiver, kind) => {
    const c = kind.make<number>();
    const g = go(receiver, c);
    await yieldNow();
    await select([send(c, 1), send(kind.make<number>(), 1)]);
    await g;
  },
};

for (const [receiverName, receiver] of Object.entries(receivers)) {
  for (const [senderName, sender] of Object.entries(senders)) {
    testEachKind(
      NUMBER_KINDS,
      `${senderName} delivers to ${receiverName} that discards the value`,
      async (kind) => {
        let received = 0;
        await sender(async (c) => {
          await receiver(kind)(c);
          received++;
        }, kind);
        assert.equal(received, 1);
      },
    );
  }
}
