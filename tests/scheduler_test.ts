// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import {
  Channel,
  DeadlockError,
  go,
  goroutineDump,
  goroutines,
  numGoroutine,
  recv,
  select,
  setDeadlockDetection,
  setGoroutineTracing,
  yieldNow,
} from "../mod.ts";
import { flush } from "./_util.ts";

// go() -----------------------------------------------------------------------

Deno.test("go() returns at once and starts the goroutine after the caller yields", async () => {
  const events: string[] = [];
  const g = go(() => {
    events.push("goroutine");
  });
  events.push("caller");
  assert.deepEqual(events, ["caller"]);
  await Promise.resolve();
  assert.deepEqual(events, ["caller", "goroutine"]);
  await g;
});

Deno.test("go() resolves with the result of a sync function", async () => {
  assert.equal(await go(() => 42), 42);
  assert.equal(await go(() => undefined), undefined);
});

Deno.test("go() resolves with the result of an async function", async () => {
  const ch = new Channel<string>();
  const g = go(async () => {
    const { value } = await ch.receive();
    return `got ${value}`;
  });
  await ch.send("x");
  assert.equal(await g, "got x");
});

Deno.test("go() passes its arguments to the function", async () => {
  const g = go(
    (a: number, b: string, c: { k: boolean }) => [a, b, c],
    1,
    "two",
    {
      k: true,
    },
  );
  assert.deepEqual(await g, [1, "two", { k: true }]);
  const ch = new Channel<number>({ capacity: 3 });
  await Promise.all(
    [1, 2, 3].map((n) => go((x: number) => ch.send(x * 10), n)),
  );
  const got = [ch.tryReceive(), ch.tryReceive(), ch.tryReceive()].map((r) =>
    r.state === "ok" ? r.value : -1
  );
  assert.deepEqual(got.sort(), [10, 20, 30]);
});

Deno.test("go() rejects its promise when the goroutine throws, sync or async", async () => {
  await assert.rejects(
    go(() => {
      throw new Error("sync panic");
    }),
    /sync panic/,
  );
  await assert.rejects(
    go(async () => {
      await null;
      throw new TypeError("async panic");
    }),
    TypeError,
  );
  const ch = new Channel<number>();
  ch.close();
  await assert.rejects(go(() => ch.send(1)), { name: "ChannelClosedError" });
});

