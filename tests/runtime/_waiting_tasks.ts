// Copyright the denogo authors. MIT license.
// Task functions that each block on one kind of primitive, for
// tests/runtime/goroutines_test.ts: the runtime loads this module in its
// workers, and the dump shows what each task waits on.

import { recv, select } from "../../select.ts";
import { taskSignal } from "../../runtime/mod.ts";
import type {
  SharedChannel,
  SharedContext,
  SharedMutex,
  SharedRWMutex,
  SharedSemaphore,
  SharedWaitGroup,
} from "../../workers/mod.ts";

/** Blocks in `lock()` until the main thread unlocks. */
export async function lockMutex(mu: SharedMutex): Promise<void> {
  await mu.lock();
  mu.unlock();
}

/** Blocks in `rLock()` until the writer unlocks. */
export async function readLock(rw: SharedRWMutex): Promise<void> {
  await rw.rLock();
  rw.rUnlock();
}

/** Blocks in a write `lock()` behind the writer. */
export async function writeLock(rw: SharedRWMutex): Promise<void> {
  await rw.lock();
  rw.unlock();
}

/** Blocks in `acquire()` until the main thread releases. */
export async function acquireOne(sem: SharedSemaphore): Promise<void> {
  (await sem.acquire())[Symbol.dispose]();
}

/** Blocks in `wait()` until the counter drops to zero. */
export async function waitGroup(wg: SharedWaitGroup): Promise<void> {
  await wg.wait();
}

/** Blocks in a select over two shared channels; returns which fired. */
export function selectTwo(
  a: SharedChannel<number>,
  b: SharedChannel<number>,
): Promise<string> {
  return select([recv(a, () => "a"), recv(b, () => "b")]);
}

/** Blocks sending on an unbuffered channel until someone receives. */
export async function sendOne(ch: SharedChannel<number>): Promise<void> {
  await ch.send(1);
}

/** Blocks receiving on the context's done channel (a tier-1 channel). */
export async function awaitDone(ctx: SharedContext): Promise<boolean> {
  return (await ctx.done().receive()).ok;
}

/**
 * Blocks in `lock()`, then on a raw `Atomics.waitAsync` the library does
 * not see, until `flag[0]` is no longer 0.
 */
export async function lockThenWaitRaw(
  mu: SharedMutex,
  flag: Int32Array,
): Promise<void> {
  await mu.lock();
  mu.unlock();
  const wait = Atomics.waitAsync(flag, 0, 0);
  if (wait.async) await wait.value;
}

/** Waits until its cancellation is requested, then fails with the reason. */
export function rejectOnCancel(): Promise<never> {
  const signal = taskSignal();
  return new Promise((_, reject) => {
    // Cancelled already if the call was cancelled while its module loaded.
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason));
  });
}
