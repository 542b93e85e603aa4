// Copyright the denogo authors. MIT license.
// AtomicInt32, AtomicBigInt64, SharedMutex and SharedWaitGroup, on one
// thread and across real Workers.

import assert from "node:assert/strict";
import {
  AtomicBigInt64,
  AtomicInt32,
  MainThreadWaitError,
  NegativeWaitGroupCounterError,
  SharedMutex,
  SharedWaitGroup,
  UnlockOfUnlockedMutexError,
} from "../../workers/mod.ts";
import type { Job } from "./_worker_fixture.ts";
import { type Fixture, spawn as spawnFixture } from "./_spawn.ts";
import { settlesNow } from "../_util.ts";

/** Starts a fixture worker; `using` terminates it. */
function spawn(): Fixture<Job> {
  return spawnFixture<Job>(new URL("./_worker_fixture.ts", import.meta.url));
}

Deno.test("AtomicInt32 operations follow Go's sync/atomic and wrap on overflow", () => {
  const a = new AtomicInt32(10);
  assert.equal(a.add(5), 15);
  assert.equal(a.sub(20), -5);
  assert.equal(a.exchange(7), -5);
  assert.equal(a.compareAndSwap(8, 9), false);
  assert.equal(a.compareAndSwap(7, 9), true);
  a.store(2147483647);
  assert.equal(a.add(1), -2147483648);
  assert.equal(a.load(), -2147483648);
  assert.throws(() => a.store(1.5), RangeError);
  assert.throws(() => a.add(2 ** 31), RangeError);
  assert.throws(() => new AtomicInt32(NaN), RangeError);
  assert.throws(
    () =>
      AtomicInt32.from({
        kind: "AtomicBigInt64",
        buffer: new SharedArrayBuffer(8),
        index: 0,
      }),
    TypeError,
  );
});

Deno.test("AtomicBigInt64 operations follow Go's sync/atomic and wrap on overflow", () => {
  const a = new AtomicBigInt64(1n << 40n);
  assert.equal(a.add(1n), (1n << 40n) + 1n);
  assert.equal(a.sub(2n), (1n << 40n) - 1n);
  assert.equal(a.exchange(3n), (1n << 40n) - 1n);
  assert.equal(a.compareAndSwap(3n, 4n), true);
  a.store((1n << 63n) - 1n);
  assert.equal(a.add(1n), -(1n << 63n));
  assert.throws(() => a.store(1n << 63n), RangeError);
  const view = AtomicBigInt64.from(structuredClone(a.handle));
  view.store(-1n);
  assert.equal(a.load(), -1n);
});

Deno.test("AtomicInt32 counts every increment from two workers", async () => {
  using w1 = spawn();
  using w2 = spawn();
  const a = new AtomicInt32();
  await Promise.all([
    w1.run({ cmd: "atomicAdd", a: a.handle, n: 20_000 }),
    w2.run({ cmd: "atomicAdd", a: a.handle, n: 20_000 }),
  ]);
  assert.equal(a.load(), 40_000);
});

Deno.test("SharedMutex.lock() waits for unlock and tryLock() fails while held", async () => {
  const mu = new SharedMutex();
  await mu.lock();
  assert.equal(mu.tryLock(), false);
  assert.equal(mu.owner, SharedMutex.threadId);
  const second = mu.lock();
  assert.equal(await settlesNow(second), false);
  mu.unlock();
  await second;
  assert.equal(mu.owner, SharedMutex.threadId);
  mu.unlock();
  assert.equal(mu.owner, 0);
});

Deno.test("SharedMutex.unlock() of an unlocked mutex throws", () => {
  const mu = new SharedMutex();
  assert.throws(() => mu.unlock(), UnlockOfUnlockedMutexError);
  assert.equal(mu.tryLock(), true);
  mu.unlock();
  assert.throws(() => mu.unlock(), UnlockOfUnlockedMutexError);
});

Deno.test("SharedMutex.lock() with an aborted signal gives up and leaves the mutex usable", async () => {
  const mu = new SharedMutex();
  mu.tryLock();
  const ac = new AbortController();
  const waiting = mu.lock({ signal: ac.signal });
  ac.abort(new Error("timeout"));
  await assert.rejects(waiting, /timeout/);
  mu.unlock();
  assert.equal(mu.tryLock(), true);
  mu.unlock();
});

Deno.test("SharedMutex.lockSync() and SharedWaitGroup.waitSync() throw on the main thread", () => {
  assert.throws(() => new SharedMutex().lockSync(), MainThreadWaitError);
  const wg = new SharedWaitGroup();
  wg.add(1);
  assert.throws(() => wg.waitSync(), MainThreadWaitError);
  wg.done();
});