Deno.test("go() does not swallow an error nobody handles: it is an unhandled rejection", async () => {
  const seen: unknown[] = [];
  const onUnhandled = (event: PromiseRejectionEvent) => {
    seen.push(event.reason);
    event.preventDefault(); // Keep this test's deliberate panic from failing the run.
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    const panic = new Error("unhandled panic");
    go(() => {
      throw panic;
    });
    // Unhandled rejections are reported after the microtask queue drains.
    await flush();
    await flush();
    assert.deepEqual(seen, [panic]);
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
});

Deno.test("go() throws TypeError for something that is not a function, and starts nothing", () => {
  const before = numGoroutine();
  for (const bad of [undefined, null, 42, "fn", {}, Promise.resolve()]) {
    assert.throws(
      () => go(bad as unknown as () => void),
      (e) => {
        assert(e instanceof TypeError);
        assert.equal(
          e.message,
          `Cannot start goroutine: expected a function, received ${typeof bad}`,
        );
        return true;
      },
    );
  }
  assert.equal(numGoroutine(), before);
});

// numGoroutine() -------------------------------------------------------------

Deno.test("numGoroutine() counts the main program as one", () => {
  assert.equal(numGoroutine(), 1);
});

Deno.test("numGoroutine() counts live goroutines and returns to the baseline when they end", async () => {
  const baseline = numGoroutine();
  const ch = new Channel<void>();
  const gs = [1, 2, 3].map(() => go(() => ch.receive()));
  assert.equal(numGoroutine(), baseline + 3);
  await flush(); // All three are blocked, and still count.
  assert.equal(numGoroutine(), baseline + 3);
  await ch.send();
  await gs[0];
  assert.equal(numGoroutine(), baseline + 2);
  ch.close();
  await Promise.all(gs);
  assert.equal(numGoroutine(), baseline);
});

Deno.test("numGoroutine() stops counting a goroutine that threw", async () => {
  const baseline = numGoroutine();
  const g = go(() => {
    throw new Error("done");
  });
  assert.equal(numGoroutine(), baseline + 1);
  await assert.rejects(g);
  assert.equal(numGoroutine(), baseline);
});

// yieldNow() -----------------------------------------------------------------

Deno.test("yieldNow() lets a runnable goroutine run before the caller resumes", async () => {
  let ran = false;
  const g = go(() => {
    ran = true;
  });
  await yieldNow();
  assert.equal(ran, true);
  await g;
});

Deno.test("yieldNow() lets goroutines that yield take turns", async () => {
  const log: string[] = [];
  const worker = (name: string) => async () => {
    for (let i = 0; i < 50; i++) {
      log.push(name);
      await yieldNow();
    }
  };
  await Promise.all([go(worker("a")), go(worker("b"))]);
  assert.equal(log.length, 100);
  // Neither ran all of its steps before the other started.
  assert(log.indexOf("b") < log.lastIndexOf("a"));
  assert(log.indexOf("a") < log.lastIndexOf("b"));
});

Deno.test("yieldNow() in a busy loop does not starve timers", async () => {
  let fired = false;
  const timer = setTimeout(() => fired = true, 1);
  let spins = 0;
  while (!fired) {
    await yieldNow();
    spins++;
  }
  clearTimeout(timer);
  assert(spins > 0);
});

// Deadlock detection ---------------------------------------------------------
// The report ends the process, so tests/deadlock_test.ts runs it in child
// programs. Here: the switch, and what a test process can see.

Deno.test("setDeadlockDetection() returns the previous setting", () => {
  const was = setDeadlockDetection(false);
  try {
    assert.equal(setDeadlockDetection(true), false);
    assert.equal(setDeadlockDetection(false), true);
  } finally {
    setDeadlockDetection(was);
  }
});

Deno.test("setDeadlockDetection() throws TypeError for a non-boolean, and keeps its setting", () => {
  const was = setDeadlockDetection(true);
  try {
    for (
      const [value, shown] of [
        [1, "1"],
        ["yes", '"yes" (a string)'],
        [
          undefined,
          "undefined",
        ],
      ] as const
    ) {
      assert.throws(
        () => setDeadlockDetection(value as unknown as boolean),
        (e) => {
          assert(e instanceof TypeError);
          assert.equal(
            e.message,
            `Cannot set deadlock detection: expected a boolean, received ${shown}`,
          );
          return true;
        },
      );
    }
    assert.equal(setDeadlockDetection(true), true);
  } finally {
    setDeadlockDetection(was);
  }
});

Deno.test("DeadlockError carries Go's text", () => {
  const error = new DeadlockError("goroutine 1 [chan receive]:\nmain(...)");
  assert.equal(error.name, "DeadlockError");
  assert.equal(
    error.message,
    "all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\nmain(...)",
  );
});

// goroutines() and goroutineDump() --------------------------------------------

Deno.test("goroutines() lists the caller as goroutine 1, running, when nothing else exists", () => {
  const [first, ...rest] = goroutines();
  assert.deepEqual(first, {
    id: 1,
    state: "running",
    waitingMs: undefined,
    waitingOn: undefined,
    function: "main",
    createdBy: undefined,
    createdIn: undefined,
    site: undefined,
    frames: [],
  });
  assert.equal(rest.length, numGoroutine() - 1);
});

Deno.test("goroutines() shows what each goroutine waits on, its function and its parent", async () => {
  const a = new Channel<number>();
  const b = new Channel<number>();
  const done = new Channel<void>();
  const started = [
    go(async function sender() {
      await a.send(1);
    }),
    go(async function chooser() {
      await select([recv(b), recv(done)]);
    }),
    go(function parent() {
      return go(async function child() {
        await done.receive();
      });
    }),
  ];
  await flush();
  const mine = goroutines().filter((g) =>
    ["sender", "chooser", "child"].includes(g.function)
  );
  assert.deepEqual(
    mine.map((g) => [g.function, g.state, g.createdBy]),
    [
      ["sender", "chan send", "main"],
      ["chooser", "select", "main"],
      ["child", "chan receive", "parent"],
    ],
  );
  assert.equal(mine[2].createdIn, mine[0].id + 2, "the parent's id");
  // What each waits on, by the id its console.log shows (none for select).
  const id = (inspected: string) => inspected.match(/id: (\d+)/)?.[1];
  assert.deepEqual(mine.map((g) => g.waitingOn), [
    `Channel ${id(Deno.inspect(a))}`,
    undefined,
    `Channel ${id(Deno.inspect(done))}`,
  ]);
  assert(mine.every((g) => g.site === undefined && g.waitingMs === undefined));
  await a.receive();
  done.close();
  await Promise.all(started);
  assert.equal(goroutines().length, numGoroutine());
});

Deno.test("goroutines() names a goroutine blocked again after a channel resumed it", async () => {
  const ping = new Channel<number>();
  const g = go(async function echo() {
    await ping.receive();
    await ping.receive();
  });
  await flush();
  await ping.send(1);
  await flush();
  const echo = goroutines().find((r) => r.function === "echo");
  assert.equal(echo?.state, "chan receive");
  ping.close();
  await g;
});

Deno.test("goroutineDump() prints Go's blocks, one per goroutine", async () => {
  const ch = new Channel<number>();
  const g = go(async function consumer() {
    await ch.receive();
  });
  await flush();
  const dump = goroutineDump();
  assert.match(dump, /^goroutine 1 \[running\]:\nmain\(\.\.\.\)\n\n/);
  assert.match(
    dump,
    /\n\ngoroutine \d+ \[chan receive\]:\nconsumer\(\.\.\.\)\ncreated by main in goroutine 1(\n|$)/,
  );
  ch.close();
  await g;
});

Deno.test("setGoroutineTracing(true) records where go() was called and how long a wait has lasted", async () => {
  const was = setGoroutineTracing(true);
  try {
    const ch = new Channel<number>();
    const g = go(async function traced() {
      await ch.receive();
    });
    await flush();
    const record = goroutines().find((r) => r.function === "traced")!;
    assert.match(record.site ?? "", /scheduler_test\.ts:\d+:\d+$/);
    assert.equal(typeof record.waitingMs, "number");
    assert(record.waitingMs! >= 0);
    assert(record.frames.some((f) => /traced \(.*scheduler_test\.ts:/.test(f)));
    ch.close();
    await g;
  } finally {
    assert.equal(setGoroutineTracing(was), true);
  }
});

Deno.test("setGoroutineTracing() throws TypeError for a non-boolean", () => {
  assert.throws(
    () => setGoroutineTracing("on" as unknown as boolean),
    (e) => {
      assert(e instanceof TypeError);
      assert.equal(
        e.message,
        'Cannot set goroutine tracing: expected a boolean, received "on" (a string)',
      );
      return true;
    },
  );
});

Deno.test("go() starts goroutines in the order it was called, each body called as a plain function", async () => {
  const order: number[] = [];
  const receivers: unknown[] = [];
  const all = [];
  for (let i = 0; i < 5; i++) {
    all.push(go(function (this: unknown, n: number) {
      receivers.push(this);
      order.push(n);
    }, i));
  }
  assert.deepEqual(order, []);
  await Promise.all(all);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
  assert.deepEqual(receivers, [
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
});

Deno.test("goroutines() lists goroutines not started yet, with their ids, functions and parents", async () => {
  const base = numGoroutine();
  const before = goroutines().map((r) => r.id);
  const ch = new Channel<void>();
  const all = [
    go(function first() {}),
    go(async function second() {
      await ch.receive();
    }),
    go(function third(n: number) {
      return n;
    }, 3),
  ];
  assert.equal(numGoroutine(), base + 3);
  const listed = goroutines().filter((r) => !before.includes(r.id));
  assert.deepEqual(listed.map((r) => r.function), ["first", "second", "third"]);
  assert.equal(listed[1].id, listed[0].id + 1);
  assert.equal(listed[2].id, listed[1].id + 1);
  for (const r of listed) {
    assert.equal(r.state, "unknown");
    assert.equal(r.createdBy, "main");
    assert.equal(r.createdIn, 1);
  }
  await Promise.resolve();
  // The first and third ran and returned; the second is parked, same id.
  const second = goroutines().find((r) => r.function === "second")!;
  assert.equal(second.id, listed[1].id);
  assert.equal(second.state, "chan receive");
  ch.close();
  assert.deepEqual(await Promise.all(all), [undefined, undefined, 3]);
  assert.equal(numGoroutine(), base);
});

Deno.test("a sync goroutine that starts a child and returns a plain value is its parent, and is gone before the child runs", async () => {
  const base = numGoroutine();
  const gate = new Channel<void>();
  const events: string[] = [];
  let child: Promise<unknown> | undefined;
  let self: { id: number; function: string; state: string } | undefined;
  const parent = go(function syncParent() {
    child = go(async function child() {
      events.push("child");
      await gate.receive();
    });
    self = goroutines().find((r) => r.state === "running");
    events.push("parent returns");
    return 42;
  });
  assert.equal(await parent, 42);
  assert.equal(self?.function, "syncParent");
  await yieldNow();
  assert.deepEqual(events, ["parent returns", "child"]);
  assert.equal(
    numGoroutine(),
    base + 1,
    "the parent is gone, the child parked",
  );
  const record = goroutines().find((r) => r.function === "child")!;
  assert.equal(record.state, "chan receive");
  assert.equal(record.createdBy, "syncParent");
  assert.equal(record.createdIn, self?.id);
  assert.equal(record.id, self!.id + 1);
  assert.equal(
    goroutines().some((r) => r.function === "syncParent"),
    false,
  );
  gate.close();
  await child;
  assert.equal(numGoroutine(), base);
});

Deno.test("sync goroutines that ask for nothing keep the ids and counts of those around them", async () => {
  const base = numGoroutine();
  const before = goroutines().map((r) => r.id);
  const gate = new Channel<void>();
  const all = [
    go(function plainA() {
      return "a";
    }),
    go(async function parkedB() {
      await gate.receive();
    }),
    go(function throwsC() {
      go(function grandchild() {});
      throw new Error("c");
    }),
    go(async function parkedD() {
      await gate.receive();
    }),
  ];
  const ids = goroutines().filter((r) => !before.includes(r.id)).map((r) =>
    r.id
  );
  assert.equal(ids.length, 4);
  const settled = Promise.allSettled(all);
  await flush();
  // A and C are gone (C's grandchild has run too); B and D keep their ids.
  assert.equal(numGoroutine(), base + 2);
  const parked = goroutines().filter((r) =>
    r.state === "chan receive" &&
    (r.function === "parkedB" || r.function === "parkedD")
  );
  assert.deepEqual(parked.map((r) => r.id), [ids[1], ids[3]]);
  gate.close();
  const results = await settled;
  assert.equal(results[0].status, "fulfilled");
  assert.equal(results[2].status, "rejected");
  assert.equal(numGoroutine(), base);
});

Deno.test("goroutines() names each goroutine's parent when two goroutines start children in turn", async () => {
  const gate = new Channel<void>();
  const children: Promise<unknown>[] = [];
  const child = () => gate.receive();
  // A receive that had to wait resumes its goroutine by name, so the second
  // go() of each parent runs as that parent.
  const turnA = new Channel<void>();
  const turnB = new Channel<void>();
  const parents = [
    go(async function parentA() {
      children.push(go(child));
      await turnA.receive();
      children.push(go(child));
    }),
    go(async function parentB() {
      children.push(go(child));
      await turnB.receive();
      children.push(go(child));
    }),
  ];
  await yieldNow(); // Both parents run up to their receives and park.
  await turnA.send();
  await turnB.send();
  await Promise.all(parents);
  const records = goroutines().filter((r) => r.function === "child");
  assert.deepEqual(records.map((r) => r.createdBy), [
    "parentA",
    "parentB",
    "parentA",
    "parentB",
  ]);
  assert.equal(records[0].createdIn, records[2].createdIn);
  assert.equal(records[1].createdIn, records[3].createdIn);
  assert.notEqual(records[0].createdIn, records[1].createdIn);
  gate.close();
  await Promise.all(children);
});

Deno.test("go() keeps order and counts when goroutines not started never run out", async () => {
  // Each body starts the next goroutine before returning, so the queue of
  // goroutines not started stays thousands long while its front moves on.
  const base = numGoroutine();
  const order: number[] = [];
  let next = 0;
  const total = 20_000;
  const all: Promise<void>[] = [];
  const body = (n: number) => {
    order.push(n);
    if (next < total) all.push(go(body, next++));
  };
  for (let i = 0; i < 4_000; i++) all.push(go(body, next++));
  assert.equal(numGoroutine(), base + 4_000);
  while (all.length < total) await Promise.all(all);
  await Promise.all(all);
  assert.equal(order.length, total);
  assert.ok(order.every((n, i) => n === i));
  assert.equal(numGoroutine(), base);
});
