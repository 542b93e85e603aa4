// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The payload heap: shared memory for task arguments and results too large
 * for a slot's 192-byte inline payload (`_payload.ts`).
 *
 * Segregated free lists: a block of class `c` holds `256 << c` bytes
 * including an 8-byte header. Blocks are cut from a bump pointer and
 * recycled through their class's free list, all under the spin lock
 * `H_HEAP_LOCK` (the critical sections are a few loads and stores). A
 * block is never split or merged, so the heap can fill with blocks of one
 * class while another has none: `heapAlloc` then fails and the caller
 * reports a `TaskPayloadError`.
 *
 * ## Words (in the header of `_layout.ts`)
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 8 | `H_HEAP_LOCK` | spin lock over the two below and every block header |
 * | 9 | `H_HEAP_BUMP` | bytes of the heap handed out so far |
 * | 12 + c | `H_HEAP_FREE + c` | first free block of class c, as byte offset + 1 (0: none) |
 *
 * ## Block header (at the block's byte offset from `layout.heap`)
 *
 * | Int32 | meaning |
 * | --- | --- |
 * | 0 | the block's class `c` (set once, when cut from the bump pointer) |
 * | 1 | while free: the next free block of its class, byte offset + 1 (0: none) |
 *
 * The block's data starts 8 bytes in. Whoever allocated a block owns it
 * until it frees it; a slot records its block in `S_HEAP`, and the writes
 * to the data happen before the slot is published (`_slot.ts`).
 *
 * @module
 */

import {
  H_HEAP_BUMP,
  H_HEAP_FREE,
  H_HEAP_LOCK,
  HEAP_CLASSES,
  type Memory,
} from "./_layout.ts";
import { lockSpin, unlockSpin } from "./_spin_lock.ts";

/** Bytes of a block's header, before its data. */
export const BLOCK_HEADER = 8;

/**
 * Allocates a block for `bytes` bytes of data; returns its byte offset
 * from `layout.heap`, or -1 if the heap is full or `bytes` exceeds the
 * largest class.
 */
export function heapAlloc(m: Memory, bytes: number): number {
  const need = bytes + BLOCK_HEADER;
  let c = 0;
  while (c < HEAP_CLASSES && (256 << c) < need) c++;
  if (c >= HEAP_CLASSES) return -1;
  const { i32, layout } = m;
  lockSpin(i32, H_HEAP_LOCK);
  try {
    const head = i32[H_HEAP_FREE + c];
    if (head !== 0) {
      const block = head - 1;
      i32[H_HEAP_FREE + c] = i32[(layout.heap + block) / 4 + 1];
      return block;
    }
    const bump = i32[H_HEAP_BUMP];
    if (bump + (256 << c) > layout.heapBytes) return -1;
    i32[H_HEAP_BUMP] = bump + (256 << c);
    i32[(layout.heap + bump) / 4] = c;
    return bump;
  } finally {
    unlockSpin(i32, H_HEAP_LOCK);
  }
}

/** Returns `block` (from {@linkcode heapAlloc}) to its class's free list. */
export function heapFree(m: Memory, block: number): void {
  const { i32, layout } = m;
  const at = (layout.heap + block) / 4;
  lockSpin(i32, H_HEAP_LOCK);
  const c = i32[at];
  i32[at + 1] = i32[H_HEAP_FREE + c];
  i32[H_HEAP_FREE + c] = block + 1;
  unlockSpin(i32, H_HEAP_LOCK);
}
