// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import {
  Channel,
  ChannelClosedError,
  go,
  type ReceiveChannel,
  type ReceiveResult,
  type SendChannel,
} from "../mod.ts";
import { flush, settlesNow, track } from "./_util.ts";

// Unbuffered channels --------------------------------------------------------

Deno.test("Channel: an unbuffered send does not resolve until a receiver takes the value", async () => {
  const ch = new Channel<number>();
  const sent = ch.send(1);
  assert.equal(await settlesNow(sent), false);
  assert.equal(ch.size, 0);
  const sendState = track(sent);
  const received = ch.receive();
  // The receive takes the value from the parked sender at once.
  assert.deepEqual(await received, { value: 1, ok: true });
  await sent;
  assert.equal(sendState.settled, true);
});

Deno.test("Channel: an unbuffered receive does not resolve until a sender gives a value", async () => {
  const ch = new Channel<string>();
  const received = ch.receive();
  assert.equal(await settlesNow(received), false);
  await ch.send("hi"); // Resolves at once: the receiver was waiting.
  assert.deepEqual(await received, { value: "hi", ok: true });
});

Deno.test("Channel: an unbuffered send completes only in a rendezvous with its receiver", async () => {
  const ch = new Channel<number>();
  const events: string[] = [];
  const sender = go(async () => {
    events.push("send start");
    await ch.send(7);
    events.push("send done");
  });
  await flush();
  assert.deepEqual(events, ["send start"]);
  events.push("receive");
  const r = await ch.receive();
  assert.deepEqual(r, { value: 7, ok: true });
  await sender;
  assert.deepEqual(events, ["send start", "receive", "send done"]);
});

Deno.test("Channel.trySend() on an unbuffered channel succeeds only with a waiting receiver", async () => {
  const ch = new Channel<number>();
  assert.equal(ch.trySend(1), false);
  assert.equal(ch.size, 0);
  const received = ch.receive();
  assert.equal(ch.trySend(2), true);
  assert.deepEqual(await received, { value: 2, ok: true });
  assert.equal(ch.trySend(3), false);
});

// Buffered channels ----------------------------------------------------------

Deno.test("Channel: a buffered channel delivers values in FIFO order", async () => {
  const ch = new Channel<number>({ capacity: 100 });
  for (let i = 0; i < 100; i++) await ch.send(i);
  assert.equal(ch.size, 100);
  for (let i = 0; i < 100; i++) {
    assert.deepEqual(await ch.receive(), { value: i, ok: true });
  }
  assert.equal(ch.size, 0);
});

Deno.test("Channel: a buffered channel keeps FIFO order as its buffer wraps around and grows", () => {
  const ch = new Channel<number>({ capacity: 112 });
  let next = 0;
  let expected = 0;
  // Interleave sends and receives so the ring's head moves while it grows.
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 4 + round * 3; i++) {
      assert.equal(ch.trySend(next++), true);
    }
    for (let i = 0; i < 3 + round; i++) {
      assert.deepEqual(ch.tryReceive(), { state: "ok", value: expected++ });
    }
  }
  while (ch.size > 0) {
    assert.deepEqual(ch.tryReceive(), { state: "ok", value: expected++ });
  }
  assert.equal(expected, next);
});

Deno.test("Channel: a buffered send blocks only when the buffer is full", async () => {
  const ch = new Channel<number>({ capacity: 2 });
  assert.equal(await settlesNow(ch.send(1)), true);
  assert.equal(await settlesNow(ch.send(2)), true);
  assert.equal(ch.size, 2);
  const third = ch.send(3);
  assert.equal(await settlesNow(third), false);
  assert.equal(ch.size, 2);
  assert.deepEqual(await ch.receive(), { value: 1, ok: true });
  await third; // The blocked value moved into the freed slot.
  assert.equal(ch.size, 2);
  assert.deepEqual(await ch.receive(), { value: 2, ok: true });
  assert.deepEqual(await ch.receive(), { value: 3, ok: true });
});

