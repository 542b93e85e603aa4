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
 * | entries | producers (`Atomics.store`), then the owner (back to 0, a plain store) | `slotCount[o]` Int32 from `layout.completions[o]`: slot id + 1, 0 = not yet written |
 *
 * Happens-before: a producer writes the slot's result and its `DONE`
 * state before it stores the entry; the owner loads the entry before it
 * reads the slot, so it sees the result. The owner's plain store of 0
 * into an entry happens before the next write of that entry: a producer
 * reserves it again only a lap later, and with at most `slotCount[o]` of
 * the owner's slots in flight, one of the lap's completions is of a slot
 * that the owner took (and moved `O_CHEAD` past) after that store, then
 * freed and spawned again; the tail's `Atomics.add`s chain the rest.
 *
 * @module
 */

import { type Memory, O_CHEAD, O_CTAIL, OWNER_WORDS } from "./_layout.ts";

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

/**
 * Takes up to `out.length` completed slots from owner `o`'s completion
 * queue into `out` (owner only); returns how many. The head moves once per
 * call, not once per entry: it shares a cache line with the tail that
 * every producer adds to.
 */
export function takeCompletions(m: Memory, o: number, out: Int32Array): number {
  const { i32, layout } = m;
  const block = layout.owners + o * OWNER_WORDS;
  const first = layout.completions[o];
  const mask = layout.slotCount[o] - 1;
  const head = i32[block + O_CHEAD];
  let n = 0;
  while (n < out.length) {
    const at = first + ((head + n) & mask);
    const entry = Atomics.load(i32, at);
    if (entry === 0) break;
    i32[at] = 0; // plain: see the module doc
    out[n++] = entry - 1;
  }
  if (n > 0) Atomics.store(i32, block + O_CHEAD, (head + n) | 0);
  return n;
}

/** Whether owner `o`'s completion queue has an entry reserved or written (a snapshot). */
export function hasCompletions(m: Memory, o: number): boolean {
  const block = m.layout.owners + o * OWNER_WORDS;
  return Atomics.load(m.i32, block + O_CTAIL) !==
    Atomics.load(m.i32, block + O_CHEAD);
}
