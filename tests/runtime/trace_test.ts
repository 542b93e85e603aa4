// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import { Runtime, type TraceEvent } from "../../runtime/mod.ts";
import type * as Tasks from "./_tasks.ts";
import type * as Waiting from "./_waiting_tasks.ts";
import { traceProblems } from "./_trace_rules.ts";
import { until } from "../_util.ts";

const TASKS = new URL("./_tasks.ts", import.meta.url);
const WAITING = new URL("./_waiting_tasks.ts", import.meta.url);

Deno.test("the validator catches what makes viewers drop events", () => {
  const bad = {
    displayTimeUnit: "ms" as const,
    traceEvents: [
      { name: "a", ph: "X", ts: 0, dur: 10, pid: 1, tid: 1 },
      { name: "b", ph: "X", ts: 5, dur: 10, pid: 1, tid: 1 },
      { name: "c", cat: "t", id: 1, ph: "b", ts: 1.5, pid: 1, tid: 1 },
      { name: "d", ph: "Q", ts: 1, pid: 1, tid: 1 },
    ] as unknown as TraceEvent[],
  };
  const problems = traceProblems(bad);
  assert.ok(problems.some((p) => p.includes("overlaps")), problems.join());
  assert.ok(problems.some((p) => p.includes("unmatched")), problems.join());
  assert.ok(problems.some((p) => p.includes("integer")), problems.join());
  assert.ok(problems.some((p) => p.includes("invalid ph")), problems.join());
});

Deno.test("a task still running is in the trace, ended at the time of the trace", async () => {
  await using rt = await Runtime.start({ procs: 1, trace: true });
  const { inc, waitForCancel } = rt.module<typeof Tasks>(TASKS);
  assert.equal(await inc(1), 2); // the worker has loaded the module
  const controller = new AbortController();
  const call = waitForCancel.with({ signal: controller.signal })();
  await until(() => rt.stats().running > 0);
  const trace = rt.trace();
  controller.abort(); // before any assertion: a close would wait for it
  await assert.rejects(call);
  assert.deepEqual(traceProblems(trace), []);
  const begin = trace.traceEvents.find((e) =>
    e.ph === "b" && e.name === "waitForCancel"
  );
  assert.equal(begin?.args?.state, "running");
});

Deno.test("20 overlapping async tasks on one worker: a trace that loads whole", async () => {
  await using rt = await Runtime.start({ procs: 1, trace: true });
  const { sleepy } = rt.module<typeof Tasks>(TASKS);
  await Promise.all(Array.from({ length: 20 }, (_, i) => sleepy(5, i)));
  const trace = rt.trace();
  assert.deepEqual(traceProblems(trace), []);
  const begins = trace.traceEvents.filter((e) => e.ph === "b");
  assert.equal(begins.length, 20);
  assert.ok(begins.every((e) => e.args?.state === "done"));
  // Every call came from the main thread: a spawn flow each.
  const spawns = trace.traceEvents.filter((e) => e.cat === "spawn");
  assert.equal(spawns.length, 40);
});

Deno.test("each runtime is its own process in a trace", async () => {
  await using a = await Runtime.start({ procs: 1, trace: true });
  await using b = await Runtime.start({ procs: 2, trace: true });
  const name = (t: TraceEvent[]) => t.find((e) => e.name === "process_name");
  const pa = name(a.trace().traceEvents)!, pb = name(b.trace().traceEvents)!;
  assert.notEqual(pa.pid, pb.pid);
  assert.ok(b.trace().traceEvents.every((e) => e.pid === pb.pid));
  const threads = b.trace().traceEvents.filter((e) => e.name === "thread_name");
  assert.deepEqual(threads.map((e) => e.args?.name).sort(), [
    "main thread",
    "worker 0",
    "worker 1",
  ]);
});

Deno.test("spawns and steals between workers are flows; the trace stays valid", async () => {
  await using rt = await Runtime.start({ procs: 2, trace: true });
  const { nest } = rt.module<typeof Tasks>(TASKS);
  assert.equal(await nest(3, 4), 85);
  const trace = rt.trace();
  assert.deepEqual(traceProblems(trace), []);
  assert.equal(trace.traceEvents.filter((e) => e.ph === "b").length, 85);
});

Deno.test("a trace says how each task ended: done, failed, cancelled, crashed, cancelled before it ran, or running with its cancellation requested", async () => {
  await using rt = await Runtime.start({
    procs: 1,
    trace: true,
    cancelGraceMs: 1000, // ignoreCancel below is abandoned at the close
  });
  const t = rt.module<typeof Tasks>(TASKS);
  const w = rt.module<typeof Waiting>(WAITING);
  assert.equal(await t.inc(1), 2);
  await assert.rejects(t.fail("no"), /threw RangeError: no/);

  const cancelling = new AbortController();
  const cancelled = w.rejectOnCancel.with({ signal: cancelling.signal })();
  await until(() => rt.stats().running > 0);
  cancelling.abort();
  await assert.rejects(cancelled, { name: "AbortError" });
  // The call rejects at once; the task, once its worker sees the request.
  await until(() => rt.stats().running === 0);

  // The only worker is busy: a call queued behind it is cancelled unrun.
  const busy = t.burn(100);
  const unrun = new AbortController();
  const queued = t.inc.with({ signal: unrun.signal })(1);
  unrun.abort();
  await assert.rejects(queued, { name: "AbortError" });
  await busy;
  await assert.rejects(t.closeSelf(), { name: "WorkerCrashedError" });

  const ignoring = new AbortController();
  const ignored = t.ignoreCancel.with({ signal: ignoring.signal })();
  const before = rt.stats().running;
  await until(() => rt.stats().running !== before);
  ignoring.abort();
  await assert.rejects(ignored, { name: "AbortError" });
  // The worker has taken the cancelled call off its queue by the time it
  // runs the next one.
  assert.equal(await t.inc(2), 3);

  const trace = rt.trace();
  assert.deepEqual(traceProblems(trace), []);
  const states = (name: string) =>
    trace.traceEvents.filter((e) =>
      e.name === name && (e.ph === "b" || e.ph === "i")
    ).map((e) => e.args?.state);
  assert.deepEqual(states("inc"), ["done", "cancelled before it ran", "done"]);
  assert.deepEqual(states("fail"), ["failed"]);
  assert.deepEqual(states("rejectOnCancel"), ["cancelled"]);
  assert.deepEqual(states("closeSelf"), ["crashed"]);
  assert.deepEqual(states("ignoreCancel"), ["running"]);
  const open = trace.traceEvents.find((e) =>
    e.name === "ignoreCancel" && e.ph === "b"
  );
  assert.equal(open?.args?.cancelled, true);
});

Deno.test("a task whose module fails to load is traced as a failed task", async () => {
  await using rt = await Runtime.start({ procs: 1, trace: true });
  const broken = new URL("./_broken_tasks.ts", import.meta.url);
  await assert.rejects(
    rt.run(broken, "never", []),
    /threw Error: this module fails to load/,
  );
  const t = rt.module<typeof Tasks>(TASKS);
  assert.equal(await t.inc(1), 2);
  const trace = rt.trace();
  assert.deepEqual(traceProblems(trace), []);
  const never = trace.traceEvents.filter((e) => e.name === "never");
  assert.deepEqual(never.map((e) => e.ph).sort(), ["X", "b", "e"]);
  assert.equal(never.find((e) => e.ph === "b")?.args?.state, "failed");
});
