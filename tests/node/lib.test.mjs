// Copyright the denogo authors. MIT license.
// The subset suite for Node (`node --test tests/node/`) and Bun
// (`bun test tests/node/`), against the npm build (`deno task build:npm`).

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { inspect } from "node:util";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import {
  after,
  Channel,
  context,
  dumpOnSignal,
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

test("no deadlock report while a signal listener can still wake main", async () => {
  const program = new URL("./_signal.mjs", import.meta.url).pathname;
  const child = spawn(process.execPath, [program], { stdio: "pipe" });
  let stdout = "";
  child.stdout.setEncoding("utf8");
  let signalled = false;
  child.stdout.on("data", (text) => {
    stdout += text;
    if (!signalled && stdout.includes("dry\n")) {
      signalled = true;
      child.kill("SIGUSR1");
    }
  });
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.equal(code, 0);
  assert.equal(stdout, "dry\nsignalled\n");
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
    const slices = trace.traceEvents.filter((e) => e.ph === "X");
    assert.ok(slices.some((e) => e.name === "fib" && e.tid >= 1 && e.tid <= 2));
    const threads = trace.traceEvents.filter((e) => e.name === "thread_name");
    assert.ok(threads.length >= 3); // the workers (one replaced) and main
  } finally {
    await rt.close();
  }
});

test("Runtime: structured values both ways (node:v8 payloads)", async () => {
  const rt = await Runtime.start({ procs: 1 });
  try {
    const tasks = rt.module(new URL("./_tasks.mjs", import.meta.url).href);
    const value = { m: new Map([[1, "a"]]), d: new Date(0), s: new Set([2]) };
    assert.deepEqual(await tasks.echo(value), value);
  } finally {
    await rt.close();
  }
});

test("Runtime: cancelling a task cancels the child it spawned after an await", async () => {
  const rt = await Runtime.start({ procs: 2 });
  const name = `cancel:${crypto.randomUUID()}`;
  const bc = new BroadcastChannel(name);
  const seen = [];
  let wake = () => {};
  bc.onmessage = (e) => {
    seen.push(e.data);
    wake();
  };
  // A guard against a hang (the child never cancelled), not a measurement.
  let guard;
  const timedOut = new Promise((_, reject) => {
    guard = setTimeout(() => reject(new Error(`saw ${seen}`)), 20_000);
  });
  const until = async (kind) => {
    while (!seen.includes(kind)) {
      await Promise.race([new Promise((r) => wake = r), timedOut]);
    }
  };
  try {
    const tasks = rt.module(new URL("./_tasks.mjs", import.meta.url).href);
    const controller = new AbortController();
    const call = tasks.spawnAfterAwait.with({ signal: controller.signal })(
      name,
    );
    await until("started");
    controller.abort();
    await assert.rejects(call, { name: "AbortError" });
    await until("cancelled");
    assert.deepEqual(seen, ["started", "cancelled"]);
  } finally {
    clearTimeout(guard);
    bc.close();
    await rt.close();
  }
});

test('Runtime: a program exits on its own after close({ mode: "cancel" })', () => {
  const program = new URL("./_close.mjs", import.meta.url).pathname;
  // The timeout is a guard against a hang, not a measurement.
  const r = spawnSync(process.execPath, [program], {
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "closed 610 RuntimeClosedError");
});

test("util.inspect shows a Channel's and a Mutex's state", async () => {
  const ch = new Channel({ capacity: 2 });
  await ch.send(1);
  assert.match(
    inspect(ch),
    /^Channel \{ id: \d+, capacity: 2, size: 1, closed: false, waitingSenders: 0, waitingReceivers: 0 \}$/,
  );
  assert.match(
    inspect(new Mutex()),
    /^Mutex \{ id: \d+, locked: false, waiters: 0 \}$/,
  );
  const sc = new SharedChannel({ capacity: 4, codec: "int32" });
  assert.match(inspect(sc), /^SharedChannel \{ id: \d+, codec: "int32", capacity: 4/);
});

test("dumpOnSignal(): SIGQUIT prints the goroutine dump; the program goes on", async () => {
  const program = new URL("./_dump.mjs", import.meta.url).pathname;
  const child = spawn(process.execPath, [program], { stdio: "pipe" });
  let stdout = "", stderr = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (text) => {
    stdout += text;
    if (stdout === "dry\n") child.kill("SIGQUIT");
  });
  child.stderr.on("data", (text) => {
    stderr += text;
    if (/\[chan receive\]:\nstuck/.test(stderr)) child.kill("SIGUSR1");
  });
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.equal(code, 0, stderr);
  assert.match(stderr, /^SIGQUIT: goroutine dump\n\ngoroutine 1 \[chan receive\]/);
  assert.equal(stdout, "dry\nsignalled\n");
});

test("dumpOnSignal() does not hide a deadlock", () => {
  const lib = new URL("../../npm/mod.js", import.meta.url).href;
  const r = spawnSync(process.execPath, [
    "--input-type=module",
    "-e",
    `import { Channel, dumpOnSignal, main } from "${lib}";
dumpOnSignal();
main(async () => { await new Channel().receive(); });`,
  ], { encoding: "utf8" });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^fatal error: all goroutines are asleep - deadlock!/);
});
