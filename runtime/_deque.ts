// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Go's P run queue: one Chase-Lev work-stealing deque per worker, in the
 * runtime's shared memory. Entries are task slot ids (`_slot.ts`).
 *
 * ## Words (the worker's owner block of `_layout.ts`, and its entries)
 *
 * | word | written by | meaning |
 * | --- | --- | --- |
 * | `O_TOP` | thieves (CAS) and the owner (CAS, last element only) | index of the oldest entry |
 * | `O_BOTTOM` | the owner only | index one past the newest entry |
 * | entries | the owner only | `entries[i & (capacity - 1)]` for `top <= i < bottom`, from `layout.deques + w * dequeCapacity` |
 *
 * The owner pushes and pops at the bottom (LIFO: the newest, cache-warm
 * child of a fork-join runs first); thieves take from the top (FIFO: the
 * oldest, usually largest, piece of work). Invariants: `bottom - top` is
 * the number of entries (it may be -1 for an instant during a pop); only
 * the owner writes entries, only at `bottom`; an entry is taken exactly
 * once because every taker of the entry at `top` moves `top` with a CAS,
 * and the owner only takes the entry at `top` (the last one) by a CAS too
 * (Chase & Lev 2005, "Dynamic circular work-stealing deque", with the
 * sequentially consistent `Atomics` operations of Lê et al. 2013). Indices
 * are int32 and wrap; they are compared by their difference.
 *
 * Happens-before: a push's entry store synchronizes before the `O_BOTTOM`
 * store that publishes it, which a thief loads before it reads the entry;
 * so a thief that takes a slot sees what the owner wrote into it.
 *
 * @module
 */

import { type Memory, O_BOTTOM, O_TOP, OWNER_WORDS } from "./_layout.ts";

/** Returned by {@linkcode steal} when there was nothing to take. */
export const EMPTY = -1;
/** Returned by {@linkcode steal} when it lost a race and may retry. */
export const ABORT = -2;

/**
 * Pushes `slot` on worker `w`'s deque (owner only). Returns false when the
 * deque is full.
 */
export function push(m: Memory, w: number, slot: number): boolean {
  const { i32, layout } = m;
  const block = layout.owners + w * OWNER_WORDS;
  const b = i32[block + O_BOTTOM]; // only we write it
  const t = Atomics.load(i32, block + O_TOP);
  if (((b - t) | 0) >= layout.dequeCapacity) return false;
  Atomics.store(
    i32,
    layout.deques + w * layout.dequeCapacity + (b & (layout.dequeCapacity - 1)),
    slot,
  );
  Atomics.store(i32, block + O_BOTTOM, (b + 1) | 0);
  return true;
}

/** Pops the newest entry of worker `w`'s deque (owner only), or EMPTY. */
export function pop(m: Memory, w: number): number {
  const { i32, layout } = m;
  const block = layout.owners + w * OWNER_WORDS;
  const b = (i32[block + O_BOTTOM] - 1) | 0;
  Atomics.store(i32, block + O_BOTTOM, b);
  const t = Atomics.load(i32, block + O_TOP);
  const size = (b - t) | 0;
  if (size < 0) {
    Atomics.store(i32, block + O_BOTTOM, (b + 1) | 0);
    return EMPTY;
  }
  let slot = i32[
    layout.deques + w * layout.dequeCapacity + (b & (layout.dequeCapacity - 1))
  ];
  if (size === 0) {
    // The last entry: race the thieves for it.
    if (Atomics.compareExchange(i32, block + O_TOP, t, (t + 1) | 0) !== t) {
      slot = EMPTY;
    }
    Atomics.store(i32, block + O_BOTTOM, (b + 1) | 0);
  }
  return slot;
}

/** Takes the oldest entry of worker `w`'s deque (any thread): a slot, EMPTY or ABORT. */
export function steal(m: Memory, w: number): number {
  const { i32, layout } = m;
  const block = layout.owners + w * OWNER_WORDS;
  const t = Atomics.load(i32, block + O_TOP);
  const b = Atomics.load(i32, block + O_BOTTOM);
  if (((b - t) | 0) <= 0) return EMPTY;
  const slot = Atomics.load(
    i32,
    layout.deques + w * layout.dequeCapacity + (t & (layout.dequeCapacity - 1)),
  );
  if (Atomics.compareExchange(i32, block + O_TOP, t, (t + 1) | 0) !== t) {
    return ABORT;
  }
  return slot;
}

/** Entries in worker `w`'s deque (a snapshot). */
export function dequeSize(m: Memory, w: number): number {
  const block = m.layout.owners + w * OWNER_WORDS;
  const size = (Atomics.load(m.i32, block + O_BOTTOM) -
    Atomics.load(m.i32, block + O_TOP)) |
    0;
  return size < 0 ? 0 : size;
}
