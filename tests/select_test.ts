// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import {
  Channel,
  ChannelClosedError,
  go,
  recv,
  select,
  SelectCase,
  send,
} from "../mod.ts";
import { assertBinomial, flush, settlesNow, track } from "./_util.ts";

// Ready cases ----------------------------------------------------------------

Deno.test("select() runs the ready receive case with its value and ok", async () => {
  const idle = new Channel<number>();
  const ready = new Channel<string>({ capacity: 1 });
  ready.trySend("x");
  const r = await select([
    recv(idle, () => "idle"),
    recv(ready, (v, ok) => ({ v, ok })),
  ]);
  assert.deepEqual(r, { v: "x", ok: true });
  assert.deepEqual(ready.tryReceive(), { state: "empty" });
});

Deno.test("select() runs the ready send case and delivers its value", async () => {
  const full = new Channel<number>({ capacity: 1 });
  full.trySend(0);
  const room = new Channel<number>({ capacity: 1 });
  const r = await select([
    send(full, 1, () => "full"),
    send(room, 2, () => "room"),
  ]);
  assert.equal(r, "room");
  assert.deepEqual(room.tryReceive(), { state: "ok", value: 2 });
  assert.deepEqual(full.tryReceive(), { state: "ok", value: 0 });
  assert.deepEqual(full.tryReceive(), { state: "empty" });
});

Deno.test("select() send case takes a parked receiver of an unbuffered channel", async () => {
  const ch = new Channel<number>();
  const received = ch.receive();
  assert.equal(await select([send(ch, 5, () => "sent")]), "sent");
  assert.deepEqual(await received, { value: 5, ok: true });
});

Deno.test("select() receive case takes a parked sender of an unbuffered channel and completes its send", async () => {
  const ch = new Channel<number>();
  const sent = ch.send(8);
  assert.equal(await select([recv(ch, (v) => v)]), 8);
  await sent;
});

Deno.test("select() case without a body resolves to undefined", async () => {
  const ch = new Channel<number>({ capacity: 2 });
  ch.trySend(1);
  assert.equal(await select([recv(ch)]), undefined);
  assert.equal(await select([send(ch, 2)]), undefined);
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 2 });
});

Deno.test("select() chooses uniformly at random among the ready cases", async () => {
  const chans = [0, 1, 2].map(() => new Channel<number>({ capacity: 1 }));
  for (const ch of chans) ch.trySend(0);
  const trials = 30_000;
  const counts = [0, 0, 0];
  const cases = chans.map((ch, i) => recv(ch, () => i));
  for (let t = 0; t < trials; t++) {
    const i = await select(cases);
    counts[i]++;
    chans[i].trySend(0); // Keep every case ready.
  }
  for (let i = 0; i < 3; i++) {
    assertBinomial(counts[i], trials, 1 / 3, `case ${i}`);
  }
});

Deno.test("select() chooses uniformly among ready cases only, mixing sends and receives", async () => {
  const ready = [0, 1, 2, 3].map(() => new Channel<number>({ capacity: 1 }));
  const notReady = new Channel<number>();
  const full = new Channel<number>({ capacity: 1 });
  full.trySend(0);
  ready[0].trySend(0);
  ready[1].trySend(0);
  const trials = 20_000;
  const counts = [0, 0, 0, 0];
  let wrong = 0;
  for (let t = 0; t < trials; t++) {
    const i = await select([
      recv(notReady, () => -1),
      recv(ready[0], () => 0),
      send(full, 9, () => -1),
      recv(ready[1], () => 1),
      send(ready[2], 0, () => 2),
      recv(null, () => -1),
      send(ready[3], 0, () => 3),
    ]);
    if (i < 0) {
      wrong++;
      continue;
    }
    counts[i]++;
    // Restore the state: two receive cases full, two send cases empty.
    if (i < 2) ready[i].trySend(0);
    else ready[i].tryReceive();
  }
  assert.equal(wrong, 0);
  for (let i = 0; i < 4; i++) {
    assertBinomial(counts[i], trials, 1 / 4, `case ${i}`);
  }
});