Deno.test("Channel: a buffered receive blocks only when the buffer is empty", async () => {
  const ch = new Channel<number>({ capacity: 2 });
  await ch.send(1);
  assert.equal(await settlesNow(ch.receive()), true);
  const blocked = ch.receive();
  assert.equal(await settlesNow(blocked), false);
  await ch.send(2); // Goes straight to the waiting receiver.
  assert.equal(ch.size, 0);
  assert.deepEqual(await blocked, { value: 2, ok: true });
});

Deno.test("Channel: blocked senders are served in arrival order", async () => {
  for (const capacity of [0, 1, 3]) {
    const ch = new Channel<string>({ capacity });
    const buffered: string[] = [];
    for (let i = 0; i < capacity; i++) {
      buffered.push(`b${i}`);
      await ch.send(`b${i}`);
    }
    const resolved: string[] = [];
    const sends = ["x", "y", "z"].map((v) =>
      ch.send(v).then(() => resolved.push(v))
    );
    await flush();
    assert.deepEqual(resolved, []);
    const got: string[] = [];
    for (let i = 0; i < capacity + 3; i++) {
      const r = await ch.receive();
      assert.equal(r.ok, true);
      got.push(r.value!);
    }
    await Promise.all(sends);
    assert.deepEqual(got, [...buffered, "x", "y", "z"], `capacity ${capacity}`);
    assert.deepEqual(resolved, ["x", "y", "z"], `capacity ${capacity}`);
  }
});

Deno.test("Channel: blocked receivers are served in arrival order", async () => {
  for (const capacity of [0, 2]) {
    const ch = new Channel<number>({ capacity });
    const order: number[] = [];
    const receives = [0, 1, 2].map((i) =>
      ch.receive().then((r) => {
        order.push(i);
        return r.value;
      })
    );
    await flush();
    assert.deepEqual(order, []);
    for (const v of [10, 11, 12]) await ch.send(v);
    assert.deepEqual(await Promise.all(receives), [10, 11, 12]);
    assert.deepEqual(order, [0, 1, 2]);
    assert.equal(ch.size, 0);
  }
});

Deno.test("Channel: a receive from a full buffer admits the oldest blocked sender", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  await ch.send(0);
  const first = track(ch.send(1));
  const second = track(ch.send(2));
  await flush();
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 0 });
  await flush();
  assert.equal(first.settled, true);
  assert.equal(second.settled, false);
  assert.equal(ch.size, 1);
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 1 });
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 2 });
  await flush();
  assert.equal(second.settled, true);
  assert.deepEqual(ch.tryReceive(), { state: "empty" });
});

// close() -------------------------------------------------------------------

Deno.test("Channel.close() lets receivers drain the buffer, then receives return ok = false", async () => {
  const ch = new Channel<number>({ capacity: 3 });
  await ch.send(1);
  await ch.send(2);
  ch.close();
  assert.equal(ch.closed, true);
  assert.equal(ch.size, 2);
  assert.deepEqual(await ch.receive(), { value: 1, ok: true });
  assert.deepEqual(await ch.receive(), { value: 2, ok: true });
  assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
  assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
  assert.equal(ch.size, 0);
});

Deno.test("Channel.close() wakes every blocked receiver with ok = false", async () => {
  const ch = new Channel<number>();
  const receives = [ch.receive(), ch.receive(), ch.receive()];
  assert.equal(await settlesNow(Promise.race(receives)), false);
  ch.close();
  for (const r of await Promise.all(receives)) {
    assert.deepEqual(r, { value: undefined, ok: false });
  }
});

Deno.test("Channel.close() rejects every blocked sender with ChannelClosedError carrying its value", async () => {
  const ch = new Channel<string>();
  const sends = ["a", "b"].map((v) => ch.send(v));
  assert.equal(await settlesNow(Promise.race(sends)), false);
  ch.close();
  for (const [i, p] of sends.entries()) {
    await assert.rejects(p, (e) => {
      assert(e instanceof ChannelClosedError);
      assert.equal(e.name, "ChannelClosedError");
      assert.equal(e.value, ["a", "b"][i]);
      assert.match(e.message, /Cannot send on a closed channel/);
      return true;
    });
  }
  assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
});

