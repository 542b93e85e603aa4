// Copyright the denogo authors. MIT license.

// These tests use real, short timers: timers are what they test. They assert
// ordering and lower bounds on elapsed time, never upper bounds.

import assert from "node:assert/strict";
import {
  after,
  afterFunc,
  Channel,
  go,
  recv,
  select,
  sleep,
  tick,
  Ticker,
  Timer,
} from "../mod.ts";
import { flush, track } from "./_util.ts";

/** Milliseconds since `start`, a `performance.now()` reading. */
function since(start: number): number {
  return performance.now() - start;
}

/**
 * Asserts `elapsed >= ms`. Timer channels compare deadlines on
 * `performance.now()`, so they are exact up to float rounding; `sleep` is a
 * plain `setTimeout`, whose whole-millisecond clock gets a millisecond.
 */
function assertAtLeast(elapsed: number, ms: number, slack = 0.01) {
  assert(elapsed >= ms - slack, `elapsed ${elapsed} ms, expected >= ${ms} ms`);
}

// after() --------------------------------------------------------------------

Deno.test("after() delivers one Date on its channel, no sooner than its duration", async () => {
  const before = Date.now();
  const start = performance.now();
  const c = after(20);
  const r = await c.receive();
  assertAtLeast(since(start), 20);
  assert.equal(r.ok, true);
  assert(r.value instanceof Date);
  assert(r.value.getTime() >= before);
  assert.deepEqual(c.tryReceive(), { state: "empty" }); // Only one value.
  assert.equal(c.closed, false); // As in Go, the channel is never closed.
});

Deno.test("after() with zero or a negative duration fires at once", async () => {
  assert.equal((await after(0).receive()).ok, true);
  assert.equal((await after(-5).receive()).ok, true);
  assert.equal(after(0).tryReceive().state, "ok");
});

Deno.test("after() channels fire in the order of their deadlines", async () => {
  const order: number[] = [];
  const gs = [30, 10, 20].map((ms) =>
    go(async () => {
      await after(ms).receive();
      order.push(ms);
    })
  );
  await Promise.all(gs);
  assert.deepEqual(order, [10, 20, 30]);
});

Deno.test("after() expired with nobody waiting still delivers to a later receive", async () => {
  const c = after(5);
  await sleep(15);
  assert.equal(c.tryReceive().state, "ok");
});

Deno.test("after() as a select case: the earlier timeout wins", async () => {
  const start = performance.now();
  const r = await select([
    recv(after(40), () => "slow"),
    recv(after(10), () => "fast"),
    recv(new Channel<number>(), () => "never"),
  ]);
  assert.equal(r, "fast");
  assertAtLeast(since(start), 10);
});

// No pending timer is left behind. Deno 2 runs its op sanitizer only when a
// test asks for it, so these tests do.
function noLeakTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, fn, sanitizeOps: true, sanitizeResources: true });
}

noLeakTest(
  "after(60_000) as a select case that loses to a ready case leaves no pending timer",
  async () => {
    const ch = new Channel<number>({ capacity: 1 });
    ch.trySend(1);
    const r = await select([recv(ch, (v) => v), recv(after(60_000), () => -1)]);
    assert.equal(r, 1);
  },
);

noLeakTest(
  "after(60_000) as a select case that loses after the select parked leaves no pending timer",
  async () => {
    const ch = new Channel<number>();
    const result = select([
      recv(ch, (v) => v),
      recv(after(60_000), () => -1),
    ]);
    await flush(); // The select is parked: the 60 s timer is armed.
    const g = go(() => ch.send(2));
    assert.equal(await result, 2);
    await g;
  },
);

noLeakTest(
  "after(60_000) in a select loop leaves no pending timer",
  async () => {
    const ch = new Channel<number>();
    const producer = go(async () => {
      for (let i = 0; i < 100; i++) await ch.send(i);
    });
    let sum = 0;
    for (let i = 0; i < 100; i++) {
      sum += await select([
        recv(ch, (v) => v!),
        recv(after(60_000), () => 0),
      ]);
    }
    assert.equal(sum, 4950);
    await producer;
  },
);

noLeakTest(
  "after(60_000) whose receive is aborted leaves no pending timer",
  async () => {
    const c = after(60_000);
    const controller = new AbortController();
    const r = c.receive({ signal: controller.signal });
    await flush();
    controller.abort();
    await assert.rejects(r);
  },
);