Deno.test("select() commits exactly one of several ready cases", async () => {
  for (let t = 0; t < 50; t++) {
    const inputs = [0, 1, 2].map(() => new Channel<number>({ capacity: 1 }));
    inputs.forEach((ch, i) => ch.trySend(i));
    const outputs = [0, 1, 2].map(() => new Channel<number>({ capacity: 1 }));
    const r = await select([
      ...inputs.map((ch) => recv(ch, (v) => `recv ${v}`)),
      ...outputs.map((ch, i) => send(ch, i, () => `send ${i}`)),
    ]);
    const left = inputs.reduce((n, ch) => n + ch.size, 0);
    const sent = outputs.reduce((n, ch) => n + ch.size, 0);
    if (r.startsWith("recv")) {
      assert.equal(left, 2);
      assert.equal(sent, 0);
      assert.equal(inputs[Number(r.slice(5))].size, 0);
    } else {
      assert.equal(left, 3);
      assert.equal(sent, 1);
      assert.equal(outputs[Number(r.slice(5))].size, 1);
    }
  }
});

// default --------------------------------------------------------------------

Deno.test("select() runs the default only when no case is ready", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  let defaults = 0;
  const options = { default: () => (defaults++, "default") };
  assert.equal(await select([recv(ch, () => "recv")], options), "default");
  assert.equal(defaults, 1);
  ch.trySend(1);
  assert.equal(await select([recv(ch, () => "recv")], options), "recv");
  assert.equal(defaults, 1);
  assert.equal(await select([send(ch, 2, () => "send")], options), "send");
  assert.equal(await select([send(ch, 3, () => "send")], options), "default");
  assert.equal(defaults, 2);
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 2 });
});

Deno.test("select() with a default and nothing ready leaves every channel untouched", async () => {
  const a = new Channel<number>();
  const b = new Channel<number>();
  assert.equal(
    await select([recv(a), send(b, 1)], { default: () => "none" }),
    "none",
  );
  // No waiter was left behind on either channel.
  assert.equal(a.trySend(1), false);
  assert.deepEqual(b.tryReceive(), { state: "empty" });
});

Deno.test("select() with only a default, or only nil cases and a default, runs the default", async () => {
  assert.equal(await select([], { default: () => 1 }), 1);
  assert.equal(
    await select([recv(null), send(null, 1)], { default: () => 2 }),
    2,
  );
});

Deno.test("select() default that throws rejects the select", async () => {
  await assert.rejects(
    select([recv(new Channel())], {
      default: () => {
        throw new Error("from default");
      },
    }),
    /from default/,
  );
});

// Blocking -------------------------------------------------------------------

Deno.test("select() blocks when nothing is ready, then fires the first case to become ready", async () => {
  const a = new Channel<string>();
  const b = new Channel<string>();
  const c = new Channel<string>({ capacity: 1 });
  c.trySend("full");
  const result = select([
    recv(a, (v) => `a ${v}`),
    recv(b, (v) => `b ${v}`),
    send(c, "x", () => "c"),
  ]);
  assert.equal(await settlesNow(result), false);
  assert.equal(b.trySend("hello"), true);
  assert.equal(await result, "b hello");
  // The other parked cases are gone: nobody takes a's value, and c keeps its
  // buffer without "x".
  assert.equal(a.trySend("late"), false);
  assert.deepEqual(c.tryReceive(), { state: "ok", value: "full" });
  assert.deepEqual(c.tryReceive(), { state: "empty" });
});

Deno.test("select() parked on send cases delivers exactly one value", async () => {
  const a = new Channel<number>();
  const b = new Channel<number>();
  const result = select([send(a, 1, () => "a"), send(b, 2, () => "b")]);
  assert.equal(await settlesNow(result), false);
  assert.deepEqual(await b.receive(), { value: 2, ok: true });
  assert.equal(await result, "b");
  assert.deepEqual(a.tryReceive(), { state: "empty" });
  assert.deepEqual(b.tryReceive(), { state: "empty" });
});

