// Copyright the denogo authors. MIT license.
// The tier-1 goroutine trace: startGoroutineTrace()/stopGoroutineTrace()
// record goroutines, their waits and go() flows as a Chrome trace that
// viewers load whole (checked against the rules of tests/runtime/).

import assert from "node:assert/strict";
import {
  Channel,
  go,
  goroutineTraceRecording,
  Mutex,
  recv,
  select,
  startGoroutineTrace,
  stopGoroutineTrace,
  type TraceEvent,
  type TraceFile,
  yieldNow,
} from "../mod.ts";
import { traceProblems } from "./runtime/_trace_rules.ts";

function threads(trace: TraceFile): Map<number, string> {
  return new Map(
    trace.traceEvents
      .filter((e) => e.ph === "M" && e.name === "thread_name")
      .map((e) => [e.tid, String(e.args?.name)]),
  );
}

function on(trace: TraceFile, tid: number, ph: TraceEvent["ph"]) {
  return trace.traceEvents.filter((e) => e.tid === tid && e.ph === ph);
}

Deno.test("goroutine trace: each goroutine is a thread with its life, its waits and a go() flow", async () => {
  startGoroutineTrace();
  let trace: TraceFile;
  try {
    const ch = new Channel<number>();
    const g = go(async function consumer() {
      let sum = 0;
      for await (const v of ch) sum += v;
      return sum;
    });
    await yieldNow(); // the consumer runs first, and waits to receive
    const done = go(async function producer() {
      for (let i = 0; i < 3; i++) await ch.send(i);
      ch.close();
    });
    assert.equal(await g, 3);
    await done;
  } finally {
    trace = stopGoroutineTrace();
  }
  assert.deepEqual(traceProblems(trace), []);
  const names = threads(trace);
  const ids = [...names].filter(([, n]) => / (producer|consumer)$/.test(n));
  assert.equal(ids.length, 2, [...names.values()].join(", "));
  for (const [tid, name] of ids) {
    assert.match(name, new RegExp(`^goroutine ${tid} `));
    const [life] = on(trace, tid, "b").filter((e) => e.cat === "goroutine");
    assert.equal(life.args?.state, "ended");
    assert(on(trace, tid, "X").length > 0, "the spans it ran");
    assert.equal(on(trace, tid, "f").length, 1, "the go() flow arrives");
    for (const w of on(trace, tid, "b").filter((e) => e.cat === "block")) {
      assert.match(w.name, /^chan (send|receive)$/);
    }
  }
  const waited = (n: string) =>
    on(trace, ids.find(([, name]) => name.endsWith(n))![0], "b")
      .filter((e) => e.cat === "block").map((e) => e.name);
  assert(waited("consumer").includes("chan receive"));
  // The flows leave the main program's thread.
  assert.equal(on(trace, 1, "s").length, 2);
});

Deno.test("goroutine trace: a live goroutine and its wait end with the trace", async () => {
  const ch = new Channel<void>();
  startGoroutineTrace();
  const g = go(async function sleeper() {
    await ch.receive();
  });
  await Promise.resolve(); // it starts and parks
  await Promise.resolve();
  const trace = stopGoroutineTrace();
  ch.close();
  await g;
  assert.deepEqual(traceProblems(trace), []);
  const [tid] = [...threads(trace)].find(([, n]) => n.endsWith(" sleeper"))!;
  const life = on(trace, tid, "b").find((e) => e.cat === "goroutine");
  assert.equal(life?.args?.state, "live");
  const e = on(trace, tid, "e").filter((e) => e.cat === "block");
  assert.equal(e.length, 1);
  assert.equal(e[0].name, "chan receive");
  assert.equal(e[0].args?.state, "waiting");
  assert.equal(goroutineTraceRecording(), false);
});

Deno.test("goroutine trace: overlapping waits of one goroutine are async slices, a select and a lock named as Go names them", async () => {
  const mu = new Mutex();
  await mu.lock();
  const a = new Channel<number>();
  const b = new Channel<number>();
  startGoroutineTrace();
  const gs = [
    go(async function both() {
      await Promise.all([a.receive(), b.receive()]);
    }),
    go(async function selecting() {
      await select([recv(a, () => {})]);
    }),
    go(async function locking() {
      await mu.lock();
      mu.unlock();
    }),
  ];
  await yieldNow(); // all three wait
  await a.send(1);
  await b.send(2);
  await a.send(3);
  mu.unlock();
  await Promise.all(gs);
  const trace = stopGoroutineTrace();
  assert.deepEqual(traceProblems(trace), []);
  const waits = (name: string) => {
    const [tid] = [...threads(trace)].find(([, n]) => n.endsWith(` ${name}`))!;
    return on(trace, tid, "b").filter((e) => e.cat === "block")
      .map((e) => e.name);
  };
  assert.deepEqual(waits("both"), ["chan receive", "chan receive"]);
  assert.deepEqual(waits("selecting"), ["select"]);
  assert.deepEqual(waits("locking"), ["sync.Mutex.Lock"]);
});

Deno.test("goroutine trace: at most maxEvents records, the rest counted as dropped", async () => {
  startGoroutineTrace({ maxEvents: 3 });
  const gs = [];
  for (let i = 0; i < 10; i++) gs.push(go(() => i));
  await Promise.all(gs);
  const trace = stopGoroutineTrace();
  assert.deepEqual(traceProblems(trace), []);
  assert.equal(threads(trace).size, 3);
  const labels = trace.traceEvents.find((e) => e.name === "process_labels");
  assert.match(String(labels?.args?.labels), /^\d+ records dropped/);
});

Deno.test("goroutine trace: nothing is recorded while off", async () => {
  await go(async function unseen() {});
  startGoroutineTrace();
  const trace = stopGoroutineTrace();
  assert.deepEqual([...threads(trace).values()], ["goroutine 1 main"]);
});

Deno.test("goroutine trace: bad options are a TypeError or RangeError naming the value", () => {
  assert.throws(() => startGoroutineTrace(5 as never), {
    name: "TypeError",
    message: /options must be an object, received 5/,
  });
  assert.throws(() => startGoroutineTrace({ maxEvents: 0 }), {
    name: "RangeError",
    message: /maxEvents must be an integer ≥ 1, received 0/,
  });
  assert.throws(() => startGoroutineTrace({ maxEvents: "9" as never }), {
    name: "TypeError",
    message: /received "9" \(a string\)/,
  });
  assert.equal(goroutineTraceRecording(), false);
});
