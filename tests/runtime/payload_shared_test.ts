// Copyright the denogo authors. MIT license.

/**
 * Shared objects cross into tasks as themselves: every shared type, a
 * `SharedArrayBuffer` and views over one, at any depth of arrays, plain
 * objects, Map and Set, in a task's arguments (`run`, `go`, `module()`,
 * `spawn`) and result, and in values on a `structured` SharedChannel,
 * arrive as working objects of the same class over the same memory. What
 * cannot be copied (a function, a symbol, a class instance in a task's
 * payload) is refused with a typed error naming it and where it is.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Channel, recv, select } from "../../mod.ts";
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
import type * as Shared from "./_shared_tasks.ts";

const TASKS = new URL("./_tasks.ts", import.meta.url);
const SHARED = new URL("./_shared_tasks.ts", import.meta.url);

/** One of every shared object, with its class. */
function sharedValues(): [string, object, unknown][] {
  const sab = new SharedArrayBuffer(16);
  return [
    ["SharedChannel", new SharedChannel({ capacity: 1 }), SharedChannel],
    ["SharedMutex", new SharedMutex(), SharedMutex],
    ["SharedRWMutex", new SharedRWMutex(), SharedRWMutex],
    ["SharedSemaphore", new SharedSemaphore(1), SharedSemaphore],
    ["SharedOnce", new SharedOnce(), SharedOnce],
    ["SharedWaitGroup", new SharedWaitGroup(), SharedWaitGroup],
    ["AtomicInt32", new AtomicInt32(), AtomicInt32],
    ["AtomicBigInt64", new AtomicBigInt64(), AtomicBigInt64],
    ["SharedContext", new SharedContext(), SharedContext],
    ["SharedArrayBuffer", sab, SharedArrayBuffer],
    ["Int32Array", new Int32Array(sab, 4, 2), Int32Array],
    ["DataView", new DataView(sab, 8), DataView],
  ];
}

/** The memory under a shared object. */
function memoryOf(v: object): SharedArrayBuffer {
  if (v instanceof SharedArrayBuffer) return v;
  if (ArrayBuffer.isView(v)) return v.buffer as SharedArrayBuffer;
  return (v as { handle: { buffer: SharedArrayBuffer } }).handle.buffer;
}

Deno.test("each shared object, nested at any depth, is used by the task over the same memory", async () => {
  await using rt = await Runtime.start({ procs: 2 });
  const sab = new SharedArrayBuffer(16);
  const wg = new SharedWaitGroup();
  wg.add(1);
  const i32 = new AtomicInt32();
  const i64 = new AtomicBigInt64();
  const kit: Shared.Kit = {
    jobs: { ch: new SharedChannel<number>({ capacity: 1, codec: "float64" }) },
    sync: [
      new SharedMutex(),
      new SharedRWMutex(),
      new SharedSemaphore(1),
      new SharedOnce(),
      wg,
    ],
    atomics: new Map<string, AtomicInt32 | AtomicBigInt64>([
      ["i32", i32],
      ["i64", i64],
    ]),
    ctx: new SharedContext(),
    bytes: { sab, view: new Int32Array(sab), data: new DataView(sab) },
  };
  const names = await rt.module<typeof Shared>(SHARED).useKit(kit, 7);
  assert.deepEqual(names, [
    "SharedChannel",
    "SharedMutex",
    "SharedRWMutex",
    "SharedSemaphore",
    "SharedOnce",
    "SharedWaitGroup",
    "AtomicInt32",
    "AtomicBigInt64",
    "SharedContext",
    "true",
  ]);
  assert.deepEqual(kit.jobs.ch.tryReceive(), { state: "ok", value: 7 });
  assert.equal(i32.load(), 1);
  assert.equal(i64.load(), 2n);
  assert.deepEqual([...new Int32Array(sab)], [0, 5, 9, 11]);
  await wg.wait(); // the task's done() reached this group
  assert.equal(kit.sync[3].done, true);
  for (const mu of [kit.sync[0], kit.sync[1]]) {
    assert.equal(mu.tryLock(), true); // unlocked by the task
  }
});

Deno.test("a task sends on a channel it was given while the caller receives; go, run and spawn", async () => {
  await using rt = await Runtime.start({ procs: 2 });
  for (
    const start of [
      (out: { ch: SharedChannel<number> }) => rt.go(SHARED, "produce", out, 50),
      (out: { ch: SharedChannel<number> }) =>
        rt.run(SHARED, "produce", [out, 50]),
      (out: { ch: SharedChannel<number> }) =>
        rt.module<typeof Shared>(SHARED).spawnProduce(out, 50),
    ]
  ) {
    const ch = new SharedChannel<number>({ capacity: 4, codec: "float64" });
    const done = start({ ch });
    const got: number[] = [];
    for await (const v of ch) got.push(v);
    await done;
    assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => i + 1));
  }
});

