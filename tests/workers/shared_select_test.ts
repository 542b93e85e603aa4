// Copyright the denogo authors. MIT license.
// select() over SharedChannels on one thread: the tier-1 select scenarios
// against shared channels, and selects mixing shared and tier-1 channels.

import assert from "node:assert/strict";
import { Channel, ChannelClosedError, recv, select, send } from "../../mod.ts";
import { background, withCancel } from "../../context/mod.ts";
import { CodecError, SharedChannel } from "../../workers/mod.ts";
import { assertBinomial, flush, settlesNow } from "../_util.ts";

// Ready cases ----------------------------------------------------------------

Deno.test("select() over SharedChannels runs the ready receive case with its value and ok", async () => {
  const idle = new SharedChannel<number>({ codec: "int32" });
  const ready = new SharedChannel<string>({ capacity: 1, codec: "string" });
  ready.trySend("x");
  const r = await select([
    recv(idle, () => "idle"),
    recv(ready, (v, ok) => ({ v, ok })),
  ]);
  assert.deepEqual(r, { v: "x", ok: true });
  assert.deepEqual(ready.tryReceive(), { state: "empty" });
});

Deno.test("select() over SharedChannels runs the ready send case and delivers its value", async () => {
  const full = new SharedChannel<number>({ capacity: 1, codec: "int32" });
  full.trySend(0);
  const room = new SharedChannel<number>({ capacity: 1, codec: "int32" });
  const r = await select([
    send(full, 1, () => "full"),
    send(room, 2, () => "room"),
  ]);
  assert.equal(r, "room");
  assert.deepEqual(room.tryReceive(), { state: "ok", value: 2 });
  assert.deepEqual(full.tryReceive(), { state: "ok", value: 0 });
  assert.deepEqual(full.tryReceive(), { state: "empty" });
});

Deno.test("select() chooses uniformly among ready shared and tier-1 cases", async () => {
  const a = new SharedChannel<number>({ capacity: 1, codec: "int32" });
  const b = new SharedChannel<number>({ capacity: 1, codec: "float64" });
  const c = new Channel<number>({ capacity: 1 });
  const trials = 3000;
  const counts = [0, 0, 0];
  for (let i = 0; i < trials; i++) {
    if (a.size === 0) a.trySend(0);
    if (b.size === 0) b.trySend(1);
    if (c.size === 0) c.trySend(2);
    const k = await select([
      recv(a, (v) => v!),
      recv(b, (v) => v!),
      recv(c, (v) => v!),
    ]);
    counts[k]++;
  }
  for (let k = 0; k < 3; k++) {
    assertBinomial(counts[k], trials, 1 / 3, `case ${k}`);
  }
});

Deno.test("select() with default runs it only when no shared case is ready", async () => {
  const ch = new SharedChannel<number>({ capacity: 1, codec: "int32" });
  assert.equal(
    await select([recv(ch, () => "recv")], { default: () => "default" }),
    "default",
  );
  assert.equal(
    await select([send(ch, 5, () => "sent")], { default: () => "default" }),
    "sent",
  );
  assert.equal(
    await select([send(ch, 6, () => "sent")], { default: () => "default" }),
    "default",
  );
  assert.equal(
    await select([recv(ch, (v) => v)], { default: () => -1 }),
    5,
  );
});

Deno.test("select() never fires a null case beside a shared case", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const p = select([
    recv(null, () => "nil"),
    send(null, 1),
    recv(ch, (v) => v),
  ]);
  assert.equal(await settlesNow(p), false);
  await ch.send(3);
  assert.equal(await p, 3);
});

// Blocking -------------------------------------------------------------------

Deno.test("blocked select() over SharedChannels wakes for a value sent through another view", async () => {
  const a = new SharedChannel<number>({ codec: "int32" });
  const b = new SharedChannel<number>({ capacity: 2, codec: "int32" });
  const p = select([recv(a, (v) => ["a", v]), recv(b, (v) => ["b", v])]);
  assert.equal(await settlesNow(p), false);
  const other = SharedChannel.from<number>(structuredClone(b.handle));
  assert.equal(other.trySend(4), true);
  assert.deepEqual(await p, ["b", 4]);
});

