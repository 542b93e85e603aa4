// Copyright the denogo authors. MIT license.
// The direct hand-off of unbuffered int32/float64 SharedChannels: a worker
// blocked in recvSync waits in the hand-off cell, and every kind of send
// (trySend, send, sendSync, a select's send case) must see it as a waiting
// receiver, as Go's chansend sees a receiver in recvq.

import assert from "node:assert/strict";
import { Channel, recv, select, send } from "../../mod.ts";
import { flush } from "../_util.ts";
import { SharedChannel } from "../../workers/mod.ts";
import type { Job } from "./_worker_fixture.ts";
import { type Fixture, spawn as spawnFixture } from "./_spawn.ts";

function spawn(): Fixture<Job> {
  return spawnFixture<Job>(new URL("./_worker_fixture.ts", import.meta.url));
}

for (const codec of ["int32", "float64"] as const) {
  Deno.test(`SharedChannel ${codec} unbuffered: trySend fails until a worker waits in recvSync, then hands the value over`, async () => {
    using w = spawn();
    const ch = new SharedChannel<number>({ codec });
    const value = codec === "int32" ? -(2 ** 31) : -0.5;
    const received = w.run({ cmd: "recvSync", ch: ch.handle });
    // trySend succeeds exactly when a receiver is blocked; each failure
    // leaves the channel as it was.
    while (!ch.trySend(value)) {
      assert.deepEqual(ch.tryReceive(), { state: "empty" });
      await flush();
    }
    assert.deepEqual(await received, { value, ok: true });
    assert.equal(ch.size, 0);
    assert.deepEqual(ch.tryReceive(), { state: "empty" });
  });
}

Deno.test("SharedChannel unbuffered: a select's send case rendezvouses with a worker's recvSync, shared-only and mixed with a local channel", async () => {
  using w = spawn();
  const ch = new SharedChannel<number>({ codec: "float64" });
  const otherShared = new SharedChannel<number>({ codec: "float64" });
  const local = new Channel<number>();
  // Shared cases only: the select may leave its value as an offer, which
  // must push the waiting recvSync out of the cell to take it.
  let received = w.run({ cmd: "recvSync", ch: ch.handle });
  assert.equal(
    await select([send(ch, 1.5, () => "sent"), recv(otherShared, () => "no")]),
    "sent",
  );
  assert.deepEqual(await received, { value: 1.5, ok: true });
  // Mixed with a tier-1 channel: the offer, or the wake-up selects with a
  // send case get when a receiver starts to wait, works there too.
  received = w.run({ cmd: "recvSync", ch: ch.handle });
  assert.equal(
    await select([send(ch, 2.5, () => "sent"), recv(local, () => "no")]),
    "sent",
  );
  assert.deepEqual(await received, { value: 2.5, ok: true });
  assert.equal(local.size, 0);
  assert.deepEqual(otherShared.tryReceive(), { state: "empty" });
});

Deno.test("SharedChannel unbuffered: an async sender blocked with an offer is taken by a worker's recvSync", async () => {
  using w = spawn();
  const ch = new SharedChannel<number>({ codec: "int32" });
  // Sent before the worker exists: the send can only wait, as an offer.
  const sent = ch.send(42);
  assert.deepEqual(await w.run({ cmd: "recvSync", ch: ch.handle }), {
    value: 42,
    ok: true,
  });
  await sent;
  // Closing wakes a recvSync waiting in the cell (or comes before it).
  const closed = w.run({ cmd: "recvSync", ch: ch.handle });
  ch.close();
  assert.deepEqual(await closed, { value: undefined, ok: false });
  await assert.rejects(ch.send(1));
});
