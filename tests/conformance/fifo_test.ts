// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/fifo.go: channels deliver values in FIFO order.

import assert from "node:assert/strict";
import { Channel, go } from "../../mod.ts";

const N = 10;

Deno.test("buffered channel returns values in the order they were sent", async () => {
  const ch = new Channel<number>({ capacity: N });
  for (let i = 0; i < N; i++) await ch.send(i);
  for (let i = 0; i < N; i++) {
    assert.deepEqual(await ch.receive(), { value: i, ok: true });
  }
});

Deno.test("unbuffered channel hands values to a daisy chain of receivers in send order", async () => {
  const ch = new Channel<number>();
  const first = new Channel<number>();
  let input = first;
  const links: Promise<void>[] = [];
  for (let i = 0; i < N; i++) {
    const output = new Channel<number>();
    // Link i waits for its turn, takes one value, then passes the turn on.
    links.push(go(
      async (turn: Channel<number>, next: Channel<number>) => {
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
});
