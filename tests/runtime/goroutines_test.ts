// Copyright the denogo authors. MIT license.
// The runtime's goroutine dump: rt.goroutines() lists the live tasks from
// shared memory (state, worker, creator, cancellation); goroutineDump()
// prints them as Go prints goroutines.

import assert from "node:assert/strict";
import { Runtime } from "../../runtime/mod.ts";
import { SharedChannel } from "../../workers/mod.ts";
import type * as Shared from "./_shared_tasks.ts";
import type * as Tasks from "./_tasks.ts";

const SHARED = new URL("./_shared_tasks.ts", import.meta.url);
const TASKS = new URL("./_tasks.ts", import.meta.url);

/** Waits, a macrotask at a time, until `ready()` holds. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 1));
}

Deno.test("rt.goroutines() lists running tasks, who created them, and empties as they end", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const t = rt.module<typeof Shared>(SHARED);
  assert.deepEqual(rt.goroutines(), []);
  const ch = new SharedChannel<unknown>();
  const out = new SharedChannel<number>();
  const a = t.receiveOne(ch); // blocks receiving
  const b = t.spawnProduce({ ch: out }, 1); // its child blocks sending
  await until(() =>
    rt.goroutines().filter((g) => g.state === "running").length === 3
  );
  const tasks = rt.goroutines();
  const byName = new Map(tasks.map((g) => [g.function, g]));
  assert.deepEqual([...byName.keys()].sort(), [
    "produce",
    "receiveOne",
    "spawnProduce",
  ]);
  for (const g of tasks) {
    assert.equal(g.worker, 0);
    assert.equal(g.module, SHARED.href);
    assert.equal(g.cancelled, false);
    assert.ok(g.forMs !== undefined && g.forMs >= 0);
  }
  assert.equal(byName.get("receiveOne")!.createdBy, "main thread");
  assert.equal(byName.get("produce")!.createdBy, "worker 0");
  assert.equal(new Set(tasks.map((g) => g.id)).size, 3, "ids are distinct");

  const dump = rt.goroutineDump();
  assert.match(
    dump,
    /^goroutine \d+ \[running, worker 0\]:\nproduce\(\.\.\.\)\n\tfile:.*_shared_tasks\.ts\ncreated by worker 0\n$/m,
  );
  assert.equal(dump.split("\n\n").length, 3);

  await ch.send("go");
  assert.equal(await a, "go");
  assert.deepEqual(await out.receive(), { value: 1, ok: true });
  await b;
  await until(() => rt.goroutines().length === 0);
  assert.equal(rt.goroutineDump(), "");
});

Deno.test("rt.goroutines(): a queued task is runnable with no worker; a cancelled one says so", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const t = rt.module<typeof Tasks>(TASKS);
  const controller = new AbortController();
  // The only worker is busy in a synchronous loop: the next call queues.
  const busy = t.burn.with({ signal: controller.signal })(300);
  await until(() => rt.goroutines().some((g) => g.state === "running"));
  const queued = t.inc(1);
  await until(() => rt.goroutines().length === 2);
  const waiting = rt.goroutines().find((g) => g.function === "inc")!;
  assert.equal(waiting.state, "runnable");
  assert.equal(waiting.worker, undefined);
  assert.equal(waiting.createdBy, "main thread");
  assert.match(rt.goroutineDump(), /\[runnable\]:\ninc\(\.\.\.\)/);
  // Cancelled, the call rejects at once; the loop runs on until it returns.
  controller.abort();
  await assert.rejects(busy, { name: "AbortError" });
  const burning = rt.goroutines().find((g) => g.function === "burn");
  if (burning !== undefined) { // it may have returned already
    assert.equal(burning.cancelled, true);
    assert.match(rt.goroutineDump(), /\[running, worker 0, cancelled\]:\nburn/);
  }
  assert.equal(await queued, 2);
});