Deno.test("Channel.close() keeps buffered values but rejects the senders blocked on a full buffer", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  await ch.send(1);
  const blocked = ch.send(2);
  await flush();
  ch.close();
  await assert.rejects(blocked, (e) => {
    assert(e instanceof ChannelClosedError);
    assert.equal(e.value, 2);
    return true;
  });
  assert.deepEqual(await ch.receive(), { value: 1, ok: true });
  assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
});

Deno.test("Channel.send() on a closed channel rejects with ChannelClosedError instead of throwing", async () => {
  const ch = new Channel<number>({ capacity: 4 });
  ch.close();
  let promise: Promise<void> | undefined;
  assert.doesNotThrow(() => promise = ch.send(5));
  await assert.rejects(promise!, (e) => {
    assert(e instanceof ChannelClosedError);
    assert.equal(e.value, 5);
    assert.match(e.message, /^Cannot send on a closed channel: .*close\(\)/);
    return true;
  });
  assert.equal(ch.size, 0);
});

Deno.test("Channel.close() of a closed channel throws ChannelClosedError", () => {
  const ch = new Channel();
  ch.close();
  assert.throws(() => ch.close(), (e) => {
    assert(e instanceof ChannelClosedError);
    assert(e instanceof Error);
    assert.equal(e.value, undefined);
    assert.match(
      e.message,
      /^Cannot close a closed channel: close a channel exactly once/,
    );
    return true;
  });
  assert.equal(ch.closed, true);
});

Deno.test("Channel.trySend() on a closed channel throws ChannelClosedError carrying the value", () => {
  const ch = new Channel<string>({ capacity: 1 });
  ch.close();
  assert.throws(() => ch.trySend("lost"), (e) => {
    assert(e instanceof ChannelClosedError);
    assert.equal(e.value, "lost");
    return true;
  });
  assert.equal(ch.size, 0);
});

// undefined as a value -------------------------------------------------------

Deno.test("Channel: undefined is a legal value, told apart from a closed channel by ok", async () => {
  const ch = new Channel<undefined | number>({ capacity: 3 });
  await ch.send(undefined);
  await ch.send(undefined);
  await ch.send(1);
  ch.close();
  assert.deepEqual(await ch.receive(), { value: undefined, ok: true });
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: undefined });
  assert.deepEqual(await ch.receive(), { value: 1, ok: true });
  assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
  assert.deepEqual(ch.tryReceive(), { state: "closed" });
});

Deno.test("Channel: undefined passes through an unbuffered rendezvous and a for-await loop", async () => {
  const ch = new Channel<undefined>();
  const received = ch.receive();
  await ch.send(undefined);
  assert.deepEqual(await received, { value: undefined, ok: true });
  const producer = go(async () => {
    for (let i = 0; i < 3; i++) await ch.send(undefined);
    ch.close();
  });
  let count = 0;
  for await (const v of ch) {
    assert.equal(v, undefined);
    count++;
  }
  assert.equal(count, 3);
  await producer;
});

// size, capacity, closed -----------------------------------------------------

Deno.test("Channel.size, .capacity and .closed report len, cap and the closed state", async () => {
  const unbuffered = new Channel<number>();
  assert.equal(unbuffered.capacity, 0);
  assert.equal(unbuffered.size, 0);
  assert.equal(unbuffered.closed, false);
  const blocked = unbuffered.send(1);
  assert.equal(unbuffered.size, 0); // A blocked sender is not in the buffer.
  unbuffered.close();
  await assert.rejects(blocked, ChannelClosedError);

  const ch = new Channel<number>({ capacity: 3 });
  assert.equal(ch.capacity, 3);
  assert.equal(new Channel({}).capacity, 0);
  assert.equal(new Channel({ capacity: undefined }).capacity, 0);
  ch.trySend(1);
  ch.trySend(2);
  assert.equal(ch.size, 2);
  ch.close();
  assert.equal(ch.closed, true);
  assert.equal(ch.size, 2);
  assert.equal(ch.capacity, 3);
  ch.tryReceive();
  assert.equal(ch.size, 1);
});

