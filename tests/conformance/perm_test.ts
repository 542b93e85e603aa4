// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/perm.go: what send-only (`chan<- T`) and
// receive-only (`<-chan T`) channels allow. Go checks it at compile time;
// so does `deno check` here: every `@ts-expect-error` line must not
// type-check, and every other line must.

import assert from "node:assert/strict";
import {
  Channel,
  type ReceiveChannel,
  recv,
  select,
  send,
  type SendChannel,
} from "../../mod.ts";

/** Type-checked, never called: the type errors are the test. */
async function directions(
  c: Channel<number>,
  cr: ReceiveChannel<number>,
  cs: SendChannel<number>,
): Promise<void> {
  cr = c;
  cs = c;
  // @ts-expect-error A receive-only channel is not a channel.
  c = cr;
  // @ts-expect-error A send-only channel is not a channel.
  c = cs;
  // @ts-expect-error A send-only channel is not a receive-only one.
  cr = cs;
  // @ts-expect-error A receive-only channel is not a send-only one.
  cs = cr;

  await c.send(0);
  await c.receive();
  // @ts-expect-error Cannot send on a receive-only channel.
  await cr.send(0);
  await cr.receive();
  await cs.send(0);
  // @ts-expect-error Cannot receive from a send-only channel.
  await cs.receive();

  await select([
    send(c, 0),
    recv(c),
    // @ts-expect-error Cannot send on a receive-only channel.
    send(cr, 0),
    recv(cr),
    send(cs, 0),
    // @ts-expect-error Cannot receive from a send-only channel.
    recv(cs),
  ]);

  // @ts-expect-error Cannot range over a send-only channel.
  for await (const _ of cs);

  c.close();
  cs.close();
  // @ts-expect-error Cannot close a receive-only channel.
  cr.close();
}

Deno.test("a channel can be passed as a send-only or receive-only channel", async () => {
  assert.equal(typeof directions, "function");
  const c = new Channel<number>({ capacity: 1 });
  const cs: SendChannel<number> = c;
  const cr: ReceiveChannel<number> = c;
  await cs.send(1);
  assert.deepEqual(await cr.receive(), { value: 1, ok: true });
  cs.close();
  assert.deepEqual(await cr.receive(), { value: undefined, ok: false });
});