Deno.test("select() woken by a goroutine: a later sender on another case's channel is not consumed", async () => {
  const a = new Channel<number>();
  const b = new Channel<number>();
  const result = select([recv(a, (v) => ["a", v]), recv(b, (v) => ["b", v])]);
  await go(() => a.send(1)); // Completes: the select takes the value.
  assert.deepEqual(await result, ["a", 1]);
  const later = b.send(2);
  assert.equal(await settlesNow(later), false);
  assert.deepEqual(await b.receive(), { value: 2, ok: true });
  await later;
});

Deno.test("select() nil (null) channel cases never fire", async () => {
  const ch = new Channel<number>();
  for (let i = 0; i < 20; i++) {
    const result = select([
      recv(null, () => "nil recv"),
      send(null, 1, () => "nil send"),
      recv(ch, () => "ch"),
    ]);
    assert.equal(await settlesNow(result), false);
    ch.trySend(i);
    assert.equal(await result, "ch");
  }
});

Deno.test("select() with no cases blocks forever, until its signal aborts", async () => {
  const controller = new AbortController();
  const forever = select([], { signal: controller.signal });
  assert.equal(await settlesNow(forever), false);
  controller.abort(new Error("enough"));
  await assert.rejects(forever, /enough/);
});

Deno.test("select() with only nil cases blocks forever, until its signal aborts", async () => {
  const controller = new AbortController();
  const forever = select([recv(null), send(null, 1)], {
    signal: controller.signal,
  });
  assert.equal(await settlesNow(forever), false);
  controller.abort();
  await assert.rejects(forever, (e) => e instanceof DOMException);
});

// Send and receive on one channel --------------------------------------------

Deno.test("select() mixes send and receive cases on the same buffered channel", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  const both = () => [recv(ch, () => "recv"), send(ch, 1, () => "send")];
  assert.equal(await select(both()), "send"); // Empty: only the send is ready.
  assert.equal(ch.size, 1);
  assert.equal(await select(both()), "recv"); // Full: only the receive is.
  assert.equal(ch.size, 0);
});

Deno.test("select() does not match its own send and receive cases on an unbuffered channel", async () => {
  const ch = new Channel<number>();
  const result = select([
    recv(ch, (v) => `recv ${v}`),
    send(ch, 1, () => "send"),
  ]);
  assert.equal(await settlesNow(result), false);
  const r = await ch.receive(); // Another goroutine's receive takes the send.
  assert.deepEqual(r, { value: 1, ok: true });
  assert.equal(await result, "send");
  assert.equal(ch.trySend(2), false); // The receive case was removed.
});

Deno.test("select() loops on both ends of one unbuffered channel pair up with each other", async () => {
  const ch = new Channel<number>();
  const sent: number[] = [];
  const received: number[] = [];
  const worker = (id: number) => async () => {
    for (let i = 0; i < 100; i++) {
      await select([
        recv(ch, (v) => received.push(v!)),
        send(ch, id * 1000 + i, () => sent.push(id * 1000 + i)),
      ]);
    }
  };
  await Promise.all([go(worker(1)), go(worker(2))]);
  assert.equal(sent.length + received.length, 200);
  assert.deepEqual(received.sort(), sent.sort());
});

// Closed channels ------------------------------------------------------------

Deno.test("select() send case on a closed channel rejects with ChannelClosedError", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  ch.close();
  await assert.rejects(select([send(ch, 3, () => "sent")]), (e) => {
    assert(e instanceof ChannelClosedError);
    assert.equal(e.value, 3);
    return true;
  });
  await assert.rejects(
    select([send(ch, 4)], { default: () => "default" }),
    ChannelClosedError,
  );
});

Deno.test("select() receive case on a closed channel fires at once with ok = false", async () => {
  const ch = new Channel<number>();
  ch.close();
  const r = await select([recv(ch, (v, ok) => ({ v, ok }))], {
    default: () => "default",
  });
  assert.deepEqual(r, { v: undefined, ok: false });
});

