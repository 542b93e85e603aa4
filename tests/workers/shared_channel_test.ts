// Copyright the denogo authors. MIT license.
// SharedChannel's semantics on one thread: the tier-1 Channel scenarios,
// plus codecs, ring growth and handles. Cross-worker runs are in
// shared_channel_workers_test.ts.

import assert from "node:assert/strict";
import { ChannelClosedError } from "../../mod.ts";
import { settlesNow } from "../_util.ts";
import {
  CodecError,
  type CodecName,
  MainThreadWaitError,
  SharedChannel,
} from "../../workers/mod.ts";

Deno.test("SharedChannel unbuffered send blocks until a receiver takes the value", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const sent = ch.send(1);
  assert.equal(await settlesNow(sent), false);
  assert.equal(ch.size, 0);
  assert.deepEqual(await ch.receive(), { value: 1, ok: true });
  await sent;
  ch.close();
});

Deno.test("SharedChannel unbuffered receive blocks until a sender gives a value", async () => {
  const ch = new SharedChannel<string>({ codec: "string" });
  const got = ch.receive();
  assert.equal(await settlesNow(got), false);
  await ch.send("x"); // a receiver waits: the send completes at once
  assert.deepEqual(await got, { value: "x", ok: true });
  ch.close();
});

Deno.test("SharedChannel unbuffered trySend succeeds only with a blocked receiver", async () => {
  const ch = new SharedChannel<number>({ codec: "float64" });
  assert.equal(ch.trySend(1), false);
  const got = ch.receive();
  assert.equal(ch.trySend(2.5), true);
  assert.equal(ch.trySend(3), false);
  assert.deepEqual(await got, { value: 2.5, ok: true });
  ch.close();
});

Deno.test("SharedChannel unbuffered tryReceive takes a blocked sender's value", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  assert.deepEqual(ch.tryReceive(), { state: "empty" });
  const sent = ch.send(9);
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 9 });
  await sent;
  assert.deepEqual(ch.tryReceive(), { state: "empty" });
  ch.close();
  assert.deepEqual(ch.tryReceive(), { state: "closed" });
});

Deno.test("SharedChannel buffered channel is FIFO and blocks a sender only when full", async () => {
  const ch = new SharedChannel<number>({ capacity: 3, codec: "int32" });
  await ch.send(1);
  await ch.send(2);
  await ch.send(3);
  assert.equal(ch.size, 3);
  const fourth = ch.send(4);
  const fifth = ch.send(5);
  assert.equal(await settlesNow(fourth), false);
  assert.equal(ch.size, 3);
  assert.deepEqual(await ch.receive(), { value: 1, ok: true });
  await fourth; // moved into the buffer
  assert.equal(await settlesNow(fifth), false);
  const seen = [];
  for (let i = 0; i < 4; i++) seen.push((await ch.receive()).value);
  await fifth;
  assert.deepEqual(seen, [2, 3, 4, 5]);
  assert.equal(ch.size, 0);
  ch.close();
});

Deno.test("SharedChannel buffered receive blocks only while the buffer is empty", async () => {
  const ch = new SharedChannel<number>({ capacity: 2, codec: "float64" });
  const a = ch.receive();
  const b = ch.receive();
  assert.equal(await settlesNow(a), false);
  assert.equal(ch.trySend(1), true);
  assert.equal(ch.trySend(2), true);
  assert.deepEqual(await a, { value: 1, ok: true });
  assert.deepEqual(await b, { value: 2, ok: true });
  ch.close();
});

Deno.test("SharedChannel.close() lets receivers drain the buffer, then gives ok = false", async () => {
  const ch = new SharedChannel<number>({ capacity: 2, codec: "int32" });
  await ch.send(1);
  await ch.send(2);
  ch.close();
  assert.equal(ch.closed, true);
  assert.deepEqual(await ch.receive(), { value: 1, ok: true });
  assert.deepEqual(await ch.receive(), { value: 2, ok: true });
  assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
  assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
});

Deno.test("SharedChannel.close() wakes every blocked receiver with ok = false", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const waiting = [ch.receive(), ch.receive(), ch.receive()];
  assert.equal(await settlesNow(waiting[0]), false);
  ch.close();
  for (const r of await Promise.all(waiting)) {
    assert.deepEqual(r, { value: undefined, ok: false });
  }
});

