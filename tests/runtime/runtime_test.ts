// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import {
  Runtime,
  RuntimeClosedError,
  spawn,
  TaskError,
  TaskPayloadError,
  WorkerCrashedError,
  workerIndex,
} from "../../runtime/mod.ts";
import { SharedChannel } from "../../workers/mod.ts";
import type * as Tasks from "./_tasks.ts";
import { idleSecondCpuMs, until } from "../_util.ts";

const TASKS = new URL("./_tasks.ts", import.meta.url);
const FULL = Deno.env.get("STRESS") === "full";

async function start(procs = 2, trace = false) {
  const rt = await Runtime.start({ procs, trace });
  return { rt, t: rt.module<typeof Tasks>(TASKS) };
}

Deno.test("Runtime runs tiny tasks each exactly once and returns their results", async () => {
  const n = FULL ? 100_000 : 20_000;
  await using rt = await Runtime.start({ procs: 2, maxTasks: 4096 });
  const { inc } = rt.module<typeof Tasks>(TASKS);
  const calls: Promise<number>[] = [];
  for (let i = 0; i < n; i++) calls.push(inc(i));
  const results = await Promise.all(calls);
  results.forEach((r, i) => assert.equal(r, i + 1));
  const stats = rt.stats();
  assert.equal(stats.finished, n);
  assert.equal(stats.pending, 0);
  assert.equal(stats.running, 0);
  assert.equal(stats.queued, 0);
});

Deno.test("one signal cancels its calls both in slots and still waiting for one; other calls go on", async () => {
  await using rt = await Runtime.start({ procs: 1, maxTasks: 16 });
  const t = rt.module<typeof Tasks>(TASKS);
  const controller = new AbortController();
  const cancellable = t.waitForCancel.with({ signal: controller.signal });
  // 16 slots: the first 16 calls take them, the rest wait in the overflow.
  const calls = Array.from({ length: 40 }, () => cancellable());
  const other = t.inc(1); // waits behind them, with no signal
  const dispatchedLater = t.waitForCancel.with({ signal: controller.signal });
  const last = dispatchedLater();
  controller.abort();
  for (const call of [...calls, last]) {
    await assert.rejects(call, { name: "AbortError" });
  }
  assert.equal(await other, 2);
  assert.equal(await t.inc(2), 3);
  await until(() => rt.stats().pending === 0); // the cancelled tasks return
});

Deno.test("an aborted signal takes its calls out of the middle of the overflow queue; the calls between them still run", async () => {
  await using rt = await Runtime.start({ procs: 1, maxTasks: 16 });
  const t = rt.module<typeof Tasks>(TASKS);
  const controller = new AbortController();
  const cancellable = t.waitForCancel.with({ signal: controller.signal });
  const blockers = Array.from({ length: 16 }, () => cancellable()); // the slots
  const waiting: Promise<unknown>[] = [];
  const others: Promise<number>[] = [];
  for (let i = 0; i < 3000; i++) {
    waiting.push(cancellable());
    if (i % 3 === 0) others.push(t.inc(i));
  }
  controller.abort();
  const results = await Promise.allSettled([...blockers, ...waiting]);
  assert.ok(results.every((r) => r.status === "rejected"));
  assert.deepEqual(
    await Promise.all(others),
    others.map((_, k) => 3 * k + 1),
  );
  await until(() => rt.stats().pending === 0);
});

Deno.test("a signal shared by calls keeps the runtime's abort listener only while one of them is in flight", async () => {
  await using rt = await Runtime.start({ procs: 1, maxTasks: 16 });
  const t = rt.module<typeof Tasks>(TASKS);
  const controller = new AbortController();
  const signal = controller.signal;
  let listeners = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = (...args: Parameters<typeof add>) => {
    listeners++;
    add(...args);
  };
  signal.removeEventListener = (...args: Parameters<typeof remove>) => {
    listeners--;
    remove(...args);
  };
  const inc = t.inc.with({ signal });
  for (let i = 0; i < 3; i++) assert.equal(await inc(i), i + 1);
  assert.equal(listeners, 0, "a settled call left its listener on the signal");
  // 40 at once, past the 16 slots: one listener for them all, gone after.
  const all = await Promise.all(Array.from({ length: 40 }, (_, i) => inc(i)));
  assert.equal(all.length, 40);
  assert.equal(listeners, 0);
  // The signal still cancels the calls made after that.
  const waiting = t.waitForCancel.with({ signal })();
  assert.equal(listeners, 1);
  controller.abort();
  await assert.rejects(waiting, { name: "AbortError" });
  await until(() => rt.stats().pending === 0);
});