Deno.test("an unreceived Timer or Ticker holds no real timer", () => {
  new Timer(60_000);
  new Ticker(60_000);
  after(60_000);
  tick(60_000);
});

// Timer ----------------------------------------------------------------------

Deno.test("Timer delivers on .c once, no sooner than its duration", async () => {
  const start = performance.now();
  const t = new Timer(15);
  const r = await t.c.receive();
  assertAtLeast(since(start), 15);
  assert(r.ok && r.value instanceof Date);
  assert.deepEqual(t.c.tryReceive(), { state: "empty" });
});

Deno.test("Timer.stop() before expiry returns true, then false, and no value is ever delivered", async () => {
  const t = new Timer(25);
  assert.equal(t.stop(), true);
  assert.equal(t.stop(), false);
  await sleep(40);
  assert.deepEqual(t.c.tryReceive(), { state: "empty" });
});

Deno.test("Timer.stop() leaves a blocked receive blocked", async () => {
  const t = new Timer(25);
  const controller = new AbortController();
  let settled = false;
  const r = t.c.receive({ signal: controller.signal });
  r.then(() => settled = true, () => settled = true);
  assert.equal(t.stop(), true);
  await sleep(40);
  assert.equal(settled, false);
  controller.abort();
  await assert.rejects(r);
});

// Go 1.23 documents that "if the program has not received from t.C already
// and the timer is running, Stop [and Reset are] guaranteed to return true":
// a timer whose deadline passed while nobody received still counts as
// running, so the idiom `if !t.Stop() { <-t.C }` never blocks.
Deno.test("Timer.stop() after the deadline but before any receive returns true, as in Go 1.23", async () => {
  const t = new Timer(5);
  await sleep(15); // Expired, but nobody received the value.
  assert.equal(t.stop(), true);
  assert.deepEqual(t.c.tryReceive(), { state: "empty" }); // No stale value.
  assert.equal(t.stop(), false);
});

Deno.test("Timer: the idiom `if (!t.stop()) await t.c.receive()` never blocks", async () => {
  for (const ms of [60_000, 5]) {
    const t = new Timer(ms);
    await sleep(15);
    if (!t.stop()) await t.c.receive();
  }
  // Once the value was received, stop() returns false: the idiom would
  // block, so code must not use it after a receive (as in Go).
  const fired = new Timer(1);
  await fired.c.receive();
  assert.equal(fired.stop(), false);
});

Deno.test("Timer.stop() after the value was received returns false", async () => {
  const t = new Timer(1);
  await t.c.receive();
  assert.equal(t.stop(), false);
});

Deno.test("Timer.reset() of an active timer returns true and moves the deadline", async () => {
  const t = new Timer(60_000);
  const start = performance.now();
  assert.equal(t.reset(15), true);
  assert.equal((await t.c.receive()).ok, true);
  assertAtLeast(since(start), 15);
  assert.deepEqual(t.c.tryReceive(), { state: "empty" });
});

Deno.test("Timer.reset() can postpone a timer", async () => {
  const t = new Timer(25);
  const start = performance.now();
  assert.equal(t.reset(35), true);
  await t.c.receive();
  assertAtLeast(since(start), 35);
});

Deno.test("Timer.reset() after the deadline but before any receive returns true, and the old value is never received", async () => {
  const t = new Timer(5);
  await sleep(15);
  const start = performance.now();
  assert.equal(t.reset(20), true);
  assert.deepEqual(t.c.tryReceive(), { state: "empty" });
  const r = await t.c.receive();
  assertAtLeast(since(start), 20); // The new value, not the stale one.
  assert(r.ok && r.value instanceof Date);
  assert.deepEqual(t.c.tryReceive(), { state: "empty" });
});

Deno.test("Timer.reset() of a stopped or fired timer returns false and fires again", async () => {
  const t = new Timer(60_000);
  t.stop();
  assert.equal(t.reset(1), false);
  await t.c.receive();
  assert.equal(t.reset(1), false);
  assert.equal((await t.c.receive()).ok, true);
});

Deno.test("Timer with a parked select: the timer case fires when nothing else does", async () => {
  const t = new Timer(10);
  const r = await select([
    recv(new Channel<number>(), () => "never"),
    recv(t.c, (v, ok) => ok && v instanceof Date ? "timer" : "bad"),
  ]);
  assert.equal(r, "timer");
  assert.equal(t.stop(), false);
});

