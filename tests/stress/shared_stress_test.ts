// Copyright the denogo authors. MIT license.

/**
 * Stress tests of the shared-memory tier across real workers: many
 * producers and consumers on two workers and the main thread, for every
 * codec; selects in two workers racing for the same values; and workers
 * terminated while they wait on a channel or hold a `SharedMutex`.
 *
 * The default (CI) mode moves 20,000 values per codec; `STRESS=full` moves
 * 1,000,000 per codec (and per select race).
 *
 * Checks: per producer, the count, sum and sum of squares of the sequence
 * numbers received over all consumers equal what was sent (nothing lost or
 * duplicated), and each consumer sees each producer's values in order.
 *
 * @module
 */

import assert from "node:assert/strict";
import { go, select, send } from "../../mod.ts";
import {
  type CodecName,
  SharedChannel,
  SharedMutex,
} from "../../workers/mod.ts";
import {
  count,
  makeValue,
  merge,
  MOD,
  newTally,
  type StressJob,
  type Tally,
} from "./_shared_stress_fixture.ts";
import { type Fixture, spawn as spawnFixture } from "../workers/_spawn.ts";

const FULL = Deno.env.get("STRESS") === "full";
const PER_CODEC = FULL ? 1_000_000 : 20_000;
const CODECS: CodecName[] = [
  "int32",
  "float64",
  "bytes",
  "string",
  "json",
  "structured",
];
const FIXTURE = new URL("./_shared_stress_fixture.ts", import.meta.url);

/** Starts a fixture worker; `using` terminates it. */
function spawn(): Fixture<StressJob> {
  return spawnFixture<StressJob>(FIXTURE);
}

function assertComplete(t: Tally, producers: number, n: number): void {
  assert.equal(t.disorder, 0, "per-producer order kept in every consumer");
  const sum = (n * (n - 1)) / 2;
  let squares = 0;
  for (let s = 0; s < n; s++) squares = (squares + (s * s) % MOD) % MOD;
  for (let p = 0; p < producers; p++) {
    assert.equal(t.count[p], n, `producer ${p}: count`);
    assert.equal(t.sum[p], sum, `producer ${p}: sum`);
    assert.equal(t.squares[p], squares, `producer ${p}: sum of squares`);
  }
}

Deno.test("SharedChannel stress: 4 producers and 4 consumers on two workers and the main thread, every codec", async () => {
  using producers = spawn();
  using consumers = spawn();
  for (const codec of CODECS) {
    // Each producer sends a quarter of the codec's values.
    const n = PER_CODEC / 4;
    const ch = new SharedChannel<unknown>({ capacity: 256, codec });
    const remote = consumers.run({
      cmd: "mix",
      ch: ch.handle,
      producers: [],
      consumers: 2,
      n,
    }) as Promise<Tally[]>;
    const sent = producers.run({
      cmd: "mix",
      ch: ch.handle,
      producers: [0, 1],
      consumers: 0,
      n,
    });
    const local = [2, 3].map((p) =>
      go(async () => {
        for (let s = 0; s < n; s++) await ch.send(makeValue(codec, p, s));
      })
    );
    const mine = [0, 1].map(() =>
      go(async () => {
        const t = newTally(4);
        const last: number[] = [];
        for await (const v of ch) count(t, last, codec, v);
        return t;
      })
    );
    await Promise.all([sent, ...local]);
    ch.close();
    const tallies = [...await remote, ...await Promise.all(mine)];
    assertComplete(merge(tallies, 4), 4, n);
  }
});