Deno.test("Runtime carries numbers, strings and structured values both ways", async () => {
  const { rt, t } = await start(1);
  await using _ = rt;
  assert.equal(await t.add(2, 3), 5);
  assert.equal(await t.greet("gopher"), "hello, gopher");
  assert.equal(Object.is(await t.echo(-0), -0), true);
  assert.equal(Number.isNaN(await t.echo(NaN)), true);
  assert.equal(await t.echo(undefined), undefined);
  const value = { a: [1, 2n], m: new Map([["k", new Date(0)]]) };
  assert.deepEqual(await t.echo(value), value);
  const big = "x".repeat(100_000) + "é";
  assert.equal(await t.echo(big), big); // through the payload heap
  assert.equal(await rt.go(TASKS, "inc", 41), 42);
  assert.equal(await rt.run(TASKS, "add", [1, 2]), 3);
});

Deno.test("Runtime.module() types arguments and results from the module's exports", async () => {
  const { rt, t } = await start(1);
  await using _ = rt;
  const n: number = await t.inc(1);
  const s: string = await t.greet("x");
  assert.equal(n, 2);
  assert.equal(s, "hello, x");
  const wrongCall = () => {
    // @ts-expect-error: inc takes a number, so a string does not type-check
    return t.inc("1");
  };
  assert.equal(typeof wrongCall, "function"); // checked by the type checker
});

Deno.test("fork-join fib(25) with a spawn per call above a cutoff gives 75025", async () => {
  const { rt, t } = await start(2);
  await using _ = rt;
  assert.equal(await t.fib(25, 15), 75025);
  assert.equal(await t.fib(10, 1), 55); // a spawn for every call above 1
});

Deno.test("skewed load from one task is spread over the workers by stealing", async () => {
  const { rt, t } = await start(2);
  await using _ = rt;
  const ran = await t.fanOut(16, 5);
  assert.equal(ran.length, 16);
  assert.deepEqual(new Set(ran), new Set([0, 1]));
  assert.ok(rt.stats().steals > 0, "no steal recorded");
});

Deno.test("tasks on every worker spawn nested children that all run", async () => {
  const { rt, t } = await start(2);
  await using _ = rt;
  const roots = Array.from({ length: 8 }, () => t.nest(3, 4));
  for (const count of await Promise.all(roots)) assert.equal(count, 85);
  for (const w of rt.stats().workers) assert.ok(w.started > 0);
});

Deno.test("spawn() outside a task throws and workerIndex() is -1 on the main thread", () => {
  assert.throws(() => spawn(() => 1), /outside a task/);
  assert.equal(workerIndex(), -1);
});

Deno.test("an error thrown in a task rejects with TaskError carrying the remote stack and cause", async () => {
  const { rt, t } = await start(1);
  await using _ = rt;
  const error = await t.fail("bad n").then(() => null, (e) => e);
  assert.ok(error instanceof TaskError);
  assert.equal(error.task, "fail");
  assert.match(error.message, /Task "fail" .* threw RangeError: bad n/);
  assert.match(error.remoteStack, /at fail \(.*_tasks\.ts/);
  assert.ok(error.cause instanceof Error);
  assert.equal((error.cause as Error).name, "RangeError");
  assert.equal(((error.cause as Error).cause as Error).message, "root cause");
  await assert.rejects(t.failLater("later"), (e: TaskError) => {
    assert.ok(e instanceof TaskError);
    assert.match(e.message, /TypeError: later/);
    return true;
  });
  await assert.rejects(rt.go(TASKS, "missing"), /no exported function/);
  await assert.rejects(
    rt.go(TASKS, "echo", () => 1),
    TaskPayloadError,
  );
  assert.equal(await t.inc(1), 2); // still healthy
});

Deno.test("a worker that calls self.close() is replaced and its task fails with WorkerCrashedError", async () => {
  const { rt, t } = await start(2);
  await using _ = rt;
  await assert.rejects(t.closeSelf(), (e: WorkerCrashedError) => {
    assert.ok(e instanceof WorkerCrashedError);
    assert.match(e.message, /self\.close\(\)/);
    return true;
  });
  await assert.rejects(t.throwUncaught(), (e: WorkerCrashedError) => {
    assert.ok(e instanceof WorkerCrashedError);
    // Captured in the worker and carried here, not printed there.
    assert.match(e.message, /uncaught Error: uncaught in worker/);
    return true;
  });
  assert.equal(rt.stats().crashes, 2);
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => t.inc(i)),
  );
  assert.equal(results[49], 50);
  assert.equal(await t.fib(18, 10), 2584);
});