Deno.test("Timer disposed by using is stopped", () => {
  let ref: Timer;
  {
    using t = new Timer(60_000);
    ref = t;
  }
  assert.equal(ref.stop(), false);
});

// Ticker and tick() ----------------------------------------------------------

Deno.test("Ticker delivers repeated ticks, each period after the last", async () => {
  const start = performance.now();
  using ticker = new Ticker(10);
  for (let i = 1; i <= 3; i++) {
    const r = await ticker.c.receive();
    assert(r.ok && r.value instanceof Date);
    assertAtLeast(since(start), 10 * i);
  }
});

Deno.test("Ticker drops the ticks a slow receiver misses: it buffers only one", async () => {
  using ticker = new Ticker(5);
  await sleep(60); // About 12 periods with nobody receiving.
  let ticks = 0;
  while (ticker.c.tryReceive().state === "ok") ticks++;
  // One buffered tick (two if a period boundary falls inside this loop).
  assert(ticks >= 1 && ticks <= 2, `received ${ticks} ticks`);
});

Deno.test("Ticker.stop() prevents further ticks and removes a pending one", async () => {
  const ticker = new Ticker(5);
  await ticker.c.receive();
  await sleep(15); // A tick is due.
  ticker.stop();
  assert.deepEqual(ticker.c.tryReceive(), { state: "empty" });
  await sleep(15);
  assert.deepEqual(ticker.c.tryReceive(), { state: "empty" });
  assert.equal(ticker.c.closed, false); // Not closed, as in Go.
});

Deno.test("Ticker.reset() changes the period and restarts a stopped ticker", async () => {
  using ticker = new Ticker(60_000);
  let start = performance.now();
  ticker.reset(10);
  await ticker.c.receive();
  assertAtLeast(since(start), 10);
  ticker.stop();
  start = performance.now();
  ticker.reset(5);
  await ticker.c.receive();
  assertAtLeast(since(start), 5);
});

Deno.test("Ticker disposed by using is stopped", async () => {
  let ref: Ticker;
  {
    using ticker = new Ticker(5);
    ref = ticker;
  }
  await sleep(15);
  assert.deepEqual(ref.c.tryReceive(), { state: "empty" });
});

Deno.test("tick() delivers repeated ticks", async () => {
  const start = performance.now();
  const ticks = tick(5);
  assert.equal((await ticks.receive()).ok, true);
  assert.equal((await ticks.receive()).ok, true);
  assertAtLeast(since(start), 10);
});

noLeakTest(
  "tick() as a select case in a loop leaves no pending timer",
  async () => {
    const ticks = tick(60_000);
    const ch = new Channel<number>({ capacity: 1 });
    for (let i = 0; i < 3; i++) {
      const r = select([recv(ch, (v) => v), recv(ticks, () => -1)]);
      await flush();
      ch.trySend(i);
      assert.equal(await r, i);
    }
  },
);

// afterFunc() ----------------------------------------------------------------

Deno.test("afterFunc() runs the function in its own goroutine after the duration", async () => {
  const done = new Channel<number>({ capacity: 1 });
  const start = performance.now();
  afterFunc(10, () => done.trySend(performance.now()));
  const { value } = await done.receive();
  assertAtLeast(value! - start, 10);
});

Deno.test("afterFunc() stopped before it runs returns true and never runs the function", async () => {
  let ran = false;
  const t = afterFunc(25, () => ran = true);
  assert.equal(t.stop(), true);
  assert.equal(t.stop(), false);
  await sleep(40);
  assert.equal(ran, false);
});

// Go documents that when Stop returns false for an AfterFunc timer, "the
// function f has been started": stopping after the deadline but before the
// callback ran must return true, and f must never run.
Deno.test("afterFunc() stop() returns false only if the function has started", async () => {
  let ran = false;
  const t = afterFunc(5, () => ran = true);
  const start = performance.now();
  while (since(start) < 15) {
    // The deadline passes while the event loop is busy: f cannot start yet.
  }
  const stopped = t.stop();
  await sleep(15);
  assert.equal(ran, !stopped, `stop() returned ${stopped}, f ran: ${ran}`);
});

Deno.test("afterFunc() stopped after it ran returns false", async () => {
  const done = new Channel<void>({ capacity: 1 });
  const t = afterFunc(1, () => done.trySend());
  await done.receive();
  assert.equal(t.stop(), false);
});

