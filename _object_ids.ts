// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Object ids: the number by which a goroutine dump names the channel or
 * primitive a goroutine waits on, and by which `console.log` shows that
 * channel or primitive, so the two can be matched. An object gets its id
 * the first time one is asked for (1, 2, 3, ... in this isolate) and keeps
 * it while it lives; nothing is stored for objects nobody asks about.
 *
 * Shared primitives do not use these: their `ID` word, the same on every
 * thread, is their id.
 *
 * @module
 */

const ids = new WeakMap<object, number>();
let last = 0;

/** The id of `o` in this isolate, given now if it has none yet. */
export function objectId(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, id = ++last);
  return id;
}

/** `"Channel 3"`: the class name of `o` and its id. */
export function objectName(o: object): string {
  const name = (o as { constructor?: { name?: unknown } }).constructor?.name;
  return `${typeof name === "string" ? name : "Object"} ${objectId(o)}`;
}
