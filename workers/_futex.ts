// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Async waits on the futex words of the shared primitives: the one registry
 * every shared type uses (channels' blocked operations and selects, mutex,
 * wait group, once, semaphore, context).
 *
 * `Atomics.waitAsync` alone is not enough in Deno: a `waitAsync` woken by a
 * `notify` from its own thread is served only on a later turn of the event
 * loop, or never if nothing else keeps the loop alive. So every async wait
 * is registered here under its primitive's `ID` word and the word's index,
 * and a primitive that wakes its sleepers calls {@linkcode wakeHere} besides
 * `Atomics.notify`. Each thread keeps at most one `Atomics.waitAsync` per
 * (primitive, word), shared by all of this thread's waits on that word, so
 * a loop over a word that rarely changes does not pile up pending waits.
 *
 * A pending `waitAsync` may be for an older value of the word than a new
 * registration expects. It still fires on the next `notify` of the word
 * (a `notify` wakes every waiter on the address, whatever value it waited
 * for), which is why the primitives always wake every sleeper (`notify`
 * without a count): a count-limited notify could be taken by that stale
 * waiter. Callbacks run at most once per registration and may run
 * spuriously; callers re-check their words.
 *
 * | registry entry | meaning |
 * | --- | --- |
 * | key `id * 64 + index` | one futex word of one primitive (`index` < 64) |
 * | `pending` | this thread has an `Atomics.waitAsync` out on that word |
 * | `callbacks` | this thread's waits on the word, each run once |
 */

import { outsideWaitEnded, outsideWaitStarted } from "../_parking.ts";
import { notedWait } from "../_wait_notes.ts";

interface Entry {
  /** The words the pending `waitAsync` waits on (for {@linkcode releaseWord}). */
  readonly words: Int32Array;
  pending: boolean;
  readonly callbacks: Set<() => void>;
}

const entries = new Map<number, Entry>();

function key(id: number, index: number): number {
  return id * 64 + index;
}

/**
 * A random non-zero 31-bit number: the `ID` word of a new primitive, under
 * which this registry finds its waits.
 */
export function newId(): number {
  return ((Math.random() * 0x7fffffff) | 0) + 1;
}

/**
 * Calls `callback` once `words[index]` may no longer hold `expected`: on a
 * `notify` of the word from any thread, or a {@linkcode wakeHere} on this
 * one. Returns false, registering nothing, if the word already differs.
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
  let entry = entries.get(k);
  if (entry === undefined) {
    entries.set(
      k,
      entry = { words, pending: false, callbacks: new Set() },
    );
  }
  entry.callbacks.add(callback);
  if (!entry.pending) {
    entry.pending = true;
    const e = entry;
    const r = Atomics.waitAsync(words, index, expected);
    const fire = () => {
      e.pending = false;
      run(k, e);
    };
    if (r.async) r.value.then(fire);
    else queueMicrotask(fire);
  }
  return true;
}

/** Removes a callback registered with {@linkcode watchWord}, if still there. */
export function unwatchWord(
  id: number,
  index: number,
  callback: () => void,
): void {
  const k = key(id, index);
  const entry = entries.get(k);
  if (entry === undefined) return;
  entry.callbacks.delete(callback);
  forget(k, entry);
}

/**
 * Removes a callback registered with {@linkcode watchWord} for good: the
 * wait it belonged to is over (a select decided by another case, an
 * aborted wait). If it was this thread's last wait on the word, the
 * pending `Atomics.waitAsync` is ended with a `notify` of the word: a
 * `waitAsync` that is never notified keeps its `SharedArrayBuffer` (and
 * this registry's entry) alive, so a dropped channel that nobody notifies
 * again would never be collected. The `notify` wakes the word's waiters on
 * other threads too; for them it is a spurious wake-up, which they
 * re-check (see the module doc).
 */
export function releaseWord(
  id: number,
  index: number,
  callback: () => void,
): void {
  const k = key(id, index);
  const entry = entries.get(k);
  if (entry === undefined) return;
  entry.callbacks.delete(callback);
  if (entry.callbacks.size === 0 && entry.pending) {
    Atomics.notify(entry.words, index);
  }
  forget(k, entry);
}

/**
 * How many `Atomics.waitAsync` calls this thread has pending: one per word
 * that some wait of this thread is on, or was on until it was released and
 * the `notify` has not been served yet (for the leak check,
 * `bench/select_leak.ts`).
 */
export function pendingWaits(): number {
  let n = 0;
  for (const entry of entries.values()) if (entry.pending) n++;
  return n;
}

/** Runs, in a microtask, this thread's waits on a word that changed. */
export function wakeHere(id: number, index: number): void {
  const k = key(id, index);
  const entry = entries.get(k);
  if (entry !== undefined && entry.callbacks.size > 0) {
    queueMicrotask(() => run(k, entry));
  }
}

function run(k: number, entry: Entry): void {
  const callbacks = entry.callbacks.size > 0 ? [...entry.callbacks] : null;
  entry.callbacks.clear();
  forget(k, entry);
  if (callbacks !== null) { for (const cb of callbacks) cb(); }
}

/**
 * Drops an entry with no callbacks and no pending wait, if it is still the
 * one registered under `k` (a late run may find a newer one there).
 */
function forget(k: number, entry: Entry): void {
  if (
    entry.callbacks.size === 0 && !entry.pending && entries.get(k) === entry
  ) entries.delete(k);
}

/**
 * Resolves once `words[index]` may no longer hold `value` (see
 * {@linkcode watchWord}), or `signal` aborts. Callers re-check the word (and
 * the signal) and loop. While it is pending the wait counts, for the
 * deadlock detector, as one that another thread may end, and for the
 * runtime's goroutine dump as a wait on `reason` (Go's words).
 */
export function waitChange(
  words: Int32Array,
  index: number,
  value: number,
  id: number,
  signal: AbortSignal | undefined,
  reason: string,
): Promise<void> {
  return notedWait(
    new Promise<void>((resolve) => {
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        releaseWord(id, index, done);
        signal?.removeEventListener("abort", done);
        outsideWaitEnded();
        resolve();
      };
      if (!watchWord(words, index, id, value, done)) {
        resolve();
        return;
      }
      outsideWaitStarted();
      signal?.addEventListener("abort", done, { once: true });
    }),
    reason,
    id,
  );
}
