// Copyright the denogo authors. MIT license.
// The `using` forms of the shared locks: SharedMutex.locked()/lockedSync(),
// SharedRWMutex.locked()/rLocked() and their Sync forms, and the permits of
// SharedSemaphore.acquire()/acquireSync(), on one thread and across Workers.

import assert from "node:assert/strict";
import {
  AcquireExceedsSizeError,
  MainThreadWaitError,
  SharedMutex,
  SharedRWMutex,
  SharedSemaphore,
} from "../../workers/mod.ts";
import type { Job } from "./_worker_fixture.ts";
import type { SyncJob } from "./_sync_fixture.ts";
import { spawn } from "./_spawn.ts";

const fixture = new URL("./_worker_fixture.ts", import.meta.url);
const syncFixture = new URL("./_sync_fixture.ts", import.meta.url);

Deno.test("SharedMutex.locked() unlocks at the end of the block, once however often disposed", async () => {
  const mu = new SharedMutex();
  const guard = await mu.locked();
  assert.equal(mu.owner, SharedMutex.threadId);
  guard[Symbol.dispose]();
  assert.equal(mu.owner, 0);
  assert.equal(mu.tryLock(), true); // held by someone else now
  guard[Symbol.dispose](); // a second dispose does not unlock their lock
  assert.equal(mu.owner, SharedMutex.threadId);
  mu.unlock();
  {
    using _ = await mu.locked();
    assert.equal(mu.tryLock(), false);
  }
  assert.equal(mu.owner, 0);
});

Deno.test("SharedMutex.locked() waits for the holder and rejects on abort, holding nothing", async () => {
  const mu = new SharedMutex();
  assert.equal(mu.tryLock(), true);
  const controller = new AbortController();
  const waiting = mu.locked({ signal: controller.signal });
  controller.abort(new Error("gave up"));
  await assert.rejects(waiting, /gave up/);
  const next = mu.locked();
  mu.unlock();
  const guard = await next;
  assert.equal(mu.owner, SharedMutex.threadId);
  guard[Symbol.dispose]();
  assert.equal(mu.owner, 0);
});

Deno.test("SharedRWMutex guards: rLocked() shares, locked() excludes, each released once", async () => {
  const rw = new SharedRWMutex();
  {
    using _a = await rw.rLocked();
    using _b = await rw.rLocked();
    assert.equal(rw.tryLock(), false);
  }
  const w = await rw.locked();
  assert.equal(rw.tryRLock(), false);
  w[Symbol.dispose]();
  w[Symbol.dispose]();
  assert.equal(rw.tryRLock(), true);
  rw.rUnlock();
  assert.equal(rw.tryLock(), true);
  rw.unlock();
});

Deno.test("SharedSemaphore permits give their weight back once", async () => {
  const sem = new SharedSemaphore(3);
  const permit = await sem.acquire(2);
  assert.equal(permit.weight, 2);
  assert.equal(permit.released, false);
  assert.equal(sem.available, 1);
  permit.release();
  permit[Symbol.dispose]();
  assert.equal(permit.released, true);
  assert.equal(sem.available, 3);
  {
    using _ = await sem.acquire();
    assert.equal(sem.available, 2);
  }
  assert.equal(sem.available, 3);
  await assert.rejects(sem.acquire(4), AcquireExceedsSizeError);
  assert.equal(sem.available, 3);
});

Deno.test("the Sync guards throw MainThreadWaitError on the main thread and hold nothing", () => {
  const mu = new SharedMutex();
  const rw = new SharedRWMutex();
  const sem = new SharedSemaphore(1);
  assert.throws(() => mu.lockedSync(), MainThreadWaitError);
  assert.throws(() => rw.lockedSync(), MainThreadWaitError);
  assert.throws(() => rw.rLockedSync(), MainThreadWaitError);
  assert.throws(() => sem.acquireSync(), MainThreadWaitError);
  assert.equal(mu.owner, 0);
  assert.equal(rw.tryLock(), true);
  assert.equal(sem.available, 1);
});

Deno.test("guards exclude two workers (one blocking, one awaiting) and the main thread", async () => {
  using w1 = spawn<Job>(fixture);
  using w2 = spawn<Job>(fixture);
  const mu = new SharedMutex();
  const cell = new SharedArrayBuffer(4);
  const n = 2_000;
  const job = { cmd: "mutexIncrement", mu: mu.handle, cell, n, guards: true };
  const work = [
    w1.run({ ...job, sync: true } as Job),
    w2.run({ ...job, sync: false } as Job),
  ];
  const view = new Int32Array(cell);
  for (let i = 0; i < n; i++) {
    using _ = await mu.locked();
    const x = view[0];
    if ((i & 63) === 0) await Promise.resolve();
    view[0] = x + 1;
  }
  await Promise.all(work);
  assert.equal(view[0], 3 * n);
  assert.equal(mu.owner, 0);
});

Deno.test("RW guards and semaphore permits keep their invariants across two workers", async () => {
  using w1 = spawn<SyncJob>(syncFixture);
  using w2 = spawn<SyncJob>(syncFixture);
  const rw = new SharedRWMutex();
  const cells = new SharedArrayBuffer(8);
  const n = 1_000;
  const bad = await Promise.all([
    w1.run({ cmd: "rw", mu: rw.handle, cells, n, sync: true, guards: true }),
    w2.run({ cmd: "rw", mu: rw.handle, cells, n, sync: false, guards: true }),
  ]);
  assert.deepEqual(bad, [0, 0]);
  const view = new Int32Array(cells);
  assert.equal(view[0], 2 * (n - n / 4));
  assert.equal(rw.tryLock(), true);

  const sem = new SharedSemaphore(3);
  const used = new SharedArrayBuffer(8);
  await Promise.all([
    w1.run({
      cmd: "sem",
      sem: sem.handle,
      cells: used,
      weight: 2,
      n,
      sync: true,
      guards: true,
    }),
    w2.run({
      cmd: "sem",
      sem: sem.handle,
      cells: used,
      weight: 1,
      n,
      sync: false,
      guards: true,
    }),
  ]);
  const u = new Int32Array(used);
  assert.equal(u[0], 0);
  assert.ok(u[1] <= 3, `at most the size in use at once, saw ${u[1]}`);
  assert.equal(sem.available, 3);
});