Deno.test("unbuffered shared send case commits only when a receiver takes the value", async () => {
  const ch = new SharedChannel<number>({ codec: "float64" });
  const p = select([send(ch, 1.5, () => "sent")]);
  assert.equal(await settlesNow(p), false);
  assert.deepEqual(await ch.receive(), { value: 1.5, ok: true });
  assert.equal(await p, "sent");
  // A blocked receiver lets the send case commit at once.
  const r = ch.receive();
  assert.equal(await select([send(ch, 2.5, () => "sent")]), "sent");
  assert.deepEqual(await r, { value: 2.5, ok: true });
});

Deno.test("a select that sends and a select that receives rendezvous on an unbuffered SharedChannel", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const idle = new SharedChannel<number>({ codec: "int32" });
  for (const sendFirst of [true, false]) {
    const s = () =>
      select([send(ch, 7, () => "sent"), recv(idle, () => "idle")]);
    const r = () => select([recv(ch, (v) => v), recv(idle, () => "idle")]);
    const [sent, got] = sendFirst
      ? await Promise.all([s(), r()])
      : await Promise.all([r(), s()]).then(([a, b]) => [b, a]);
    assert.equal(sent, "sent");
    assert.equal(got, 7);
    assert.deepEqual(ch.tryReceive(), { state: "empty" });
    assert.deepEqual(idle.tryReceive(), { state: "empty" });
  }
});

Deno.test("two blocked selects on one SharedChannel: one value commits exactly one of them", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const got: number[] = [];
  const p1 = select([recv(ch, (v) => got.push(v!))]);
  const p2 = select([recv(ch, (v) => got.push(v!))]);
  await ch.send(1);
  await flush();
  assert.deepEqual(got, [1]);
  await ch.send(2);
  await Promise.all([p1, p2]);
  assert.deepEqual(got.sort(), [1, 2]);
});

Deno.test("a select does not receive its own send on the same SharedChannel", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const p = select([send(ch, 1, () => "sent"), recv(ch, (_v, ok) => ok)]);
  assert.equal(await settlesNow(p), false);
  assert.deepEqual(await ch.receive(), { value: 1, ok: true });
  assert.equal(await p, "sent");
});

Deno.test("SharedChannel.close() wakes a blocked receive case with ok = false and fails a send case", async () => {
  const a = new SharedChannel<number>({ codec: "int32" });
  const p = select([recv(a, (v, ok) => ({ v, ok }))]);
  assert.equal(await settlesNow(p), false);
  a.close();
  assert.deepEqual(await p, { v: undefined, ok: false });

  const b = new SharedChannel<number>({ codec: "int32" });
  const q = select([send(b, 9, () => "sent")]);
  assert.equal(await settlesNow(q), false);
  b.close();
  await assert.rejects(
    q,
    (e) => e instanceof ChannelClosedError && e.value === 9,
  );
});

Deno.test("select() send case with a value the codec refuses rejects with CodecError", async () => {
  const ch = new SharedChannel<number>({ capacity: 1, codec: "int32" });
  await assert.rejects(select([send(ch, 1.5)]), CodecError);
  assert.deepEqual(ch.tryReceive(), { state: "empty" });
});

Deno.test("an aborted signal rejects a blocked shared select and withdraws its offer", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const ac = new AbortController();
  const p = select([send(ch, 1), recv(ch)], { signal: ac.signal });
  assert.equal(await settlesNow(p), false);
  ac.abort(new Error("stop"));
  await assert.rejects(p, /stop/);
  assert.deepEqual(ch.tryReceive(), { state: "empty" });
  assert.equal(ch.trySend(2), false);
});

// Mixed with tier 1 ----------------------------------------------------------

