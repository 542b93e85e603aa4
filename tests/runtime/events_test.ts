// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import {
  Runtime,
  WorkerCrashEvent,
  WorkerReplaceEvent,
} from "../../runtime/mod.ts";
import type * as Tasks from "./_tasks.ts";

const TASKS = new URL("./_tasks.ts", import.meta.url);

Deno.test("crash then replace events, with the worker and the reason", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const t = rt.module<typeof Tasks>(TASKS);
  const crashed = new Promise<WorkerCrashEvent>((resolve) =>
    rt.addEventListener("crash", resolve, { once: true })
  );
  const replaced = new Promise<WorkerReplaceEvent>((resolve) =>
    rt.addEventListener("replace", resolve, { once: true })
  );
  await assert.rejects(t.throwUncaught());
  const crash = await crashed;
  assert.ok(crash instanceof WorkerCrashEvent);
  assert.equal(crash.type, "crash");
  assert.equal(crash.worker, 0);
  assert.match(crash.reason, /uncaught in worker/);
  const replace = await replaced;
  assert.ok(replace instanceof WorkerReplaceEvent);
  assert.equal(replace.worker, 0);
  assert.equal(await t.inc(1), 2);
});

Deno.test("an idle event each time the last call settles; close once closed", async () => {
  const rt = await Runtime.start({ procs: 2 });
  const t = rt.module<typeof Tasks>(TASKS);
  const seen: string[] = [];
  rt.addEventListener(
    "idle",
    (e) => seen.push(`${e.type}:${rt.stats().pending}`),
  );
  rt.addEventListener("close", (e) => seen.push(`${e.type}:${rt.closed}`));
  await Promise.all([t.inc(1), t.inc(2), t.inc(3)]);
  assert.deepEqual(seen, ["idle:0"]);
  await t.inc(4);
  assert.deepEqual(seen, ["idle:0", "idle:0"]);
  await rt.close();
  assert.deepEqual(seen, ["idle:0", "idle:0", "close:true"]);
});

Deno.test("stats(): latency and queue-wait histograms of the main thread's calls", async () => {
  await using rt = await Runtime.start({ procs: 2 });
  const t = rt.module<typeof Tasks>(TASKS);
  const empty = rt.stats();
  assert.deepEqual(empty.latency, {
    count: 0,
    min: 0,
    mean: 0,
    p50: 0,
    p90: 0,
    p99: 0,
    max: 0,
  });
  await Promise.all(Array.from({ length: 50 }, (_, i) => t.inc(i)));
  await t.burn(5);
  const { latency, queueWait } = rt.stats();
  assert.equal(latency.count, 51);
  assert.equal(queueWait.count, 51);
  for (const h of [latency, queueWait]) {
    assert.ok(h.min >= 0 && h.min <= h.p50, JSON.stringify(h));
    assert.ok(h.p50 <= h.p90 && h.p90 <= h.p99 && h.p99 <= h.max);
    assert.ok(h.mean >= h.min && h.mean <= h.max);
  }
  // The burn took at least 5 ms from call to result.
  assert.ok(latency.max >= 5, JSON.stringify(latency));
  // A call aborted before it is made is not one.
  const signal = AbortSignal.abort();
  await assert.rejects(t.inc.with({ signal })(1));
  assert.equal(rt.stats().latency.count, 51);
});

Deno.test("close() stops the workers without a crash event, and counts no crash", async () => {
  const rt = await Runtime.start({ procs: 2 });
  const crashes: string[] = [];
  rt.addEventListener("crash", (e) => crashes.push(e.reason));
  const { inc } = rt.module<typeof Tasks>(TASKS);
  assert.equal(await inc(1), 2);
  const closed = new Promise((resolve) =>
    rt.addEventListener("close", resolve, { once: true })
  );
  await rt.close();
  await closed;
  assert.deepEqual(crashes, []);
  assert.equal(rt.stats().crashes, 0);
});