Deno.test("Channel: a huge capacity is accepted and costs memory only for what it holds", () => {
  const ch = new Channel<number>({ capacity: Number.MAX_SAFE_INTEGER });
  assert.equal(ch.capacity, Number.MAX_SAFE_INTEGER);
  for (let i = 0; i < 1000; i++) assert.equal(ch.trySend(i), true);
  assert.equal(ch.size, 1000);
  ch.close();
});

// trySend / tryReceive -------------------------------------------------------

Deno.test("Channel.trySend() reports whether a buffered channel had room", () => {
  const ch = new Channel<number>({ capacity: 2 });
  assert.equal(ch.trySend(1), true);
  assert.equal(ch.trySend(2), true);
  assert.equal(ch.trySend(3), false);
  assert.equal(ch.size, 2);
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 1 });
  assert.equal(ch.trySend(3), true);
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 2 });
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 3 });
});

Deno.test("Channel.tryReceive() reports empty, ok and closed", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  assert.deepEqual(ch.tryReceive(), { state: "empty" });
  ch.trySend(1);
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 1 });
  assert.deepEqual(ch.tryReceive(), { state: "empty" });
  ch.trySend(2);
  ch.close();
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 2 });
  assert.deepEqual(ch.tryReceive(), { state: "closed" });
  assert.deepEqual(ch.tryReceive(), { state: "closed" });

  // Unbuffered: tryReceive takes from a blocked sender and completes its send.
  const unbuffered = new Channel<string>();
  assert.deepEqual(unbuffered.tryReceive(), { state: "empty" });
  const sent = unbuffered.send("x");
  assert.deepEqual(unbuffered.tryReceive(), { state: "ok", value: "x" });
  await sent;
  assert.deepEqual(unbuffered.tryReceive(), { state: "empty" });
  unbuffered.close();
  assert.deepEqual(unbuffered.tryReceive(), { state: "closed" });
});

// for await ------------------------------------------------------------------

Deno.test("Channel: for await ranges over the values until the channel is closed", async () => {
  const ch = new Channel<number>();
  const producer = go(async () => {
    for (let i = 0; i < 5; i++) await ch.send(i);
    ch.close();
  });
  const seen: number[] = [];
  for await (const v of ch) seen.push(v);
  assert.deepEqual(seen, [0, 1, 2, 3, 4]);
  await producer;
});

Deno.test("Channel: for await ends at once on a closed, drained channel", async () => {
  const ch = new Channel<number>({ capacity: 2 });
  ch.trySend(1);
  ch.close();
  assert.deepEqual(await Array.fromAsync(ch), [1]);
  assert.deepEqual(await Array.fromAsync(ch), []);
});

Deno.test("Channel: break out of for await leaves the channel open with its remaining values", async () => {
  const ch = new Channel<number>({ capacity: 4 });
  for (const v of [1, 2, 3, 4]) await ch.send(v);
  for await (const v of ch) {
    if (v === 2) break;
  }
  assert.equal(ch.closed, false);
  assert.equal(ch.size, 2);
  assert.deepEqual(await ch.receive(), { value: 3, ok: true });
  await ch.send(5);
  ch.close();
  assert.deepEqual(await Array.fromAsync(ch), [4, 5]);
});

Deno.test("Channel: several for await loops share the values without duplicating any", async () => {
  const ch = new Channel<number>();
  const consume = async () => {
    const got: number[] = [];
    for await (const v of ch) got.push(v);
    return got;
  };
  const consumers = [go(consume), go(consume), go(consume)];
  for (let i = 0; i < 300; i++) await ch.send(i);
  ch.close();
  const all = (await Promise.all(consumers)).flat().sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 300 }, (_, i) => i));
});

// Streams --------------------------------------------------------------------

