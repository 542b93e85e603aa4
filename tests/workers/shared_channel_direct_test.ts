// Copyright the denogo authors. MIT license.
// The directed hand-off of unbuffered SharedChannels across threads: a
// value a sender hands to a receiver it found waiting on another thread is
// that receiver's, as Go's send copies it into the receiver's sudog. No
// other receiver, and never the sender itself, takes it.

import assert from "node:assert/strict";
import { recv, select } from "../../mod.ts";
import {
  AtomicInt32,
  type CodecName,
  SharedChannel,
} from "../../workers/mod.ts";
import {
  CELL,
  RECV_WAITING,
  RECV_WATCHERS,
} from "../../workers/_channel_words.ts";
import type { DirectJob, RecvHow } from "./_direct_fixture.ts";
import { mix, type MixJob, type MixResult, senderOf } from "./_direct_mix.ts";
import type { Job } from "./_worker_fixture.ts";
import { type Fixture, spawn as spawnFixture } from "./_spawn.ts";
import { until } from "../_util.ts";

function spawn(): Fixture<Job> {
  return spawnFixture<Job>(new URL("./_worker_fixture.ts", import.meta.url));
}

/** Values the stress tests receive, in all, before they stop. */
const TARGET = Deno.env.get("STRESS") === "full" ? 50_000 : 3_000;

/** The hand-off cell's states (`_handoff_cell.ts`). */
const CELL_WAITING = 1;
const CELL_ASLEEP = 2;

for (const codec of ["int32", "float64"] as const) {
  Deno.test(`SharedChannel ${codec} unbuffered: a value handed to a worker's recvSync in the hand-off cell is never received by its sender`, async () => {
    using w = spawn();
    const ch = new SharedChannel<number>({ codec });
    const h = new Int32Array(ch.handle.buffer);
    for (let round = 0; round < 20; round++) {
      const received = w.run({ cmd: "recvSync", ch: ch.handle });
      await until(() => {
        const cell = Atomics.load(h, CELL);
        return cell === CELL_WAITING || cell === CELL_ASLEEP;
      });
      assert.equal(ch.trySend(round), true);
      // The send completed for the worker's receive: the sender, trying
      // at once, finds nothing.
      assert.deepEqual(ch.tryReceive(), { state: "empty" });
      assert.deepEqual(await received, { value: round, ok: true });
    }
  });
}

function spawnDirect(): Fixture<DirectJob> {
  return spawnFixture<DirectJob>(
    new URL("./_direct_fixture.ts", import.meta.url),
  );
}

/** Whether a plain receiver waits on `ch` (or in its hand-off cell). */
function receiverWaits(ch: SharedChannel<unknown>): boolean {
  const h = new Int32Array(ch.handle.buffer);
  const cell = Atomics.load(h, CELL);
  return Atomics.load(h, RECV_WAITING) === 1 || cell === CELL_WAITING ||
    cell === CELL_ASLEEP;
}

const receivers: [CodecName, RecvHow][] = [
  ["string", "receive"],
  ["string", "recvSync"],
  ["string", "select"],
  ["float64", "receive"],
  ["float64", "select"],
  ["structured", "recvSync"],
];

for (const [codec, how] of receivers) {
  for (const op of ["send", "trySend"] as const) {
    Deno.test(`SharedChannel ${codec} unbuffered: a value ${op === "send" ? "sent" : "handed by trySend"} to a worker blocked in ${how} is that receiver's: the sender never receives it`, async () => {
      // trySend pairs with a plain receiver on another thread through the
      // channel (see the README's known limits): only a select is claimed.
      if (op === "trySend" && how !== "select") return;
      using w = spawnDirect();
      const ch = new SharedChannel<unknown>({ codec });
      const other = new SharedChannel<unknown>({ codec });
      const ready = new SharedChannel<number>({ codec: "int32", capacity: 1 });
      for (let round = 0; round < 10; round++) {
        const value = codec === "float64" ? round + 0.5 : `v${round}`;
        const received = w.run({
          cmd: "receive",
          ch: ch.handle,
          how,
          other: other.handle,
          ready: ready.handle,
        });
        if (how === "select") await ready.receive();
        else await until(() => receiverWaits(ch));
        if (op === "send") await ch.send(value);
        else assert.equal(ch.trySend(value), true);
        // The send has completed: the value is the worker's, not ours.
        assert.deepEqual(ch.tryReceive(), { state: "empty" });
        assert.equal(
          await select([recv(ch, () => "got")], { default: () => "none" }),
          "none",
        );
        assert.deepEqual(await received, { value, ok: true });
      }
    });
  }
}

