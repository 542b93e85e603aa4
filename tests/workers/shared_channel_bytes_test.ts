// Copyright the denogo authors. MIT license.
// A buffered SharedChannel of a variable-size codec whose ring is full by
// bytes before it is full by count: as Go's full channel, a send waits
// (trySend returns false) until receivers free the bytes; only a value that
// could never fit, even in an empty ring, is a RangeError.

import assert from "node:assert/strict";
import { ChannelClosedError, recv, select, send } from "../../mod.ts";
import { SharedChannel } from "../../workers/mod.ts";
import { BYTES_WAITING, SEND_WAITING } from "../../workers/_channel_words.ts";
import { settlesNow, until } from "../_util.ts";
import { spawn } from "./_spawn.ts";
import type { BytesJob } from "./_bytes_fixture.ts";

/**
 * A channel of capacity 8 whose 1,024-byte ring holds three of the values
 * `value(i)` makes (about 310 bytes each), for both codecs.
 */
const kinds = [
  {
    codec: "structured" as const,
    value: (i: number): unknown => `${i}:`.padEnd(300, "x"),
    same: (got: unknown, i: number) =>
      assert.equal(got, `${i}:`.padEnd(300, "x")),
  },
  {
    codec: "bytes" as const,
    value: (i: number): unknown => new Uint8Array(300).fill(i),
    same: (got: unknown, i: number) =>
      assert.deepEqual(got, new Uint8Array(300).fill(i)),
  },
];

function fullByBytes(
  codec: "structured" | "bytes",
  value: (i: number) => unknown,
) {
  const ch = new SharedChannel<unknown>({ capacity: 8, codec, maxBytes: 1024 });
  for (let i = 0; i < 3; i++) assert.equal(ch.trySend(value(i)), true);
  return ch;
}

for (const { codec, value, same } of kinds) {
  Deno.test(`SharedChannel (${codec}) full by bytes: trySend returns false until a receive frees them`, () => {
    const ch = fullByBytes(codec, value);
    assert.equal(ch.size, 3);
    assert.equal(ch.trySend(value(3)), false);
    assert.equal(ch.size, 3);
    const r = ch.tryReceive();
    assert.equal(r.state, "ok");
    same((r as { value: unknown }).value, 0);
    assert.equal(ch.trySend(value(3)), true);
    for (let i = 1; i <= 3; i++) {
      same((ch.tryReceive() as { value: unknown }).value, i);
    }
    assert.deepEqual(ch.tryReceive(), { state: "empty" });
  });

  Deno.test(`SharedChannel (${codec}) full by bytes: send blocks, then completes in order as receives free bytes`, async () => {
    const ch = fullByBytes(codec, value);
    const fourth = ch.send(value(3));
    const fifth = ch.send(value(4));
    assert.equal(await settlesNow(fourth), false);
    assert.equal(await settlesNow(fifth), false);
    assert.equal(ch.size, 3);
    same((await ch.receive()).value, 0);
    await fourth;
    assert.equal(await settlesNow(fifth), false);
    same((await ch.receive()).value, 1);
    await fifth;
    for (let i = 2; i <= 4; i++) same((await ch.receive()).value, i);
    assert.equal(ch.size, 0);
  });

  Deno.test(`SharedChannel (${codec}) full by bytes: a blocked send fails on close and the buffered values drain`, async () => {
    const ch = fullByBytes(codec, value);
    const blocked = ch.send(value(3));
    assert.equal(await settlesNow(blocked), false);
    ch.close();
    await assert.rejects(blocked, ChannelClosedError);
    for (let i = 0; i < 3; i++) same((await ch.receive()).value, i);
    assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
  });

  Deno.test(`SharedChannel (${codec}) full by bytes: an aborted send rejects with the reason and leaves the channel usable`, async () => {
    const ch = fullByBytes(codec, value);
    const abort = new AbortController();
    const blocked = ch.send(value(3), { signal: abort.signal });
    assert.equal(await settlesNow(blocked), false);
    abort.abort(new Error("stop"));
    await assert.rejects(blocked, /stop/);
    same((await ch.receive()).value, 0);
    assert.equal(ch.trySend(value(4)), true);
    for (const i of [1, 2, 4]) same((await ch.receive()).value, i);
    assert.equal(ch.size, 0);
  });

  Deno.test(`SharedChannel (${codec}) full by bytes: a value too large for the empty ring is a RangeError at once`, async () => {
    const ch = fullByBytes(codec, value);
    const huge = codec === "bytes" ? new Uint8Array(2000) : "y".repeat(2000);
    assert.throws(() => ch.trySend(huge), RangeError);
    await assert.rejects(ch.send(huge), /needs \d+ bytes/);
    assert.equal(ch.size, 3);
    for (let i = 0; i < 3; i++) same((await ch.receive()).value, i);
  });

  Deno.test(`SharedChannel (${codec}) full by bytes: select's send case waits for bytes, default fires meanwhile`, async () => {
    const ch = fullByBytes(codec, value);
    const other = new SharedChannel<number>({ capacity: 1, codec: "int32" });
    assert.equal(
      await select([send(ch, value(3), () => "sent")], {
        default: () => "default",
      }),
      "default",
    );
    const chosen = select([
      send(ch, value(3), () => "sent"),
      recv(other, () => "other"),
    ]);
    assert.equal(await settlesNow(chosen), false);
    assert.equal(ch.size, 3);
    same((await ch.receive()).value, 0);
    assert.equal(await chosen, "sent");
    for (let i = 1; i <= 3; i++) same((await ch.receive()).value, i);
    assert.deepEqual(other.tryReceive(), { state: "empty" });
    assert.deepEqual(ch.tryReceive(), { state: "empty" });
  });
}

