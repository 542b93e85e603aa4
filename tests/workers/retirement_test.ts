// Copyright the denogo authors. MIT license.
// Retirement: a worker retired (and terminated) while it waits in a shared
// channel or mutex takes nothing more; what it would have taken stays for
// the others.

import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import {
  AtomicInt32,
  type CodecName,
  MainThreadWaitError,
  Retirement,
  SharedChannel,
  SharedMutex,
} from "../../workers/mod.ts";
import {
  CELL,
  COUNT,
  OFFER_CLAIM,
  OFFERED,
  RECV_SLEEPING,
  RECV_WAITING,
  RESERVED,
} from "../../workers/_channel_words.ts";
import { OWNED, SLOTS, WAITING } from "../../workers/_select_claims.ts";
import type { RetireJob } from "./_retire_fixture.ts";
import type { RetireSelectJob } from "./_retire_select_fixture.ts";
import { until } from "../_util.ts";

/** The hand-off cell's state while its receiver sleeps (`_handoff_cell.ts`). */
const CELL_ASLEEP = 2;
/** SharedMutex's `WAITERS` word. */
const MUTEX_WAITERS = 1;

/** Starts the fixture on `job`; resolves once it has adopted its retirement. */
async function start(job: Omit<RetireJob, "took" | "retirement">) {
  const retirement = new Retirement();
  const took = new AtomicInt32();
  const worker = new Worker(new URL("./_retire_fixture.ts", import.meta.url));
  const adopted = new Promise((resolve) => worker.once("message", resolve));
  worker.postMessage({
    ...job,
    retirement: retirement.handle,
    took: took.handle,
  });
  await adopted;
  return { retirement, took, worker };
}

function words(ch: SharedChannel<unknown>): Int32Array {
  return new Int32Array(ch.handle.buffer);
}

const channels: [string, CodecName, number, number, number][] = [
  // name, codec, capacity, the word that shows it asleep, and its value
  ["a slot ring (int32, buffered)", "int32", 8, RECV_SLEEPING, 1],
  ["a byte ring (structured, buffered)", "structured", 8, RECV_SLEEPING, 1],
  ["the hand-off cell (int32, unbuffered)", "int32", 0, CELL, CELL_ASLEEP],
  ["an unbuffered structured channel", "structured", 0, RECV_SLEEPING, 1],
];

for (const [name, codec, capacity, word, asleep] of channels) {
  Deno.test(`a worker terminated through Retirement while in recvSync on ${name} takes no value sent afterwards`, async () => {
    const ch = new SharedChannel<unknown>({ codec, capacity });
    const { retirement, took, worker } = await start({
      op: "recvSync",
      ch: ch.handle,
    });
    await until(() => Atomics.load(words(ch), word) === asleep);
    await retirement.terminate(worker);
    const n = Math.max(capacity, 1);
    for (let i = 0; i < n; i++) assert.equal(ch.trySend(i), true);
    // The send woke it: it parked for good (or, were it not retired, took).
    await until(() => retirement.parked > 0 || took.load() > 0);
    assert.equal(took.load(), 0);
    const left: unknown[] = [];
    for (let r = ch.tryReceive(); r.state === "ok"; r = ch.tryReceive()) {
      left.push(r.value);
    }
    assert.deepEqual(left, Array.from({ length: n }, (_, i) => i));
    assert.equal(Atomics.load(words(ch), RECV_WAITING), 0);
  });
}

Deno.test("a worker retired while awaiting receive() takes no value sent afterwards", async () => {
  const ch = new SharedChannel<number>({ codec: "int32", capacity: 4 });
  const { retirement, took, worker } = await start({
    op: "receive",
    ch: ch.handle,
  });
  try {
    await until(() => Atomics.load(words(ch), RECV_WAITING) === 1);
    retirement.retire(); // alive, but retired: it must not take
    for (let i = 0; i < 4; i++) assert.equal(ch.trySend(i), true);
    await until(() => retirement.parked > 0 || took.load() > 0);
    await retirement.whenParked(1); // already there
    assert.equal(took.load(), 0);
    assert.equal(ch.size, 4);
  } finally {
    await worker.terminate();
  }
});

