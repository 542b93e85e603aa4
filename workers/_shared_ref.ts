// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The first half of how a value that holds shared objects is copied into
 * another thread's bytes (a task's payload, `runtime/_payload.ts`; a value
 * on a `structured` channel, `codec.ts`): {@linkcode liftShared} walks the
 * value, checks it, and lifts each shared object out into a *ref*, a plain
 * record naming its memory by buffer id (`_buffer_ids.ts`). The serializer
 * (`node:v8`) then copies `[lifted value, refs]`: each ref is one object,
 * so it keeps its identity (the same channel twice is one ref, met twice).
 * The reader puts the objects back (`_shared_lower.ts`). When the rest of
 * the value is plain data, the plain format (`_plain.ts`) writes each
 * shared object's ref in place instead ({@linkcode refOf}), with no walk
 * and no `node:v8`.
 *
 * The walk goes through arrays, plain objects (prototype `Object.prototype`
 * or `null`), `Map` keys and values and `Set` values; the lifted value is
 * a copy only along the paths that hold a shared object (the rest is the
 * value itself). Each object is walked once; a cycle is kept, unless it
 * runs through a copied object (refused). A getter that throws ends the
 * walk with nothing found, so the serializer meets and reports it.
 *
 * | value | becomes |
 * | --- | --- |
 * | a shared type (`_shared_kinds.ts`) | its handle, `buffer` replaced by the buffer's id; any other buffer field too (a channel's `claims`), its name listed in `buffers` |
 * | a `SharedArrayBuffer` | `{ kind: "SharedArrayBuffer", buffer: id }` |
 * | a typed array or `DataView` over one | `{ kind: "Int32Array", buffer: id, byteOffset, length }` (`length` in elements; bytes for a `DataView`) |
 * | a function, a symbol | refused: `a function` / `a symbol` |
 * | any other class instance (not `Date`, `RegExp`, `ArrayBuffer`, a view, an `Error`, a boxed primitive) | refused when `classes` is true: `a Point (a class instance)`; else left to the serializer |
 *
 * A refusal is a phrase naming the value and where it is, such as `its
 * element 0, field "jobs", is a function`. Shared memory is refused too
 * when no runtime runs on this thread (no hub carries the buffer).
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
import { bufferId } from "./_buffer_ids.ts";
import { sharedHandle } from "./_shared_kinds.ts";

/** A shared object lifted out of a value: a plain record. */
export interface SharedRef {
  readonly kind: string;
  /** The buffer's id (`_buffer_ids.ts`). */
  readonly buffer: number;
  readonly [field: string]: unknown;
}

/** A value with its shared objects lifted out, and the refs that replace them. */
export interface Lifted {
  readonly value: unknown;
  readonly refs: SharedRef[];
}

/** The views that cross over shared memory, by constructor. */
export const VIEWS: ReadonlyMap<unknown, string> = new Map<unknown, string>(
  [
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
    DataView,
  ].map((c) => [c, c.name]),
);

/** Thrown through the walk to carry a refusal out, the path growing. */
class Refusal {
  path: string[] = [];
  constructor(readonly what: string) {}
}

/**
 * Walks `value`: a phrase saying what in it cannot cross (`it is a
 * function`, `field "a", is a symbol`), or the lifted value and its refs,
 * or undefined if it holds no shared object and nothing refused (copy it
 * as it is). `classes`: refuse any class instance, not only functions and
 * symbols.
 */
export function liftShared(
  value: unknown,
  classes: boolean,
): string | Lifted | undefined {
  if (typeof value !== "object" || value === null) {
    return typeof value === "function"
      ? "it is a function"
      : typeof value === "symbol"
      ? "it is a symbol"
      : undefined;
  }
  const walk = new Walk(classes);
  let lifted: unknown;
  try {
    lifted = walk.value(value);
  } catch (error) {
    if (!(error instanceof Refusal)) return undefined; // a getter threw
    return error.path.length === 0
      ? `it is ${error.what}`
      : `${error.path.join(", ")}, is ${error.what}`;
  }
  return walk.refs.length === 0
    ? undefined
    : { value: lifted, refs: walk.refs };
}

/**
 * The ref of `v` if it is a shared object whose memory can cross (a hub
 * runs on this thread), else undefined: for the plain format's fast path
 * (`_plain.ts`), which writes a ref where it meets one.
 */
export function refOf(v: object): SharedRef | undefined {
  const handle = sharedHandle(v);
  if (handle !== undefined) return newRef(handle.buffer, { ...handle });
  if (isSharedArrayBuffer(v)) {
    return newRef(v, { kind: "SharedArrayBuffer" });
  }
  if (ArrayBuffer.isView(v) && isSharedArrayBuffer(v.buffer)) {
    const kind = VIEWS.get(Object.getPrototypeOf(v).constructor);
    if (kind !== undefined) return newRef(v.buffer, viewFields(kind, v));
  }
  return undefined;
}