Deno.test("select() waiting on a receive case fires it with ok = false when the channel closes", async () => {
  const ch = new Channel<number>();
  const other = new Channel<number>();
  const result = select([
    recv(ch, (v, ok) => ({ v, ok })),
    recv(other, () => "other"),
  ]);
  assert.equal(await settlesNow(result), false);
  ch.close();
  assert.deepEqual(await result, { v: undefined, ok: false });
  assert.equal(other.trySend(1), false); // The other case was removed.
});

Deno.test("select() waiting on a send case rejects with ChannelClosedError when the channel closes", async () => {
  const ch = new Channel<string>();
  const other = new Channel<string>();
  const result = select([send(ch, "v", () => "sent"), recv(other)]);
  assert.equal(await settlesNow(result), false);
  ch.close();
  await assert.rejects(result, (e) => {
    assert(e instanceof ChannelClosedError);
    assert.equal(e.value, "v");
    return true;
  });
  assert.equal(other.trySend("x"), false); // The other case was removed.
});

// Bodies ---------------------------------------------------------------------

Deno.test("select() resolves with what a sync or an async body returns", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  ch.trySend(1);
  assert.equal(await select([recv(ch, (v) => v! * 10)]), 10);
  ch.trySend(2);
  assert.equal(
    await select([recv(ch, async (v) => {
      await flush();
      return v! * 100;
    })]),
    200,
  );
  // Parked, then woken.
  const parked = select([recv(ch, async (v) => {
    await null;
    return `async ${v}`;
  })]);
  ch.trySend(3);
  assert.equal(await parked, "async 3");
});

Deno.test("select() rejects when the chosen body throws or its promise rejects", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  ch.trySend(1);
  await assert.rejects(
    select([recv(ch, () => {
      throw new Error("sync body");
    })]),
    /sync body/,
  );
  ch.trySend(2);
  await assert.rejects(
    select([recv(ch, () => Promise.reject(new Error("async body")))]),
    /async body/,
  );
  ch.trySend(9);
  const parked = select([send(ch, 3, () => {
    throw new Error("parked body");
  })]);
  assert.equal(await settlesNow(parked), false);
  const taken = ch.tryReceive(); // Frees the slot: the parked send fires.
  assert.deepEqual(taken, { state: "ok", value: 9 });
  await assert.rejects(parked, /parked body/);
  // The case committed before its body threw: the value was delivered.
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 3 });
});

Deno.test("select() runs the body in the selecting goroutine, not inside the operation that woke it", async () => {
  const ch = new Channel<number>();
  const order: string[] = [];
  const result = select([recv(ch, (v) => {
    order.push(`body ${v}`);
  })]);
  assert.equal(ch.trySend(1), true); // Commits the case...
  order.push("trySend returned"); // ...but the body runs later, not here.
  await result;
  assert.deepEqual(order, ["trySend returned", "body 1"]);
});

// signal ---------------------------------------------------------------------

Deno.test("select() signal: aborting a blocked select rejects it and removes every case", async () => {
  const a = new Channel<number>();
  const b = new Channel<number>();
  const controller = new AbortController();
  const result = select([recv(a, () => "a"), send(b, 1, () => "b")], {
    signal: controller.signal,
  });
  assert.equal(await settlesNow(result), false);
  controller.abort("cancelled");
  await assert.rejects(result, (e) => e === "cancelled");
  assert.equal(a.trySend(1), false);
  assert.deepEqual(b.tryReceive(), { state: "empty" });
});

Deno.test("select() signal: an already-aborted signal rejects only when no case is ready", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  const signal = AbortSignal.abort("early");
  await assert.rejects(select([recv(ch)], { signal }), (e) => e === "early");
  assert.equal(ch.trySend(1), true);
  assert.equal(ch.size, 1); // The rejected select left no receiver.
  assert.equal(await select([recv(ch, (v) => v)], { signal }), 1);
  assert.equal(await select([], { signal, default: () => "d" }), "d");
});

Deno.test("select() signal: aborting after the select fired changes nothing", async () => {
  const ch = new Channel<number>();
  const controller = new AbortController();
  const result = select([recv(ch, (v) => v)], { signal: controller.signal });
  ch.trySend(4);
  controller.abort();
  assert.equal(await result, 4);
});

