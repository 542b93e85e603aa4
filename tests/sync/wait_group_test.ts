// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import { go, numGoroutine } from "../../mod.ts";
import { NegativeCounterError, SyncError, WaitGroup } from "../../sync/mod.ts";
import { flush, track } from "../_util.ts";

Deno.test("WaitGroup.wait() resolves at once when the counter is zero", async () => {
  await new WaitGroup().wait();
});

// Go's TestWaitGroup: waiters wake only when the last done() arrives, and
// the group can be reused.
Deno.test("WaitGroup.wait() wakes every waiter when the counter reaches zero, and the group is reusable", async () => {
  const wg = new WaitGroup();
  for (let round = 0; round < 3; round++) {
    const n = 4;
    wg.add(n);
    const waiters = [track(wg.wait()), track(wg.wait())];
    for (let i = 0; i < n - 1; i++) wg.done();
    await flush();
    assert(waiters.every((w) => !w.settled), "woke before the last done()");
    wg.done();
    await flush();
    assert(waiters.every((w) => w.settled && w.error === undefined));
  }
});

Deno.test("WaitGroup counts goroutines added before they start", async () => {
  const wg = new WaitGroup();
  const done: number[] = [];
  for (let i = 0; i < 5; i++) {
    wg.add(1);
    go(async () => {
      try {
        await null;
        done.push(i);
      } finally {
        wg.done();
      }
    });
  }
  await wg.wait();
  assert.equal(done.length, 5);
});

// Go's TestWaitGroupMisuse.
Deno.test("WaitGroup: a negative counter throws NegativeCounterError and keeps the counter", async () => {
  const wg = new WaitGroup();
  wg.add(1);
  assert.throws(() => wg.add(-2), (e) => {
    assert(e instanceof NegativeCounterError);
    assert(e instanceof SyncError);
    assert.equal(e.name, "NegativeCounterError");
    assert.equal(e.counter, 1);
    assert.equal(e.delta, -2);
    assert.match(e.message, /Cannot add -2 to WaitGroup counter 1/);
    return true;
  });
  const waiter = track(wg.wait());
  await flush();
  assert.equal(waiter.settled, false, "the counter is still 1");
  wg.done();
  await flush();
  assert.equal(waiter.settled, true);
  assert.throws(() => wg.done(), NegativeCounterError);
  await wg.wait();
});

Deno.test("WaitGroup.add() rejects a delta that is not an integer with RangeError", () => {
  const wg = new WaitGroup();
  for (const bad of [NaN, 1.5, Infinity, -Infinity]) {
    assert.throws(() => wg.add(bad), RangeError);
  }
  wg.add(0);
});

Deno.test("WaitGroup.go() counts the goroutine in and out, and returns its result", async () => {
  const wg = new WaitGroup();
  const before = numGoroutine();
  const result = wg.go(async () => {
    await null;
    return "value";
  });
  assert.equal(numGoroutine(), before + 1);
  await wg.wait();
  assert.equal(await result, "value");
  assert.equal(numGoroutine(), before);
});

Deno.test("WaitGroup.go() decrements the counter when the function throws", async () => {
  const wg = new WaitGroup();
  const failing = wg.go(() => {
    throw new Error("boom");
  });
  await wg.wait();
  await assert.rejects(failing, /boom/);
});

Deno.test("WaitGroup.go() rejects a non-function with TypeError and leaves the counter", async () => {
  const wg = new WaitGroup();
  await assert.rejects(wg.go(42 as unknown as () => void), TypeError);
  await wg.wait();
});

Deno.test("WaitGroup.wait() with an aborted signal rejects and leaves the counter alone", async () => {
  const wg = new WaitGroup();
  wg.add(1);
  const controller = new AbortController();
  const waiting = wg.wait({ signal: controller.signal });
  const other = track(wg.wait());
  controller.abort(new Error("stop waiting"));
  await assert.rejects(waiting, /stop waiting/);
  await assert.rejects(wg.wait({ signal: controller.signal }), /stop waiting/);
  wg.done();
  await flush();
  assert.equal(other.settled, true);
});

// Go's TestWaitGroupRace: many rounds of spawn-and-wait.
Deno.test("WaitGroup: repeated spawn-and-wait rounds see every goroutine's effect", async () => {
  for (let round = 0; round < 100; round++) {
    const wg = new WaitGroup();
    let n = 0;
    wg.go(() => n++);
    wg.go(async () => {
      await null;
      n++;
    });
    await wg.wait();
    assert.equal(n, 2);
  }
});
