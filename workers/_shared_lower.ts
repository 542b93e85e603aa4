// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The second half of copying a value that holds shared objects (the first
 * is `_shared_ref.ts`): {@linkcode lowerShared} takes the deserialized
 * `[value, refs]`, opens each ref (its buffer found by id,
 * `_buffer_ids.ts`; a shared type through its `from()`, `_shared_kinds.ts`;
 * a view as a new view of the same class over the same bytes) and puts the
 * opened objects where the refs are. The deserializer kept each ref's
 * identity, so a ref is found by identity, in arrays, objects, `Map` keys
 * and values and `Set` values (order kept); the value is fresh from the
 * deserializer, so it is changed in place.
 *
 * @module
 */

import { bufferById } from "./_buffer_ids.ts";
import { type AnyHandle, openHandle } from "./_shared_kinds.ts";
import { type SharedRef, VIEWS } from "./_shared_ref.ts";

const viewTypes = new Map<string, unknown>(
  [...VIEWS].map(([type, name]) => [name, type]),
);

/**
 * `value` with each of `refs` replaced by the object it names.
 *
 * @throws {TypeError} If a ref's buffer did not reach this thread (it came
 *   from outside this thread's runtimes), or its kind is unknown.
 */
export function lowerShared(value: unknown, refs: SharedRef[]): unknown {
  const opened = new Map<object, unknown>();
  for (const ref of refs) opened.set(ref, openRef(ref));
  return new Lowering(opened).value(value);
}

/**
 * The object `ref` names (also for the plain format, `_plain.ts`).
 *
 * @throws {TypeError} As {@linkcode lowerShared}.
 */
export function openRef(ref: SharedRef): unknown {
  const buffer = bufferById(ref.buffer);
  if (buffer === undefined) throw memoryMissing(ref.kind);
  if (ref.kind === "SharedArrayBuffer") return buffer;
  const view = viewTypes.get(ref.kind) as
    | (new (b: SharedArrayBuffer, at: number, n: number) => unknown)
    | undefined;
  if (view !== undefined) {
    return new view(buffer, ref.byteOffset as number, ref.length as number);
  }
  const fields: Record<string, unknown> = { ...ref, buffer };
  const others = ref.buffers as string[] | undefined;
  if (others !== undefined) {
    delete fields.buffers;
    for (const key of others) {
      const other = bufferById(fields[key] as number);
      if (other === undefined) throw memoryMissing(ref.kind);
      fields[key] = other;
    }
  }
  const object = openHandle(fields as unknown as AnyHandle);
  if (object === undefined) {
    throw new TypeError(
      `Cannot open a shared object of kind ${
        JSON.stringify(ref.kind)
      } in a value from another thread: no such shared type`,
    );
  }
  return object;
}

class Lowering {
  #seen = new Set<object>();
  constructor(readonly opened: Map<object, unknown>) {}

  value(v: unknown): unknown {
    if (typeof v !== "object" || v === null) return v;
    const object = this.opened.get(v);
    if (object !== undefined) return object;
    if (this.#seen.has(v)) return v;
    this.#seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = this.value(v[i]);
    } else if (v instanceof Map) {
      const entries = [...v].map(([k, x]) => [this.value(k), this.value(x)]);
      v.clear();
      for (const [k, x] of entries) v.set(k, x);
    } else if (v instanceof Set) {
      const values = [...v].map((x) => this.value(x));
      v.clear();
      for (const x of values) v.add(x);
    } else if (Object.getPrototypeOf(v) === Object.prototype) {
      const record = v as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const x = this.value(record[key]);
        // A data property, even for a key such as "__proto__".
        if (x !== record[key]) {
          Object.defineProperty(record, key, {
            value: x,
            writable: true,
            enumerable: true,
            configurable: true,
          });
        }
      }
    }
    return v;
  }
}

function memoryMissing(kind: string): TypeError {
  return new TypeError(
    `Cannot open the ${kind} in a value from another thread: its ` +
      `memory did not reach this thread (shared objects cross between ` +
      `the threads of one Runtime: its main thread and its workers)`,
  );
}