Deno.test("afterFunc() reset schedules the function again", async () => {
  const runs = new Channel<number>({ capacity: 2 });
  let count = 0;
  const t = afterFunc(60_000, () => runs.trySend(++count));
  const start = performance.now();
  assert.equal(t.reset(10), true);
  assert.equal((await runs.receive()).value, 1);
  assertAtLeast(since(start), 10);
  assert.equal(t.reset(1), false);
  assert.equal((await runs.receive()).value, 2);
});

Deno.test("afterFunc() function that throws is an unhandled error, like a goroutine panic", async () => {
  const seen: unknown[] = [];
  const onUnhandled = (event: PromiseRejectionEvent) => {
    seen.push(event.reason);
    event.preventDefault(); // Keep this deliberate panic from failing the run.
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    const panic = new Error("timer panic");
    afterFunc(1, () => {
      throw panic;
    });
    await sleep(10);
    await flush();
    assert.deepEqual(seen, [panic]);
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
});

// sleep() --------------------------------------------------------------------

Deno.test("sleep() resolves no sooner than its duration, and lets others run", async () => {
  const ch = new Channel<string>();
  const g = go(() => ch.send("ran"));
  const start = performance.now();
  await sleep(20);
  assertAtLeast(since(start), 20, 1);
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: "ran" });
  await g;
});

Deno.test("sleep() with zero or a negative duration resolves after a turn", async () => {
  await sleep(0);
  await sleep(-10);
});

Deno.test("sleep() calls resolve in the order of their durations", async () => {
  const order: number[] = [];
  await Promise.all(
    [30, 10, 20].map((ms) => sleep(ms).then(() => order.push(ms))),
  );
  assert.deepEqual(order, [10, 20, 30]);
});

// The value is the fire time -------------------------------------------------

// Go sends the time the timer fired (the runtime subtracts how late the send
// is), so a value received late is still the deadline. Each test receives
// late by first blocking on another timer, and compares the value with
// Date.now() readings taken around the call.

Deno.test("after() received late delivers the time it fired, not the time it was received", async () => {
  const before = Date.now();
  const c = after(10);
  const called = Date.now();
  await after(40).receive(); // Nobody waits on c meanwhile.
  const late = Date.now();
  const { value } = await c.receive();
  const at = value!.getTime();
  assert(at >= before + 10 && at <= called + 10, `fired at ${at - before} ms`);
  assert(at < late, "the value predates the receive");
});

Deno.test("after() with a negative duration delivers the time of the call, not a time before it", async () => {
  const before = Date.now();
  const c = after(-1000);
  const called = Date.now();
  const at = (await c.receive()).value!.getTime();
  assert(at >= before && at <= called, `fired at ${at - before} ms`);
});

Deno.test("Timer.reset() delivers the time of the new deadline", async () => {
  const t = new Timer(60_000);
  const before = Date.now();
  t.reset(5);
  const called = Date.now();
  await after(30).receive();
  const at = (await t.c.receive()).value!.getTime();
  assert(at >= before + 5 && at <= called + 5, `fired at ${at - before} ms`);
});

Deno.test("a Timer waited on delivers its deadline, not a later time", async () => {
  const before = Date.now();
  const t = new Timer(5);
  const called = Date.now();
  const at = (await t.c.receive()).value!.getTime();
  assert(at >= before + 5 && at <= called + 5);
});

Deno.test("Ticker received late delivers the time of the first missed tick; the next is a whole period later", async () => {
  const before = Date.now();
  using ticker = new Ticker(10);
  const called = Date.now();
  await after(35).receive(); // Three ticks are due meanwhile.
  const late = Date.now();
  const first = (await ticker.c.receive()).value!.getTime();
  assert(first >= before + 10 && first <= called + 10);
  assert(first < late);
  const second = (await ticker.c.receive()).value!.getTime();
  assert(second > first);
  assert.equal((second - first) % 10, 0, "ticks fall on the period's grid");
  assert(second >= late - 10, "missed ticks were dropped, not queued");
});

Deno.test("tick() received late delivers the time of its tick", async () => {
  const before = Date.now();
  const ticks = tick(5);
  const called = Date.now();
  await after(25).receive();
  const at = (await ticks.receive()).value!.getTime();
  assert(at >= before + 5 && at <= called + 5);
});

// Durations beyond setTimeout's limit -------------------------------------------

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Runs `body` while recording the delay of every setTimeout call (calls
 * pass through to the real setTimeout unchanged).
 */