/** Strings of 1 to 600 characters, each naming its index. */
function strings(n: number, seed: number): string[] {
  let x = seed;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out.push(`${i}:`.padEnd(1 + (x % 600), "abcdefgh"[x % 8]));
  }
  return out;
}

for (const batch of [false, true]) {
  Deno.test(`SharedChannel full by bytes: a worker's ${batch ? "sendManySync" : "sendSync"} waits for the main thread's receives, nothing lost or reordered`, async () => {
    using w = spawn<BytesJob>(new URL("./_bytes_fixture.ts", import.meta.url));
    const ch = new SharedChannel<string>({ capacity: 8, maxBytes: 1024 });
    const values = strings(2_000, batch ? 7 : 3);
    const sent = w.run({ cmd: "send", ch: ch.handle, values, batch });
    for (const v of values) assert.equal((await ch.receive()).value, v);
    assert.equal(await sent, values.length);
    assert.equal(ch.size, 0);
  });
}

Deno.test("SharedChannel full by bytes: the main thread's sends wait for a worker's recvSync, nothing lost or reordered", async () => {
  using w = spawn<BytesJob>(new URL("./_bytes_fixture.ts", import.meta.url));
  const ch = new SharedChannel<string>({ capacity: 8, maxBytes: 1024 });
  const values = strings(2_000, 11);
  const got = w.run({ cmd: "recv", ch: ch.handle, n: values.length });
  for (const v of values) await ch.send(v);
  assert.deepEqual(await got, values);
});

Deno.test("SharedChannel full by bytes: producers and consumers on three workers and the main thread lose, duplicate and reorder nothing", async () => {
  const url = new URL("./_bytes_fixture.ts", import.meta.url);
  using w1 = spawn<BytesJob>(url);
  using w2 = spawn<BytesJob>(url);
  using w3 = spawn<BytesJob>(url);
  const ch = new SharedChannel<string>({ capacity: 8, maxBytes: 1024 });
  const tagged = (who: string, seed: number) =>
    strings(600, seed).map((s) => `${who}${s}`);
  const a = tagged("a", 5), b = tagged("b", 6), m = tagged("m", 9);
  const total = a.length + b.length + m.length;
  const mine = total / 2;
  const theirs = w3.run({ cmd: "recv", ch: ch.handle, n: total - mine });
  const sent = Promise.all([
    w1.run({ cmd: "send", ch: ch.handle, values: a, batch: false }),
    w2.run({ cmd: "send", ch: ch.handle, values: b, batch: true }),
    (async () => {
      for (const v of m) await ch.send(v);
    })(),
  ]);
  const got: string[] = [];
  for (let i = 0; i < mine; i++) got.push((await ch.receive()).value!);
  await sent;
  const other = (await theirs) as string[];
  // Each consumer sees each producer's values in the order they were sent.
  for (const seen of [got, other]) {
    for (const list of [a, b, m]) {
      const order = seen.filter((v) => v[0] === list[0][0]);
      let at = 0;
      for (const v of order) {
        while (at < list.length && list[at] !== v) at++;
        assert.ok(at < list.length, `${v.slice(0, 8)} out of order`);
        at++;
      }
    }
  }
  assert.deepEqual([...got, ...other].sort(), [...a, ...b, ...m].sort());
  assert.equal(ch.size, 0);
});

// Senders waiting for bytes are served oldest first, before newcomers, as
// Go's blocked senders. A bytes channel of capacity 8 and 64 bytes, filled
// with four 12-byte values (16-byte records): full by bytes, not by count.

function smallFull() {
  const ch = new SharedChannel<Uint8Array>({
    codec: "bytes",
    capacity: 8,
    maxBytes: 64,
  });
  for (let i = 0; i < 4; i++) {
    assert.equal(ch.trySend(new Uint8Array(12)), true);
  }
  return ch;
}

/** Senders in the channel's queue for bytes (`_byte_waiters.ts`). */
function waitingForBytes(ch: SharedChannel<Uint8Array>): number {
  return Atomics.load(new Int32Array(ch.handle.buffer), BYTES_WAITING);
}

/** Senders blocked on the channel, on every thread. */
function blockedSenders(ch: SharedChannel<Uint8Array>): number {
  return Atomics.load(new Int32Array(ch.handle.buffer), SEND_WAITING);
}

