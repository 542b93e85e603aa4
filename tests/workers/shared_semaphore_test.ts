// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import {
  AcquireExceedsSizeError,
  ReleaseExceedsHeldError,
  SharedSemaphore,
} from "../../workers/mod.ts";
import type { SyncJob } from "./_sync_fixture.ts";
import { spawn } from "./_spawn.ts";
import { flush } from "../_util.ts";

const FIXTURE = new URL("./_sync_fixture.ts", import.meta.url);

Deno.test("SharedSemaphore grants waiters in FIFO order: a large request holds back smaller ones", async () => {
  const sem = new SharedSemaphore(4);
  await sem.acquire(3);
  const order: string[] = [];
  const big = sem.acquire(3).then(() => order.push("big"));
  await flush();
  const small = sem.acquire(1).then(() => order.push("small"));
  await flush();
  // One unit is free, but the big request is first in line.
  assert.deepEqual(order, []);
  assert.equal(sem.tryAcquire(1), false);
  sem.release(3);
  await Promise.all([big, small]);
  assert.deepEqual(order, ["big", "small"]);
  sem.release(4);
  assert.equal(sem.available, 4);
});

Deno.test("SharedSemaphore aborted waiter leaves the line", async () => {
  const sem = new SharedSemaphore(2);
  await sem.acquire(2);
  const ac = new AbortController();
  const first = sem.acquire(2, { signal: ac.signal });
  await flush();
  let second = false;
  const next = sem.acquire(1).then(() => second = true);
  await flush();
  ac.abort(new Error("no"));
  await assert.rejects(first, /no/);
  sem.release(1);
  await next;
  assert.equal(second, true);
  sem.release(2);
  assert.equal(sem.available, 2);
});

Deno.test("SharedSemaphore refuses impossible acquires and over-releases with the tier-1 errors", async () => {
  const sem = new SharedSemaphore(2);
  await assert.rejects(sem.acquire(3), AcquireExceedsSizeError);
  assert.throws(() => sem.release(1), ReleaseExceedsHeldError);
  assert.throws(() => new SharedSemaphore(1.5), RangeError);
  assert.throws(() => sem.acquireSync(1), /main thread/);
});

Deno.test("SharedSemaphore bounds the weight in use across two workers and the main thread", async () => {
  using w1 = spawn<SyncJob>(FIXTURE);
  using w2 = spawn<SyncJob>(FIXTURE);
  const sem = new SharedSemaphore(3);
  const cells = new SharedArrayBuffer(8);
  const n = 1500;
  const c = new Int32Array(cells);
  await Promise.all([
    w1.run({ cmd: "sem", sem: sem.handle, cells, weight: 2, n, sync: true }),
    w2.run({ cmd: "sem", sem: sem.handle, cells, weight: 1, n, sync: false }),
    (async () => {
      for (let i = 0; i < n; i++) {
        await sem.acquire(1);
        const now = Atomics.add(c, 0, 1) + 1;
        if (now > Atomics.load(c, 1)) Atomics.store(c, 1, now);
        Atomics.sub(c, 0, 1);
        sem.release(1);
      }
    })(),
  ]);
  assert.ok(c[1] <= 3, `at most 3 in use, saw ${c[1]}`);
  assert.equal(c[0], 0);
  assert.equal(sem.available, 3);
});