for (const how of ["send", "sendSync"] as const) {
  Deno.test(`SharedChannel unbuffered: a worker that ${how}s to a receiver on the main thread does not receive its own value`, async () => {
    using w = spawnDirect();
    const ch = new SharedChannel<string>({ codec: "string" });
    for (let round = 0; round < 10; round++) {
      const got = ch.receive();
      const tried = w.run({
        cmd: "sendThenTry",
        ch: ch.handle,
        how,
        value: `v${round}`,
      });
      assert.deepEqual(await got, { value: `v${round}`, ok: true });
      assert.deepEqual(await tried, {
        tried: { state: "empty" },
        selected: "default",
      });
    }
  });
}

Deno.test("SharedChannel unbuffered: a receive, or a select, aborted after a worker's trySend handed it a value still returns that value", async () => {
  using w = spawnDirect();
  const ch = new SharedChannel<string>({ codec: "string" });
  const h = new Int32Array(ch.handle.buffer);
  for (let round = 0; round < 10; round++) {
    const value = `v${round}`;
    const ac = new AbortController();
    const selecting = round % 2 === 1;
    const got = selecting
      ? select([recv(ch, (v, ok) => ({ value: v, ok }))], {
        signal: ac.signal,
      })
      : ch.receive({ signal: ac.signal });
    await until(() =>
      Atomics.load(h, selecting ? RECV_WATCHERS : RECV_WAITING) === 1
    );
    assert.equal(await w.run({ cmd: "trySend", ch: ch.handle, value }), true);
    // The send completed for this receiver: the abort comes too late.
    ac.abort();
    assert.deepEqual(await got, { value, ok: true });
    assert.deepEqual(ch.tryReceive(), { state: "empty" });
  }
});

/** Goroutines of each thread in the stress tests: roles of `mix`. */
const layouts: [string, number[][]][] = [
  // Main thread, then the workers. Each thread pairs its own goroutines too.
  ["four goroutines on the main thread and on each of two workers", [
    [0, 1, 2, 2],
    [0, 1, 2, 2],
    [0, 1, 2, 2],
  ]],
  // One goroutine a thread: every hand-off crosses threads.
  ["one goroutine on the main thread and on each of three workers", [
    [2],
    [2],
    [0],
    [1],
  ]],
];

for (const [layout, threads] of layouts) {
  for (const plain of [true, false]) {
    for (const codec of ["float64", "structured"] as const) {
      Deno.test(
        `SharedChannel ${codec} unbuffered, stress: ${layout} that ${
          plain ? "send() and receive()" : "send(), trySend() and select"
        } lose no value, duplicate none, and never receive their own`,
        async () => {
          const workers = threads.slice(1).map(() => spawnDirect());
          try {
            const ch = new SharedChannel<number>({ codec: codec as "float64" });
            const stop = new SharedChannel<number>({ codec: "int32" });
            const received = new AtomicInt32();
            const job = (t: number): MixJob => ({
              ch: ch.handle,
              stop: stop.handle,
              received: received.handle,
              id: 10 * (t + 1),
              roles: threads[t],
              plain,
            });
            const runs = [
              mix(job(0)),
              ...workers.map((w, t) => w.run({ cmd: "mix", ...job(t + 1) })),
            ];
            await until(() => received.load() >= TARGET);
            stop.close();
            const results = (await Promise.all(runs)).flat() as MixResult[];
            const sent = results.flatMap((r) => r.sent);
            const got = results.flatMap((r) => r.got);
            // Whatever a trySend left for a receiver that stopped meanwhile.
            for (
              let r = ch.tryReceive();
              r.state === "ok";
              r = ch.tryReceive()
            ) {
              got.push(r.value);
            }
            assert.equal(new Set(sent).size, sent.length);
            assert.deepEqual([...got].sort(), [...sent].sort());
            for (const r of results) {
              const own = r.got.filter((v) => senderOf(v) === r.id);
              assert.deepEqual(own, [], `goroutine ${r.id} received its own`);
            }
            assert.ok(got.length >= TARGET);
          } finally {
            for (const w of workers) w[Symbol.dispose]();
          }
        },
      );
    }
  }
}
