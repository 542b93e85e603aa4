// Copyright the denogo authors. MIT license.

/**
 * What cannot be copied as data into a task's payload (or a `structured`
 * channel) is refused with a typed error that names it and where it is,
 * instead of arriving flattened (`tasks.f(ch)` as `{}`): shared memory at
 * any depth, a tier-1 `Channel`, any other class instance, a function.
 * Plain data, Map, Set, Date and typed arrays over an `ArrayBuffer` still
 * cross.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Channel } from "../../mod.ts";
import { Runtime, TaskPayloadError } from "../../runtime/mod.ts";
import {
  AtomicBigInt64,
  AtomicInt32,
  CodecError,
  SharedChannel,
  SharedContext,
  SharedMutex,
  SharedOnce,
  SharedRWMutex,
  SharedSemaphore,
  SharedWaitGroup,
} from "../../workers/mod.ts";

const TASKS = new URL("./_tasks.ts", import.meta.url);

/** One of every shared type, with its class name. */
function sharedValues(): [string, unknown][] {
  const sab = new SharedArrayBuffer(8);
  return [
    ["SharedChannel", new SharedChannel({ capacity: 1 })],
    ["SharedMutex", new SharedMutex()],
    ["SharedRWMutex", new SharedRWMutex()],
    ["SharedSemaphore", new SharedSemaphore(1)],
    ["SharedOnce", new SharedOnce()],
    ["SharedWaitGroup", new SharedWaitGroup()],
    ["AtomicInt32", new AtomicInt32()],
    ["AtomicBigInt64", new AtomicBigInt64()],
    ["SharedContext", new SharedContext()],
    ["SharedArrayBuffer", sab],
    ["Int32Array over a SharedArrayBuffer", new Int32Array(sab)],
    ["DataView over a SharedArrayBuffer", new DataView(sab)],
  ];
}

Deno.test("every shared type, at any depth, is refused with a TaskPayloadError naming it and where it is", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  for (const [name, value] of sharedValues()) {
    for (
      const [args, where] of [
        [[value], "argument 0 is"],
        [[1, { jobs: value }], 'argument 1, field "jobs", is'],
        [[[0, [value]]], "argument 0, its element 1, its element 0, is"],
        [[new Map([["k", value]])], "argument 0, a Map entry, is"],
        [[new Set([value])], "argument 0, a Set value, is"],
      ] as [unknown[], string][]
    ) {
      await assert.rejects(rt.go(TASKS, "echo", ...args), (error: Error) => {
        assert.ok(error instanceof TaskPayloadError, error.message);
        assert.ok(
          error.message.startsWith(
            `Cannot pass the arguments to or from a task: ${where} a${
              /^[AEIO]/.test(name) ? "n" : ""
            } ${name};`,
          ),
          error.message,
        );
        assert.match(error.message, /shared memory .* cannot cross/);
        return true;
      });
    }
  }
  assert.equal(await rt.go(TASKS, "inc", 1), 2); // still healthy
});

Deno.test("a shared type's handle is refused too: its buffer is a SharedArrayBuffer", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const ch = new SharedChannel({ capacity: 1 });
  await assert.rejects(
    rt.go(TASKS, "echo", ch.handle),
    (error: Error) =>
      error instanceof TaskPayloadError &&
      error.message.includes(
        'argument 0, field "buffer", is a SharedArrayBuffer',
      ),
  );
});

Deno.test("a tier-1 Channel or another class instance is refused, not flattened into an object", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  class Point {
    constructor(readonly x: number) {}
  }
  for (
    const [value, phrase] of [
      [new Channel<number>(1), "argument 0 is a Channel (a class instance)"],
      [
        { p: new Point(1) },
        'argument 0, field "p", is a Point (a class instance)',
      ],
      [[() => 1], "argument 0, its element 0, is a function"],
    ] as [unknown, string][]
  ) {
    await assert.rejects(rt.go(TASKS, "echo", value), (error: Error) => {
      assert.ok(error instanceof TaskPayloadError);
      assert.ok(error.message.includes(phrase), error.message);
      return true;
    });
  }
});

Deno.test("a task's result is checked the same way", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  await assert.rejects(rt.go(TASKS, "makeShared"), (error: Error) => {
    assert.ok(error instanceof Error);
    assert.match(
      error.message,
      /Cannot pass the result to or from a task: field "ch", is a SharedChannel/,
    );
    return true;
  });
});

Deno.test("plain data, Map, Set, Date, errors and views over an ArrayBuffer still cross", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const value = {
    list: [1, "two", null, undefined, [3n]],
    map: new Map<unknown, unknown>([[1, new Set(["a"])], ["d", new Date(5)]]),
    bytes: new Uint8Array([1, 2, 3]),
    view: new DataView(new ArrayBuffer(4)),
    error: new RangeError("r"),
    nul: Object.assign(Object.create(null), { a: 1 }),
  };
  const cyclic: Record<string, unknown> = { n: 1 };
  cyclic.self = cyclic;
  const back = await rt.go(TASKS, "echo", value) as typeof value;
  assert.deepEqual(back.list, value.list);
  assert.deepEqual(back.map, value.map);
  assert.deepEqual(back.bytes, value.bytes);
  assert.ok(back.view instanceof DataView);
  assert.ok(back.error instanceof RangeError);
  assert.equal(back.nul.a, 1);
  const c = await rt.go(TASKS, "echo", cyclic) as typeof cyclic;
  assert.equal(c.self, c);
});

Deno.test("a structured SharedChannel refuses shared memory at any depth with a CodecError, and stays usable", () => {
  const ch = new SharedChannel<unknown>({ capacity: 4, codec: "structured" });
  for (const [name, value] of sharedValues()) {
    for (const v of [value, { a: [value] }, new Map([[1, value]])]) {
      assert.throws(() => ch.trySend(v), (error: Error) => {
        assert.ok(error instanceof CodecError, error.message);
        assert.ok(error.message.includes(` ${name}:`), error.message);
        assert.match(error.message, /send its \.handle to a worker/);
        return true;
      });
    }
  }
  assert.throws(() => ch.trySend({ h: ch.handle }), CodecError);
  // Class instances keep structured clone's semantics on a channel.
  class Point {
    constructor(readonly x: number) {}
  }
  assert.equal(ch.trySend(new Map([[1, new Point(2)]])), true);
  assert.deepEqual(ch.tryReceive(), {
    state: "ok",
    value: new Map([[1, { x: 2 }]]),
  });
});
