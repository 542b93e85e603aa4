// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Small byte arrays handed out as views of a shared pool, as Node's
 * `Buffer` does for small buffers: allocating an `ArrayBuffer` for each
 * costs several times more than filling it (about 400 ns against 100 ns for
 * 120 bytes here). The codecs' encodings and a channel's received payloads
 * for the decoding codecs (`string`, `json`, `structured`) come from here;
 * the `bytes` codec's values, which the user keeps, never do.
 *
 * Views never overlap: the pool is filled front to back and replaced when
 * full; an old pool lives while a view of it does. A view's `buffer` is the
 * pool, so a holder must copy a view before transferring its buffer (a
 * transferred pool is noticed, detached, and replaced).
 *
 * @module
 */

const POOL_BYTES = 64 * 1024;
/** Larger arrays get an ArrayBuffer of their own. */
const POOLED_MAX = 4 * 1024;

let pool = new ArrayBuffer(POOL_BYTES);
let used = 0;

/** A new array of `n` bytes (zeroed), pooled when small. */
export function pooledBytes(n: number): Uint8Array {
  if (n > POOLED_MAX) return new Uint8Array(n);
  if (used + n > POOL_BYTES || pool.detached) {
    pool = new ArrayBuffer(POOL_BYTES);
    used = 0;
  }
  const view = new Uint8Array(pool, used, n);
  used = (used + n + 7) & ~7;
  return view;
}