async function recordingTimeouts(
  body: () => Promise<void>,
): Promise<number[]> {
  const real = globalThis.setTimeout;
  const delays: number[] = [];
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    delays.push(ms ?? 0);
    return real(fn, ms);
  }) as typeof setTimeout;
  try {
    await body();
  } finally {
    globalThis.setTimeout = real;
  }
  return delays;
}

Deno.test("sleep(2 ** 31) does not return early", async () => {
  const controller = new AbortController();
  const delays = await recordingTimeouts(async () => {
    const long = sleep(2 ** 31, { signal: controller.signal }).then(() =>
      "woke"
    );
    const first = await Promise.race([
      long,
      after(30).receive().then(() => "still asleep"),
    ]);
    assert.equal(first, "still asleep");
    controller.abort();
    await assert.rejects(long);
  });
  assert.equal(delays.filter((ms) => ms > 1000).length, 1);
  assert(delays.every((ms) => ms <= MAX_TIMEOUT_MS), `delays ${delays}`);
});

Deno.test("a waited-on Timer(2 ** 32) arms one clamped JS timer and does not re-arm in a loop", async () => {
  const t = new Timer(2 ** 32);
  const delays = await recordingTimeouts(async () => {
    const r = await select([
      recv(t.c, () => "fired"),
      recv(after(50), () => "timeout"),
    ]);
    assert.equal(r, "timeout");
  });
  assert.deepEqual(delays.filter((ms) => ms > 1000), [MAX_TIMEOUT_MS]);
  assert(delays.every((ms) => ms <= MAX_TIMEOUT_MS), `delays ${delays}`);
  assert.equal(t.stop(), true); // Never fired.
});

Deno.test("a Ticker with a period beyond the limit arms a clamped JS timer", async () => {
  using ticker = new Ticker(2 ** 33);
  const delays = await recordingTimeouts(async () => {
    const r = await select([
      recv(ticker.c, () => "tick"),
      recv(after(20), () => "timeout"),
    ]);
    assert.equal(r, "timeout");
  });
  assert.deepEqual(delays.filter((ms) => ms > 1000), [MAX_TIMEOUT_MS]);
});

// sleep() with a signal ----------------------------------------------------------

Deno.test("sleep() with a signal rejects with the signal's reason when it aborts", async () => {
  const controller = new AbortController();
  const reason = new Error("wake up");
  const nap = sleep(60_000, { signal: controller.signal });
  const state = track(nap);
  await flush();
  assert.equal(state.settled, false);
  controller.abort(reason);
  await assert.rejects(nap, (e) => e === reason);
});

Deno.test("sleep() with an already-aborted signal rejects at once with its reason", async () => {
  const reason = new Error("too late");
  await assert.rejects(
    sleep(60_000, { signal: AbortSignal.abort(reason) }),
    (e) => e === reason,
  );
  // The default reason of abort() is a DOMException AbortError, as std's delay.
  await assert.rejects(
    sleep(0, { signal: AbortSignal.abort() }),
    (e) => e instanceof DOMException && e.name === "AbortError",
  );
});

Deno.test("sleep() with a signal that never aborts resolves as usual, and a later abort is ignored", async () => {
  const controller = new AbortController();
  const start = performance.now();
  await sleep(5, { signal: controller.signal });
  assertAtLeast(since(start), 4, 1);
  controller.abort(); // No listener left: nothing happens.
  await sleep(0, {});
});

// Bad input ------------------------------------------------------------------

/** The makers of every duration argument, with the operation each names. */
const DURATION_TAKERS: [string, (ms: number) => unknown, boolean][] = [
  ["start after()", (ms) => after(ms), false],
  ["create Timer", (ms) => new Timer(ms), false],
  ["start afterFunc()", (ms) => afterFunc(ms, () => assert.fail("ran")), false],
  ["create Ticker", (ms) => new Ticker(ms), true],
  ["start tick()", (ms) => tick(ms), true],
];

Deno.test("time functions throw TypeError for a duration that is not a number, showing it as given", () => {
  const bad: [unknown, string][] = [
    ["5", '"5" (a string)'],
    [undefined, "undefined"],
    [null, "null"],
    [5n, "5n (a bigint)"],
    [true, "true (a boolean)"],
    [{}, "an object"],
  ];
  for (const [operation, make] of DURATION_TAKERS) {
    for (const [ms, shown] of bad) {
      assert.throws(() => make(ms as number), (e) => {
        assert(e instanceof TypeError, `${operation} ${shown}`);
        assert.equal(
          e.message,
          `Cannot ${operation}: duration must be a number of milliseconds, received ${shown}`,
        );
        return true;
      });
    }
  }
});