Deno.test("a task with retries is re-run when its worker dies", async () => {
  const { rt, t } = await start(1);
  await using _ = rt;
  const key = crypto.randomUUID();
  assert.equal(await t.crashOnce.with({ retries: 1 })(key), "second run");
  Deno.env.delete(`crashOnce:${key}`);
});

Deno.test("cancelling a task through its signal rejects the call and aborts the task", async () => {
  const { rt, t } = await start(1);
  await using _ = rt;
  const controller = new AbortController();
  const call = t.waitForCancel.with({ signal: controller.signal })();
  assert.equal(await t.inc(0), 1); // the waiting task does not block its worker
  controller.abort();
  await assert.rejects(call, { name: "AbortError" });
  // Already aborted: rejects without running.
  await assert.rejects(
    t.inc.with({ signal: AbortSignal.abort() })(1),
    { name: "AbortError" },
  );
  // Queued behind a busy worker, then cancelled: never runs.
  const busy = t.burn(30);
  const queued = new AbortController();
  const later = t.inc.with({ signal: queued.signal })(1);
  queued.abort();
  await assert.rejects(later, { name: "AbortError" });
  await busy;
});

/**
 * Counts the "started" and "cancelled" messages of `cancelTree` nodes on a
 * fresh BroadcastChannel; `until(kind, n)` resolves once `n` of `kind`
 * have arrived.
 */
function treeWatcher() {
  const name = `cancelTree:${crypto.randomUUID()}`;
  const bc = new BroadcastChannel(name);
  const counts: Record<string, number> = { started: 0, cancelled: 0 };
  let wake = () => {};
  bc.onmessage = (e: MessageEvent<string>) => {
    counts[e.data]++;
    wake();
  };
  return {
    name,
    counts,
    /** Fails (rather than hangs) if the messages do not come in 20 s. */
    async until(kind: string, n: number): Promise<void> {
      let guard: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        guard = setTimeout(
          () => reject(new Error(`${counts[kind]} of ${n} "${kind}" messages`)),
          20_000,
        );
      });
      try {
        while (counts[kind] < n) {
          await Promise.race([new Promise<void>((r) => wake = r), timedOut]);
        }
      } finally {
        clearTimeout(guard);
      }
    },
    close: () => bc.close(),
  };
}

Deno.test("cancelling a task cancels every task it spawned, down the whole tree", async () => {
  const { rt, t } = await start(2);
  await using _ = rt;
  const nodes = 1 + 3 + 9 + 27; // depth 3, width 3
  const watch = treeWatcher();
  try {
    const controller = new AbortController();
    const call = t.cancelTree.with({ signal: controller.signal })(
      watch.name,
      3,
      3,
    );
    await watch.until("started", nodes);
    assert.equal(watch.counts.cancelled, 0);
    controller.abort();
    await assert.rejects(call, { name: "AbortError" });
    await watch.until("cancelled", nodes);
    assert.deepEqual(watch.counts, { started: nodes, cancelled: nodes });
    assert.equal(await t.inc(1), 2); // the runtime still runs new tasks
  } finally {
    watch.close();
  }
});

/** `promise`, or a rejection if it has not settled in 20 s (fail, not hang). */
async function within<T>(promise: Promise<T>): Promise<T> {
  let guard: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    guard = setTimeout(() => reject(new Error("not settled in 20 s")), 20_000);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(guard);
  }
}