Deno.test("shared objects come back from a task as themselves; one object twice stays one", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const made = await rt.run<{ list: [SharedChannel<number>] }>(
    SHARED,
    "makeChannel",
    [2],
  );
  assert.ok(made.list[0] instanceof SharedChannel);
  assert.deepEqual(made.list[0].tryReceive(), { state: "ok", value: 0 });
  for (const [name, value, type] of sharedValues()) {
    const back = await rt.go<{ a: [object, object]; s: Set<object> }>(
      SHARED,
      "echo",
      { a: [value, value], s: new Set([value]) },
    );
    assert.ok(back.a[0] instanceof (type as typeof Object), name);
    assert.equal(back.a[0], back.a[1], name);
    assert.equal(memoryOf(back.a[0]), memoryOf(value), name);
    assert.equal([...back.s][0], back.a[0], name);
  }
  const view = new Int32Array(new SharedArrayBuffer(16), 4, 2);
  const back = await rt.go<Int32Array>(SHARED, "echo", view);
  assert.deepEqual([back.byteOffset, back.length], [4, 2]);
});

Deno.test("shared objects cross inside values on a structured SharedChannel, both ways", async () => {
  await using rt = await Runtime.start({ procs: 2 });
  const t = rt.module<typeof Shared>(SHARED);
  const box = new SharedChannel<unknown>({ capacity: 2 });
  // Main to task: the task receives { out, n } and sends n on out.
  const out = new SharedChannel<number>({ capacity: 1, codec: "int32" });
  await box.send({ out: [out], n: 5, mu: new SharedMutex() });
  assert.deepEqual(await t.receiveAndSend(box), "SharedMutex");
  assert.deepEqual(out.tryReceive(), { state: "ok", value: 5 });
  // Task to main: the task makes a channel with values and sends it.
  await t.sendMade(box, 3);
  const { value } = await box.receive();
  const made = (value as Map<string, SharedChannel<number>>).get("ch")!;
  assert.ok(made instanceof SharedChannel);
  assert.deepEqual(made.tryReceive(), { state: "ok", value: 0 });
  // On one thread too, while a runtime runs here.
  const ctx = new SharedContext();
  box.trySend([ctx]);
  const got = box.tryReceive() as { value: [SharedContext] };
  assert.ok(got.value[0] instanceof SharedContext);
  ctx.cancel();
  assert.ok(got.value[0].err() !== undefined);
});

Deno.test("a task's cancellation through a shared context it was given", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const ctx = new SharedContext();
  const waiting = rt.go<string>(SHARED, "awaitCancel", ctx);
  ctx.cancel(new Error("stop"));
  assert.match(await waiting, /cancel/i);
});

Deno.test("bad inputs: functions, symbols, class instances are refused with a TaskPayloadError naming where", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  class Point {
    constructor(readonly x: number) {}
  }
  const cyclic: Record<string, unknown> = { ch: new SharedChannel() };
  cyclic.self = cyclic;
  for (
    const [args, phrase] of [
      [[() => 1], "argument 0 is a function"],
      [[1, { f: Symbol("s") }], 'argument 1, field "f", is a symbol'],
      [[new Channel<number>(1)], "argument 0 is a Channel (a class instance)"],
      [
        [[0, { p: new Point(1) }]],
        'argument 0, its element 1, field "p", is a Point (a class instance)',
      ],
      [
        [new Map([["k", () => 1]])],
        "argument 0, a Map entry, is a function",
      ],
      [[new Set([new Point(2)])], "argument 0, a Set value, is a Point"],
      [[cyclic], "argument 0 is in a cycle that holds a shared object"],
    ] as [unknown[], string][]
  ) {
    await assert.rejects(rt.go(TASKS, "echo", ...args), (error: Error) => {
      assert.ok(error instanceof TaskPayloadError, error.message);
      assert.ok(
        error.message.startsWith(
          `Cannot pass the arguments to or from a task: ${phrase}`,
        ),
        error.message,
      );
      return true;
    });
  }
  await assert.rejects(rt.go(TASKS, "echoClass"), (error: Error) => {
    assert.match(
      error.message,
      /Cannot pass the result to or from a task: field "p", is a Point \(a class instance\)/,
    );
    return true;
  });
  assert.equal(await rt.go(TASKS, "inc", 1), 2); // still healthy
});

Deno.test("plain data, Map, Set, Date, errors, views over an ArrayBuffer and cycles still cross", async () => {
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
  // Plain data takes the JS format, with what JSON cannot say.
  const odd = [
    -0,
    NaN,
    undefined,
    Infinity,
    "é\ud800",
    { a: [1, "x"] },
    2 ** 40,
  ];
  assert.deepEqual(await rt.run(TASKS, "echo", [odd]), odd);
  assert.ok(Object.is((await rt.run<number[]>(TASKS, "echo", [[-0]]))[0], -0));
});

