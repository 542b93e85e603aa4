// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * A small state machine in shared memory, guarded by a futex lock, with
 * waiters that sleep until the state lets them proceed: the common part of
 * `SharedRWMutex`, `SharedSemaphore` and `SharedOnce`.
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 0 | `LOCK` | the guard lock (`_lock.ts`) |
 * | 1 | `SEQ` | bumped under the lock by every change a waiter may wait for; the futex word waiters sleep on |
 * | 2 | `SLEEPERS` | waiters, on every thread, sleeping or about to sleep on `SEQ` |
 * | 3 | `MAGIC` | marks the primitive's buffer (read-only) |
 * | 4 | `ID` | a random number naming the primitive, for wake-ups within a thread (read-only) |
 * | 5… | | the primitive's own words |
 *
 * A waiter runs its condition under the lock; if it cannot proceed it reads
 * `SEQ` and increments `SLEEPERS` under the same lock, then sleeps until
 * `SEQ` changes, so no wake-up is lost. A change wakes every sleeper (they
 * re-check in turn); the primitives here are not built for thousands of
 * waiters on one word. A retired thread (`_retired.ts`) parks for good
 * before it runs a condition, and so takes nothing.
 */

import { MainThreadWaitError } from "./errors.ts";
import { inWorker, lock, notifyUnlocked, unlock } from "./_lock.ts";
import { newId, waitChange, wakeHere } from "./_futex.ts";
import { checkHandle, wordsCheck } from "./_handle.ts";
import { isRetired, parkAsync, parkIfRetired } from "./_retired.ts";

export const LOCK = 0;
export const SEQ = 1;
export const SLEEPERS = 2;
export const MAGIC = 3;
export const ID = 4;
/** The first word a primitive may use for itself. */
export const FIRST = 5;

/** Makes the words of a new primitive. */
export function create(words: number, magic: number): Int32Array {
  const h = new Int32Array(new SharedArrayBuffer(words * 4));
  h[MAGIC] = magic;
  h[ID] = newId();
  return h;
}

/**
 * Opens a primitive's handle, or throws `checkHandle`'s `TypeError`: its
 * size and magic word, then what `check` says of its own read-only words.
 */
export function open(
  handle: unknown,
  kind: string,
  words: number,
  magic: number,
  check?: (h: Int32Array) => string | undefined,
): Int32Array {
  const header = wordsCheck(words, MAGIC, magic);
  return new Int32Array(
    checkHandle(
      handle,
      kind,
      (buffer, h) =>
        header(buffer, h) ??
          (check === undefined ? undefined : check(new Int32Array(buffer))),
    ),
  );
}

/** Runs `fn` under the guard lock. */
export function guarded<R>(h: Int32Array, fn: () => R): R {
  lock(h, LOCK);
  try {
    return fn();
  } finally {
    unlock(h, LOCK);
  }
}

/** Under the lock: tells every waiter, on every thread, to re-check. */
export function wakeAllLocked(h: Int32Array): void {
  Atomics.add(h, SEQ, 1);
  if (Atomics.load(h, SLEEPERS) > 0) {
    notifyUnlocked(h, SEQ); // once the guard lock is released
    wakeHere(h[ID], SEQ);
  }
}

/**
 * Waits, without blocking the thread, until `attempt` (run under the lock)
 * returns true. If `signal` aborts while it would still have to wait,
 * `cancel` runs under the lock and the promise rejects with the signal's
 * reason. `reason` names the wait for the runtime's goroutine dump.
 */
export async function waitUntil(
  h: Int32Array,
  attempt: () => boolean,
  signal: AbortSignal | undefined,
  reason: string,
  cancel?: () => void,
): Promise<void> {
  for (;;) {
    if (isRetired()) await parkAsync();
    let seq = 0;
    let aborted = false;
    const ok = guarded(h, () => {
      if (attempt()) return true;
      if (signal?.aborted) {
        aborted = true;
        cancel?.();
        return false;
      }
      seq = h[SEQ];
      h[SLEEPERS]++;
      return false;
    });
    if (ok) return;
    if (aborted) throw signal!.reason;
    try {
      await waitChange(h, SEQ, seq, h[ID], signal, reason);
    } finally {
      Atomics.sub(h, SLEEPERS, 1);
    }
  }
}

/**
 * Blocks the worker's thread until `attempt` (run under the lock) returns
 * true.
 *
 * @throws {MainThreadWaitError} On the main thread (`operation` names the call).
 */
export function waitUntilSync(
  h: Int32Array,
  attempt: () => boolean,
  operation: string,
): void {
  if (!inWorker) throw new MainThreadWaitError(operation);
  for (;;) {
    parkIfRetired();
    let seq = 0;
    const ok = guarded(h, () => {
      if (attempt()) return true;
      seq = h[SEQ];
      h[SLEEPERS]++;
      return false;
    });
    if (ok) return;
    try {
      for (let i = 0; i < 200 && Atomics.load(h, SEQ) === seq; i++);
      Atomics.wait(h, SEQ, seq);
    } finally {
      Atomics.sub(h, SLEEPERS, 1);
    }
  }
}
