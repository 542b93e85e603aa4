// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Async waiting on a futex word, for the shared primitives other than the
 * channel (which multiplexes its own waiters, see `shared_channel.ts`).
 *
 * `Atomics.waitAsync` alone is not enough in Deno: a `waitAsync` woken by a
 * `notify` from its own thread is served only on a later turn of the event
 * loop, or never if nothing else keeps the loop alive. So every async wait
 * also registers a local callback under the primitive's `ID` word, and a
 * primitive that wakes its sleepers calls {@linkcode wakeLocal} besides
 * `Atomics.notify`. A wait ends on whichever comes first; the other is left
 * behind (a stale `waitAsync` resolves on a later notify and is ignored),
 * which is why the primitives always wake every sleeper (`notify` without a
 * count): a count-limited notify could be swallowed by a stale waiter.
 *
 * While a wait is pending it counts as an armed timer for the deadlock
 * detector (`timerArmed()`): another thread, which the detector cannot
 * see, may end it.
 */

import { timerArmed, timerDisarmed } from "../_parking.ts";

const local = new Map<number, Set<() => void>>();

/** A random non-zero 32-bit id for a new primitive's `ID` word. */
export function newId(): number {
  return ((Math.random() * 0x7fffffff) | 0) + 1;
}

/**
 * Resolves once `words[index]` may no longer hold `value`: on a notify from
 * any thread, a {@linkcode wakeLocal} of `id` on this one, or `signal`
 * aborting. Callers re-check the word (and the signal) and loop.
 */
export function waitChange(
  words: Int32Array,
  index: number,
  value: number,
  id: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const r = Atomics.waitAsync(words, index, value);
  if (!r.async) return Promise.resolve();
  return new Promise<void>((resolve) => {
    let set = local.get(id);
    if (set === undefined) local.set(id, set = new Set());
    timerArmed();
    const done = () => {
      if (!set!.delete(done)) return;
      if (set!.size === 0) local.delete(id);
      signal?.removeEventListener("abort", done);
      timerDisarmed();
      resolve();
    };
    set.add(done);
    signal?.addEventListener("abort", done, { once: true });
    r.value.then(done);
  });
}

/** Ends this thread's pending waits on the primitive `id`. */
export function wakeLocal(id: number): void {
  const set = local.get(id);
  if (set !== undefined) { for (const done of [...set]) queueMicrotask(done); }
}
