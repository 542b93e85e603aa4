// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import { Channel, go, yieldNow } from "../../mod.ts";
import {
  Cond,
  type Locker,
  Mutex,
  RWMutex,
  UnlockOfUnlockedError,
  WaitGroup,
} from "../../sync/mod.ts";
import { flush, track } from "../_util.ts";

Deno.test("Cond.wait() unlocks while waiting and holds the lock again when it resolves", async () => {
  const mu = new Mutex();
  const cond = new Cond(mu);
  await mu.lock();
  const waiting = track(cond.wait());
  assert.equal(mu.tryLock(), true, "wait() released the lock");
  cond.signal();
  await flush();
  assert.equal(waiting.settled, false, "it must relock first");
  mu.unlock();
  await flush();
  assert.equal(waiting.settled, true);
  assert.equal(mu.tryLock(), false, "the waiter holds the lock");
  mu.unlock();
});

// Go's TestCondSignal: signal wakes one waiter at a time.
Deno.test("Cond.signal() wakes exactly one waiter, the longest waiting", async () => {
  const mu = new Mutex();
  const cond = new Cond(mu);
  const woken: number[] = [];
  const running = new Channel<void>({ capacity: 3 });
  const wg = new WaitGroup();
  for (let i = 0; i < 3; i++) {
    wg.go(async () => {
      await mu.lock();
      await running.send();
      await cond.wait();
      woken.push(i);
      mu.unlock();
    });
  }
  for (let i = 0; i < 3; i++) await running.receive();
  // Every waiter is inside wait() once we can take the lock.
  await mu.lock();
  mu.unlock();
  for (let i = 0; i < 3; i++) {
    cond.signal();
    await flush();
    assert.deepEqual(woken, [0, 1, 2].slice(0, i + 1));
  }
  await wg.wait();
});

// Go's TestCondSignalGenerations: a signal wakes a waiter that was
// waiting when it was sent, in order.
Deno.test("Cond.signal() serves waiters in the order they started waiting", async () => {
  const mu = new Mutex();
  const cond = new Cond(mu);
  const n = 20;
  const awoke = new Channel<number>({ capacity: n });
  const wg = new WaitGroup();
  for (let i = 0; i < n; i++) {
    await mu.lock();
    wg.go(async () => {
      await mu.lock();
      const wait = cond.wait();
      await awoke.send(-1); // Tell main we are waiting (lock released).
      await wait;
      await awoke.send(i);
      mu.unlock();
    });
    mu.unlock();
    assert.equal((await awoke.receive()).value, -1);
    if (i > 0) {
      cond.signal();
      assert.equal((await awoke.receive()).value, i - 1);
    }
  }
  cond.signal();
  assert.equal((await awoke.receive()).value, n - 1);
  await wg.wait();
});

// Go's TestCondBroadcast.
Deno.test("Cond.broadcast() wakes every waiter", async () => {
  const mu = new Mutex();
  const cond = new Cond(mu);
  let generation = 0;
  const n = 5;
  const woken = new Channel<number>({ capacity: n });
  const ready = new Channel<void>({ capacity: n });
  const wg = new WaitGroup();
  for (let i = 0; i < n; i++) {
    wg.go(async () => {
      await mu.lock();
      await ready.send();
      const start = generation;
      while (generation === start) await cond.wait();
      mu.unlock();
      await woken.send(i);
    });
  }
  for (let i = 0; i < n; i++) await ready.receive();
  // Each released the lock only by waiting: once we hold it, all wait.
  await mu.lock();
  generation++;
  cond.broadcast();
  mu.unlock();
  await wg.wait();
  woken.close();
  assert.deepEqual((await Array.fromAsync(woken)).sort(), [0, 1, 2, 3, 4]);
});

Deno.test("Cond.signal() and broadcast() with no waiter do nothing", async () => {
  const mu = new Mutex();
  const cond = new Cond(mu);
  cond.signal();
  cond.broadcast();
  await mu.lock();
  const waiting = track(cond.wait());
  await flush();
  assert.equal(waiting.settled, false, "an earlier signal is not remembered");
  cond.signal();
  await flush();
  assert.equal(waiting.settled, true);
  mu.unlock();
});

