// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The payload serializer: `node:v8`'s where the platform has it (Deno,
 * Node, Bun), read through `process.getBuiltinModule` so that a browser
 * bundle has no `node:` import. Browsers have none: there arguments,
 * results and errors must be plain data (JSON-like trees), written in the
 * structured codec's plain format (`workers/_plain.ts`, byte 0 is 1;
 * `node:v8`'s output starts with 0xFF), and anything else throws the error
 * `node:v8` would (a `DataCloneError`-like `TypeError`).
 *
 * @module
 */

import { decodePlain, encodePlain, PLAIN_FORMAT } from "../workers/_plain.ts";
import * as v8 from "../workers/_v8.ts";

/** `value` as bytes. */
export function serialize(value: unknown): Uint8Array {
  if (v8.hasV8) return v8.serialize(value);
  const plain = encodePlain(value);
  if (plain === undefined) {
    throw new TypeError(
      "this platform has no node:v8: only plain data (JSON-like trees) can be sent",
    );
  }
  return plain;
}

/** The value `bytes` hold. */
export function deserialize(bytes: Uint8Array): unknown {
  if (bytes[0] === PLAIN_FORMAT) return decodePlain(bytes);
  if (!v8.hasV8) {
    throw new TypeError("this platform has no node:v8 to read these bytes");
  }
  return v8.deserialize(bytes);
}