for (const codec of ["structured", "float64"] as const) {
  Deno.test(`a select blocked on an unbuffered ${codec} channel in a retired worker is not claimed: a trySend finds no receiver`, async () => {
    const ch = new SharedChannel<unknown>({ codec });
    const retirement = new Retirement();
    const took = new AtomicInt32();
    const worker = new Worker(new URL("./_retire_fixture.ts", import.meta.url));
    const messages: unknown[] = [];
    let told: () => void = () => {};
    worker.on("message", (m) => {
      messages.push(m);
      told();
    });
    const until2 = (n: number) =>
      new Promise<void>((resolve) => {
        told = () => messages.length >= n && resolve();
        told();
      });
    worker.postMessage({
      op: "select",
      ch: ch.handle,
      retirement: retirement.handle,
      took: took.handle,
    });
    try {
      await until2(2); // adopted, then blocked
      retirement.retire(); // alive, but retired
      // The select is not counted as a waiting receiver: it never takes a
      // value again.
      assert.equal(ch.trySend(1), false);
      assert.equal(Atomics.load(words(ch), RECV_WAITING), 0);
      // The channel still pairs the others.
      const got = ch.receive();
      await ch.send(2);
      assert.deepEqual(await got, { value: 2, ok: true });
      assert.equal(took.load(), 0);
    } finally {
      await worker.terminate();
    }
  });
}

for (const op of ["lockSync", "lock"] as const) {
  Deno.test(`a worker retired while waiting in ${op}() never takes the mutex; others do`, async () => {
    const mu = new SharedMutex();
    await mu.lock();
    const { retirement, took, worker } = await start({ op, mu: mu.handle });
    const h = new Int32Array(mu.handle.buffer);
    try {
      await until(() => Atomics.load(h, MUTEX_WAITERS) === 1);
      if (op === "lockSync") await retirement.terminate(worker);
      else retirement.retire();
      mu.unlock();
      await until(() => retirement.parked > 0 || took.load() > 0);
      assert.equal(took.load(), 0);
      assert.equal(mu.owner, 0);
      assert.equal(mu.tryLock(), true);
      mu.unlock();
    } finally {
      await worker.terminate();
    }
  });
}

Deno.test("Retirement: from() refuses a foreign buffer, adopt() the main thread, whenParked() a bad count", async () => {
  assert.throws(
    () =>
      Retirement.from({
        kind: "Retirement",
        buffer: new SharedArrayBuffer(16),
      }),
    /Cannot open Retirement: .*magic/,
  );
  assert.throws(
    () => Retirement.from(new SharedMutex().handle as never),
    TypeError,
  );
  assert.throws(() => new Retirement().adopt(), MainThreadWaitError);
  await assert.rejects(
    new Retirement().whenParked(-1),
    /count must be a non-negative integer, received -1/,
  );
  await assert.rejects(
    new Retirement().whenParked("3" as never),
    /received "3" \(a string\)/,
  );
});

// Selects beside retired threads on unbuffered channels. -------------------

/** A fixture worker, and the messages it posted so far. */
function selectWorker() {
  const worker = new Worker(
    new URL("./_retire_select_fixture.ts", import.meta.url),
  );
  const messages: unknown[] = [];
  let told = () => {};
  worker.on("message", (m) => {
    messages.push(m);
    told();
  });
  return {
    worker,
    post: (job: RetireSelectJob | "abort") => worker.postMessage(job),
    /** The `n`th message (from 1), once it has come. */
    message: (n: number) =>
      new Promise<unknown>((resolve) => {
        told = () => messages.length >= n && resolve(messages[n - 1]);
        told();
      }),
  };
}

Deno.test("a retired worker's select woken after retire() withdraws its offer: the channel pairs the others", async () => {
  const x = new SharedChannel<number>({ codec: "int32" });
  const y = new SharedChannel<number>({ codec: "int32" });
  const retirement = new Retirement();
  const w = selectWorker();
  try {
    w.post({
      op: "sendOrRecv",
      retirement: retirement.handle,
      x: x.handle,
      y: y.handle,
    });
    await w.message(1);
    assert.equal(Atomics.load(words(x), OFFERED), 1);
    retirement.retire();
    y.close(); // wakes the select: it looks, finds itself retired, parks
    await retirement.whenParked(1);
    assert.equal(Atomics.load(words(x), OFFERED), 0);
    const got = x.receive();
    await x.send(2);
    assert.deepEqual(await got, { value: 2, ok: true });
    assert.deepEqual(x.tryReceive(), { state: "empty" });
  } finally {
    await w.worker.terminate();
  }
});

