// Copyright the denogo authors. MIT license.

// A worker whose tasks wait on shared primitives wakes them itself,
// polling and sleeping on the primitives' words (runtime/_processor.ts):
// every kind of wait must still be woken by the other worker, and timers
// and I/O of the worker's other tasks must still be served meanwhile.

import assert from "node:assert/strict";
import { Runtime } from "../../runtime/mod.ts";
import {
  SharedChannel,
  SharedMutex,
  SharedSemaphore,
  SharedWaitGroup,
} from "../../workers/mod.ts";
import type * as Tasks from "./_wake_tasks.ts";
import { idleSecondCpuMs } from "../_util.ts";

const TASKS = new URL("./_wake_tasks.ts", import.meta.url);
const number = (capacity = 0) =>
  new SharedChannel<number>({ capacity, codec: "float64" });

function serve(): Deno.HttpServer<Deno.NetAddr> & { url: string } {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("served"),
  );
  return Object.assign(server, {
    url: `http://127.0.0.1:${server.addr.port}/`,
  });
}

Deno.test("a timer and fetch in a task complete while the worker's other tasks are blocked on shared channels or busy with another thread", async () => {
  await using server = serve();
  // One worker: every task below shares it.
  await using rt = await Runtime.start({ procs: 1 });
  const t = rt.module<typeof Tasks>(TASKS);
  const ready = number(8);
  const blocked = number();
  const ping = number();
  const pong = number();
  // Three tasks blocked on a channel nobody sends on yet.
  const settled = [false, false, false];
  const receivers = settled.map((_, i) =>
    t.receiveOnce(ready, blocked).then((v) => {
      settled[i] = true;
      return v;
    })
  );
  for (let i = 0; i < 3; i++) await ready.receive();
  // One task echoing what this thread sends, so the worker keeps waking
  // up for it through the fast path while the timer is due.
  const echoed = t.echo(ping, pong);
  let done = false;
  const fetched = t.timerThenFetch(20, server.url).finally(() => done = true);
  let rounds = 0;
  while (!done && rounds < 1_000_000) {
    await ping.send(rounds);
    assert.equal((await pong.receive()).value, rounds);
    rounds++;
  }
  assert.ok(done, `the timer and fetch were not done after ${rounds} rounds`);
  assert.equal(await fetched, "served");
  assert.deepEqual(settled, [false, false, false]);
  ping.close();
  assert.equal(await echoed, rounds);
  for (let i = 0; i < 3; i++) await blocked.send(10 + i);
  assert.deepEqual((await Promise.all(receivers)).sort(), [10, 11, 12]);
});

Deno.test("a timer and fetch in a task complete while all the worker's other tasks are blocked on shared channels", async () => {
  await using server = serve();
  await using rt = await Runtime.start({ procs: 1 });
  const t = rt.module<typeof Tasks>(TASKS);
  const ready = number(8);
  const a = number();
  const b = number();
  const settled = [false, false];
  const receivers = [
    t.receiveOnce(ready, a).then((v) => (settled[0] = true, v)),
    t.receiveOnce(ready, b).then((v) => (settled[1] = true, v)),
  ];
  for (let i = 0; i < 2; i++) await ready.receive();
  assert.equal(await t.timerThenFetch(5, server.url), "served");
  assert.equal(await t.timerThenFetch(0, server.url), "served");
  assert.deepEqual(settled, [false, false]);
  await a.send(1);
  await b.send(2);
  assert.deepEqual(await Promise.all(receivers), [1, 2]);
});

Deno.test("two tasks on two workers hand turns back and forth over a channel, a select, a mutex, a semaphore and wait groups", async () => {
  await using rt = await Runtime.start({ procs: 2 });
  const t = rt.module<typeof Tasks>(TASKS);
  const started = number(1);
  const hello = number();
  const kit: Tasks.Kit = {
    a: number(),
    b: number(),
    c: number(),
    mu: new SharedMutex(),
    sem: new SharedSemaphore(1),
    wgs: [new SharedWaitGroup(), new SharedWaitGroup()],
  };
  kit.wgs[0].add(1); // round 0's
  const rounds = 2_000;
  // The first task holds its worker until the second says hello, so the
  // second runs on the other worker.
  const held = t.handOffHeld(started, hello, kit, rounds);
  const heldOn = (await started.receive()).value!;
  const other = await t.handOffHello(hello, kit, rounds);
  assert.equal(await held, heldOn);
  assert.notEqual(other, heldOn);
});

Deno.test("a runtime whose tasks are all blocked on shared channels uses no CPU", async () => {
  const baseline = await idleSecondCpuMs();
  await using rt = await Runtime.start({ procs: 2 });
  const t = rt.module<typeof Tasks>(TASKS);
  const ready = number(8);
  const channels = [number(), number(), number(), number()];
  const receivers = channels.map((ch) => t.receiveOnce(ready, ch));
  for (let i = 0; i < channels.length; i++) await ready.receive();
  const ms = await idleSecondCpuMs(baseline + 50);
  assert.ok(
    ms < baseline + 50,
    `the blocked runtime used ${ms} ms of CPU in 1 s (${baseline} ms without it)`,
  );
  assert.equal(rt.stats().parked, 2);
  for (const [i, ch] of channels.entries()) await ch.send(i);
  assert.deepEqual(await Promise.all(receivers), [0, 1, 2, 3]);
});