Deno.test("Channel.toReadableStream() yields the values and ends when the channel is closed", async () => {
  const ch = new Channel<string>();
  const producer = go(async () => {
    for (const s of ["a", "b", "c"]) await ch.send(s);
    ch.close();
  });
  assert.deepEqual(await Array.fromAsync(ch.toReadableStream()), [
    "a",
    "b",
    "c",
  ]);
  await producer;
});

Deno.test("Channel.toReadableStream() receives only when read", async () => {
  const ch = new Channel<number>({ capacity: 3 });
  for (const v of [1, 2, 3]) ch.trySend(v);
  const reader = ch.toReadableStream().getReader();
  await flush();
  assert.equal(ch.size, 3); // Nothing is pulled ahead of a read.
  assert.deepEqual(await reader.read(), { value: 1, done: false });
  await flush();
  assert.equal(ch.size, 2);
  await reader.cancel();
  assert.equal(ch.closed, false);
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 2 });
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 3 });
});

// Cancelling the stream while a read is pending must withdraw that read's
// receive from the channel, or the next value sent would be lost to it.
Deno.test("Channel.toReadableStream() cancelled during a pending read loses no later value", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  const reader = ch.toReadableStream().getReader();
  const read = reader.read();
  await flush();
  await reader.cancel();
  assert.deepEqual(await read, { value: undefined, done: true });
  assert.equal(ch.closed, false);
  ch.trySend(42);
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 42 });
});

Deno.test("Channel.toWritableStream() sends each chunk and closes the channel when the stream closes", async () => {
  const ch = new Channel<number>();
  const piping = go(() =>
    ReadableStream.from([1, 2, 3]).pipeTo(ch.toWritableStream())
  );
  assert.deepEqual(await Array.fromAsync(ch), [1, 2, 3]);
  assert.equal(ch.closed, true);
  await piping;
});

Deno.test("Channel.toWritableStream() applies the channel's backpressure", async () => {
  const ch = new Channel<string>();
  const writer = ch.toWritableStream().getWriter();
  const write = writer.write("a");
  assert.equal(await settlesNow(write), false);
  assert.deepEqual(await ch.receive(), { value: "a", ok: true });
  await write;
  const closing = writer.close();
  await closing;
  assert.equal(ch.closed, true);
});

Deno.test("Channel.toWritableStream() errors a write to a closed channel", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  ch.close();
  const writer = ch.toWritableStream().getWriter();
  await assert.rejects(writer.write(1), ChannelClosedError);
});

// using / await using --------------------------------------------------------

Deno.test("Channel: using closes the channel at the end of the scope", async () => {
  let ref: Channel<number>;
  let waiting: Promise<ReceiveResult<number>>;
  {
    using ch = new Channel<number>();
    ref = ch;
    waiting = ch.receive();
  }
  assert.equal(ref.closed, true);
  assert.deepEqual(await waiting, { value: undefined, ok: false });
});

Deno.test("Channel: await using closes the channel, and disposing a closed channel does not throw", async () => {
  let ref: Channel<number>;
  {
    await using ch = new Channel<number>({ capacity: 1 });
    ref = ch;
    await ch.send(1);
  }
  assert.equal(ref.closed, true);
  assert.deepEqual(await ref.receive(), { value: 1, ok: true });
  {
    using ch = new Channel<number>();
    ch.close(); // Closed by hand inside the scope: dispose is a no-op.
  }
  {
    await using ch = new Channel<number>();
    ch.close();
  }
});

// AbortSignal ----------------------------------------------------------------

Deno.test("Channel.send() with a signal: aborting a blocked send rejects it and leaves other senders in order", async () => {
  const ch = new Channel<string>();
  const controller = new AbortController();
  const first = ch.send("first");
  const cancelled = ch.send("cancelled", { signal: controller.signal });
  const last = ch.send("last");
  await flush();
  const reason = new Error("stop");
  controller.abort(reason);
  await assert.rejects(cancelled, (e) => e === reason);
  assert.deepEqual(await ch.receive(), { value: "first", ok: true });
  assert.deepEqual(await ch.receive(), { value: "last", ok: true });
  await Promise.all([first, last]);
  assert.deepEqual(ch.tryReceive(), { state: "empty" });
});

