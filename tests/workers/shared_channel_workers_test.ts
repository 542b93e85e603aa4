// Copyright the denogo authors. MIT license.
// SharedChannel across real Workers: producers and consumers on different
// threads, MPMC with checksums, close and codec errors across threads, and
// the deadlock detector staying quiet while a worker can still wake us.

import assert from "node:assert/strict";
import { Channel } from "../../mod.ts";
import { SharedChannel } from "../../workers/mod.ts";
import type { Job } from "./_worker_fixture.ts";
import { type Fixture, spawn as spawnFixture } from "./_spawn.ts";
import { idleSecondCpuMs } from "../_util.ts";

/** Starts a fixture worker; `using` terminates it. */
function spawn(): Fixture<Job> {
  return spawnFixture<Job>(new URL("./_worker_fixture.ts", import.meta.url));
}

/**
 * Starts `w` echoing, with async calls, each value on `ping` plus one on
 * `pong`; `echoed` resolves with the count once `ping` closes.
 */
function echo(w: Fixture<Job>) {
  const ping = new SharedChannel<number>({ codec: "int32" });
  const pong = new SharedChannel<number>({ codec: "int32" });
  const echoed = w.run({
    cmd: "echo",
    input: ping.handle,
    output: pong.handle,
    sync: false,
  });
  return { ping, pong, echoed };
}

const P = 1_000_000; // value = producer * P + sequence number

/** Checks that each producer's values arrive in order within one consumer. */
function assertPerProducerOrder(got: number[]): void {
  const last = new Map<number, number>();
  for (const v of got) {
    const producer = Math.floor(v / P);
    const prev = last.get(producer) ?? -1;
    assert.ok(v % P > prev, `producer ${producer}: ${v % P} after ${prev}`);
    last.set(producer, v % P);
  }
}

Deno.test("SharedChannel carries values from a producer worker to the main thread in order", async () => {
  using w = spawn();
  const ch = new SharedChannel<number>({ capacity: 64, codec: "float64" });
  const produced = w.run({
    cmd: "produce",
    ch: ch.handle,
    from: 0,
    count: 20_000,
    sync: true,
    close: true,
  });
  let expected = 0;
  for await (const v of ch) assert.equal(v, expected++);
  assert.equal(expected, 20_000);
  assert.equal(await produced, 20_000);
});

Deno.test("SharedChannel unbuffered: main thread sends, a worker's recvSync receives", async () => {
  using w = spawn();
  const ch = new SharedChannel<number>({ codec: "int32" });
  const consumed = w.run({ cmd: "consume", ch: ch.handle, sync: true });
  for (let i = 0; i < 2_000; i++) await ch.send(i);
  ch.close();
  assert.deepEqual(await consumed, Array.from({ length: 2_000 }, (_, i) => i));
});

Deno.test("SharedChannel unbuffered ping-pong between the main thread and a worker", async () => {
  using w = spawn();
  const { ping, pong, echoed } = echo(w);
  for (let i = 0; i < 1_000; i++) {
    await ping.send(i);
    assert.deepEqual(await pong.receive(), { value: i + 1, ok: true });
  }
  ping.close();
  assert.equal(await echoed, 1_000);
});

Deno.test("a worker and the main thread blocked in await receive() use no CPU once their polls end, and a send still wakes them", async () => {
  const baseline = await idleSecondCpuMs();
  using w = spawn();
  const { ping, pong, echoed } = echo(w);
  // Warm: the worker has loaded and waits in its next receive on `ping`.
  await ping.send(1);
  assert.deepEqual(await pong.receive(), { value: 2, ok: true });
  const answer = pong.receive(); // the main thread waits too
  const ms = await idleSecondCpuMs();
  assert.ok(
    ms < baseline + 50,
    `the blocked threads used ${ms} ms of CPU in 1 s (${baseline} ms without them)`,
  );
  await ping.send(2);
  assert.deepEqual(await answer, { value: 3, ok: true });
  ping.close();
  assert.equal(await echoed, 2);
});