Deno.test("SharedChannel.close() fails blocked senders with ChannelClosedError holding the value", async () => {
  const ch = new SharedChannel<number>({ capacity: 1, codec: "int32" });
  await ch.send(1);
  const blocked = [ch.send(2), ch.send(3)];
  assert.equal(await settlesNow(blocked[0]), false);
  ch.close();
  for (const [i, p] of blocked.entries()) {
    await assert.rejects(p, (e) => {
      assert(e instanceof ChannelClosedError);
      assert.equal(e.value, i + 2);
      return true;
    });
  }
  // The buffered value survives; the blocked ones never arrive.
  assert.deepEqual(await ch.receive(), { value: 1, ok: true });
  assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
});

Deno.test("SharedChannel send, trySend and close on a closed channel throw ChannelClosedError", async () => {
  const ch = new SharedChannel<number>({ capacity: 1, codec: "int32" });
  ch.close();
  await assert.rejects(ch.send(1), ChannelClosedError);
  assert.throws(() => ch.trySend(1), ChannelClosedError);
  assert.throws(() => ch.close(), ChannelClosedError);
});

Deno.test("SharedChannel.receive() tells undefined apart from closed with ok", async () => {
  const ch = new SharedChannel<unknown>({ capacity: 2 });
  await ch.send(undefined);
  ch.close();
  assert.deepEqual(await ch.receive(), { value: undefined, ok: true });
  assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
});

