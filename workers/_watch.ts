// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Watches on the futex words of shared channels, for blocked selects.
 *
 * A select waits on several channels' sequence words at once and re-polls
 * when any changes. Each thread keeps at most one `Atomics.waitAsync` per
 * (channel, word), shared by all the selects of the thread that watch that
 * word, so a select loop over a channel that rarely changes does not pile up
 * pending waits. A channel that bumps a word on this thread also calls
 * {@linkcode wakeWatchers}, because a `waitAsync` woken by its own thread's
 * `notify` is served late, or never if nothing else keeps the loop alive.
 *
 * Callbacks are called at most once per registration and may be called
 * spuriously; callers re-check their channels.
 */

interface Slot {
  pending: boolean;
  readonly callbacks: Set<() => void>;
}

const slots = new Map<number, Slot>();

function key(id: number, index: number): number {
  return id * 64 + index;
}

/**
 * Calls `callback` once `words[index]` may no longer hold `expected`.
 * Returns false, registering nothing, if it already differs.
 */
export function watchWord(
  words: Int32Array,
  index: number,
  id: number,
  expected: number,
  callback: () => void,
): boolean {
  if (Atomics.load(words, index) !== expected) return false;
  const k = key(id, index);
  let slot = slots.get(k);
  if (slot === undefined) {
    slots.set(k, slot = { pending: false, callbacks: new Set() });
  }
  slot.callbacks.add(callback);
  if (!slot.pending) {
    slot.pending = true;
    const s = slot;
    const r = Atomics.waitAsync(words, index, expected);
    const fire = () => {
      s.pending = false;
      run(k, s);
    };
    if (r.async) r.value.then(fire);
    else queueMicrotask(fire);
  }
  return true;
}

/** Removes a callback registered with {@linkcode watchWord}. */
export function unwatchWord(
  id: number,
  index: number,
  callback: () => void,
): void {
  const k = key(id, index);
  const slot = slots.get(k);
  if (slot === undefined) return;
  slot.callbacks.delete(callback);
  if (slot.callbacks.size === 0 && !slot.pending) slots.delete(k);
}

/** Runs, in a microtask, this thread's watchers of a word that changed. */
export function wakeWatchers(id: number, index: number): void {
  const k = key(id, index);
  const slot = slots.get(k);
  if (slot !== undefined && slot.callbacks.size > 0) {
    queueMicrotask(() => run(k, slot));
  }
}

function run(k: number, slot: Slot): void {
  if (slot.callbacks.size === 0) {
    if (!slot.pending) slots.delete(k);
    return;
  }
  const callbacks = [...slot.callbacks];
  slot.callbacks.clear();
  if (!slot.pending) slots.delete(k);
  for (const cb of callbacks) cb();
}