/** The lengths of what the channel holds, received in order. */
function drainLengths(ch: SharedChannel<Uint8Array>): number[] {
  const out: number[] = [];
  for (let r = ch.tryReceive(); r.state === "ok"; r = ch.tryReceive()) {
    out.push(r.value.length);
  }
  return out;
}

Deno.test("SharedChannel full by bytes: a large send waiting for bytes is not overtaken by trySend of small values", async () => {
  const ch = smallFull();
  const big = ch.send(new Uint8Array(44)); // a 48-byte record
  let overtaken = 0;
  for (let round = 0; round < 3; round++) {
    assert.equal(ch.tryReceive().state, "ok");
    // Go: a non-blocking send fails while a blocked sender waits for room.
    if (ch.trySend(new Uint8Array(12))) overtaken++;
    await settlesNow(big);
  }
  assert.equal(overtaken, 0);
  await big;
  assert.equal(waitingForBytes(ch), 0);
  assert.deepEqual(drainLengths(ch), [12, 44]);
});

Deno.test("SharedChannel full by bytes: waiting senders of different sizes are served oldest first, across a worker", async () => {
  using w = spawn<BytesJob>(new URL("./_bytes_fixture.ts", import.meta.url));
  const ch = smallFull();
  const big = w.run({ cmd: "sendSize", ch: ch.handle, size: 44 });
  await until(() => blockedSenders(ch) === 1);
  const small = ch.send(new Uint8Array(4)); // would fit after one receive
  const middle = ch.send(new Uint8Array(28));
  assert.equal(waitingForBytes(ch), 3);
  assert.equal(ch.tryReceive().state, "ok");
  assert.equal(await settlesNow(small), false);
  assert.equal(ch.trySend(new Uint8Array(4)), false);
  // A select's send case waits in line too.
  assert.equal(
    await select([send(ch, new Uint8Array(4), () => "sent")], {
      default: () => "default",
    }),
    "default",
  );
  assert.equal(ch.tryReceive().state, "ok");
  assert.equal(ch.tryReceive().state, "ok");
  assert.equal(await big, 44);
  assert.equal(await settlesNow(small), false);
  assert.equal(ch.tryReceive().state, "ok");
  await small;
  assert.equal(await settlesNow(middle), false);
  assert.deepEqual(drainLengths(ch), [44, 4]);
  await middle;
  assert.deepEqual(drainLengths(ch), [28]);
  assert.equal(waitingForBytes(ch), 0);
});

Deno.test("SharedChannel full by bytes: an aborted waiting sender passes its turn on, oldest or not", async () => {
  const ch = smallFull();
  const oldest = new AbortController();
  const middle = new AbortController();
  const a = ch.send(new Uint8Array(44), { signal: oldest.signal });
  const b = ch.send(new Uint8Array(28), { signal: middle.signal });
  const c = ch.send(new Uint8Array(20));
  const d = ch.send(new Uint8Array(4));
  assert.equal(waitingForBytes(ch), 4);
  middle.abort(new Error("middle"));
  await assert.rejects(b, /middle/);
  oldest.abort(new Error("oldest"));
  await assert.rejects(a, /oldest/);
  // c (a 24-byte record) is next, then d.
  assert.equal(ch.tryReceive().state, "ok");
  assert.equal(await settlesNow(c), false);
  assert.equal(ch.tryReceive().state, "ok");
  await c;
  await d;
  assert.equal(waitingForBytes(ch), 0);
  assert.deepEqual(drainLengths(ch), [12, 12, 20, 4]);
  assert.equal(ch.trySend(new Uint8Array(12)), true);
});

Deno.test("SharedChannel full by bytes: close fails every sender waiting for bytes, on this thread and a worker's", async () => {
  using w = spawn<BytesJob>(new URL("./_bytes_fixture.ts", import.meta.url));
  const ch = smallFull();
  const remote = w.run({ cmd: "sendSize", ch: ch.handle, size: 44 });
  await until(() => blockedSenders(ch) === 1);
  const local = ch.send(new Uint8Array(4));
  assert.equal(await settlesNow(local), false);
  ch.close();
  await assert.rejects(local, ChannelClosedError);
  await assert.rejects(remote, /ChannelClosedError/);
  assert.equal(waitingForBytes(ch), 0);
  assert.deepEqual(drainLengths(ch), [12, 12, 12, 12]);
});

Deno.test("SharedChannel full by bytes: many waiting senders that leave out of turn do not wedge the line", async () => {
  const ch = smallFull();
  const controllers: AbortController[] = [];
  const sends: Promise<void>[] = [];
  for (let i = 0; i < 40; i++) {
    const c = new AbortController();
    controllers.push(c);
    sends.push(ch.send(new Uint8Array(44), { signal: c.signal }));
  }
  const last = ch.send(new Uint8Array(4));
  // The newest first: each is far behind the turn.
  for (let i = 39; i >= 0; i--) {
    controllers[i].abort(new Error("gone"));
    await assert.rejects(sends[i], /gone/);
  }
  assert.equal(ch.tryReceive().state, "ok");
  await last;
  assert.equal(waitingForBytes(ch), 0);
  assert.deepEqual(drainLengths(ch), [12, 12, 12, 4]);
});
