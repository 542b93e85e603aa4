// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * A tiny futex-based spin-then-sleep lock over one `Int32Array` word, for
 * the short critical sections of the shared-memory primitives (a channel's
 * state, a wait group's counter). It is Drepper's "mutex 2" from "Futexes
 * Are Tricky":
 *
 * | word value | meaning |
 * | --- | --- |
 * | 0 | free |
 * | 1 | held, nobody sleeps on it |
 * | 2 | held, a thread may sleep on it: the unlocker must notify |
 *
 * - lock: `compareExchange(0 → 1)`; on failure spin a little, then
 *   `exchange(2)` and `Atomics.wait` while the word is 2, until the exchange
 *   returns 0 (then the lock is ours, marked 2, which is conservative).
 * - unlock: `exchange(0)`; if the old value was 2, `notify` one sleeper.
 *
 * A wake-up a critical section asks for ({@linkcode notifyUnlocked}) is
 * made once this thread holds no lock: an `Atomics.notify` that wakes a
 * sleeping thread takes µs (a kernel wake-up), and made under the lock it
 * would hold the lock that long, so the woken thread, whose first step is
 * to take that lock, would find it held and sleep on it in turn.
 *
 * The lock is held only while a primitive updates its words and copies a
 * record, never while it waits for another thread, so sleeping on it is
 * brief. Deno allows `Atomics.wait` on the main thread too; where a runtime
 * does not (a browser's main thread), the lock only spins.
 *
 * Limitation: a thread that is terminated (`worker.terminate()`) inside a
 * critical section leaves the word held, and every later user of that
 * primitive hangs. Terminate workers when they are idle, or close the
 * primitives they use first.
 */

import { builtin } from "./_builtin.ts";

/** Spins before sleeping on a held lock; a critical section is ~100 ns. */
const SPIN = 64;

/** Whether this thread may block in `Atomics.wait`. */
export const canBlock: boolean = (() => {
  try {
    // Returns "not-equal" at once where blocking is allowed, throws where not.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
})();

/**
 * Whether this code runs in a worker rather than the main thread: a Web
 * Worker (Deno, browsers, Bun) has `WorkerGlobalScope`; a
 * `node:worker_threads` worker (Node, Bun, Deno) has `isMainThread` false,
 * read through `process.getBuiltinModule` (`_builtin.ts`) so that no `node:` module is
 * imported where there is none (browsers).
 */
export const inWorker: boolean =
  (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !==
    undefined ||
  builtin<{ isMainThread: boolean }>("node:worker_threads")?.isMainThread ===
    false;

/** How many locks this thread holds. */
let held = 0;
/** The words to notify once `held` is 0, and their indices, in pairs. */
const toNotify: (Int32Array | number)[] = [];

/** Takes the lock at `words[index]`. */
export function lock(words: Int32Array, index: number): void {
  if (Atomics.compareExchange(words, index, 0, 1) !== 0) {
    lockSlow(words, index);
  }
  held++;
}

function lockSlow(words: Int32Array, index: number): void {
  for (let i = 0; i < SPIN; i++) {
    if (
      Atomics.load(words, index) === 0 &&
      Atomics.compareExchange(words, index, 0, 1) === 0
    ) return;
  }
  while (Atomics.exchange(words, index, 2) !== 0) {
    if (canBlock) Atomics.wait(words, index, 2);
  }
}

/**
 * Releases the lock at `words[index]`; the last lock this thread holds
 * makes the wake-ups asked for meanwhile ({@linkcode notifyUnlocked}).
 */
export function unlock(words: Int32Array, index: number): void {
  if (Atomics.exchange(words, index, 0) === 2) {
    Atomics.notify(words, index, 1);
  }
  if (--held === 0 && toNotify.length !== 0) notifyAll();
}

/**
 * `Atomics.notify(words, index)` (every waiter), now if this thread holds
 * no lock, else once it has released the last: the caller has changed
 * the word already, so a waiter that checks it meanwhile does not sleep.
 */
export function notifyUnlocked(words: Int32Array, index: number): void {
  if (held === 0) Atomics.notify(words, index);
  else toNotify.push(words, index);
}

function notifyAll(): void {
  for (let i = 0; i < toNotify.length; i += 2) {
    Atomics.notify(toNotify[i] as Int32Array, toNotify[i + 1] as number);
  }
  toNotify.length = 0;
}