Deno.test("Channel.send() with a signal: an aborted send on a full buffer leaves the buffer as it was", async () => {
  const ch = new Channel<number>({ capacity: 2 });
  await ch.send(1);
  await ch.send(2);
  const controller = new AbortController();
  const cancelled = ch.send(3, { signal: controller.signal });
  const kept = ch.send(4);
  await flush();
  controller.abort();
  await assert.rejects(cancelled, (e) => {
    assert(e instanceof DOMException);
    assert.equal(e.name, "AbortError");
    return true;
  });
  assert.equal(ch.size, 2);
  ch.close(); // Rejects the kept sender; the buffer stays.
  await assert.rejects(kept, ChannelClosedError);
  assert.deepEqual(await Array.fromAsync(ch), [1, 2]);
});

Deno.test("Channel.receive() with a signal: aborting a blocked receive loses no value and keeps the order", async () => {
  const ch = new Channel<number>();
  const controller = new AbortController();
  const first = ch.receive();
  const cancelled = ch.receive({ signal: controller.signal });
  const last = ch.receive();
  await flush();
  controller.abort("gone");
  await assert.rejects(cancelled, (e) => e === "gone");
  assert.equal(ch.trySend(1), true);
  assert.equal(ch.trySend(2), true);
  assert.equal(ch.trySend(3), false); // No receiver left, not even the cancelled one.
  assert.deepEqual(await first, { value: 1, ok: true });
  assert.deepEqual(await last, { value: 2, ok: true });
});

Deno.test("Channel: an already-aborted signal rejects a send or receive that would block, without parking it", async () => {
  const ch = new Channel<number>();
  const signal = AbortSignal.abort("early");
  await assert.rejects(ch.send(1, { signal }), (e) => e === "early");
  await assert.rejects(ch.receive({ signal }), (e) => e === "early");
  assert.deepEqual(ch.tryReceive(), { state: "empty" }); // No parked sender.
  assert.equal(ch.trySend(1), false); // No parked receiver.
});

Deno.test("Channel: an already-aborted signal does not stop a send or receive that can complete at once", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  const signal = AbortSignal.abort();
  await ch.send(1, { signal });
  assert.equal(ch.size, 1);
  assert.deepEqual(await ch.receive({ signal }), { value: 1, ok: true });
  ch.close();
  assert.deepEqual(await ch.receive({ signal }), {
    value: undefined,
    ok: false,
  });
});

Deno.test("Channel: aborting after a send or receive completed changes nothing", async () => {
  const ch = new Channel<number>();
  const controller = new AbortController();
  const received = ch.receive({ signal: controller.signal });
  const sent = ch.send(9, { signal: controller.signal });
  assert.deepEqual(await received, { value: 9, ok: true });
  await sent;
  controller.abort();
  await flush();
  assert.deepEqual(ch.tryReceive(), { state: "empty" });
});

// Bad input ------------------------------------------------------------------

