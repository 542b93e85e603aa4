// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Waking owners, and the set of parked workers (Go's `notewakeup` and
 * `wakep`), over the owner words of `_layout.ts`. (Not to be confused with
 * tier 1's `_parking.ts`, which parks goroutines on one thread.)
 *
 * An owner sleeps on its `O_WAKE` word. Anyone who gives it something to
 * do (a completion in its queue, a cancellation, work to steal) bumps
 * `O_WAKE` and, if `O_WAITING` is set, clears it and notifies. The sleeper reads
 * `O_WAKE`, sets `O_WAITING`, re-checks every source of work, and only
 * then waits for `O_WAKE` to change: with sequentially consistent atomics
 * either the sleeper's re-check sees the new work, or the producer sees
 * `O_WAITING` (no lost wake-up). A completion for the main thread, whose
 * only use of `O_WAKE` is to sleep on it, bumps it only when the producer
 * sees `O_WAITING` ({@linkcode wakeIfWaiting}): the same argument holds.
 *
 * Idle workers also join the parked set (`O_PARKED`, counted in
 * `H_NPARKED`) so that new work wakes exactly as many of them as it needs:
 * {@linkcode wakeIdleWorker} takes one worker out of the set (CAS `O_PARKED`
 * 1 → 0) and wakes it, and does nothing while a worker is spinning (the
 * spinner will find the work; Go's rule). A worker that finds work after
 * spinning wakes one more if work remains, so a burst spreads over the
 * parked workers one hop at a time.
 *
 * @module
 */

import {
  H_NPARKED,
  H_NSPINNING,
  type Memory,
  O_PARKED,
  O_WAITING,
  O_WAKE,
  OWNER_WORDS,
} from "./_layout.ts";

/**
 * Bumps owner `o`'s wake word and notifies it if it sleeps. The first
 * waker of a sleep clears `O_WAITING` and notifies; the others see it
 * clear and make no `Atomics.notify` call, so a burst of completions wakes
 * a sleeping owner once (the owner clears `O_WAITING` itself too when it
 * wakes, so nothing else reads it as still asleep).
 */
export function wakeOwner(m: Memory, o: number): void {
  const block = m.layout.owners + o * OWNER_WORDS;
  Atomics.add(m.i32, block + O_WAKE, 1);
  if (
    Atomics.load(m.i32, block + O_WAITING) !== 0 &&
    Atomics.exchange(m.i32, block + O_WAITING, 0) !== 0
  ) {
    Atomics.notify(m.i32, block + O_WAKE);
  }
}

/**
 * Wakes owner `o` only if it sleeps (or is about to): for a producer that
 * has just published what the sleeper re-checks after it sets `O_WAITING`
 * (a completion in its queue), and an owner that uses `O_WAKE` only to
 * sleep on (the main thread). Either the sleeper's re-check sees the new
 * entry, or this sees `O_WAITING` set; an owner awake is spared a bump of
 * the word every producer would write.
 */
export function wakeIfWaiting(m: Memory, o: number): void {
  const block = m.layout.owners + o * OWNER_WORDS;
  if (Atomics.load(m.i32, block + O_WAITING) !== 0) wakeOwner(m, o);
}

let next = 0;

/**
 * Wakes one parked worker, unless none is parked or one is spinning.
 * Returns whether it woke one.
 */
export function wakeIdleWorker(m: Memory): boolean {
  const { i32, layout } = m;
  if (Atomics.load(i32, H_NPARKED) === 0) return false;
  if (Atomics.load(i32, H_NSPINNING) !== 0) return false;
  const procs = layout.procs;
  for (let k = 0; k < procs; k++) {
    const w = (next + k) % procs;
    const block = layout.owners + w * OWNER_WORDS;
    if (Atomics.compareExchange(i32, block + O_PARKED, 1, 0) === 1) {
      Atomics.sub(i32, H_NPARKED, 1);
      next = w + 1;
      Atomics.add(i32, block + O_WAKE, 1);
      Atomics.notify(i32, block + O_WAKE);
      return true;
    }
  }
  return false;
}

/** Takes worker `w` out of the parked set if it is still there. */
export function leaveParkedSet(m: Memory, w: number): void {
  const block = m.layout.owners + w * OWNER_WORDS;
  if (Atomics.compareExchange(m.i32, block + O_PARKED, 1, 0) === 1) {
    Atomics.sub(m.i32, H_NPARKED, 1);
  }
}
