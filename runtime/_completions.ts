// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The completion queue of each owner (a worker, or the main thread): how a
 * finished task's slot returns to its spawner. Entries are task slot ids.
 *
 * Many producers (whoever finishes a task the owner spawned), one consumer
 * (the owner). A producer reserves an entry with `Atomics.add(O_CTAIL, 1)`
 * and stores `slot + 1` there; the consumer reads at `O_CHEAD` until it
 * finds a 0 (reserved, not yet written). The queue is as long as the
 * owner's slot range and each slot completes once per spawn, so it never
 * overflows.
 *
 * ## Words (the owner's block of `_layout.ts`, and its entries)
 *
 * | word | written by | meaning |
 * | --- | --- | --- |
 * | `O_CHEAD` | the owner | index of the next entry to read |
 * | `O_CTAIL` | producers (`Atomics.add`) | index one past the last entry reserved |
 * | entries | producers, then the owner (back to 0) | `slotCount[o]` Int32 from `layout.completions[o]`: slot id + 1, 0 = not yet written |
 *
 * Happens-before: a producer writes the slot's result and its `DONE`
 * state before it stores the entry; the owner loads the entry before it
 * reads the slot, so it sees the result.
 *
 * @module
 */

import { type Memory, O_CHEAD, O_CTAIL, OWNER_WORDS } from "./_layout.ts";
import { EMPTY } from "./_deque.ts";

/** Appends `slot` to owner `o`'s completion queue (any thread). */
export function pushCompletion(m: Memory, o: number, slot: number): void {
  const { i32, layout } = m;
  const block = layout.owners + o * OWNER_WORDS;
  const at = Atomics.add(i32, block + O_CTAIL, 1);
  Atomics.store(
    i32,
    layout.completions[o] + (at & (layout.slotCount[o] - 1)),
    slot + 1,
  );
}

/** Takes the next completed slot from owner `o`'s completion queue (owner only), or EMPTY. */
export function popCompletion(m: Memory, o: number): number {
  const { i32, layout } = m;
  const block = layout.owners + o * OWNER_WORDS;
  const head = i32[block + O_CHEAD];
  const at = layout.completions[o] + (head & (layout.slotCount[o] - 1));
  const entry = Atomics.load(i32, at);
  if (entry === 0) return EMPTY;
  Atomics.store(i32, at, 0);
  Atomics.store(i32, block + O_CHEAD, (head + 1) | 0);
  return entry - 1;
}

/** Whether owner `o`'s completion queue has an entry reserved or written (a snapshot). */
export function hasCompletions(m: Memory, o: number): boolean {
  const block = m.layout.owners + o * OWNER_WORDS;
  return Atomics.load(m.i32, block + O_CTAIL) !==
    Atomics.load(m.i32, block + O_CHEAD);
}
