// Copyright the denogo authors. MIT license.
// console.log of the shared sync types: their id (the ID word, the same on
// every thread: the one rt.goroutines() names them by) and their state.

import assert from "node:assert/strict";
import {
  SharedMutex,
  SharedOnce,
  SharedRWMutex,
  SharedSemaphore,
  SharedWaitGroup,
} from "../../workers/mod.ts";

const NODE = Symbol.for("nodejs.util.inspect.custom");

/** Deno.inspect's text, checked against Node's hook, without its id. */
function shown(value: object): string {
  const text = Deno.inspect(value);
  assert.equal((value as Record<symbol, () => string>)[NODE](), text);
  assert.match(text, /^\w+ \{ id: \d+, /);
  return text.replace(/ id: \d+,/, "");
}

Deno.test("the shared sync types show their id and state in console.log", async () => {
  const mu = new SharedMutex();
  assert.equal(shown(mu), "SharedMutex { locked: false, waiters: 0 }");
  await mu.lock();
  assert.equal(shown(mu), "SharedMutex { locked: true, waiters: 0 }");
  mu.unlock();

  const rw = new SharedRWMutex();
  await rw.rLock();
  assert.equal(
    shown(rw),
    "SharedRWMutex { readers: 1, writer: false, waitingWriters: 0 }",
  );
  rw.rUnlock();

  const sem = new SharedSemaphore(3);
  using _ = await sem.acquire(2);
  assert.equal(shown(sem), "SharedSemaphore { size: 3, available: 1 }");

  const wg = new SharedWaitGroup();
  wg.add(2);
  assert.equal(shown(wg), "SharedWaitGroup { counter: 2, waiters: 0 }");
  wg.add(-2);

  const once = new SharedOnce();
  assert.equal(shown(once), "SharedOnce { done: false, running: false }");
  await once.do(() => {});
  assert.equal(shown(once), "SharedOnce { done: true, running: false }");
});

Deno.test("a shared primitive's id is the same through its handle, and differs from another's", () => {
  const mu = new SharedMutex();
  const id = (v: object) => Deno.inspect(v).match(/id: (\d+)/)?.[1];
  assert.equal(id(SharedMutex.from(mu.handle)), id(mu));
  assert.notEqual(id(new SharedMutex()), id(mu));
});
