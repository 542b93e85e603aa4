// Copyright the denogo authors. MIT license.
// Task functions that take and return shared objects, for
// tests/runtime/payload_shared_test.ts: the runtime loads this module in
// its workers.

import {
  type AtomicBigInt64,
  type AtomicInt32,
  SharedChannel,
  type SharedContext,
  type SharedMutex,
  type SharedOnce,
  type SharedRWMutex,
  type SharedSemaphore,
  type SharedWaitGroup,
} from "../../workers/mod.ts";
import { spawn, workerIndex } from "../../runtime/mod.ts";

/** Everything a task may be handed, as the tests nest it. */
export interface Kit {
  jobs: { ch: SharedChannel<number> };
  sync: [
    SharedMutex,
    SharedRWMutex,
    SharedSemaphore,
    SharedOnce,
    SharedWaitGroup,
  ];
  atomics: Map<string, AtomicInt32 | AtomicBigInt64>;
  ctx: SharedContext;
  bytes: { sab: SharedArrayBuffer; view: Int32Array; data: DataView };
}

/**
 * Uses each object of the kit: sends `n` on the channel, adds under each
 * lock, bumps both atomics, runs the once, marks the wait group done,
 * writes the views; returns what it saw of the context and classes.
 */
export async function useKit(kit: Kit, n: number): Promise<string[]> {
  const [mu, rw, sem, once, wg] = kit.sync;
  const i32 = kit.atomics.get("i32") as AtomicInt32;
  const i64 = kit.atomics.get("i64") as AtomicBigInt64;
  await kit.jobs.ch.send(n);
  await mu.lock();
  i32.add(1);
  mu.unlock();
  await rw.lock();
  i64.add(2n);
  rw.unlock();
  await sem.acquire();
  kit.bytes.view[1] += 5;
  sem.release();
  await once.do(() => {
    kit.bytes.data.setInt32(8, 9, true);
  });
  new Int32Array(kit.bytes.sab)[3] = 11;
  wg.done();
  return [
    kit.jobs.ch.constructor.name,
    mu.constructor.name,
    rw.constructor.name,
    sem.constructor.name,
    once.constructor.name,
    wg.constructor.name,
    i32.constructor.name,
    i64.constructor.name,
    kit.ctx.constructor.name,
    String(kit.ctx.err() === undefined),
  ];
}

/** Sends 1..n on `out`, then closes it. */
export async function produce(
  out: { ch: SharedChannel<number> },
  n: number,
): Promise<void> {
  for (let i = 1; i <= n; i++) await out.ch.send(i);
  out.ch.close();
}

/** Returns a new channel with `n` values in it, nested in a value. */
export function makeChannel(n: number): { list: [SharedChannel<number>] } {
  const ch = new SharedChannel<number>({ capacity: n, codec: "float64" });
  for (let i = 0; i < n; i++) ch.trySend(i);
  return { list: [ch] };
}

/** Echoes its argument (shared objects reopened, then lifted again). */
export function echo<T>(value: T): T {
  return value;
}

/** Receives one value from `ch` (a structured channel) and returns it. */
export async function receiveOne(ch: SharedChannel<unknown>): Promise<unknown> {
  const { value } = await ch.receive();
  return value;
}

/** Sends `value` on `ch` (a structured channel). */
export async function sendOne(
  ch: SharedChannel<unknown>,
  value: unknown,
): Promise<void> {
  await ch.send(value);
}

/** Waits until `ctx` is cancelled, then returns its error's message. */
export async function awaitCancel(ctx: SharedContext): Promise<string> {
  await ctx.done().receive();
  return String(ctx.err()?.message);
}

/** Spawns `produce(out, n)` as a child task (the channel crosses again). */
export async function spawnProduce(
  out: { ch: SharedChannel<number> },
  n: number,
): Promise<void> {
  await spawn(produce, out, n);
}

/**
 * Receives `{ out: [ch], n, mu }` from `box`, sends `n` on `ch`; returns
 * the class name of `mu`.
 */
export async function receiveAndSend(
  box: SharedChannel<unknown>,
): Promise<string> {
  const { value } = await box.receive();
  const { out, n, mu } = value as {
    out: [SharedChannel<number>];
    n: number;
    mu: object;
  };
  await out[0].send(n);
  return mu.constructor.name;
}

/** Sends on `box` a Map whose "ch" is a new channel holding 0..n-1. */
export async function sendMade(
  box: SharedChannel<unknown>,
  n: number,
): Promise<void> {
  await box.send(new Map([["ch", makeChannel(n).list[0]]]));
}

/**
 * Blocks its worker until `box` gives `{ ch }`, then sends 42 on `ch`;
 * signals `ready` first. Returns its worker index.
 */
export function blockForChannel(
  ready: SharedChannel<number>,
  box: SharedChannel<unknown>,
): number {
  ready.trySend(workerIndex());
  const { value } = box.recvSync();
  (value as { ch: SharedChannel<number> }).ch.sendSync(42);
  return workerIndex();
}

/**
 * Makes a channel, sends it on `box`, and returns what comes back on it
 * with its worker index.
 */
export async function handOffChannel(
  box: SharedChannel<unknown>,
): Promise<[number, number]> {
  const ch = new SharedChannel<number>({ capacity: 1, codec: "int32" });
  await box.send({ ch });
  return [(await ch.receive()).value!, workerIndex()];
}

/**
 * `trySend` of `value` on each of `chans` (channels nested in a task's
 * payload): which succeeded.
 */
export function trySendEach(
  chans: { list: SharedChannel<number>[] },
  value: number,
): boolean[] {
  return chans.list.map((ch) => ch.trySend(value));
}
