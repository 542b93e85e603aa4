// Copyright the denogo authors. MIT license.
// The runtime's goroutine dump: rt.goroutines() lists the live tasks from
// shared memory (state, worker, creator, cancellation); goroutineDump()
// prints them as Go prints goroutines.

import assert from "node:assert/strict";
import { Runtime } from "../../runtime/mod.ts";
import { dumpOnSignal } from "../../mod.ts";
import {
  SharedChannel,
  SharedContext,
  SharedMutex,
  SharedRWMutex,
  SharedSemaphore,
  SharedWaitGroup,
} from "../../workers/mod.ts";
import type * as Shared from "./_shared_tasks.ts";
import type * as Tasks from "./_tasks.ts";
import type * as Waiting from "./_waiting_tasks.ts";
import { until } from "../_util.ts";

const SHARED = new URL("./_shared_tasks.ts", import.meta.url);
const TASKS = new URL("./_tasks.ts", import.meta.url);
const WAITING = new URL("./_waiting_tasks.ts", import.meta.url);

Deno.test("rt.goroutines() lists running tasks, who created them, and empties as they end", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const t = rt.module<typeof Shared>(SHARED);
  assert.deepEqual(rt.goroutines(), []);
  const ch = new SharedChannel<unknown>();
  const out = new SharedChannel<number>();
  const a = t.receiveOne(ch); // blocks receiving
  const b = t.spawnProduce({ ch: out }, 1); // its child blocks sending
  // receiveOne waits on a receive, produce on a send, spawnProduce on its
  // child's result (which the dump does not see into: "running").
  await until(() =>
    rt.goroutines().map((g) => g.state).sort().join() ===
      "chan receive,chan send,running"
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
    assert.equal(g.waitingMs === undefined, g.state === "running");
  }
  assert.equal(byName.get("receiveOne")!.createdBy, "main thread");
  assert.equal(byName.get("produce")!.createdBy, "worker 0");
  assert.equal(new Set(tasks.map((g) => g.id)).size, 3, "ids are distinct");

  const dump = rt.goroutineDump();
  assert.match(
    dump,
    /^goroutine \d+ \[chan send, worker 0\]:\nproduce\(\.\.\.\)\n\tfile:.*_shared_tasks\.ts\ncreated by worker 0\n$/m,
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

Deno.test("rt.goroutines() names what each task waits on, in Go's words, and for how long", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const t = rt.module<typeof Waiting>(WAITING);
  const mu = new SharedMutex();
  const rw = new SharedRWMutex();
  const sem = new SharedSemaphore(1);
  const wg = new SharedWaitGroup();
  const a = new SharedChannel<number>({ codec: "float64" });
  const b = new SharedChannel<number>({ codec: "float64" });
  const unbuffered = new SharedChannel<number>({ codec: "float64" });
  const ctx = new SharedContext();
  await mu.lock();
  await rw.lock();
  using _permit = await sem.acquire();
  wg.add(1);
  const started = performance.now();
  const calls = {
    lockMutex: t.lockMutex(mu),
    readLock: t.readLock(rw),
    acquireOne: t.acquireOne(sem),
    waitGroup: t.waitGroup(wg),
    selectTwo: t.selectTwo(a, b),
    sendOne: t.sendOne(unbuffered),
    awaitDone: t.awaitDone(ctx),
  };
  const expected: Record<string, string> = {
    lockMutex: "sync.Mutex.Lock",
    readLock: "sync.RWMutex.RLock",
    acquireOne: "semacquire",
    waitGroup: "sync.WaitGroup.Wait",
    selectTwo: "select",
    sendOne: "chan send",
    awaitDone: "chan receive",
  };
  const states = () =>
    Object.fromEntries(rt.goroutines().map((g) => [g.function, g.state]));
  await until(() =>
    JSON.stringify(states()) ===
      JSON.stringify({ ...states(), ...expected }) &&
    Object.keys(states()).length === 7
  );
  assert.deepEqual(states(), expected);
  const elapsed = performance.now() - started;
  for (const g of rt.goroutines()) {
    assert.ok(
      g.waitingMs !== undefined && g.waitingMs >= 0 && g.waitingMs <= elapsed,
      `${g.function} waited ${g.waitingMs} ms of ${elapsed}`,
    );
  }
  // Each shared primitive by the id its console.log shows.
  const named = (value: object) =>
    Deno.inspect(value).replace(/^(\w+) \{ id: (\d+),.*$/s, "$1 $2");
  assert.deepEqual(
    Object.fromEntries(rt.goroutines().map((g) => [g.function, g.waitingOn])),
    {
      lockMutex: named(mu),
      readLock: named(rw),
      acquireOne: named(sem),
      waitGroup: named(wg),
      selectTwo: undefined, // several channels
      sendOne: named(unbuffered),
      awaitDone: undefined, // a tier-1 channel in the worker
    },
  );
  assert.match(named(mu), /^SharedMutex \d+$/);
  const dump = rt.goroutineDump();
  for (const [fn, state] of Object.entries(expected)) {
    assert.match(
      dump,
      new RegExp(
        `^goroutine \\d+ \\[${
          state.replaceAll(".", "\\.")
        }, worker 0\\]:\\n${fn}\\(`,
        "m",
      ),
    );
  }

  // Released, each task returns, and the dump empties.
  mu.unlock();
  rw.unlock();
  _permit[Symbol.dispose]();
  wg.done();
  await a.send(1);
  assert.deepEqual(await unbuffered.receive(), { value: 1, ok: true });
  ctx.cancel();
  const results = await Promise.all(Object.values(calls));
  assert.deepEqual(results, [
    undefined,
    undefined,
    undefined,
    undefined,
    "a",
    undefined,
    false,
  ]);
  await until(() => rt.goroutines().length === 0);
});

Deno.test("rt.goroutines(): a wait's note ends with it: a task then awaiting something the library does not see is running", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const t = rt.module<typeof Waiting>(WAITING);
  const mu = new SharedMutex();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  await mu.lock();
  const call = t.lockThenWaitRaw(mu, flag);
  await until(() => rt.goroutines()[0]?.state === "sync.Mutex.Lock");
  mu.unlock();
  await until(() => rt.goroutines()[0]?.state === "running");
  assert.equal(rt.goroutines()[0].waitingMs, undefined);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  await call;
  // The next task in the slot starts with no wait of its own.
  assert.equal(await rt.module<typeof Tasks>(TASKS).inc(1), 2);
  assert.deepEqual(rt.goroutines(), []);
});

Deno.test({
  name:
    "dumpOnSignal() prints an open runtime's tasks after the goroutines, and not once it is closed",
  ignore: Deno.build.os === "windows",
  async fn() {
    const texts: string[] = [];
    let got: (() => void) | undefined;
    using _dump = dumpOnSignal({
      signal: "SIGUSR2",
      write: (text) => {
        texts.push(text);
        got?.();
      },
    });
    const signalled = async () => {
      const arrived = new Promise<void>((resolve) => got = resolve);
      // The dump's listener does not keep the event loop alive: this does.
      const alive = setTimeout(() => {}, 60_000);
      Deno.kill(Deno.pid, "SIGUSR2");
      await arrived;
      clearTimeout(alive);
      return texts.at(-1)!;
    };
    const rt = await Runtime.start({ procs: 1 });
    const t = rt.module<typeof Shared>(SHARED);
    const ch = new SharedChannel<unknown>();
    const call = t.receiveOne(ch);
    await until(() => rt.goroutines()[0]?.state === "chan receive");
    const text = await signalled();
    assert.match(
      text,
      /^SIGUSR2: goroutine dump\n\ngoroutine 1 \[running\]:\nmain\(\.\.\.\)(.|\n)*\n\nruntime \d+, 1 workers:\n\ngoroutine \d+ \[chan receive, worker 0\]:\nreceiveOne\(\.\.\.\)\n/,
    );
    await ch.send("done");
    assert.equal(await call, "done");
    await rt.close();
    assert.doesNotMatch(await signalled(), /runtime \d+/);
  },
});