Deno.test("SharedChannel stress: blocking sendSync/sendManySync and recvSync/recvManySync in four workers, with the main thread", async () => {
  const workers = [spawn(), spawn(), spawn(), spawn()];
  try {
    for (const codec of ["int32", "float64", "string"] as const) {
      for (const capacity of [0, 1, 16]) {
        // Producer 0 sends one value at a time, producer 1 in batches,
        // producer 2 with async sends on the main thread.
        const n = PER_CODEC / 8;
        const ch = new SharedChannel<unknown>({ capacity, codec });
        const consumers = [
          workers[2].run({
            cmd: "consumeSync",
            ch: ch.handle,
            producers: 3,
            batch: 1,
          }),
          workers[3].run({
            cmd: "consumeSync",
            ch: ch.handle,
            producers: 3,
            batch: 7,
          }),
        ];
        const mine = go(async () => {
          const t = newTally(3);
          const last: number[] = [];
          for await (const v of ch) count(t, last, codec, v);
          return t;
        });
        await Promise.all([
          workers[0].run({
            cmd: "produceSync",
            ch: ch.handle,
            producer: 0,
            n,
            batch: 1,
          }),
          workers[1].run({
            cmd: "produceSync",
            ch: ch.handle,
            producer: 1,
            n,
            batch: 5,
          }),
          go(async () => {
            for (let s = 0; s < n; s++) await ch.send(makeValue(codec, 2, s));
          }),
        ]);
        ch.close();
        const tallies = [
          ...await Promise.all(consumers),
          await mine,
        ] as Tally[];
        assertComplete(merge(tallies, 3), 3, n);
      }
    }
  } finally {
    for (const w of workers) w[Symbol.dispose]();
  }
});

Deno.test("SharedChannel stress: selects in two workers race for the same values", async () => {
  using w1 = spawn();
  using w2 = spawn();
  for (const capacity of [0, 64]) {
    const n = FULL ? 1_000_000 : 10_000;
    const a = new SharedChannel<number>({ capacity, codec: "float64" });
    const b = new SharedChannel<number>({ capacity, codec: "float64" });
    const chans = [a.handle, b.handle];
    const r1 = w1.run({ cmd: "selectTally", chans, producers: 2 });
    const r2 = w2.run({ cmd: "selectTally", chans, producers: 2 });
    // Two producers on the main thread, each sending with a select.
    await Promise.all([0, 1].map((p) =>
      go(async () => {
        for (let s = 0; s < n / 2; s++) {
          await select([
            send(a, makeValue("float64", p, s) as number),
            send(b, makeValue("float64", p, s) as number),
          ]);
        }
      })
    ));
    a.close();
    b.close();
    const tallies = await Promise.all([r1, r2]) as Tally[];
    // Order per producer is not kept across two channels; totals are.
    const t = merge(tallies, 2);
    t.disorder = 0;
    assertComplete(t, 2, n / 2);
  }
});

Deno.test("SharedChannel keeps working after a worker waiting on it is terminated", async () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  const doomed = spawn();
  const job = doomed.run({ cmd: "recvForever", ch: ch.handle });
  job.catch(() => {});
  // The worker has received, so it is in its receive loop (blocked, or
  // about to be) when it is terminated.
  await ch.send(-1);
  doomed[Symbol.dispose]();
  using survivor = spawn();
  const n = 1000;
  const got = survivor.run({
    cmd: "selectTally",
    chans: [ch.handle as never],
    producers: 1,
  }) as Promise<Tally>;
  for (let s = 0; s < n; s++) await ch.send(s);
  ch.close();
  // The dead receiver's wait may have let one send complete early; its
  // value stayed in the channel for the survivor: nothing is lost.
  const t = await got;
  assert.equal(t.count[0], n);
  assert.equal(t.sum[0], (n * (n - 1)) / 2);
  assert.equal(t.disorder, 0);
});

Deno.test("SharedMutex held by a terminated worker is recovered; a worker and the main thread keep using it", async () => {
  const mu = new SharedMutex();
  const counter = new SharedArrayBuffer(4);
  const doomed = spawn();
  let deadId: number;
  try {
    deadId = await doomed.run({ cmd: "lockHold", mu: mu.handle }) as number;
  } finally {
    doomed[Symbol.dispose]();
  }
  assert.equal(mu.owner, deadId);
  using survivor = spawn();
  const n = FULL ? 200_000 : 10_000;
  // The survivor blocks on the abandoned mutex until it is recovered.
  const b = survivor.run({ cmd: "mutexLoop", mu: mu.handle, counter, n });
  const c = new Int32Array(counter);
  const mine = go(async () => {
    for (let i = 0; i < n; i++) {
      await mu.lock();
      const x = c[0];
      if ((i & 63) === 0) await Promise.resolve();
      c[0] = x + 1;
      mu.unlock();
    }
  });
  // Documented recovery: the supervisor knows the worker is gone and
  // releases what it held (the guarded data must then be checked).
  assert.equal(mu.releaseAbandoned(deadId), true);
  assert.equal(await b, n);
  await mine;
  assert.equal(c[0], 2 * n);
  assert.equal(mu.owner, 0);
});