Deno.test("a plain task function's promise callbacks spawn children of it, before and after it returned a plain value", async () => {
  const { rt, t } = await start(1);
  await using _ = rt;
  /** Calls it with a signal; its child must start, then end cancelled. */
  const cancelled = async () => {
    const ch = new SharedChannel<number>({ capacity: 2, codec: "int32" });
    const controller = new AbortController();
    const call = t.plainThenSpawn.with({ signal: controller.signal })(
      "child",
      ch,
    );
    assert.equal((await ch.receive()).value, 1); // the child runs
    controller.abort();
    await assert.rejects(call, { name: "AbortError" });
    assert.equal((await within(ch.receive())).value, 2); // and is cancelled
  };
  await cancelled(); // its first call
  assert.equal(await t.plainThenSpawn("value"), 0);
  assert.equal(await t.plainThenSpawn("promise"), "no child");
  await cancelled(); // the calls after one that returned a promise
});

Deno.test("a plain task function's goroutine spawns after the task returned a plain value, before and after the function is known to return plain values", async () => {
  const { rt, t } = await start(1);
  await using _ = rt;
  /** Calls it in "go" mode: the goroutine's child must run and report. */
  const viaGoroutine = async () => {
    const ch = new SharedChannel<number>({ capacity: 1, codec: "int32" });
    const controller = new AbortController();
    const call = t.plainThenGo.with({ signal: controller.signal })("go", ch);
    assert.equal(await call, 1); // The task has returned,
    controller.abort(); // so its signal cancels nothing it left behind:
    assert.equal((await within(ch.receive())).value, 42); // the child ran.
  };
  await viaGoroutine(); // its first call, followed by the async store
  assert.equal(await t.plainThenGo("value"), 0);
  await viaGoroutine(); // a call known to return a plain value
  await viaGoroutine();
});

Deno.test("close() waits for tasks in flight; calls after close throw RuntimeClosedError", async () => {
  const { rt, t } = await start(2);
  const calls = Array.from({ length: 6 }, (_, i) => t.sleepy(10, i));
  await rt.close();
  assert.deepEqual(await Promise.all(calls), [0, 1, 2, 3, 4, 5]);
  assert.throws(() => t.inc(1), RuntimeClosedError);
  assert.throws(() => rt.go(TASKS, "inc", 1), RuntimeClosedError);
  await rt.close(); // idempotent
});

Deno.test('close({ mode: "cancel" }) rejects tasks in flight with RuntimeClosedError', async () => {
  const { rt, t } = await start(1);
  const calls = [t.waitForCancel(), t.sleepy(1000, 1), t.inc(1)];
  const rejected = calls.map((call) =>
    assert.rejects(call, RuntimeClosedError)
  );
  await rt.close({ mode: "cancel" });
  await Promise.all(rejected);
});

Deno.test("Runtime.start() rejects a bad procs count", async () => {
  await assert.rejects(Runtime.start({ procs: 0 }), RangeError);
  await assert.rejects(Runtime.start({ procs: 1.5 }), RangeError);
});

Deno.test("Runtime.trace() returns a Chrome trace with a track per worker and a slice per task", async () => {
  const { rt, t } = await start(2, true);
  await using _ = rt;
  await Promise.all(Array.from({ length: 20 }, (_, i) => t.inc(i)));
  const trace = rt.trace();
  const slices = trace.traceEvents.filter((e) => e.ph === "X");
  assert.equal(slices.length, 20);
  assert.ok(slices.every((e) => e.name === "inc" && e.tid >= 1 && e.tid <= 2));
  const threads = trace.traceEvents.filter((e) => e.name === "thread_name");
  assert.equal(threads.length, 3); // the workers and the main thread
  JSON.parse(JSON.stringify(trace));
});

Deno.test("an idle runtime uses no CPU once its work is done", async () => {
  // What the process spends anyway (earlier tests' leftovers, GC): the
  // idle runtime may add no more than a little to it.
  const baseline = await idleSecondCpuMs();
  const { rt, t } = await start(2);
  await using _ = rt;
  await Promise.all(Array.from({ length: 2000 }, (_, i) => t.inc(i)));
  const ms = await idleSecondCpuMs(baseline + 50);
  assert.ok(
    ms < baseline + 50,
    `idle runtime used ${ms} ms of CPU in 1 s (${baseline} ms without it)`,
  );
  assert.equal(rt.stats().parked, 2);
});