Deno.test("Channel constructor throws RangeError for a capacity that is not a non-negative integer", () => {
  const bad: [unknown, string][] = [
    [-1, "-1"],
    [1.5, "1.5"],
    [NaN, "NaN"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
    [2 ** 53, "9007199254740992"],
  ];
  for (const [capacity, shown] of bad) {
    for (const options of [{ capacity }, capacity]) {
      let made: Channel<unknown> | undefined;
      assert.throws(
        () => made = new Channel(options as number),
        {
          name: "RangeError",
          message:
            `Cannot create channel: capacity must be a non-negative integer, received ${shown}`,
        },
      );
      assert.equal(made, undefined);
    }
  }
});

Deno.test("Channel constructor throws TypeError for a capacity that is not a number, and says so", () => {
  const bad: [unknown, string][] = [
    ["3", '"3" (a string)'],
    [1n, "1n (a bigint)"],
    [null, "null"],
    [true, "true (a boolean)"],
    [{}, "an object"],
  ];
  for (const [capacity, shown] of bad) {
    assert.throws(
      () => new Channel({ capacity: capacity as number }),
      {
        name: "TypeError",
        message:
          `Cannot create channel: capacity must be a non-negative integer, received ${shown}`,
      },
    );
  }
  for (const [options, shown] of [["3", '"3" (a string)'], [null, "null"]]) {
    assert.throws(() => new Channel(options as never), {
      name: "TypeError",
      message:
        `Cannot create channel: options must be an object such as { capacity: 3 } or a capacity number, received ${shown}`,
    });
  }
});

Deno.test("new Channel(3) is a channel of capacity 3, as Go's make(chan T, 3)", async () => {
  const ch = new Channel<number>(3);
  assert.equal(ch.capacity, 3);
  for (let i = 0; i < 3; i++) assert.equal(ch.trySend(i), true);
  assert.equal(ch.trySend(3), false);
  assert.equal(new Channel(0).capacity, 0);
  assert.equal(new Channel().capacity, 0);
  assert.equal(new Channel(undefined).capacity, 0);
  assert.deepEqual(await ch.receive(), { value: 0, ok: true });
});

Deno.test("send() and receive() reject with TypeError for bad options and change nothing", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  await assert.rejects(ch.send(1, 5 as never), {
    name: "TypeError",
    message:
      "Cannot send on channel: options must be an object such as { signal }, received 5",
  });
  await assert.rejects(ch.send(1, { signal: "s" as never }), {
    name: "TypeError",
    message:
      'Cannot send on channel: options.signal must be an AbortSignal, received "s" (a string)',
  });
  assert.equal(ch.size, 0);
  ch.trySend(2);
  await assert.rejects(ch.receive(null as never), {
    name: "TypeError",
    message:
      "Cannot receive from channel: options must be an object such as { signal }, received null",
  });
  await assert.rejects(ch.receive({ signal: {} as never }), {
    name: "TypeError",
    message:
      "Cannot receive from channel: options.signal must be an AbortSignal, received an object",
  });
  assert.equal(ch.size, 1);
  assert.deepEqual(await ch.receive({}), { value: 2, ok: true });
});

// Types ----------------------------------------------------------------------

Deno.test("SendChannel and ReceiveChannel views allow only their half of the operations", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  const out: SendChannel<number> = ch;
  const input: ReceiveChannel<number> = ch;
  await out.send(1);
  assert.equal(out.size, 1);
  assert.deepEqual(await input.receive(), { value: 1, ok: true });
  assert.equal(out.trySend(2), true);
  assert.deepEqual(input.tryReceive(), { state: "ok", value: 2 });
  out.close();
  assert.equal(input.closed, true);

  // Type-level checks: compiled by `deno check`, never run.
  const typeChecks = async () => {
    // @ts-expect-error A ReceiveChannel cannot send.
    input.send(1);
    // @ts-expect-error A ReceiveChannel cannot close.
    input.close();
    // @ts-expect-error A SendChannel cannot receive.
    out.receive();
    // @ts-expect-error A SendChannel is not iterable.
    for await (const _ of out);
    // @ts-expect-error Values are typed.
    out.send("one");
  };
  assert.equal(typeof typeChecks, "function");
});

Deno.test("ReceiveResult narrows the value to T once ok is checked", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  ch.trySend(3);
  const r = await ch.receive();
  if (r.ok) {
    const n: number = r.value;
    assert.equal(n, 3);
  } else {
    const u: undefined = r.value;
    assert.fail(`unexpected ${u}`);
  }
  const typeChecks = (unchecked: ReceiveResult<number>) => {
    // @ts-expect-error Without checking ok, the value may be undefined.
    const _n: number = unchecked.value;
  };
  assert.equal(typeof typeChecks, "function");
});

Deno.test("ChannelClosedError is an Error that names the failed operation and carries the value", () => {
  const send = new ChannelClosedError("send", { id: 1 });
  assert(send instanceof Error);
  assert.equal(send.name, "ChannelClosedError");
  assert.deepEqual(send.value, { id: 1 });
  assert.match(send.message, /send/);
  const close = new ChannelClosedError("close");
  assert.equal(close.value, undefined);
  assert.match(close.message, /close/);
});
