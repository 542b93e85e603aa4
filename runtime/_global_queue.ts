// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Go's global run queue: the tasks the main thread starts, in the
 * runtime's shared memory. Entries are task slot ids (`_slot.ts`).
 *
 * Single producer (the main thread appends at `H_GTAIL`), many consumers
 * (workers CAS `H_GHEAD` forward by a batch, Go's `globrunqget`). It holds
 * only tasks spawned by the main thread, whose slots number `mainSlots`,
 * the queue's capacity, so it never overflows.
 *
 * ## Words
 *
 * | word | written by | meaning |
 * | --- | --- | --- |
 * | `H_GHEAD` (header word 3) | consumers (CAS) | index of the oldest entry |
 * | `H_GTAIL` (header word 4) | the main thread | index one past the newest entry |
 * | entries | the main thread (plain stores) | `mainSlots` Int32 from `layout.global`: `entries[i & (mainSlots - 1)]` for `head <= i < tail` |
 *
 * Happens-before: the main thread stores entries, then `H_GTAIL` (once
 * for a batch of entries); a consumer loads `H_GTAIL` before it reads the
 * entries below it, so it sees them and what the main thread wrote into
 * their slots. The main thread writes an entry a lap after the one it
 * replaces, only once the task of that one has come back (at most
 * `mainSlots` of its tasks are in flight), so a consumer reads it only
 * when its CAS of `H_GHEAD` would fail: a stale read it throws away.
 *
 * @module
 */

import { H_GHEAD, H_GTAIL, type Memory } from "./_layout.ts";

/** Appends `slot` to the global queue (main thread only). */
export function globalPush(m: Memory, slot: number): void {
  const { i32, layout } = m;
  const tail = i32[H_GTAIL]; // only the main thread writes it
  i32[layout.global + (tail & (layout.mainSlots - 1))] = slot;
  Atomics.store(i32, H_GTAIL, (tail + 1) | 0);
}

/**
 * Appends the first `n` slots of `slots` to the global queue at once
 * (main thread only): one read and one store of `H_GTAIL`, a word of the
 * header line that every worker writes near, for the batch.
 */
export function globalPushAll(m: Memory, slots: Int32Array, n: number): void {
  const { i32, layout } = m;
  const mask = layout.mainSlots - 1;
  const tail = i32[H_GTAIL];
  for (let i = 0; i < n; i++) {
    i32[layout.global + (((tail + i) | 0) & mask)] = slots[i];
  }
  Atomics.store(i32, H_GTAIL, (tail + n) | 0);
}

/** Entries in the global queue (a snapshot). */
export function globalSize(m: Memory): number {
  const size = (Atomics.load(m.i32, H_GTAIL) - Atomics.load(m.i32, H_GHEAD)) |
    0;
  return size < 0 ? 0 : size;
}

/**
 * Takes up to `max` entries from the global queue into `out` (any worker);
 * returns how many it took.
 */
export function globalTake(m: Memory, out: Int32Array, max: number): number {
  const { i32, layout } = m;
  const mask = layout.mainSlots - 1;
  for (;;) {
    const h = Atomics.load(i32, H_GHEAD);
    const n = (Atomics.load(i32, H_GTAIL) - h) | 0;
    if (n <= 0) return 0;
    // Go's globrunqget: a fair share, at least one.
    let k = Math.min(n, ((n / (layout.procs)) | 0) + 1, max);
    if (k < 1) k = 1;
    for (let i = 0; i < k; i++) {
      out[i] = Atomics.load(i32, layout.global + (((h + i) | 0) & mask));
    }
    if (Atomics.compareExchange(i32, H_GHEAD, h, (h + k) | 0) === h) return k;
  }
}
