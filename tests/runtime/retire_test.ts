// Copyright the denogo authors. MIT license.
// A worker the runtime terminates (a cancelled task that ran past
// cancelGraceMs) takes no further value or lock: Deno runs its code on,
// but the runtime retires it (workers/retirement.ts) before terminate().

import assert from "node:assert/strict";
import { Runtime } from "../../runtime/mod.ts";
import {
  AtomicInt32,
  Retirement,
  SharedChannel,
  SharedMutex,
} from "../../workers/mod.ts";
import { RECV_SLEEPING } from "../../workers/_channel_words.ts";
import type * as Tasks from "./_retire_tasks.ts";
import { until } from "../_util.ts";

const TASKS = new URL("./_retire_tasks.ts", import.meta.url);
/** SharedMutex's `WAITERS` word. */
const MUTEX_WAITERS = 1;

/**
 * Starts `call(signal)` on a one-worker runtime, waits until `blocked()`,
 * cancels it and waits until the runtime has replaced the worker.
 */
async function abandon(
  rt: Runtime,
  call: (signal: AbortSignal) => Promise<unknown>,
  blocked: () => boolean,
): Promise<void> {
  const controller = new AbortController();
  const task = call(controller.signal);
  await until(blocked);
  const replaced = new Promise((resolve) =>
    rt.addEventListener("replace", resolve, { once: true })
  );
  controller.abort();
  await assert.rejects(task, { name: "AbortError" });
  await replaced;
}

Deno.test("a task abandoned in recvSync after cancelGraceMs takes no value sent afterwards: they stay for other receivers", async () => {
  await using rt = await Runtime.start({ procs: 1, cancelGraceMs: 20 });
  const t = rt.module<typeof Tasks>(TASKS);
  const ch = new SharedChannel<number>({ codec: "int32", capacity: 16 });
  const words = new Int32Array(ch.handle.buffer);
  const observer = new Retirement();
  const took = new AtomicInt32();
  await abandon(
    rt,
    (signal) => t.recvForever.with({ signal })(observer.handle, ch, took),
    () => Atomics.load(words, RECV_SLEEPING) === 1,
  );
  for (let i = 0; i < 16; i++) assert.equal(ch.trySend(i), true);
  await until(() => observer.parked > 0 || took.load() > 0);
  assert.equal(took.load(), 0);
  let left = 0;
  while (ch.tryReceive().state === "ok") left++;
  assert.equal(left, 16);
});

Deno.test("a task abandoned in lockSync after cancelGraceMs never takes the mutex: the next locker does", async () => {
  await using rt = await Runtime.start({ procs: 1, cancelGraceMs: 20 });
  const t = rt.module<typeof Tasks>(TASKS);
  const mu = new SharedMutex();
  await mu.lock();
  const h = new Int32Array(mu.handle.buffer);
  const observer = new Retirement();
  const took = new AtomicInt32();
  await abandon(
    rt,
    (signal) => t.lockForever.with({ signal })(observer.handle, mu, took),
    () => Atomics.load(h, MUTEX_WAITERS) === 1,
  );
  mu.unlock();
  await until(() => observer.parked > 0 || took.load() > 0);
  assert.equal(took.load(), 0);
  assert.equal(mu.tryLock(), true);
  mu.unlock();
});

Deno.test('a task in recvSync when close({ mode: "cancel" }) returns takes no value sent afterwards', async () => {
  const rt = await Runtime.start({ procs: 1, cancelGraceMs: 20 });
  const t = rt.module<typeof Tasks>(TASKS);
  const ch = new SharedChannel<number>({ codec: "structured", capacity: 4 });
  const words = new Int32Array(ch.handle.buffer);
  const observer = new Retirement();
  const took = new AtomicInt32();
  const task = t.recvForever(observer.handle, ch, took);
  await until(() => Atomics.load(words, RECV_SLEEPING) === 1);
  const cancelled = assert.rejects(task, { name: "RuntimeClosedError" });
  await rt.close({ mode: "cancel" });
  await cancelled;
  for (let i = 0; i < 4; i++) assert.equal(ch.trySend(i), true);
  await until(() => observer.parked > 0 || took.load() > 0);
  assert.equal(took.load(), 0);
  assert.equal(ch.size, 4);
});
