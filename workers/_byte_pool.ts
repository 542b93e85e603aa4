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
/** The pool as words, for {@linkcode pooledCopyWords}. */
let words = new Int32Array(pool);
let used = 0;

/** A new array of `n` bytes (zeroed), pooled when small. */
export function pooledBytes(n: number): Uint8Array {
  if (n > POOLED_MAX) return new Uint8Array(n);
  if (used + n > POOL_BYTES || pool.detached) {
    pool = new ArrayBuffer(POOL_BYTES);
    words = new Int32Array(pool);
    used = 0;
  }
  const view = new Uint8Array(pool, used, n);
  used = (used + n + 7) & ~7;
  return view;
}

/**
 * A new pooled array of the `n` bytes that start at word `from` of `src`
 * and wrap from word `end` to word 0 (a record in a channel's ring), copied
 * word by word: faster than two `set` calls from views of `src`, which
 * each cost an allocation. The last word's bytes past `n` are copied too,
 * into the pool's padding after the view (views are 8-byte aligned).
 */
export function pooledCopyWords(
  src: Int32Array,
  from: number,
  end: number,
  n: number,
): Uint8Array {
  const view = pooledBytes(n);
  if (n > POOLED_MAX) {
    const first = Math.min(n, (end - from) * 4);
    const bytes = new Uint8Array(src.buffer, src.byteOffset, end * 4);
    view.set(bytes.subarray(from * 4, from * 4 + first));
    if (first < n) view.set(bytes.subarray(0, n - first), first);
    return view;
  }
  const dst = words;
  let j = view.byteOffset >> 2;
  const count = (n + 3) >> 2;
  let i = from;
  for (let k = 0; k < count; k++) {
    dst[j++] = src[i++];
    if (i === end) i = 0;
  }
  return view;
}

/**
 * This thread's scratch space for {@linkcode scratchCopyWords}, and its
 * views by length (made once: making a view costs more than filling it).
 */
const scratch = new Int32Array(POOLED_MAX / 4);
const scratchViews: Uint8Array[] = [];

/**
 * Like {@linkcode pooledCopyWords}, but into this thread's scratch space:
 * the view is valid only until the next call on this thread, for a caller
 * that decodes it at once (a channel's receive that decodes before it
 * returns), and that then allocates nothing. Larger records than a pooled
 * one get a pooled copy.
 */
export function scratchCopyWords(
  src: Int32Array,
  from: number,
  end: number,
  n: number,
): Uint8Array {
  if (n > POOLED_MAX) return pooledCopyWords(src, from, end, n);
  const dst = scratch;
  const count = (n + 3) >> 2;
  let i = from;
  for (let j = 0; j < count; j++) {
    dst[j] = src[i++];
    if (i === end) i = 0;
  }
  return scratchViews[n] ??= new Uint8Array(dst.buffer, 0, n);
}