Deno.test("SharedMutex excludes two workers and the main thread from a shared cell", async () => {
  using w1 = spawn();
  using w2 = spawn();
  const mu = new SharedMutex();
  const cell = new SharedArrayBuffer(4);
  const n = 3_000;
  const work = [
    w1.run({ cmd: "mutexIncrement", mu: mu.handle, cell, n, sync: true }),
    w2.run({ cmd: "mutexIncrement", mu: mu.handle, cell, n, sync: false }),
  ];
  const view = new Int32Array(cell);
  for (let i = 0; i < n; i++) {
    await mu.lock();
    const x = view[0];
    if ((i & 63) === 0) await Promise.resolve();
    view[0] = x + 1;
    mu.unlock();
  }
  await Promise.all(work);
  assert.equal(view[0], 3 * n);
  assert.equal(mu.owner, 0);
});

Deno.test("SharedMutex strands no waiter while unlocks skip the wake-up of sleepers already woken", async () => {
  // Three sync lockers, an async one and the main thread: holders relock
  // at once, so most unlocks find a woken waiter on its way back (WOKEN)
  // and wake nobody; every locker must still finish.
  using w1 = spawn();
  using w2 = spawn();
  using w3 = spawn();
  using w4 = spawn();
  const mu = new SharedMutex();
  const cell = new SharedArrayBuffer(4);
  const n = 20_000;
  const work = [
    w1.run({ cmd: "mutexIncrement", mu: mu.handle, cell, n, sync: true }),
    w2.run({ cmd: "mutexIncrement", mu: mu.handle, cell, n, sync: true }),
    w3.run({ cmd: "mutexIncrement", mu: mu.handle, cell, n, sync: true }),
    w4.run({ cmd: "mutexIncrement", mu: mu.handle, cell, n, sync: false }),
  ];
  const view = new Int32Array(cell);
  for (let i = 0; i < 2_000; i++) {
    await mu.lock();
    view[0]++;
    mu.unlock();
  }
  await Promise.all(work);
  assert.equal(view[0], 4 * n + 2_000);
  assert.equal(mu.owner, 0);
});

Deno.test("SharedMutex held by a terminated worker is found by owner and released", async () => {
  const mu = new SharedMutex();
  let holder: number;
  {
    using w = spawn();
    holder = await w.run({ cmd: "lockAndHold", mu: mu.handle }) as number;
  } // terminated while holding the mutex
  assert.equal(mu.owner, holder);
  assert.notEqual(holder, SharedMutex.threadId);
  assert.equal(mu.tryLock(), false);
  const waiting = mu.lock();
  assert.equal(mu.releaseAbandoned(SharedMutex.threadId), false);
  assert.equal(mu.releaseAbandoned(holder), true);
  await waiting;
  assert.equal(mu.owner, SharedMutex.threadId);
  mu.unlock();
});

Deno.test("SharedWaitGroup.wait() resolves when the counter reaches zero", async () => {
  const wg = new SharedWaitGroup();
  assert.equal(await settlesNow(wg.wait()), true);
  wg.add(2);
  const waiting = [wg.wait(), wg.wait()];
  wg.done();
  assert.equal(await settlesNow(waiting[0]), false);
  wg.done();
  await Promise.all(waiting);
  // Reusable once the waiters returned.
  wg.add(1);
  wg.done();
  await wg.wait();
});

Deno.test("SharedWaitGroup refuses a negative counter and leaves it unchanged", () => {
  const wg = new SharedWaitGroup();
  wg.add(1);
  assert.throws(() => wg.add(-2), NegativeWaitGroupCounterError);
  assert.equal(wg.count, 1);
  wg.done();
  assert.throws(() => wg.done(), NegativeWaitGroupCounterError);
  assert.throws(() => wg.add(0.5), RangeError);
  assert.equal(wg.count, 0);
});

Deno.test("SharedWaitGroup.wait() with an aborted signal rejects", async () => {
  const wg = new SharedWaitGroup();
  wg.add(1);
  const ac = new AbortController();
  const waiting = wg.wait({ signal: ac.signal });
  ac.abort(new Error("enough"));
  await assert.rejects(waiting, /enough/);
  wg.done();
});

Deno.test("SharedWaitGroup lets the main thread wait for workers and workers wait for it", async () => {
  using w1 = spawn();
  using w2 = spawn();
  const wg = new SharedWaitGroup();
  wg.add(2_000);
  const done = [
    w1.run({ cmd: "wgDone", wg: wg.handle, n: 1_000 }),
    w2.run({ cmd: "wgDone", wg: wg.handle, n: 1_000 }),
  ];
  await wg.wait();
  assert.equal(wg.count, 0);
  await Promise.all(done);

  const gate = new SharedWaitGroup();
  gate.add(1);
  const released = w1.run({ cmd: "wgWaitSync", wg: gate.handle });
  assert.equal(await settlesNow(released), false);
  gate.done();
  assert.equal(await released, "released");
});
