// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import { SharedOnce } from "../../workers/mod.ts";
import type { SyncJob } from "./_sync_fixture.ts";
import { spawn } from "./_spawn.ts";
import { flush } from "../_util.ts";

const FIXTURE = new URL("./_sync_fixture.ts", import.meta.url);

Deno.test("SharedOnce runs one function across two workers and the main thread", async () => {
  using w1 = spawn<SyncJob>(FIXTURE);
  using w2 = spawn<SyncJob>(FIXTURE);
  const once = new SharedOnce();
  const cells = new SharedArrayBuffer(4);
  const c = new Int32Array(cells);
  const results = await Promise.all([
    w1.run({ cmd: "once", once: once.handle, cells, sync: true }),
    w2.run({ cmd: "once", once: once.handle, cells, sync: false }),
    once.do(() => {
      Atomics.add(c, 0, 1);
    }).then(() => Atomics.load(c, 0)),
  ]);
  // Every caller returns only after the single run finished.
  assert.deepEqual(results, [1, 1, 1]);
  assert.equal(once.done, true);
});

Deno.test("SharedOnce waiters on one thread wait for an async run", async () => {
  const once = new SharedOnce();
  const gate = Promise.withResolvers<void>();
  let runs = 0;
  const first = once.do(async () => {
    runs++;
    await gate.promise;
  });
  let second = false;
  const other = SharedOnce.from(structuredClone(once.handle));
  const p = other.do(() => runs++).then(() => second = true);
  await flush();
  assert.equal(second, false);
  gate.resolve();
  await Promise.all([first, p]);
  assert.equal(runs, 1);
});

Deno.test("SharedOnce counts a throwing run as done, and the error reaches only its caller", async () => {
  const once = new SharedOnce();
  await assert.rejects(
    once.do(() => {
      throw new Error("boom");
    }),
    /boom/,
  );
  let ran = false;
  await once.do(() => {
    ran = true;
  });
  assert.equal(ran, false);
});

Deno.test("SharedOnce.doSync() on a done once returns at once, on the main thread too", async () => {
  const once = new SharedOnce();
  await once.do(() => {});
  let ran = false;
  // Nothing to wait for: no MainThreadWaitError, and fn does not run.
  SharedOnce.from(once.handle).doSync(() => ran = true);
  once.doSync(() => ran = true);
  assert.equal(ran, false);
});
