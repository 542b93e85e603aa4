// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * `node:v8`'s serializer, where the platform has one (Deno, Node, Bun; not
 * browsers), with a deserializer whose typed arrays and `DataView`s own
 * their memory.
 *
 * `node:v8.deserialize` in Deno and Node makes each view a view of the
 * bytes it reads, or, when those are misaligned for it, of Node's shared
 * 8 KiB `Buffer` pool: a received `Float64Array`'s `buffer` would hold other
 * values' bytes, and transferring it would detach views of other values.
 * {@linkcode deserialize} copies each view into an `ArrayBuffer` of its own,
 * as `structuredClone` and `postMessage` give. Bun's views own theirs
 * already.
 *
 * @module
 */

import { builtin } from "./_builtin.ts";

type ViewConstructor = {
  new (
    buffer: ArrayBuffer,
    byteOffset: number,
    length: number,
  ): ArrayBufferView;
  readonly BYTES_PER_ELEMENT?: number;
  from?(
    buffer: ArrayBuffer,
    byteOffset: number,
    length: number,
  ): ArrayBufferView;
};

interface Deserializer {
  readHeader(): boolean;
  readValue(): unknown;
  _readHostObject?(): unknown;
}

const v8 = builtin<{
  serialize(value: unknown): Uint8Array;
  deserialize(bytes: Uint8Array): unknown;
  DefaultDeserializer?: new (bytes: Uint8Array) => Deserializer;
}>("node:v8");

/** Whether this platform has `node:v8`. */
export const hasV8: boolean = v8 !== undefined;

/** `value` as `node:v8`'s bytes; throws what `node:v8` throws. */
export function serialize(value: unknown): Uint8Array {
  return v8!.serialize(value);
}

/** A copy of `view` over an `ArrayBuffer` of its own, of the same class. */
function owned(view: ArrayBufferView): ArrayBufferView {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
    .slice();
  if (view instanceof DataView) return new DataView(bytes.buffer);
  const C = view.constructor as unknown as ViewConstructor;
  const length = view.byteLength / (C.BYTES_PER_ELEMENT ?? 1);
  // Node's Buffer warns when called as a constructor: it has `from`.
  if (C.name === "Buffer" && C.from !== undefined) {
    return C.from(bytes.buffer, 0, length);
  }
  return new C(bytes.buffer, 0, length);
}

const Owning = (() => {
  const Base = v8?.DefaultDeserializer;
  if (
    Base === undefined || typeof Base.prototype._readHostObject !== "function"
  ) {
    return undefined;
  }
  return class extends Base {
    override _readHostObject(): unknown {
      return owned(super._readHostObject!() as ArrayBufferView);
    }
  };
})();

/** The value `node:v8`'s `bytes` hold, its views owning their memory. */
export function deserialize(bytes: Uint8Array): unknown {
  if (Owning === undefined) return v8!.deserialize(bytes);
  const reader = new Owning(bytes);
  reader.readHeader();
  return reader.readValue();
}
