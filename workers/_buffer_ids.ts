// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Buffer ids: how a `SharedArrayBuffer` is named inside bytes that another
 * thread reads (a task's payload, a value on a `structured` channel). Bytes
 * cannot hold shared memory, and a thread gets a `SharedArrayBuffer` only
 * through a message; so the memory travels by message, once per buffer
 * and thread, and the bytes carry its id.
 *
 * The messages are a {@linkcode BufferHub}'s business: a running `Runtime`
 * installs one on its main thread and on each of its workers
 * (`runtime/_buffer_hub.ts`). With no hub on this thread, a buffer has no
 * id ({@linkcode bufferId} returns undefined) and cannot cross.
 *
 * Ids are random 53-bit integers, so that threads (and the runtimes of one
 * main thread) pick them without talking: two buffers share an id with
 * a chance of 2⁻⁵³ (about 10⁻⁴ that any two of a million do). A thread keeps the id of every buffer it named or opened (a
 * `WeakMap`), so a buffer passed on keeps its id and is not sent again.
 *
 * @module
 */

/** Carries buffers between the threads of one runtime. */
export interface BufferHub {
  /** Makes `buffer`, named `id`, reachable from every thread of the hub. */
  publish(id: number, buffer: SharedArrayBuffer): void;
  /** The buffer named `id` that a thread of the hub published, if any. */
  find(id: number): SharedArrayBuffer | undefined;
}

const hubs: BufferHub[] = [];
const ids = new WeakMap<SharedArrayBuffer, number>();
const random = new Uint32Array(2);

/** Adds `hub` to this thread's hubs. */
export function installHub(hub: BufferHub): void {
  hubs.push(hub);
}

/** Removes `hub` from this thread's hubs. */
export function removeHub(hub: BufferHub): void {
  const i = hubs.indexOf(hub);
  if (i >= 0) hubs.splice(i, 1);
}

/**
 * The id of `buffer`, published to every hub of this thread; undefined if
 * this thread has none (no runtime runs here).
 */
export function bufferId(buffer: SharedArrayBuffer): number | undefined {
  if (hubs.length === 0) return undefined;
  let id = ids.get(buffer);
  if (id === undefined) {
    crypto.getRandomValues(random);
    id = (random[0] & 0x1fffff) * 2 ** 32 + random[1];
    ids.set(buffer, id);
  }
  for (const hub of hubs) hub.publish(id, buffer);
  return id;
}

/** The buffer named `id`, if a hub of this thread has it. */
export function bufferById(id: number): SharedArrayBuffer | undefined {
  for (const hub of hubs) {
    const buffer = hub.find(id);
    if (buffer !== undefined) {
      ids.set(buffer, id);
      return buffer;
    }
  }
  return undefined;
}