// Bad input ------------------------------------------------------------------

Deno.test("recv() and send() throw TypeError for something that is not a channel or null", () => {
  const bad: [() => unknown, RegExp][] = [
    [
      () => recv(undefined as unknown as Channel<number>),
      /^Cannot make a select case with recv\(\): expected a Channel or null, received undefined$/,
    ],
    [
      () => recv({} as Channel<number>),
      /^Cannot make a select case with recv\(\): expected a Channel or null, received an object$/,
    ],
    [
      () => send(42 as unknown as Channel<number>, 1),
      /^Cannot make a select case with send\(\): expected a Channel or null, received 42$/,
    ],
    [
      () => send({ send() {} } as unknown as Channel<number>, 1),
      /send\(\)/,
    ],
  ];
  for (const [make, message] of bad) {
    assert.throws(make, (e) => {
      assert(e instanceof TypeError);
      assert.match(e.message, message);
      return true;
    });
  }
  assert(recv(null) instanceof SelectCase);
  assert(send(null, 1) instanceof SelectCase);
});

Deno.test("recv() and send() throw TypeError for a body that is not a function", () => {
  const ch = new Channel<number>({ capacity: 1 });
  assert.throws(
    () => recv(ch, 5 as unknown as () => void),
    {
      name: "TypeError",
      message:
        "Cannot make a select case with recv(): the body must be a function or omitted, received 5",
    },
  );
  assert.throws(
    () => send(ch, 1, "x" as unknown as () => void),
    {
      name: "TypeError",
      message:
        'Cannot make a select case with send(): the body must be a function or omitted, received "x" (a string)',
    },
  );
  assert.equal(ch.size, 0);
});

Deno.test("select() rejects with TypeError, never throws, for bad cases and takes nothing", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  const out = new Channel<number>({ capacity: 1 });
  ch.trySend(7);
  const rule = "must be an array of cases made by recv() or send()";
  const bad: [() => Promise<unknown>, string][] = [
    [() => select(5 as never), `Cannot select: cases ${rule}, received 5`],
    [
      () => select(undefined as never),
      `Cannot select: cases ${rule}, received undefined`,
    ],
    [
      () => select("ab" as never),
      `Cannot select: cases ${rule}, received "ab" (a string)`,
    ],
    [
      () => select(recv(ch) as never),
      `Cannot select: cases ${rule}, received a single case; wrap it in an array: select([recv(ch)])`,
    ],
    [
      () => select([{}] as never),
      "Cannot select: cases[0] must be a case made by recv() or send(), received an object",
    ],
    [
      () => select([null] as never),
      "Cannot select: cases[0] must be a case made by recv() or send(), received null",
    ],
    [
      () => select([recv(ch), send(out, 1), "x"] as never),
      'Cannot select: cases[2] must be a case made by recv() or send(), received "x" (a string)',
    ],
    [
      () => select([recv(ch)], { default: 5 } as never),
      "Cannot select: options.default must be a function (the default case's body), received 5",
    ],
    [
      () => select([], { default: 5 } as never),
      "Cannot select: options.default must be a function (the default case's body), received 5",
    ],
    [
      () => select([recv(ch)], 5 as never),
      "Cannot select: options must be an object such as { default: () => value }, received 5",
    ],
    [
      () => select([recv(ch)], { signal: "s" } as never),
      'Cannot select: options.signal must be an AbortSignal, received "s" (a string)',
    ],
  ];
  for (const [call, message] of bad) {
    let promise: Promise<unknown> | undefined;
    assert.doesNotThrow(() => promise = call(), message);
    assert(promise instanceof Promise, message);
    await assert.rejects(promise, { name: "TypeError", message });
  }
  // No case ran: the value is still there and nothing was sent.
  assert.equal(ch.size, 1);
  assert.equal(out.size, 0);
  assert.equal(await select([recv(ch, (v) => v)]), 7);
});

// Races ----------------------------------------------------------------------