Deno.test("a timer fires on the main thread while it ping-pongs with a worker through await send/receive", async () => {
  // Each hop may be served by the thread's poll of the channel's words,
  // without an event-loop turn; the polls still leave room for timers.
  using w = spawn();
  const { ping, pong, echoed } = echo(w);
  let fired = false;
  setTimeout(() => fired = true, 1);
  let n = 0;
  while (!fired) {
    await ping.send(n);
    assert.deepEqual(await pong.receive(), { value: n + 1, ok: true });
    n++;
  }
  ping.close();
  assert.equal(await echoed, n);
});

Deno.test("SharedChannel MPMC across two workers and the main thread loses and duplicates nothing", async () => {
  for (const capacity of [128, 0]) {
    using w1 = spawn();
    using w2 = spawn();
    const n = capacity === 0 ? 5_000 : 25_000;
    const ch = new SharedChannel<number>({ capacity, codec: "float64" });
    // Producers: worker 1 (sync) and the main thread (async).
    // Consumers: worker 2 (sync) and the main thread (for await).
    const fromWorker = w1.run({
      cmd: "produce",
      ch: ch.handle,
      from: 1 * P,
      count: n,
      sync: true,
    });
    const toWorker = w2.run({ cmd: "consume", ch: ch.handle, sync: true });
    const mainGot: number[] = [];
    const mainConsumer = (async () => {
      for await (const v of ch) mainGot.push(v);
    })();
    for (let i = 0; i < n; i++) await ch.send(2 * P + i);
    await fromWorker;
    ch.close();
    const workerGot = await toWorker as number[];
    await mainConsumer;
    assertPerProducerOrder(mainGot);
    assertPerProducerOrder(workerGot);
    const all = [...mainGot, ...workerGot].sort((a, b) => a - b);
    assert.equal(all.length, 2 * n, `capacity ${capacity}`);
    for (let i = 0; i < n; i++) {
      assert.equal(all[i], 1 * P + i);
      assert.equal(all[n + i], 2 * P + i);
    }
  }
});

Deno.test("SharedChannel async producers in two workers feed one sync consumer", async () => {
  using w1 = spawn();
  using w2 = spawn();
  using w3 = spawn();
  const ch = new SharedChannel<number>({ capacity: 16, codec: "int32" });
  const consumed = w3.run({ cmd: "consume", ch: ch.handle, sync: true });
  await Promise.all([
    w1.run({
      cmd: "produce",
      ch: ch.handle,
      from: P,
      count: 5_000,
      sync: false,
    }),
    w2.run({
      cmd: "produce",
      ch: ch.handle,
      from: 2 * P,
      count: 5_000,
      sync: false,
    }),
  ]);
  ch.close();
  const got = await consumed as number[];
  assertPerProducerOrder(got);
  assert.equal(new Set(got).size, 10_000);
});

Deno.test("SharedChannel.close() on the main thread wakes a worker blocked in recvSync", async () => {
  using w = spawn();
  const ch = new SharedChannel<number>({ codec: "int32" });
  const received = w.run({ cmd: "recvSync", ch: ch.handle });
  ch.close();
  assert.deepEqual(await received, { value: undefined, ok: false });
});

Deno.test("SharedChannel codec refusal in a worker leaves the channel usable", async () => {
  using w = spawn();
  const ch = new SharedChannel<unknown>({ capacity: 1 });
  await ch.send("first");
  const refused = w.run({ cmd: "badThenGood", ch: ch.handle });
  assert.deepEqual(await ch.receive(), { value: "first", ok: true });
  assert.deepEqual(await ch.receive(), { value: { good: true }, ok: true });
  assert.equal(await refused, 2);
  ch.close();
});

Deno.test("SharedChannel wait keeps the deadlock detector quiet while a worker can still wake it", async () => {
  using w = spawn();
  const local = new Channel<number>();
  const shared = new SharedChannel<number>({ codec: "int32" });
  // The test body is parked on a tier-1 channel and waits on a shared one:
  // without the shared wait counting as "can still be woken", the detector
  // would report a deadlock during the worker's 30 ms pause.
  const parked = local.receive();
  const sent = w.run({
    cmd: "delayedSend",
    ch: shared.handle,
    ms: 30,
    value: 5,
  });
  const { value } = await shared.receive();
  assert.equal(local.trySend(value! + 1), true);
  assert.deepEqual(await parked, { value: 6, ok: true });
  await sent;
  local.close();
  shared.close();
});