Deno.test("an offer of a retired worker's select stopped while it owned its claim word is dropped by the next receiver", async () => {
  const x = new SharedChannel<number>({ codec: "int32" });
  const y = new SharedChannel<number>({ codec: "int32" });
  const gate = new SharedChannel<number>({ codec: "int32", capacity: 1 });
  const retirement = new Retirement();
  const w = selectWorker();
  try {
    w.post({
      op: "sendOrRecv",
      retirement: retirement.handle,
      x: x.handle,
      y: y.handle,
      gate: gate.handle,
    });
    await w.message(1); // it waits, its thread blocked in gate.recvSync()
    const h = words(x);
    assert.equal(Atomics.load(h, OFFERED), 1);
    retirement.retire();
    // As if the worker had been terminated in the middle of a look.
    const claims = new Int32Array(x.handle.claims!);
    const at = SLOTS + Atomics.load(h, OFFER_CLAIM) - 1;
    const word = Atomics.load(claims, at);
    assert.equal(word & 0xffff, WAITING);
    Atomics.store(claims, at, (word & ~0xffff) | OWNED);
    // Its select will never settle the offer: a receiver drops it.
    assert.deepEqual(x.tryReceive(), { state: "empty" });
    assert.equal(Atomics.load(h, OFFERED), 0);
    const got = x.receive();
    await x.send(2);
    assert.deepEqual(await got, { value: 2, ok: true });
  } finally {
    await w.worker.terminate();
  }
});

Deno.test("a value a retired recvSync left in the hand-off cell is the next receiver's: no record is reserved behind it", async () => {
  const x = new SharedChannel<number>({ codec: "int32" });
  const other = new SharedChannel<number>({ codec: "int32" });
  const gate = new SharedChannel<number>({ codec: "int32", capacity: 1 });
  const h = words(x);
  const w2 = selectWorker();
  let w1: Worker | undefined;
  try {
    w2.post({
      op: "recvEither",
      x: x.handle,
      other: other.handle,
      gate: gate.handle,
    });
    await w2.message(1); // its select waits; its thread is in gate.recvSync()
    const started = await start({ op: "recvSync", ch: x.handle });
    w1 = started.worker;
    await until(() => Atomics.load(h, CELL) === CELL_ASLEEP);
    started.retirement.retire();
    assert.equal(x.trySend(1), true); // into the cell, for the retired one
    await started.retirement.whenParked(1); // it left the value
    // The select may not be handed a second value ahead of the first.
    const sent = x.trySend(2);
    gate.trySend(0); // the select looks again
    assert.deepEqual(await w2.message(2), { result: { value: 1, ok: true } });
    const left: unknown[] = [];
    for (let r = x.tryReceive(); r.state === "ok"; r = x.tryReceive()) {
      left.push(r.value);
    }
    assert.deepEqual(left, sent ? [2] : []);
    assert.equal(Atomics.load(h, RESERVED), 0);
    assert.equal(Atomics.load(h, COUNT), 0);
    assert.equal(Atomics.load(h, RECV_WAITING), 0);
    assert.equal(started.took.load(), 0);
  } finally {
    await w1?.terminate();
    await w2.worker.terminate();
  }
});

Deno.test("a channel opened from a handle without claims receives beside a record reserved for a select", async () => {
  const x = new SharedChannel<unknown>({ codec: "structured" });
  const other = new SharedChannel<unknown>({ codec: "structured" });
  const gate = new SharedChannel<number>({ codec: "int32", capacity: 1 });
  const w2 = selectWorker();
  const w3 = selectWorker();
  try {
    w2.post({
      op: "recvEither",
      x: x.handle,
      other: other.handle,
      gate: gate.handle,
    });
    await w2.message(1);
    assert.equal(x.trySend(1), true); // reserved for the select
    assert.notEqual(Atomics.load(words(x), RESERVED), 0);
    const { claims: _, ...bare } = x.handle;
    w3.post({ op: "tryReceive", x: bare });
    assert.deepEqual(await w3.message(1), { result: { state: "empty" } });
    gate.trySend(0);
    assert.deepEqual(await w2.message(2), { result: { value: 1, ok: true } });
  } finally {
    await w2.worker.terminate();
    await w3.worker.terminate();
  }
});

Deno.test("a retired worker's select a trySend backed off from, then aborted, leaves RECV_WAITING at 0", async () => {
  const x = new SharedChannel<number>({ codec: "int32" });
  const h = words(x);
  const retirement = new Retirement();
  const w = selectWorker();
  try {
    w.post({ op: "recvAbortable", retirement: retirement.handle, x: x.handle });
    await w.message(1);
    retirement.retire();
    assert.equal(x.trySend(1), false); // it claims, finds it retired, backs off
    w.post("abort");
    assert.deepEqual(await w.message(2), { error: "Error: aborted" });
    assert.equal(Atomics.load(h, RECV_WAITING), 0);
    // A plain receiver waits: a trySend hands it the value.
    const got = x.receive();
    await until(() => Atomics.load(h, RECV_WAITING) === 1);
    assert.equal(x.trySend(5), true);
    assert.deepEqual(await got, { value: 5, ok: true });
  } finally {
    await w.worker.terminate();
  }
});