Deno.test("select() racing over the same channels never duplicates nor loses a value", async () => {
  const n = 2000;
  const a = new Channel<number>();
  const b = new Channel<number>({ capacity: 3 });

  // Two producers, each sending through a select on both channels.
  const producer = (base: number) => async () => {
    for (let i = 0; i < n; i++) {
      const v = base + i;
      await select([send(a, v), send(b, v)]);
    }
  };
  // Two consumers, each receiving through a select until both are closed;
  // a closed channel's case becomes a nil case.
  const consumer = async () => {
    const got: number[] = [];
    let ra: Channel<number> | null = a;
    let rb: Channel<number> | null = b;
    while (ra !== null || rb !== null) {
      await select([
        recv(ra, (v, ok) => ok ? got.push(v) : ra = null),
        recv(rb, (v, ok) => ok ? got.push(v) : rb = null),
      ]);
    }
    return got;
  };
  const consumers = [go(consumer), go(consumer)];
  await Promise.all([go(producer(0)), go(producer(n))]);
  a.close();
  b.close();
  const [one, two] = await Promise.all(consumers);
  assert(one.length > 0 && two.length > 0, "both consumers took values");
  const all = [...one, ...two].sort((x, y) => x - y);
  assert.deepEqual(all, Array.from({ length: 2 * n }, (_, i) => i));
});

Deno.test("select() two parked selects woken by one value: exactly one takes it", async () => {
  const ch = new Channel<number>();
  const other1 = new Channel<number>();
  const other2 = new Channel<number>();
  const s1 = select([recv(ch, (v) => ["s1", v]), recv(other1, () => "o1")]);
  const s2 = select([recv(ch, (v) => ["s2", v]), recv(other2, () => "o2")]);
  await flush();
  assert.equal(ch.trySend(1), true);
  const t1 = track(s1);
  const t2 = track(s2);
  await flush();
  // Arrival order: the first parked select gets it, the second still waits.
  assert.equal(t1.settled, true);
  assert.equal(t2.settled, false);
  assert.deepEqual(await s1, ["s1", 1]);
  assert.equal(ch.trySend(2), true);
  assert.deepEqual(await s2, ["s2", 2]);
  assert.equal(other1.trySend(0), false);
  assert.equal(other2.trySend(0), false);
});

// Waiter hygiene -------------------------------------------------------------

Deno.test("select() in a loop over a channel that never fires accumulates no waiters", async () => {
  const never = new Channel<number>();
  const ready = new Channel<number>();
  const heap: number[] = [];
  for (let i = 0; i < 110_000; i++) {
    // The select parks on both channels, then `ready` wakes it.
    const result = select([recv(never, () => -1), recv(ready, (v) => v)]);
    ready.trySend(i);
    assert.equal(await result, i);
    if (i % 1000 === 0) heap.push(Deno.memoryUsage().heapUsed);
  }
  // The lowest heap sample of a window is taken just after a collection, so
  // garbage does not count. 100k leaked selects would hold about 120 MB.
  const growth = Math.min(...heap.slice(-20)) - Math.min(...heap.slice(0, 10));
  assert(growth < 32 * 1024 * 1024, `heap grew by ${growth} bytes`);

  // No stale select waiter sits on `never`: a plain receiver gets the value.
  assert.equal(never.trySend(1), false);
  const received = never.receive();
  assert.equal(never.trySend(42), true);
  assert.deepEqual(await received, { value: 42, ok: true });
});

// Types ----------------------------------------------------------------------

Deno.test("select() result type is the union of its bodies' results", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  ch.trySend(1);
  const r: number | string = await select([
    recv(ch, (v, ok) => ok ? v : -1),
    send(null, 1, () => "sent"),
  ], { default: () => "default" });
  assert.equal(r, 1);
  const typeChecks = async () => {
    // @ts-expect-error A string body does not give a number.
    const _n: number = await select([recv(ch, () => "s")]);
    // @ts-expect-error A send case needs a value of the channel's type.
    send(ch, "one");
  };
  assert.equal(typeof typeChecks, "function");
});
