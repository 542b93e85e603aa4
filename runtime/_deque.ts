// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The three queues of the scheduler, all in the runtime's shared memory
 * (word tables in `layout.ts`). Entries are task slot ids.
 *
 * ## Chase-Lev work-stealing deque (one per worker: Go's P run queue)
 *
 * | word | written by | meaning |
 * | --- | --- | --- |
 * | `O_TOP` | thieves (CAS) and the owner (CAS, last element only) | index of the oldest entry |
 * | `O_BOTTOM` | the owner only | index one past the newest entry |
 * | entries | the owner only | `entries[i & (capacity - 1)]` for `top <= i < bottom` |
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
 * ## Global queue (Go's global run queue)
 *
 * Single producer (the main thread appends at `H_GTAIL`), many consumers
 * (workers CAS `H_GHEAD` forward by a batch, Go's `globrunqget`). It holds
 * only tasks spawned by the main thread, whose slots number `mainSlots`,
 * the queue's capacity, so it never overflows.
 *
 * ## Completion ring (one per owner)
 *
 * Many producers (whoever finishes a task the owner spawned), one consumer
 * (the owner). A producer reserves an entry with `Atomics.add(O_RTAIL, 1)`
 * and stores `slot + 1` there; the consumer reads at `O_RHEAD` until it
 * finds a 0 (reserved, not yet written). The ring is as long as the
 * owner's slot range and each slot completes once per spawn, so it never
 * overflows.
 *
 * @module
 */

import {
  H_GHEAD,
  H_GTAIL,
  type Memory,
  O_BOTTOM,
  O_RHEAD,
  O_RTAIL,
  O_TOP,
  OWNER_WORDS,
} from "./_layout.ts";

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

/** Appends `slot` to the global queue (main thread only). */
export function globalPush(m: Memory, slot: number): void {
  const { i32, layout } = m;
  const tail = i32[H_GTAIL]; // only the main thread writes it
  Atomics.store(i32, layout.global + (tail & (layout.mainSlots - 1)), slot);
  Atomics.store(i32, H_GTAIL, (tail + 1) | 0);
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

/** Appends `slot` to owner `o`'s completion ring (any thread). */
export function ringPush(m: Memory, o: number, slot: number): void {
  const { i32, layout } = m;
  const block = layout.owners + o * OWNER_WORDS;
  const at = Atomics.add(i32, block + O_RTAIL, 1);
  Atomics.store(
    i32,
    layout.rings[o] + (at & (layout.slotCount[o] - 1)),
    slot + 1,
  );
}

/** Takes the next completed slot from owner `o`'s ring (owner only), or EMPTY. */
export function ringPop(m: Memory, o: number): number {
  const { i32, layout } = m;
  const block = layout.owners + o * OWNER_WORDS;
  const head = i32[block + O_RHEAD];
  const at = layout.rings[o] + (head & (layout.slotCount[o] - 1));
  const entry = Atomics.load(i32, at);
  if (entry === 0) return EMPTY;
  Atomics.store(i32, at, 0);
  Atomics.store(i32, block + O_RHEAD, (head + 1) | 0);
  return entry - 1;
}

/** Whether owner `o`'s ring has an entry reserved or written (a snapshot). */
export function ringPending(m: Memory, o: number): boolean {
  const block = m.layout.owners + o * OWNER_WORDS;
  return Atomics.load(m.i32, block + O_RTAIL) !==
    Atomics.load(m.i32, block + O_RHEAD);
}