Deno.test("with no runtime on the thread, a structured SharedChannel refuses shared objects with a CodecError, and stays usable", () => {
  const ch = new SharedChannel<unknown>({ capacity: 4, codec: "structured" });
  for (const [name, value] of sharedValues()) {
    for (const v of [value, { a: [value] }, new Map([[1, value]])]) {
      assert.throws(() => ch.trySend(v), (error: Error) => {
        assert.ok(error instanceof CodecError, error.message);
        assert.ok(error.message.includes(` ${name}`), error.message);
        assert.match(error.message, /no Runtime runs on this thread/);
        return true;
      });
    }
  }
  assert.throws(() => ch.trySend({ h: ch.handle }), CodecError);
  assert.throws(() => ch.trySend([() => 1]), /its element 0, is a function/);
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

Deno.test("a replacement worker opens the memory its predecessor was sent or made", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const mine = new SharedChannel<number>({ capacity: 8, codec: "float64" });
  await rt.go(SHARED, "produce", { ch: mine }, 2);
  const made = await rt.run<{ list: [SharedChannel<number>] }>(
    SHARED,
    "makeChannel",
    [1],
  );
  await assert.rejects(rt.go(TASKS, "closeSelf"), /self\.close\(\)/);
  const again = new SharedChannel<number>({ capacity: 8, codec: "float64" });
  // The same memory, sent to the new worker: it got it at its start.
  const back = await rt.go<[SharedChannel<number>, SharedChannel<number>]>(
    SHARED,
    "echo",
    [made.list[0], SharedChannel.from(mine.handle)],
  );
  assert.deepEqual(back[0].tryReceive(), { state: "ok", value: 0 });
  assert.deepEqual([mine.tryReceive(), back[1].tryReceive()], [
    { state: "ok", value: 1 },
    { state: "ok", value: 2 },
  ]);
  await rt.go(SHARED, "produce", { ch: again }, 1);
  assert.deepEqual(again.tryReceive(), { state: "ok", value: 1 });
  assert.equal(rt.stats().crashes, 1);
});

Deno.test("a channel made in a task on one worker reaches a task blocked on the other", async () => {
  await using rt = await Runtime.start({ procs: 2 });
  const t = rt.module<typeof Shared>(SHARED);
  const ready = new SharedChannel<number>({ capacity: 1, codec: "int32" });
  const box = new SharedChannel<unknown>({ capacity: 1 });
  const blocked = t.blockForChannel(ready, box);
  const first = (await ready.receive()).value!;
  // That worker is blocked in recvSync: the other one runs this task.
  const [got, second] = await t.handOffChannel(box);
  assert.equal(got, 42);
  assert.notEqual(second, first);
  assert.equal(await blocked, first);
});

Deno.test("a shared type's handle crosses as a handle over the same memory", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const ch = new SharedChannel<number>({ capacity: 1, codec: "int32" });
  const back = await rt.go<typeof ch.handle>(SHARED, "echo", ch.handle);
  assert.equal(back.kind, "SharedChannel");
  assert.equal(back.buffer, ch.handle.buffer);
  SharedChannel.from(back).trySend(3);
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 3 });
});

Deno.test("a shared object whose memory no runtime of this thread carries cannot be opened: a TypeError naming it", async () => {
  const box = new SharedChannel<unknown>({ capacity: 2 });
  {
    await using _rt = await Runtime.start({ procs: 1 });
    box.trySend({ ch: new SharedChannel({ capacity: 1 }) }); // plain format
    box.trySend(new Map([[1, new SharedMutex()]])); // node:v8
  }
  for (const kind of ["SharedChannel", "SharedMutex"]) {
    assert.throws(() => box.tryReceive(), (error: Error) => {
      assert.ok(error instanceof TypeError, error.message);
      assert.equal(
        error.message,
        `Cannot open the ${kind} in a value from another thread: its memory ` +
          `did not reach this thread (shared objects cross between the ` +
          `threads of one Runtime: its main thread and its workers)`,
      );
      return true;
    });
  }
});

Deno.test("a SharedChannel in a task's payload keeps its claims arena: the task's trySend finds a select blocked on the caller's thread", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const a = new SharedChannel<number>({ codec: "float64" });
  const b = new SharedChannel<number>({ codec: "structured" });
  const got = select([recv(a, (v) => ["a", v]), recv(b, (v) => ["b", v])]);
  // Only b's trySend can succeed: the select is gone after it.
  const sent = await rt.module<typeof Shared>(SHARED).trySendEach(
    { list: [b, a] },
    3,
  );
  assert.deepEqual(sent, [true, false]);
  assert.deepEqual(await got, ["b", 3]);
  a.close();
  b.close();
});
