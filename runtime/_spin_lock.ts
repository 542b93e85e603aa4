// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * A spin lock on one Int32 word of shared memory: 0 unlocked, 1 locked.
 * For critical sections of a handful of plain loads and stores (the
 * payload heap's free lists, the registry's append), where parking would
 * cost more than the wait. The `Atomics` CAS that takes the lock and the
 * store that releases it are sequentially consistent, so the n'th
 * `unlockSpin` synchronizes before the (n+1)'th `lockSpin` returns: plain
 * writes made under the lock are visible to the next holder.
 *
 * @module
 */

/** Takes the lock at `i32[at]`, spinning while another thread holds it. */
export function lockSpin(i32: Int32Array, at: number): void {
  while (Atomics.compareExchange(i32, at, 0, 1) !== 0) {
    // spin: the holder is a few instructions from unlocking
  }
}

/** Releases the lock at `i32[at]` (held by the caller). */
export function unlockSpin(i32: Int32Array, at: number): void {
  Atomics.store(i32, at, 0);
}