/** `fields` with `buffer` as its id, or undefined if it has none here. */
function newRef(
  buffer: SharedArrayBuffer,
  fields: Record<string, unknown>,
): SharedRef | undefined {
  const id = bufferId(buffer);
  if (id === undefined) return undefined;
  const ref: Record<string, unknown> = { ...fields, buffer: id };
  // A handle's other buffers (a channel's claims arena) travel by id too.
  let others: string[] | undefined;
  for (const key of Object.keys(ref)) {
    const v = ref[key];
    if (key === "buffer" || !isSharedArrayBuffer(v)) continue;
    const other = bufferId(v);
    if (other === undefined) return undefined;
    ref[key] = other;
    (others ??= []).push(key);
  }
  if (others !== undefined) ref.buffers = others;
  return ref as SharedRef;
}

/** A view's ref fields: its kind, offset and length. */
function viewFields(kind: string, v: ArrayBufferView): Record<string, unknown> {
  return {
    kind,
    byteOffset: v.byteOffset,
    length: v instanceof DataView
      ? v.byteLength
      : (v as unknown as { length: number }).length,
  };
}

const PENDING = Symbol("pending");

/** One walk's state. */
class Walk {
  refs: SharedRef[] = [];
  /** Each object met: what replaces it, or PENDING while it is walked. */
  #done = new Map<object, unknown>();
  /** Objects met again while PENDING (a cycle). */
  #cycles = new Set<object>();

  constructor(readonly classes: boolean) {}

  value(v: unknown): unknown {
    if (typeof v === "function") throw new Refusal("a function");
    if (typeof v === "symbol") throw new Refusal("a symbol");
    if (typeof v !== "object" || v === null) return v;
    const done = this.#done.get(v);
    if (done === PENDING) {
      this.#cycles.add(v);
      return v;
    }
    if (done !== undefined) return done;
    this.#done.set(v, PENDING);
    const out = this.#object(v);
    if (out !== v && this.#cycles.has(v)) {
      throw new Refusal("in a cycle that holds a shared object");
    }
    this.#done.set(v, out);
    return out;
  }

  /** Walks `v[key]`, naming `where` if it is refused. */
  #at(v: unknown, where: string): unknown {
    try {
      return this.value(v);
    } catch (error) {
      if (error instanceof Refusal) error.path.unshift(where);
      throw error;
    }
  }

  #object(v: object): unknown {
    if (Array.isArray(v)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const r = this.#at(v[i], `its element ${i}`);
        if (r !== v[i]) (copy ??= v.slice())[i] = r;
      }
      return copy ?? v;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      const record = v as Record<string, unknown>;
      let copy: Record<string, unknown> | undefined;
      for (const key of Object.keys(record)) {
        const was = record[key];
        const r = this.#at(was, `field ${JSON.stringify(key)}`);
        if (r !== was) (copy ??= { ...record })[key] = r;
      }
      return copy ?? v;
    }
    const handle = sharedHandle(v);
    if (handle !== undefined) {
      return this.#ref(article(handle.kind), handle.buffer, { ...handle });
    }
    if (isMap(v)) {
      let changed = false;
      const entries: [unknown, unknown][] = [];
      for (const [key, value] of v) {
        const k = this.#at(key, "a Map key");
        const r = this.#at(value, "a Map entry");
        if (k !== key || r !== value) changed = true;
        entries.push([k, r]);
      }
      return changed ? new Map(entries) : v;
    }
    if (isSet(v)) {
      let changed = false;
      const values: unknown[] = [];
      for (const value of v) {
        const r = this.#at(value, "a Set value");
        if (r !== value) changed = true;
        values.push(r);
      }
      return changed ? new Set(values) : v;
    }
    if (isSharedArrayBuffer(v)) {
      return this.#ref("a SharedArrayBuffer", v, { kind: "SharedArrayBuffer" });
    }
    if (ArrayBuffer.isView(v)) {
      if (!isSharedArrayBuffer(v.buffer)) return v;
      const kind = VIEWS.get(Object.getPrototypeOf(v).constructor);
      const name = kind ?? v.constructor.name;
      if (kind === undefined) {
        throw new Refusal(`${article(name)} (a class instance)`);
      }
      return this.#ref(
        `${article(name)} over a SharedArrayBuffer`,
        v.buffer,
        viewFields(kind, v),
      );
    }
    if (isArrayBuffer(v) || isClonableBuiltin(v)) return v;
    if (!this.classes) return v;
    const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
    throw new Refusal(
      `${
        article(typeof name === "string" && name !== "" ? name : "object")
      } (a class instance)`,
    );
  }

  /** A new ref for memory `buffer`, with `fields` (its buffer replaced). */
  #ref(
    what: string,
    buffer: SharedArrayBuffer,
    fields: Record<string, unknown>,
  ): SharedRef {
    const ref = newRef(buffer, fields);
    if (ref === undefined) {
      throw new Refusal(
        `${what}, and no Runtime runs on this thread to carry its memory`,
      );
    }
    this.refs.push(ref);
    return ref;
  }
}

/** `name` after "a" or "an". */
function article(name: string): string {
  return `${/^[AEIOaeio]/.test(name) ? "an" : "a"} ${name}`;
}
