// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import {
  SharedMutex,
  SharedRWMutex,
  UnlockOfUnlockedError,
} from "../../workers/mod.ts";
import { UnlockOfUnlockedError as Tier1Error } from "../../sync/mod.ts";
import type { SyncJob } from "./_sync_fixture.ts";
import { spawn } from "./_spawn.ts";
import { flush } from "../_util.ts";

const FIXTURE = new URL("./_sync_fixture.ts", import.meta.url);

Deno.test("SharedRWMutex shares read locks and excludes a writer", async () => {
  const mu = new SharedRWMutex();
  await mu.rLock();
  assert.equal(mu.tryRLock(), true);
  assert.equal(mu.tryLock(), false);
  let wrote = false;
  const w = mu.lock().then(() => wrote = true);
  await flush();
  assert.equal(wrote, false);
  // A waiting writer keeps new readers out.
  assert.equal(mu.tryRLock(), false);
  mu.rUnlock();
  await flush();
  assert.equal(wrote, false);
  mu.rUnlock();
  await w;
  assert.equal(mu.writer, SharedMutex.threadId);
  let read = false;
  const r = mu.rLock().then(() => read = true);
  await flush();
  assert.equal(read, false);
  mu.unlock();
  await r;
  mu.rUnlock();
});

Deno.test("SharedRWMutex unlock without a lock throws the tier-1 UnlockOfUnlockedError", () => {
  const mu = new SharedRWMutex();
  assert.throws(() => mu.unlock(), (e) => {
    assert.ok(e instanceof UnlockOfUnlockedError);
    assert.ok(e instanceof Tier1Error);
    assert.equal(e.operation, "SharedRWMutex.unlock");
    return true;
  });
  assert.throws(() => mu.rUnlock(), UnlockOfUnlockedError);
  assert.throws(() => new SharedMutex().unlock(), Tier1Error);
});

Deno.test("SharedRWMutex aborted writer lets held-back readers in", async () => {
  const mu = new SharedRWMutex();
  await mu.rLock();
  const ac = new AbortController();
  const w = mu.lock({ signal: ac.signal });
  await flush();
  assert.equal(mu.tryRLock(), false);
  ac.abort(new Error("gave up"));
  await assert.rejects(w, /gave up/);
  assert.equal(mu.tryRLock(), true);
  mu.rUnlock();
  mu.rUnlock();
  assert.equal(mu.tryLock(), true);
  mu.unlock();
});

Deno.test("SharedRWMutex keeps two workers' and the main thread's updates consistent", async () => {
  using w1 = spawn<SyncJob>(FIXTURE);
  using w2 = spawn<SyncJob>(FIXTURE);
  const mu = new SharedRWMutex();
  const cells = new SharedArrayBuffer(8);
  const n = 2000;
  const results = await Promise.all([
    w1.run({ cmd: "rw", mu: mu.handle, cells, n, sync: true }),
    w2.run({ cmd: "rw", mu: mu.handle, cells, n, sync: false }),
    (async () => {
      let bad = 0;
      const c = new Int32Array(cells);
      for (let i = 0; i < n; i++) {
        if (i % 4 === 3) {
          await mu.rLock();
          if (c[0] !== c[1]) bad++;
          mu.rUnlock();
        } else {
          await mu.lock();
          const x = c[0];
          c[0] = x + 1;
          c[1] = x + 1;
          mu.unlock();
        }
      }
      return bad;
    })(),
  ]);
  assert.deepEqual(results, [0, 0, 0]);
  assert.equal(new Int32Array(cells)[0], 3 * (n - n / 4));
});

Deno.test("SharedRWMutex write lock held by a terminated worker is released by its thread id", async () => {
  const mu = new SharedRWMutex();
  const w = spawn<SyncJob>(FIXTURE);
  let id: number;
  try {
    id = await w.run({ cmd: "rwHold", mu: mu.handle }) as number;
  } finally {
    w[Symbol.dispose]();
  }
  assert.equal(mu.writer, id);
  let got = false;
  const p = mu.rLock().then(() => got = true);
  await flush();
  assert.equal(got, false);
  assert.equal(mu.releaseAbandoned(12345), false);
  assert.equal(mu.releaseAbandoned(id), true);
  await p;
  mu.rUnlock();
});

Deno.test("SharedRWMutex read locks held by a terminated worker are released by its thread id, and only its own", async () => {
  const mu = new SharedRWMutex();
  await mu.rLock(); // the main thread's read lock stays
  const w = spawn<SyncJob>(FIXTURE);
  let id: number;
  try {
    id = await w.run({ cmd: "rwHoldRead", mu: mu.handle, n: 3 }) as number;
  } finally {
    w[Symbol.dispose]();
  } // terminated holding three read locks
  let wrote = false;
  const writer = mu.lock().then(() => wrote = true);
  await flush();
  assert.equal(wrote, false);
  assert.equal(mu.releaseAbandoned(12345), false);
  assert.equal(mu.releaseAbandoned(id), true);
  assert.equal(mu.releaseAbandoned(id), false);
  await flush();
  assert.equal(wrote, false); // the main thread still reads
  mu.rUnlock();
  await writer;
  assert.equal(mu.writer, SharedMutex.threadId);
  mu.unlock();
  assert.throws(() => mu.rUnlock(), UnlockOfUnlockedError);
});

Deno.test("SharedRWMutex keeps counting read locks past its 16 reader records", () => {
  const mu = new SharedRWMutex();
  // Sixteen other threads hold one read lock each, as the layout table in
  // shared_rw_mutex.ts describes them: READERS is word 5, record i is
  // words 8 + 2i (thread id) and 9 + 2i (count).
  const words = new Int32Array(mu.handle.buffer);
  for (let i = 0; i < 16; i++) {
    words[8 + 2 * i] = 1000 + i;
    words[9 + 2 * i] = 1;
  }
  words[5] = 16;
  // A 17th thread (this one) finds no free record: its lock counts anyway.
  assert.equal(mu.tryRLock(), true);
  assert.equal(words[5], 17);
  assert.equal(mu.releaseAbandoned(1003), true);
  assert.equal(words[5], 16);
  mu.rUnlock();
  for (let i = 0; i < 16; i++) {
    if (i !== 3) assert.equal(mu.releaseAbandoned(1000 + i), true);
  }
  assert.equal(mu.tryLock(), true);
  mu.unlock();
});
