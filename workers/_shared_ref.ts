// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Finds what in a value cannot be copied as data into another thread's
 * payload: the check that task payloads (`runtime/_payload.ts`) and the
 * `structured` codec's `node:v8` path (`codec.ts`) run before they
 * serialize, so that a value which `node:v8` would silently flatten (a
 * class instance arrives as a plain object without its methods, a
 * `SharedChannel` as `{}`) or refuse with a misleading message (a
 * `SharedArrayBuffer`) is refused with a message that names it and where
 * it is.
 *
 * {@linkcode findUncopyable} walks arrays, plain objects (prototype
 * `Object.prototype` or `null`), `Map` keys and values and `Set` values,
 * each object once (a cycle is not an error: `node:v8` keeps cycles); a
 * getter that throws ends the walk with nothing found, so the serializer
 * meets and reports it as before. It
 * reports, as a phrase such as `its element 0, field "jobs", is a
 * SharedChannel`:
 *
 * | value | reported as |
 * | --- | --- |
 * | a shared type of `workers/` (it has a `.handle` with a `kind` and a `SharedArrayBuffer`) | `a SharedChannel` (its kind), always |
 * | a `SharedArrayBuffer`, or a typed array or `DataView` over one | `a SharedArrayBuffer` / `a Int32Array over a SharedArrayBuffer`, always |
 * | a function, a symbol | `a function` / `a symbol`, always |
 * | any other class instance (not `Date`, `RegExp`, `ArrayBuffer`, a view, an `Error`, a boxed primitive) | `a Point (a class instance)`, when `classes` is true |
 *
 * Shared memory cannot be written into a payload of bytes: a
 * `SharedArrayBuffer` reaches another thread only by `postMessage`.
 *
 * @module
 */

import {
  isArrayBuffer,
  isClonableBuiltin,
  isMap,
  isSet,
  isSharedArrayBuffer,
} from "./_brand.ts";

/**
 * What in `value` cannot be copied as data, as a phrase naming it and
 * where it is, or undefined if nothing. `classes`: report any class
 * instance, not only the shared types.
 */
export function findUncopyable(
  value: unknown,
  classes: boolean,
): string | undefined {
  if (typeof value !== "object" || value === null) {
    return typeof value === "function"
      ? "it is a function"
      : typeof value === "symbol"
      ? "it is a symbol"
      : undefined;
  }
  const path: string[] = [];
  const outer = seen;
  const nested = walking;
  // A getter that walks in turn gets a set of its own.
  if (nested) seen = new Set();
  walking = true;
  let found: string | undefined;
  try {
    found = walk(value, classes, path);
  } catch {
    // A getter threw: the serializer that runs next meets it and reports it.
    return undefined;
  } finally {
    seen.clear();
    seen = outer;
    walking = nested;
  }
  if (found === undefined) return undefined;
  return path.length === 0
    ? `it is ${found}`
    : `${path.join(", ")}, is ${found}`;
}

/** The objects walked so far in this call (reused, but by one walk at a time). */
let seen = new Set<object>();
let walking = false;

function walk(
  v: unknown,
  classes: boolean,
  path: string[],
): string | undefined {
  if (typeof v === "function") return "a function";
  if (typeof v === "symbol") return "a symbol";
  if (typeof v !== "object" || v === null || seen.has(v)) return undefined;
  seen.add(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = walk(v[i], classes, path);
      if (found !== undefined) {
        path.unshift(`its element ${i}`);
        return found;
      }
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    for (const key of Object.keys(v)) {
      const found = walk(
        (v as Record<string, unknown>)[key],
        classes,
        path,
      );
      if (found !== undefined) {
        path.unshift(`field ${JSON.stringify(key)}`);
        return found;
      }
    }
    return undefined;
  }
  if (isMap(v)) {
    for (const [key, value] of v) {
      const found = walk(key, classes, path) ??
        walk(value, classes, path);
      if (found !== undefined) {
        path.unshift("a Map entry");
        return found;
      }
    }
    return undefined;
  }
  if (isSet(v)) {
    for (const value of v) {
      const found = walk(value, classes, path);
      if (found !== undefined) {
        path.unshift("a Set value");
        return found;
      }
    }
    return undefined;
  }
  if (isSharedArrayBuffer(v)) return "a SharedArrayBuffer";
  if (ArrayBuffer.isView(v)) {
    return isSharedArrayBuffer(v.buffer)
      ? `${article(v.constructor.name)} over a SharedArrayBuffer`
      : undefined;
  }
  if (isArrayBuffer(v) || isClonableBuiltin(v)) return undefined;
  const kind = sharedKind(v);
  if (kind !== undefined) return article(kind);
  if (!classes) return undefined;
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  return `${
    article(typeof name === "string" && name !== "" ? name : "object")
  } (a class instance)`;
}

/** The kind of a shared type's instance (from its handle), else undefined. */
function sharedKind(v: object): string | undefined {
  let handle: unknown;
  try {
    if (!("handle" in v)) return undefined;
    handle = (v as { handle: unknown }).handle;
  } catch {
    return undefined;
  }
  if (typeof handle !== "object" || handle === null) return undefined;
  const { kind, buffer } = handle as { kind?: unknown; buffer?: unknown };
  return typeof kind === "string" && isSharedArrayBuffer(buffer)
    ? kind
    : undefined;
}

/** `name` after "a" or "an". */
function article(name: string): string {
  return `${/^[AEIOaeio]/.test(name) ? "an" : "a"} ${name}`;
}