// Go's TestCondSignalStealing: a broadcast racing with a new waiter still
// wakes the waiter that was already waiting.
Deno.test("Cond.broadcast() always wakes a waiter that was already waiting", async () => {
  for (let iter = 0; iter < 50; iter++) {
    const mu = new Mutex();
    const cond = new Cond(mu);
    const ch = new Channel<void>();
    const first = go(async () => {
      await mu.lock();
      const wait = cond.wait();
      await ch.send();
      await wait;
      mu.unlock();
      await ch.send();
    });
    await ch.receive();
    let done = false;
    go(() => cond.broadcast());
    const second = go(async () => {
      await mu.lock();
      while (!done) await cond.wait();
      mu.unlock();
    });
    await ch.receive();
    await first;
    await mu.lock();
    done = true;
    mu.unlock();
    cond.broadcast();
    await second;
  }
});

Deno.test("Cond.wait() without holding a Mutex rejects with its unlock error and does not wait", async () => {
  const mu = new Mutex();
  const cond = new Cond(mu);
  await assert.rejects(cond.wait(), UnlockOfUnlockedError);
  cond.signal(); // No waiter was left behind.
  assert.equal(mu.tryLock(), true);
  mu.unlock();
});

Deno.test("Cond.wait() cancelled by its signal relocks and then rejects", async () => {
  const mu = new Mutex();
  const cond = new Cond(mu);
  await mu.lock();
  const controller = new AbortController();
  const waiting = cond.wait({ signal: controller.signal });
  controller.abort(new Error("cancelled"));
  await assert.rejects(waiting, /cancelled/);
  assert.equal(mu.tryLock(), false, "the lock is held again");
  mu.unlock();
  await assert.rejects(
    cond.wait({ signal: controller.signal }),
    /cancelled/,
    "an aborted signal rejects at once",
  );
});

Deno.test("Cond works with an RWMutex's read side and with a synchronous Locker", async () => {
  const rw = new RWMutex();
  const cond = new Cond(rw.rLocker());
  await rw.rLock();
  const waiting = cond.wait();
  assert.equal(rw.tryLock(), true, "the read lock was released");
  rw.unlock();
  cond.signal();
  await waiting;
  rw.rUnlock();

  let held = false;
  const locker: Locker = {
    lock() {
      held = true;
    },
    unlock() {
      held = false;
    },
  };
  const plain = new Cond(locker);
  locker.lock();
  const w = plain.wait();
  assert.equal(held, false);
  plain.broadcast();
  await w;
  assert.equal(held, true);
});

Deno.test("new Cond() rejects something that is not a Locker", () => {
  assert.throws(() => new Cond(null as unknown as Locker), TypeError);
  assert.throws(() => new Cond({} as Locker), TypeError);
});

// Go's TestRace: three goroutines hand a value around with wait/signal.
Deno.test("Cond: goroutines pass a state machine around with wait and signal", async () => {
  let x = 0;
  const mu = new Mutex();
  const c = new Cond(mu);
  const a = go(async () => {
    await mu.lock();
    x = 1;
    await c.wait();
    assert.equal(x, 2);
    x = 3;
    c.signal();
    mu.unlock();
  });
  const b = go(async () => {
    await mu.lock();
    for (;;) {
      if (x === 1) {
        x = 2;
        c.signal();
        break;
      }
      mu.unlock();
      await yieldNow();
      await mu.lock();
    }
    mu.unlock();
  });
  const d = go(async () => {
    await mu.lock();
    for (;;) {
      if (x === 2) {
        await c.wait();
        assert.equal(x, 3);
        break;
      }
      if (x === 3) break;
      mu.unlock();
      await yieldNow();
      await mu.lock();
    }
    mu.unlock();
  });
  await Promise.all([a, b, d]);
});