Deno.test("a mixed select commits the tier-1 case that fires first and leaves the shared one", async () => {
  const shared = new SharedChannel<number>({ codec: "int32" });
  const local = new Channel<number>();
  const p = select([
    recv(shared, (v) => ["shared", v]),
    recv(local, (v) => ["local", v]),
  ]);
  assert.equal(await settlesNow(p), false);
  await local.send(1);
  assert.deepEqual(await p, ["local", 1]);
  // The shared case is gone: a send there finds no receiver.
  assert.equal(shared.trySend(2), false);

  const q = select([
    recv(shared, (v) => ["shared", v]),
    recv(local, (v) => ["local", v]),
  ]);
  await shared.send(3);
  assert.deepEqual(await q, ["shared", 3]);
  assert.equal(local.trySend(4), false);
});

Deno.test("ctx.done() cancels a select that also waits on a SharedChannel", async () => {
  const ch = new SharedChannel<number>({ codec: "float64" });
  const [ctx, cancel] = withCancel(background());
  const p = select([
    recv(ch, () => "value"),
    recv(ctx.done(), () => "cancelled"),
  ]);
  assert.equal(await settlesNow(p), false);
  cancel();
  assert.equal(await p, "cancelled");
  assert.equal(ch.trySend(1), false);
});

Deno.test("a mixed select with a shared send case commits to a plain receiver", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const local = new Channel<number>();
  const p = select([send(ch, 5, () => "sent"), recv(local, () => "local")]);
  assert.equal(await settlesNow(p), false);
  assert.deepEqual(await ch.receive(), { value: 5, ok: true });
  assert.equal(await p, "sent");
});

Deno.test("a mixed select's shared send pairs with another select receiving there (Go pairs two selects)", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const localA = new Channel<number>();
  const localB = new Channel<number>();
  const sender = select([
    send(ch, 7, () => "sent"),
    recv(localA, () => "local"),
  ]);
  const receiver = select([
    recv(ch, (v, ok) => ({ v, ok })),
    recv(localB, () => "local"),
  ]);
  assert.deepEqual(await Promise.all([sender, receiver]), [
    "sent",
    { v: 7, ok: true },
  ]);
  assert.deepEqual(ch.tryReceive(), { state: "empty" });
  assert.equal(localA.trySend(1), false);
  assert.equal(localB.trySend(1), false);
});

Deno.test("a mixed select blocked with an offer: a tryReceive takes it at once", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const local = new Channel<number>();
  const p = select([send(ch, 8, () => "sent"), recv(local, () => "local")]);
  assert.equal(await settlesNow(p), false);
  // The blocked select is a blocked sender: Go's non-blocking receive
  // takes its value.
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 8 });
  // Its tier-1 case can no longer fire: the local send finds no receiver.
  assert.equal(local.trySend(1), false);
  assert.equal(await p, "sent");
});

Deno.test("a mixed select whose tier-1 case fires withdraws its shared offer", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const local = new Channel<number>();
  const p = select([send(ch, 9, () => "sent"), recv(local, (v) => v)]);
  assert.equal(await settlesNow(p), false);
  assert.equal(local.trySend(4), true);
  assert.equal(await p, 4);
  // The offer is gone: nothing to receive, and a new sender may offer.
  assert.deepEqual(ch.tryReceive(), { state: "empty" });
  const sent = ch.send(10);
  assert.deepEqual(await ch.receive(), { value: 10, ok: true });
  await sent;
});

Deno.test("a mixed select aborted while its offer is out withdraws it, or commits if it was taken", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const local = new Channel<number>();
  const ac = new AbortController();
  const p = select([send(ch, 1, () => "sent"), recv(local, () => "local")], {
    signal: ac.signal,
  });
  assert.equal(await settlesNow(p), false);
  ac.abort(new Error("stop"));
  await assert.rejects(p, /stop/);
  assert.deepEqual(ch.tryReceive(), { state: "empty" });

  const ac2 = new AbortController();
  const q = select([send(ch, 2, () => "sent"), recv(local, () => "local")], {
    signal: ac2.signal,
  });
  assert.equal(await settlesNow(q), false);
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 2 });
  ac2.abort(new Error("too late"));
  assert.equal(await q, "sent");
});
