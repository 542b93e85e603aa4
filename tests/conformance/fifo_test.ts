// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/fifo.go: channels deliver values in FIFO order.

import assert from "node:assert/strict";
import { go } from "../../mod.ts";
import { type Chan, NUMBER_KINDS, testEachKind } from "./_shared.ts";

const N = 10;

testEachKind(
  NUMBER_KINDS,
  "buffered channel returns values in the order they were sent",
  async (kind) => {
    const ch = kind.make<number>(N);
    for (let i = 0; i < N; i++) await ch.send(i);
    for (let i = 0; i < N; i++) {
      assert.deepEqual(await ch.receive(), { value: i, ok: true });
    }
  },
);

testEachKind(
  NUMBER_KINDS,
  "unbuffered channel hands values to a daisy chain of receivers in send order",
  async (kind) => {
    const ch = kind.make<number>();
    const first = kind.make<number>();
    let input = first;
    const links: Promise<void>[] = [];
    for (let i = 0; i < N; i++) {
      const output = kind.make<number>();
      // Link i waits for its turn, takes one value, then passes the turn on.
      links.push(go(
        async (turn: Chan<number>, next: Chan<number>) => {
          await turn.receive();
          const { value } = await ch.receive();
          assert.equal(value, i);
          await next.send(1);
        },
        input,
        output,
      ));
      input = output;
    }
    await first.send(0);
    for (let i = 0; i < N; i++) await ch.send(i);
    assert.deepEqual(await input.receive(), { value: 1, ok: true });
    await Promise.all(links);
  },
);
