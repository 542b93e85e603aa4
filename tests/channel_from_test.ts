// Copyright the denogo authors. MIT license.
import assert from "node:assert/strict";
import { Channel, numGoroutine } from "../mod.ts";
import { flush } from "./_util.ts";

Deno.test("Channel.from() sends an array's values in order and closes", async () => {
  const ch = Channel.from([1, 2, 3]);
  assert.equal(ch.capacity, 0);
  assert.deepEqual(await Array.fromAsync(ch), [1, 2, 3]);
  assert.equal(ch.closed, true);
  assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
});

Deno.test("Channel.from() takes a generator, a Set, a string and an empty iterable", async () => {
  function* gen() {
    yield "x";
    yield "y";
  }
  assert.deepEqual(await Array.fromAsync(Channel.from(gen())), ["x", "y"]);
  assert.deepEqual(await Array.fromAsync(Channel.from(new Set([4, 5]))), [
    4,
    5,
  ]);
  assert.deepEqual(await Array.fromAsync(Channel.from("ab")), ["a", "b"]);
  const empty = Channel.from([]);
  assert.deepEqual(await empty.receive(), { value: undefined, ok: false });
});

Deno.test("Channel.from() takes an async generator, a ReadableStream and another channel", async () => {
  async function* gen() {
    yield 1;
    await Promise.resolve();
    yield 2;
  }
  assert.deepEqual(await Array.fromAsync(Channel.from(gen())), [1, 2]);
  const stream = ReadableStream.from(["s", "t"]);
  assert.deepEqual(await Array.fromAsync(Channel.from(stream)), ["s", "t"]);
  const inner = Channel.from([7, 8]);
  assert.deepEqual(await Array.fromAsync(Channel.from(inner)), [7, 8]);
});

Deno.test("Channel.from() sends a sync iterable's promises as values, undefined included", async () => {
  const p = Promise.resolve(1);
  const ch = Channel.from<unknown>([p, undefined]);
  assert.equal((await ch.receive()).value, p);
  assert.deepEqual(await ch.receive(), { value: undefined, ok: true });
  assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
});

Deno.test("Channel.from() waits for receivers: an unbuffered channel pulls one value per receive", async () => {
  let pulled = 0;
  function* gen() {
    for (let i = 0; i < 10; i++) {
      pulled++;
      yield i;
    }
  }
  const ch = Channel.from(gen());
  await flush();
  assert.equal(pulled, 1); // Blocked sending the first value.
  assert.deepEqual(await ch.receive(), { value: 0, ok: true });
  await flush();
  assert.equal(pulled, 2);
  const buffered = Channel.from(gen(), { capacity: 3 });
  await flush();
  assert.equal(buffered.size, 3);
});

Deno.test("Channel.from() runs its filler as a goroutine that ends when the source does", async () => {
  const before = numGoroutine();
  const ch = Channel.from([1]);
  assert.equal(numGoroutine(), before + 1);
  await Array.fromAsync(ch);
  await flush();
  assert.equal(numGoroutine(), before);
});

Deno.test("Channel.from() stops when the signal aborts: return() runs and the channel closes", async () => {
  let finalized = false;
  function* gen() {
    try {
      for (let i = 0;; i++) yield i;
    } finally {
      finalized = true;
    }
  }
  const controller = new AbortController();
  const ch = Channel.from(gen(), { signal: controller.signal });
  assert.deepEqual(await ch.receive(), { value: 0, ok: true });
  controller.abort(new Error("enough"));
  assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
  assert.equal(finalized, true);
});

Deno.test("Channel.from() with an aborted signal sends nothing", async () => {
  let pulled = false;
  function* gen() {
    pulled = true;
    yield 1;
  }
  const ch = Channel.from(gen(), { signal: AbortSignal.abort() });
  assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
  assert.equal(pulled, false);
});

Deno.test("Channel.from() stops quietly when the channel is closed under it", async () => {
  let finalized = false;
  async function* gen() {
    try {
      for (let i = 0;; i++) yield i;
    } finally {
      finalized = true;
    }
  }
  const ch = Channel.from(gen());
  assert.deepEqual(await ch.receive(), { value: 0, ok: true });
  ch.close(); // The filler is blocked sending 1: that send fails, it stops.
  const before = numGoroutine();
  while (!finalized) await flush();
  await flush();
  assert.equal(numGoroutine(), before - 1);
});

Deno.test("Channel.from() hands the iterable's error to onError, then closes the channel", async () => {
  const boom = new Error("boom");
  async function* gen() {
    yield 1;
    throw boom;
  }
  const errors: unknown[] = [];
  const ch = Channel.from(gen(), { onError: (e) => errors.push(e) });
  assert.deepEqual(await Array.fromAsync(ch), [1]);
  assert.deepEqual(errors, [boom]); // Handled before the channel closed.
  // A sync iterator whose next() throws, before any value.
  const sync: Iterable<number> = {
    [Symbol.iterator]: () => ({
      next: () => {
        throw boom;
      },
    }),
  };
  const errors2: unknown[] = [];
  const ch2 = Channel.from(sync, { onError: (e) => errors2.push(e) });
  assert.deepEqual(await ch2.receive(), { value: undefined, ok: false });
  assert.deepEqual(errors2, [boom]);
});

Deno.test("Channel.from() without onError does not swallow the iterable's error: it is an unhandled rejection", async () => {
  const seen: unknown[] = [];
  const onUnhandled = (event: PromiseRejectionEvent) => {
    seen.push(event.reason);
    event.preventDefault(); // This test's deliberate panic.
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    const boom = new Error("unhandled iterable error");
    const failing: Iterable<number> = {
      [Symbol.iterator]: () => ({
        next: () => {
          throw boom;
        },
      }),
    };
    const ch = Channel.from(failing);
    assert.deepEqual(await ch.receive(), { value: undefined, ok: false });
    await flush();
    await flush();
    assert.deepEqual(seen, [boom]);
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
});

Deno.test("Channel.from() throws TypeError for a source that is not iterable, and starts nothing", () => {
  const before = numGoroutine();
  const bad: [unknown, string][] = [
    [5, "5"],
    [undefined, "undefined"],
    [null, "null"],
    [{}, "an object"],
    [Promise.resolve([1]), "an instance of Promise"],
  ];
  for (const [source, shown] of bad) {
    assert.throws(() => Channel.from(source as never), {
      name: "TypeError",
      message:
        `Cannot make a channel with Channel.from(): source must be an iterable or an async iterable, received ${shown}`,
    });
  }
  assert.throws(() => Channel.from([1], 3 as never), {
    name: "TypeError",
    message:
      "Cannot make a channel with Channel.from(): options must be an object such as { capacity: 3 }, received 3",
  });
  assert.throws(() => Channel.from([1], { signal: 1 as never }), {
    name: "TypeError",
    message:
      "Cannot make a channel with Channel.from(): options.signal must be an AbortSignal, received 1",
  });
  assert.throws(() => Channel.from([1], { onError: "x" as never }), {
    name: "TypeError",
    message:
      'Cannot make a channel with Channel.from(): options.onError must be a function, received "x" (a string)',
  });
  assert.throws(() => Channel.from([1], { capacity: "3" as never }), {
    name: "TypeError",
    message:
      'Cannot create channel: capacity must be a non-negative integer, received "3" (a string)',
  });
  assert.throws(() => Channel.from([1], { capacity: -1 }), RangeError);
  assert.equal(numGoroutine(), before);
});