Deno.test("SharedChannel for await ranges until closed and drained", async () => {
  const ch = new SharedChannel<number>({ capacity: 4, codec: "float64" });
  const all = Array.fromAsync(ch);
  for (let i = 0; i < 10; i++) await ch.send(i);
  ch.close();
  assert.deepEqual(await all, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

Deno.test("SharedChannel aborted receive rejects and leaves the channel as it was", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const ac = new AbortController();
  const got = ch.receive({ signal: ac.signal });
  ac.abort(new Error("stop"));
  await assert.rejects(got, /stop/);
  // No receiver waits any more, so a trySend cannot hand the value over.
  assert.equal(ch.trySend(1), false);
  ch.close();
});

Deno.test("SharedChannel aborted send rejects and withdraws its value", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const ac = new AbortController();
  const sent = ch.send(1, { signal: ac.signal });
  const other = ch.send(2);
  ac.abort(new Error("stop"));
  await assert.rejects(sent, /stop/);
  assert.deepEqual(await ch.receive(), { value: 2, ok: true });
  await other;
  assert.deepEqual(ch.tryReceive(), { state: "empty" });
  ch.close();
});

Deno.test("SharedChannel with an already aborted signal rejects only if it would block", async () => {
  const ch = new SharedChannel<number>({ capacity: 1, codec: "int32" });
  const signal = AbortSignal.abort(new Error("gone"));
  await ch.send(1, { signal });
  await assert.rejects(ch.send(2, { signal }), /gone/);
  assert.deepEqual(await ch.receive({ signal }), { value: 1, ok: true });
  await assert.rejects(ch.receive({ signal }), /gone/);
  ch.close();
});

const samples: [CodecName, unknown[]][] = [
  ["int32", [0, -1, 2147483647, -2147483648]],
  ["float64", [0.5, -0, NaN, Infinity, Number.MAX_VALUE]],
  ["bytes", [new Uint8Array([1, 2, 3]), new Uint8Array(0)]],
  ["string", ["", "héllo", "日本語 🎉"]],
  ["json", [{ a: [1, "x", null] }, null, 3, "s"]],
  ["structured", [
    new Map([[1, { d: new Date(0) }]]),
    10n,
    undefined,
    new Set(["a"]),
  ]],
];

for (const [codec, values] of samples) {
  Deno.test(`SharedChannel "${codec}" codec carries values intact`, async () => {
    const ch = new SharedChannel<unknown>({ capacity: values.length, codec });
    for (const v of values) await ch.send(v);
    ch.close();
    assert.deepEqual(await Array.fromAsync(ch), values);
  });
}

Deno.test("SharedChannel codec refusal throws CodecError and leaves the channel intact", async () => {
  const cases: [CodecName, unknown, unknown][] = [
    ["int32", 1.5, 1],
    ["int32", 2 ** 31, 2],
    ["int32", "1", 3],
    ["float64", 1n, 0.25],
    ["bytes", [1, 2], new Uint8Array([7])],
    ["string", 5, "five"],
    ["json", 1n, { ok: 1 }],
    ["json", () => 1, [1]],
    ["structured", () => 1, { ok: 2 }],
    ["structured", Symbol("s"), "fine"],
  ];
  for (const [codec, bad, good] of cases) {
    const ch = new SharedChannel<unknown>({ capacity: 2, codec });
    await ch.send(good);
    await assert.rejects(ch.send(bad), CodecError, `${codec} ${String(bad)}`);
    assert.throws(() => ch.trySend(bad), CodecError);
    await ch.send(good);
    assert.equal(ch.size, 2);
    ch.close();
    assert.deepEqual(await Array.fromAsync(ch), [good, good]);
  }
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const ch = new SharedChannel<unknown>({ capacity: 1, codec: "json" });
  assert.throws(() => ch.trySend(cyclic), CodecError);
  ch.close();
});

Deno.test("SharedChannel ring grows for large values while wrapped, keeping FIFO order", async () => {
  const ch = new SharedChannel<string>({ capacity: 8, codec: "string" });
  const expected: string[] = [];
  const got: string[] = [];
  let n = 0;
  // Interleave sends and receives so the ring wraps, then grow it.
  for (let round = 0; round < 40; round++) {
    for (let k = 0; k < 3; k++) {
      const s = `${n++}:` + "x".repeat((round * 37 + k * 101) % 900);
      expected.push(s);
      await ch.send(s);
    }
    for (let k = 0; k < 2; k++) got.push((await ch.receive()).value!);
    if (ch.size > 5) {
      while (ch.size > 0) got.push((await ch.receive()).value!);
    }
  }
  ch.close();
  for await (const s of ch) got.push(s);
  assert.deepEqual(got, expected);
});

Deno.test("SharedChannel rejects a value larger than maxBytes and stays usable", async () => {
  const ch = new SharedChannel<Uint8Array>({
    capacity: 2,
    codec: "bytes",
    maxBytes: 1024,
  });
  await assert.rejects(ch.send(new Uint8Array(2000)), RangeError);
  await ch.send(new Uint8Array(500));
  await ch.send(new Uint8Array(400));
  assert.equal((await ch.receive()).value?.length, 500);
  assert.equal((await ch.receive()).value?.length, 400);
  ch.close();
});

Deno.test("SharedChannel with maxBytes of at most 65,536 allocates its ring whole, and more of them can be live than the process has memory mappings", () => {
  const small = new SharedChannel<string>({ capacity: 1, maxBytes: 65_536 });
  assert.equal(small.handle.buffer.growable, false);
  assert.equal(small.handle.buffer.byteLength, 448 + 65_536);
  assert.equal(new SharedChannel<string>().handle.buffer.growable, true);
  // Each growable buffer takes two memory mappings, of Linux's 65,530: as
  // many live growable channels would abort the process.
  const live: SharedChannel<{ i: number }>[] = [];
  for (let i = 0; i < 35_000; i++) {
    const ch = new SharedChannel<{ i: number }>({ capacity: 1, maxBytes: 512 });
    assert.equal(ch.trySend({ i }), true);
    live.push(ch);
  }
  for (let i = 0; i < live.length; i++) {
    assert.deepEqual(live[i].tryReceive(), { state: "ok", value: { i } });
  }
  const opened = SharedChannel.from<{ i: number }>(live[7].handle);
  assert.equal(opened.trySend({ i: 7 }), true);
  assert.deepEqual(live[7].tryReceive(), { state: "ok", value: { i: 7 } });
});

Deno.test("SharedChannel whose ring does not grow refuses a value larger than its room with RangeError, and a trySend that fits only once it drains returns false", async () => {
  const ch = new SharedChannel<string>({ capacity: 4, maxBytes: 256 });
  await assert.rejects(ch.send("x".repeat(300)), /needs \d+ bytes/);
  await ch.send("a".repeat(100));
  // Full by bytes, not by count: as for a full buffer (shared_channel_bytes_test.ts).
  assert.equal(ch.trySend("b".repeat(200)), false);
  assert.equal((await ch.receive()).value, "a".repeat(100));
  await ch.send("b".repeat(200));
  assert.equal((await ch.receive()).value, "b".repeat(200));
  assert.equal(ch.size, 0);
});

Deno.test("SharedChannel.from() opens the same channel from its handle", async () => {
  const a = new SharedChannel<number>({ capacity: 2, codec: "float64" });
  const b = SharedChannel.from<number>(structuredClone(a.handle));
  assert.equal(b.capacity, 2);
  assert.equal(b.codec, "float64");
  const got = b.receive();
  await a.send(1.25);
  assert.deepEqual(await got, { value: 1.25, ok: true });
  b.close();
  assert.equal(a.closed, true);
  assert.throws(
    () =>
      SharedChannel.from({
        kind: "SharedChannel",
        buffer: new SharedArrayBuffer(8),
      }),
    TypeError,
  );
});

Deno.test("SharedChannel rejects a bad capacity or codec", () => {
  for (const capacity of [-1, 1.5, NaN, 2 ** 31]) {
    assert.throws(() => new SharedChannel({ capacity }), RangeError);
  }
  assert.throws(
    () => new SharedChannel({ codec: "xml" as CodecName }),
    TypeError,
  );
});

Deno.test("SharedChannel sendSync and recvSync throw MainThreadWaitError on the main thread", () => {
  const ch = new SharedChannel<number>({ capacity: 1, codec: "int32" });
  assert.throws(() => ch.sendSync(1), MainThreadWaitError);
  assert.throws(() => ch.recvSync(), MainThreadWaitError);
  ch.close();
});

Deno.test("SharedChannel unbuffered blocked senders are served in order on one thread", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const sends = [1, 2, 3, 4].map((v) => ch.send(v));
  const got = [];
  for (let i = 0; i < 4; i++) got.push((await ch.receive()).value);
  await Promise.all(sends);
  assert.deepEqual(got, [1, 2, 3, 4]);
  ch.close();
});