Deno.test("time functions throw RangeError for NaN or an infinite duration", () => {
  for (const [operation, make, positive] of DURATION_TAKERS) {
    for (const ms of [NaN, Infinity, -Infinity]) {
      assert.throws(() => make(ms), (e) => {
        assert(e instanceof RangeError, `${operation} ${ms}`);
        assert.equal(
          e.message,
          `Cannot ${operation}: duration must be a ${
            positive ? "positive " : ""
          }finite number of milliseconds, received ${ms}`,
        );
        return true;
      });
    }
  }
});

Deno.test("sleep() rejects (never throws) for a bad duration", async () => {
  const bad: [unknown, ErrorConstructor, string][] = [
    [
      "5",
      TypeError,
      'must be a number of milliseconds, received "5" (a string)',
    ],
    [
      undefined,
      TypeError,
      "must be a number of milliseconds, received undefined",
    ],
    [NaN, RangeError, "must be a finite number of milliseconds, received NaN"],
    [
      -Infinity,
      RangeError,
      "must be a finite number of milliseconds, received -Infinity",
    ],
  ];
  for (const [ms, type, rule] of bad) {
    let p: Promise<void> | undefined;
    assert.doesNotThrow(() => p = sleep(ms as number));
    await assert.rejects(p!, (e) => {
      assert(e instanceof type);
      assert.equal(e.message, `Cannot sleep: duration ${rule}`);
      return true;
    });
  }
});

Deno.test("Ticker and tick() throw RangeError for a zero or negative period", () => {
  for (const ms of [0, -0, -1, -0.5]) {
    for (const [operation, make] of DURATION_TAKERS.filter(([, , p]) => p)) {
      assert.throws(() => make(ms), (e) => {
        assert(e instanceof RangeError);
        assert.equal(
          e.message,
          `Cannot ${operation}: duration must be a positive finite number of milliseconds, received ${
            Object.is(ms, -0) ? "-0" : ms
          }`,
        );
        return true;
      });
    }
  }
});

Deno.test("Timer.reset() and Ticker.reset() throw for a bad duration and change nothing", async () => {
  const t = new Timer(60_000);
  assert.throws(() => t.reset(NaN), /^RangeError: Cannot reset Timer: /);
  assert.throws(() => t.reset(Infinity), RangeError);
  assert.throws(
    () => t.reset("5" as unknown as number),
    /^TypeError: Cannot reset Timer: duration must be a number of milliseconds, received "5" \(a string\)$/,
  );
  assert.equal(t.stop(), true); // Still the original, active timer.

  using ticker = new Ticker(5);
  assert.throws(() => ticker.reset(0), /^RangeError: Cannot reset Ticker: /);
  assert.throws(() => ticker.reset(-1), RangeError);
  assert.throws(() => ticker.reset("5" as unknown as number), TypeError);
  assert.equal((await ticker.c.receive()).ok, true); // Still ticking.
});

Deno.test("afterFunc() throws TypeError for something that is not a function", () => {
  for (
    const [fn, shown] of [[42, "42"], ["f", '"f" (a string)'], [
      undefined,
      "undefined",
    ]]
  ) {
    assert.throws(
      () => afterFunc(1, fn as unknown as () => void),
      (e) => {
        assert(e instanceof TypeError);
        assert.equal(
          e.message,
          `Cannot start afterFunc(): fn must be a function, received ${shown}`,
        );
        return true;
      },
    );
  }
});

Deno.test("sleep() rejects a bad options bag or signal with TypeError", async () => {
  await assert.rejects(
    sleep(1, 5 as unknown as { signal?: AbortSignal }),
    {
      name: "TypeError",
      message: "Cannot sleep: options must be an object, received 5",
    },
  );
  await assert.rejects(
    sleep(1, { signal: "stop" as unknown as AbortSignal }),
    {
      name: "TypeError",
      message:
        'Cannot sleep: options.signal must be an AbortSignal, received "stop" (a string)',
    },
  );
});

Deno.test("Timer and Ticker channels are receive-only", () => {
  const t = new Timer(60_000);
  const typeChecks = () => {
    // @ts-expect-error A timer's channel cannot be sent on.
    t.c.send(new Date());
    // @ts-expect-error Nor closed.
    t.c.close();
  };
  assert.equal(typeof typeChecks, "function");
  t.stop();
});
