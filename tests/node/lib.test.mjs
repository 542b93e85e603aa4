// Copyright the denogo authors. MIT license.
// The subset suite for Node (`node --test tests/node/`) and Bun
// (`bun test tests/node/`), against the npm build (`deno task build:npm`).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import {
  after,
  Channel,
  context,
  go,
  Mutex,
  recv,
  Runtime,
  select,
  WaitGroup,
  WorkerCrashedError,
} from "../../npm/mod.js";
import { SharedChannel } from "../../npm/workers/mod.js";

test("channels and goroutines carry values in order", async () => {
  const ch = new Channel(2);
  go(async () => {
    for (let i = 0; i < 5; i++) await ch.send(i);
    ch.close();
  });
  const got = [];
  for await (const v of ch) got.push(v);
  assert.deepEqual(got, [0, 1, 2, 3, 4]);
});

test("select picks the ready case; after() fires", async () => {
  const ch = new Channel(1);
  await ch.send("x");
  let got;
  await select([
    recv(ch, (v) => got = v),
    recv(after(1_000_000), () => got = "timer"),
  ]);
  assert.equal(got, "x");
  let fired = false;
  await select([recv(after(1), () => fired = true)]);
  assert.equal(fired, true);
});

test("sync: Mutex and WaitGroup", async () => {
  const mu = new Mutex();
  const wg = new WaitGroup();
  let n = 0;
  for (let i = 0; i < 10; i++) {
    wg.add(1);
    go(async () => {
      await mu.lock();
      n++;
      mu.unlock();
      wg.done();
    });
  }
  await wg.wait();
  assert.equal(n, 10);
});

test("context: cancel ends done()", async () => {
  const [ctx, cancel] = context.withCancel(context.background());
  cancel();
  await ctx.done().receive();
  assert.equal(ctx.err()?.name, "CanceledError");
});

test("deadlock report: exit code 2 and Go's text", () => {
  const program = new URL("./_deadlock.mjs", import.meta.url).pathname;
  const r = spawnSync(process.execPath, [program], { encoding: "utf8" });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^fatal error: all goroutines are asleep - deadlock!/);
  assert.match(r.stderr, /goroutine 1 \[chan receive\]/);
});

test("SharedChannel: main thread sends, a worker_threads worker's recvSync receives", async () => {
  const ch = new SharedChannel({ codec: "int32" });
  const w = new Worker(new URL("./_consumer.mjs", import.meta.url), {
    workerData: ch.handle,
  });
  const done = new Promise((resolve, reject) => {
    w.once("message", resolve);
    w.once("error", reject);
  });
  for (let i = 0; i < 100; i++) await ch.send(i);
  ch.close();
  assert.deepEqual(await done, Array.from({ length: 100 }, (_, i) => i));
  await w.terminate();
});

test("Runtime: fib via spawn, a crash is a WorkerCrashedError, a trace", async () => {
  const rt = await Runtime.start({ procs: 2, trace: true });
  try {
    const tasks = rt.module(new URL("./_tasks.mjs", import.meta.url).href);
    assert.equal(await tasks.fib(20, 10), 6765);
    await assert.rejects(tasks.crash(), WorkerCrashedError);
    const trace = rt.trace();
    assert.ok(trace.traceEvents.length > 0);
  } finally {
    await rt.close();
  }
});