Deno.test("SharedChannel: operations blocked on one object of a channel are woken by another object of it on the same thread", async () => {
  for (
    const options of [
      { codec: "int32" }, // byte ring with the hand-off cell
      { capacity: 1, codec: "float64" }, // slot ring
      { capacity: 1, codec: "json" }, // byte ring
    ] as const
  ) {
    const a = new SharedChannel<number>(options);
    const b = SharedChannel.from<number>(structuredClone(a.handle));
    const c = SharedChannel.from<number>(structuredClone(a.handle));
    // Receivers blocked on two objects; a send on the third serves one.
    const r1 = b.receive();
    const r2 = c.receive();
    await a.send(1);
    await a.send(2);
    const got = [(await r1).value, (await r2).value].sort();
    assert.deepEqual(got, [1, 2], options.codec);
    // A sender blocked on one object; a receive on another takes its value.
    if (options.capacity === 1) await a.send(3);
    const s = b.send(4);
    if (options.capacity === 1) {
      assert.deepEqual(await c.receive(), { value: 3, ok: true });
    }
    assert.deepEqual(await c.receive(), { value: 4, ok: true });
    await s;
    a.close();
  }
});

Deno.test("SharedChannel bytes codec copies views at any offset and length whole, wrapping around a small ring", () => {
  const ch = new SharedChannel<Uint8Array>({
    capacity: 4,
    codec: "bytes",
    maxBytes: 128,
  });
  const backing = new Uint8Array(256).map((_, i) => i);
  const shared = new Uint8Array(new SharedArrayBuffer(64)).map((_, i) =>
    255 - i
  );
  // One record stays in the ring, so the next ones wrap around its end.
  const sent: Uint8Array[] = [new Uint8Array([7])];
  assert.equal(ch.trySend(sent[0]), true);
  for (let round = 0; round < 300; round++) {
    const offset = round % 7;
    const length = (round * 5) % 41;
    const view = round % 3 === 0
      ? shared.subarray(offset, offset + Math.min(length, 64 - offset))
      : backing.subarray(offset, offset + length);
    assert.equal(ch.trySend(view), true);
    sent.push(view.slice());
    const got = ch.tryReceive();
    assert.equal(got.state, "ok");
    assert.deepEqual((got as { value: Uint8Array }).value, sent.shift());
  }
});
