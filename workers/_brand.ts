// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Brand checks: whether a value is truly a built-in of some kind. Where the
 * platform has `node:util` (read through `_builtin.ts`, so that the shared
 * tier bundles for browsers) its `types` answer; elsewhere, a method of
 * that built-in that throws on anything else is called (slower: a thrown
 * error costs microseconds). A `Symbol.toStringTag` or a prototype swap
 * fools neither; a subclass instance passes both.
 *
 * @module
 */

import { builtin } from "./_builtin.ts";

interface Types {
  isSharedArrayBuffer(v: unknown): boolean;
  isArrayBuffer(v: unknown): boolean;
  isMap(v: unknown): boolean;
  isSet(v: unknown): boolean;
  isDate(v: unknown): boolean;
  isRegExp(v: unknown): boolean;
  isNativeError(v: unknown): boolean;
  isBoxedPrimitive(v: unknown): boolean;
}

const types = builtin<{ types: Types }>("node:util")?.types;

/** Whether `call(v)` returns without throwing. */
function passes(call: (v: unknown) => unknown, v: unknown): boolean {
  try {
    call(v);
    return true;
  } catch {
    return false;
  }
}

function getter(proto: object, name: string): (v: unknown) => unknown {
  const get = Object.getOwnPropertyDescriptor(proto, name)!.get!;
  return (v) => get.call(v);
}

// Absent where the page is not cross-origin isolated: nothing is shared.
const sabLength = typeof SharedArrayBuffer === "function"
  ? getter(SharedArrayBuffer.prototype, "byteLength")
  : undefined;
const abLength = getter(ArrayBuffer.prototype, "byteLength");
const mapSize = getter(Map.prototype, "size");
const setSize = getter(Set.prototype, "size");
const regexpSource = getter(RegExp.prototype, "source");
const dateTime = (v: unknown) => Date.prototype.getTime.call(v as Date);
const boxed = [Number, String, Boolean, BigInt, Symbol].map((c) => {
  const valueOf = c.prototype.valueOf as (this: unknown) => unknown;
  return (v: unknown) => valueOf.call(v);
});

/** Whether `v` is a `SharedArrayBuffer`. */
export function isSharedArrayBuffer(v: unknown): v is SharedArrayBuffer {
  if (types) return types.isSharedArrayBuffer(v);
  return sabLength !== undefined && passes(sabLength, v);
}

/** Whether `v` is an `ArrayBuffer` (not shared). */
export function isArrayBuffer(v: unknown): v is ArrayBuffer {
  return types ? types.isArrayBuffer(v) : passes(abLength, v);
}

/** Whether `v` is a `Map`. */
export function isMap(v: unknown): v is Map<unknown, unknown> {
  return types ? types.isMap(v) : passes(mapSize, v);
}

/** Whether `v` is a `Set`. */
export function isSet(v: unknown): v is Set<unknown> {
  return types ? types.isSet(v) : passes(setSize, v);
}

/**
 * Whether `v` is data that structured clone copies as it is: a `Date`, a
 * `RegExp`, an `Error`, a boxed primitive.
 */
export function isClonableBuiltin(v: unknown): boolean {
  if (types) {
    return types.isDate(v) || types.isRegExp(v) || types.isNativeError(v) ||
      v instanceof Error || types.isBoxedPrimitive(v);
  }
  if (passes(dateTime, v) || v instanceof Error) return true;
  if (v !== RegExp.prototype && passes(regexpSource, v)) return true;
  return boxed.some((valueOf) => passes(valueOf, v));
}
