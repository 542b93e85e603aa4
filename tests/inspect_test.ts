// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import { Channel } from "../channel.ts";
import { go, goroutines } from "../scheduler.ts";
import { Mutex, Once, RWMutex, Semaphore, WaitGroup } from "../sync/mod.ts";

const NODE = Symbol.for("nodejs.util.inspect.custom");

/**
 * What Deno.inspect shows, checked against what Node's hook returns, with
 * the leading `id: N, ` (checked, and tested on its own below) left out.
 */
function shown(value: object): string {
  const text = Deno.inspect(value);
  const node = (value as Record<symbol, () => string>)[NODE]();
  assert.equal(node, text);
  assert.match(text, /^\w+ \{ id: \d+, /);
  return text.replace(/ id: \d+,/, "");
}

Deno.test("each channel and primitive shows an id of its own, the same every time: the one goroutines() names it by", async () => {
  const id = (value: object) =>
    Number(Deno.inspect(value).match(/id: (\d+)/)?.[1]);
  const a = new Channel<number>(), b = new Channel<number>();
  const mu = new Mutex();
  assert.equal(id(a), id(a));
  assert.notEqual(id(a), id(b));
  assert.notEqual(id(b), id(mu));
  await mu.lock();
  const g = go(async function locker() {
    await mu.lock();
    mu.unlock();
  });
  await Promise.resolve();
  const locker = goroutines().find((r) => r.function === "locker");
  assert.equal(locker?.state, "sync.Mutex.Lock");
  assert.equal(locker?.waitingOn, `Mutex ${id(mu)}`);
  mu.unlock();
  await g;
});

Deno.test("a Channel shows capacity, size, closed and who waits", async () => {
  const ch = new Channel<number>(2);
  await ch.send(1);
  assert.equal(
    shown(ch),
    "Channel { capacity: 2, size: 1, closed: false, waitingSenders: 0, waitingReceivers: 0 }",
  );
  const u = new Channel<number>();
  const got = new WaitGroup();
  got.add(2);
  for (let i = 0; i < 2; i++) {
    go(async () => {
      await u.receive();
      got.done();
    });
  }
  // Goroutines start in microtasks queued before this one: both park.
  await Promise.resolve();
  assert.match(shown(u), /waitingSenders: 0, waitingReceivers: 2 }$/);
  u.close();
  await got.wait();
  assert.equal(
    shown(u),
    "Channel { capacity: 0, size: 0, closed: true, waitingSenders: 0, waitingReceivers: 0 }",
  );
  // Nested values inspect the same way.
  assert.match(Deno.inspect({ ch }), /ch: Channel \{ id: \d+, capacity: 2/);
});

Deno.test("sync primitives show whether they are held and who waits", async () => {
  const mu = new Mutex();
  assert.equal(shown(mu), "Mutex { locked: false, waiters: 0 }");
  await mu.lock();
  const locked = mu.lock();
  assert.equal(shown(mu), "Mutex { locked: true, waiters: 1 }");
  mu.unlock();
  await locked;
  mu.unlock();

  const rw = new RWMutex();
  await rw.rLock();
  const writing = rw.lock();
  assert.equal(
    shown(rw),
    "RWMutex { readers: 1, writer: false, waitingReaders: 0, waitingWriters: 1 }",
  );
  rw.rUnlock();
  await writing;
  assert.match(shown(rw), /readers: 0, writer: true/);
  rw.unlock();

  const sem = new Semaphore(3);
  await sem.acquire(2);
  assert.equal(shown(sem), "Semaphore { size: 3, acquired: 2, waiters: 0 }");
  sem.release(2);

  const wg = new WaitGroup();
  wg.add(2);
  const waiting = wg.wait();
  assert.equal(shown(wg), "WaitGroup { counter: 2, waiters: 1 }");
  wg.done();
  wg.done();
  await waiting;

  const once = new Once();
  assert.equal(shown(once), 'Once { state: "not run", waiters: 0 }');
  await once.do(() => {});
  assert.equal(shown(once), 'Once { state: "done", waiters: 0 }');
});

Deno.test("inspection hooks are not enumerable: JSON and spreads are unchanged", () => {
  const ch = new Channel(1);
  assert.deepEqual(Object.keys(ch), []);
  assert.equal(JSON.stringify(new Mutex()), "{}");
});
