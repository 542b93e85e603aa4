// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import {
  Runtime,
  RuntimeClosedError,
  WorkerCrashedError,
} from "../../runtime/mod.ts";
import type * as Tasks from "./_tasks.ts";

const TASKS = new URL("./_tasks.ts", import.meta.url);

/**
 * A BroadcastChannel on which `spinForever` and `ignoreCancel` announce
 * themselves: `started(n)` resolves once `n` of them run, and lets them go
 * on (into their endless loop or wait).
 */
function watcher() {
  const channel = new BroadcastChannel(`close:${crypto.randomUUID()}`);
  let count = 0;
  let want = 0;
  let wake = () => {};
  channel.onmessage = (e: MessageEvent<string>) => {
    if (e.data !== "started") return;
    count++;
    if (count >= want) wake();
  };
  return {
    name: channel.name,
    async started(n: number): Promise<void> {
      want = n;
      if (count < n) await new Promise<void>((resolve) => wake = resolve);
      channel.postMessage("go");
    },
    close: () => channel.close(),
  };
}

// Tasks in an endless loop (spinForever) run only in subprocesses: Deno
// does not stop a terminated worker's thread while its code loops, so one
// here would keep a core busy for the rest of the test run.

Deno.test("a task cancelled through its signal that ignores it is abandoned after cancelGraceMs: its worker is replaced", async () => {
  const rt = await Runtime.start({ procs: 1, cancelGraceMs: 50 });
  const t = rt.module<typeof Tasks>(TASKS);
  const watch = watcher();
  try {
    const controller = new AbortController();
    const ignoring = t.ignoreCancel.with({ signal: controller.signal })(
      watch.name,
    );
    await watch.started(1);
    controller.abort();
    await assert.rejects(ignoring, { name: "AbortError" });
    const { crashes } = rt.stats();
    // The pending call is only settled once the worker was replaced.
    // (A call that lands on the doomed worker fails with it.)
    while (rt.stats().pending > 0) await t.inc(0).catch(() => 0);
    assert.equal(rt.stats().crashes, crashes + 1);
    assert.equal(await t.inc(1), 2);
  } finally {
    watch.close();
    await rt.close();
  }
});

Deno.test("other tasks on an abandoned task's worker fail with WorkerCrashedError naming the grace period", async () => {
  const rt = await Runtime.start({ procs: 1, cancelGraceMs: 10 });
  const t = rt.module<typeof Tasks>(TASKS);
  const watch = watcher();
  try {
    const controller = new AbortController();
    const ignoring = t.ignoreCancel.with({ signal: controller.signal })(
      watch.name,
    );
    const bystander = t.ignoreCancel(watch.name);
    await watch.started(2);
    controller.abort();
    await assert.rejects(ignoring, { name: "AbortError" });
    await assert.rejects(bystander, (error: Error) => {
      assert.ok(error instanceof WorkerCrashedError);
      assert.match(error.message, /ran on 10 ms after its cancellation/);
      assert.match(error.message, /cancelGraceMs/);
      return true;
    });
    assert.equal(await t.inc(1), 2);
  } finally {
    watch.close();
    await rt.close();
  }
});

Deno.test("an abandoned worker's leftover code writes nothing: tasks that reuse its slot and index get their own results", async () => {
  const rt = await Runtime.start({ procs: 1, cancelGraceMs: 20 });
  const t = rt.module<typeof Tasks>(TASKS);
  const watch = watcher();
  try {
    const controller = new AbortController();
    // Terminated after 20 ms, this thread still runs (Deno lets it) until
    // its loop ends 300 ms in; then it would complete -1 into its slot.
    const zombie = t.burnIgnoring.with({ signal: controller.signal })(
      watch.name,
      300,
      -1,
    );
    await watch.started(1);
    controller.abort();
    await assert.rejects(zombie, { name: "AbortError" });
    // Until its worker is replaced, a call may land there and fail with it.
    while (rt.stats().crashes === 0) await t.inc(0).catch(() => 0);
    // Keep slots RUNNING (tasks asleep) while it ends: the freed slot is
    // the next one handed out, so one of these holds it then.
    const until = performance.now() + 600;
    let i = 0;
    while (performance.now() < until) {
      const batch = Array.from({ length: 8 }, (_, k) => t.sleepy(5, i + k));
      const results = await Promise.all(batch);
      results.forEach((r, k) => assert.equal(r, i + k));
      i += 8;
    }
    assert.equal(rt.stats().crashes, 1);
    assert.equal(rt.stats().pending, 0);
  } finally {
    watch.close();
    await rt.close();
  }
});

Deno.test("close() returns although a task cancelled through its signal ignores it", async () => {
  const rt = await Runtime.start({ procs: 2, cancelGraceMs: 20 });
  const t = rt.module<typeof Tasks>(TASKS);
  const watch = watcher();
  try {
    const controller = new AbortController();
    const calls = [
      t.ignoreCancel.with({ signal: controller.signal })(watch.name),
      t.ignoreCancel.with({ signal: controller.signal })(watch.name),
    ].map((call) => assert.rejects(call, { name: "AbortError" }));
    await watch.started(2);
    controller.abort();
    await Promise.all(calls);
    await rt.close();
    assert.equal(rt.stats().pending, 0);
  } finally {
    watch.close();
  }
});

Deno.test('close({ mode: "cancel" }) after a pending close() escalates it: both return', async () => {
  const rt = await Runtime.start({ procs: 1, cancelGraceMs: 20 });
  const t = rt.module<typeof Tasks>(TASKS);
  const watch = watcher();
  try {
    const call = t.ignoreCancel(watch.name);
    const rejected = assert.rejects(call, RuntimeClosedError);
    await watch.started(1);
    const waiting = rt.close(); // "wait": the task never ends
    let settled = false;
    waiting.then(() => settled = true);
    await null;
    assert.equal(settled, false);
    const cancelling = rt.close({ mode: "cancel" });
    await Promise.all([waiting, cancelling]);
    await rejected;
    assert.throws(() => t.inc(1), RuntimeClosedError);
  } finally {
    watch.close();
  }
});

/** Runs `_close_exit.ts how` and returns its exit code and output; fails after 30 s. */
async function runCloseExit(
  how: string,
): Promise<{ code: number; out: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      new URL("./_close_exit.ts", import.meta.url).pathname,
      how,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // A guard against a hang, not a measurement: the program exits in about
  // a second when the runtime lets it.
  const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const { code, stdout } = await child.output();
  clearTimeout(guard);
  return { code, out: new TextDecoder().decode(stdout) };
}

Deno.test('after close({ mode: "cancel" }) with a task in an endless loop, the process exits', async () => {
  const { code, out } = await runCloseExit("cancel");
  assert.equal(out.trim(), "closed RuntimeClosedError,RuntimeClosedError");
  assert.equal(code, 0);
});

Deno.test("a cancelled task in an endless loop on the only worker is abandoned: the next task runs on its replacement", async () => {
  const { code, out } = await runCloseExit("replace");
  assert.equal(out.trim(), "closed AbortError,2");
  assert.equal(code, 0);
});

Deno.test("after close() with cancelled tasks that ignore their signal (one in an endless loop), the process exits", async () => {
  const { code, out } = await runCloseExit("signal");
  assert.equal(out.trim(), "closed AbortError,AbortError");
  assert.equal(code, 0);
});
