// Copyright the denogo authors. MIT license.

/**
 * Codecs: how a {@linkcode SharedChannel} turns values into bytes in shared
 * memory and back.
 *
 * A value crossing workers through shared memory cannot be passed by
 * reference: it is written into the channel's `SharedArrayBuffer` by the
 * sender and read out, as a new value, by the receiver. A codec says how.
 *
 * | name | values | encoded form in the channel |
 * | --- | --- | --- |
 * | `"int32"` | integers in [-2³¹, 2³¹ − 1] | one 4-byte `Int32Array` slot; no length prefix, no serialization |
 * | `"float64"` | any `number` (NaN, ±Infinity, -0 included) | one 8-byte `Float64Array` slot; no length prefix, no serialization |
 * | `"bytes"` | `Uint8Array` | the bytes as they are, after a 4-byte length prefix; copied once in, once out |
 * | `"string"` | any `string`, lone surrogates included: every string comes back exactly | its UTF-8 bytes, after a 4-byte length prefix; a string with a lone surrogate (which has no UTF-8 form) as a `0xFF` byte, which UTF-8 never contains, then its UTF-16 code units, little-endian |
 * | `"json"` | what `JSON.stringify` accepts | the UTF-8 bytes of `JSON.stringify(value)`, after a 4-byte length prefix |
 * | `"structured"` | what the structured clone algorithm accepts (Map, Set, Date, RegExp, typed arrays, BigInt, cycles, ...), and shared objects, which cross as themselves (below) | plain data (JSON-like trees) in a compact format read and written in JavaScript (`_plain.ts`); anything else as the bytes of `node:v8`'s `serialize(value)`; after a 4-byte length prefix |
 *
 * The record layout of the variable-size codecs (a 4-byte length, the
 * payload, padding to a multiple of 4) belongs to the channel and is
 * described at the top of `shared_channel.ts`; a codec only produces and
 * consumes the payload.
 *
 * A value a codec cannot encode (a function, a symbol, a fraction for
 * `int32`, a cycle or a BigInt for `json`, ...) throws a
 * {@linkcode CodecError} before the channel is touched, so the channel stays
 * usable and nothing already in it is lost.
 *
 * Shared objects in a `structured` value cross as themselves: a
 * `SharedChannel`, a shared sync type, an atomic, a `SharedContext`, a
 * `SharedArrayBuffer` or a view over one, at any depth of arrays, plain
 * objects, `Map` and `Set`, arrive as objects of the same class over the
 * same memory (`_shared_ref.ts`, `_shared_lower.ts`): in the plain format
 * when the rest is plain data, else as a byte `2`, then `node:v8`'s bytes
 * of `[value, refs]`. Their memory travels by message
 * between the threads of a running `Runtime` (its main thread and its
 * workers), once per buffer and thread; elsewhere (no runtime on the
 * sending thread) sending one is a `CodecError`, and a receiver outside the
 * sender's runtime cannot open it (a `TypeError` from `receive`).
 *
 * @module
 */

import * as v8 from "./_v8.ts";
import { CodecError } from "./codec_error.ts";
import {
  decodePlain,
  encodePlain,
  encodePlainTransient,
  PLAIN_FORMAT,
} from "./_plain.ts";
import { transient } from "./_transient.ts";
import { liftShared, type SharedRef } from "./_shared_ref.ts";
import { lowerShared } from "./_shared_lower.ts";

/**
 * Byte 0 of a `structured` value that holds shared objects (plain data
 * starts with `PLAIN_FORMAT`, 1; `node:v8`'s bytes with 0xFF).
 */
const SHARED_FORMAT = 2;

export { CodecError, type CodecErrorOptions } from "./codec_error.ts";

/** The names of the built-in codecs. */
export type CodecName =
  | "int32"
  | "float64"
  | "bytes"
  | "string"
  | "json"
  | "structured";

/**
 * A codec: the bridge between values of type `T` and bytes in shared
 * memory. Fixed-size codecs (`slotSize` 4 or 8) store a number straight
 * into a typed-array slot and never produce bytes; variable-size codecs
 * (`slotSize` 0) turn a value into a payload of bytes and back.
 *
 * @typeParam T The values the codec carries.
 */
export interface Codec<T> {
  /** The codec's name, which travels with a channel's handle. */
  readonly name: CodecName;
  /**
   * The size in bytes of the typed-array slot that holds a value: 4 for
   * `int32`, 8 for `float64`, 0 for variable-size codecs.
   */
  readonly slotSize: 0 | 4 | 8;
  /**
   * Checks a value and encodes it: the number itself for a fixed-size
   * codec, the payload bytes for a variable-size one. The bytes may be the
   * caller's own (`bytes` does not copy) or a view of a larger pooled
   * buffer (`structured`, as Node's small `Buffer`s): the channel copies
   * them once; copy them before transferring their `buffer`.
   *
   * @throws {CodecError} If the codec cannot encode the value.
   */
  encode(value: T): number | Uint8Array;
  /**
   * Decodes a payload produced by {@linkcode Codec.encode} (variable-size
   * codecs only). `bytes` is a private, non-shared copy: the `bytes` codec
   * returns it as the value; for the others it may be a view of a larger
   * pooled buffer, read at once and not kept.
   */
  decode(bytes: Uint8Array): T;
}

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function fixedDecode(): never {
  throw new TypeError("A fixed-size codec has no byte payload to decode");
}

const int32: Codec<number> = Object.freeze({
  name: "int32",
  slotSize: 4,
  encode(value: number): number {
    if (
      typeof value !== "number" || !Number.isInteger(value) ||
      value < INT32_MIN || value > INT32_MAX
    ) {
      throw new CodecError(
        "int32",
        value,
        "expected an integer in [-2147483648, 2147483647]",
      );
    }
    return value;
  },
  decode: fixedDecode,
});

const float64: Codec<number> = Object.freeze({
  name: "float64",
  slotSize: 8,
  encode(value: number): number {
    if (typeof value !== "number") {
      throw new CodecError("float64", value, "expected a number");
    }
    return value;
  },
  decode: fixedDecode,
});

const bytes: Codec<Uint8Array> = Object.freeze({
  name: "bytes",
  slotSize: 0,
  encode(value: Uint8Array): Uint8Array {
    if (!(value instanceof Uint8Array)) {
      throw new CodecError("bytes", value, "expected a Uint8Array");
    }
    return value;
  },
  decode(b: Uint8Array): Uint8Array {
    return b;
  },
});

/** First byte of a `string` payload of UTF-16 code units (never in UTF-8). */
const CODE_UNITS = 0xff;

/** `s` as `CODE_UNITS` then its UTF-16 code units, little-endian. */
function encodeCodeUnits(s: string): Uint8Array {
  const out = new Uint8Array(1 + 2 * s.length);
  out[0] = CODE_UNITS;
  for (let i = 0, j = 1; i < s.length; i++, j += 2) {
    const unit = s.charCodeAt(i);
    out[j] = unit & 0xff;
    out[j + 1] = unit >>> 8;
  }
  return out;
}

function decodeCodeUnits(b: Uint8Array): string {
  const units = new Uint16Array(Math.min((b.length - 1) >>> 1, 4096));
  let s = "";
  for (let j = 1; j < b.length;) {
    let n = 0;
    for (; n < units.length && j < b.length; n++, j += 2) {
      units[n] = b[j] | (b[j + 1] << 8);
    }
    s += String.fromCharCode(...units.subarray(0, n));
  }
  return s;
}

// A well-formed string (the usual case) travels as UTF-8, in and out
// through the platform's encoder and decoder. One with a lone surrogate has
// no UTF-8 form (TextEncoder would turn it into U+FFFD), so it travels as
// its code units instead.
const string: Codec<string> = Object.freeze({
  name: "string",
  slotSize: 0,
  encode(value: string): Uint8Array {
    if (typeof value !== "string") {
      throw new CodecError("string", value, "expected a string");
    }
    return value.isWellFormed()
      ? encoder.encode(value)
      : encodeCodeUnits(value);
  },
  decode(b: Uint8Array): string {
    return b[0] === CODE_UNITS ? decodeCodeUnits(b) : decoder.decode(b);
  },
});

const json: Codec<unknown> = Object.freeze({
  name: "json",
  slotSize: 0,
  encode(value: unknown): Uint8Array {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      // A cycle, a BigInt, or a throwing toJSON.
      throw new CodecError(
        "json",
        value,
        `JSON.stringify failed (${(error as Error).message})`,
        { cause: error },
      );
    }
    if (text === undefined) {
      // undefined, a function or a symbol at the top level.
      throw new CodecError("json", value, "expected a JSON-serializable value");
    }
    return encoder.encode(text);
  },
  decode(b: Uint8Array): unknown {
    return JSON.parse(decoder.decode(b));
  },
});

/**
 * The structured codec's encoding of `value`; with `transient`, plain data
 * comes as a view of this thread's scratch space (`encodePlainTransient`).
 */
function encodeStructured(value: unknown, transient: boolean): Uint8Array {
  const plain = transient ? encodePlainTransient(value) : encodePlain(value);
  if (plain !== undefined) return plain;
  const lifted = liftShared(value, false);
  if (typeof lifted === "string") {
    throw new CodecError("structured", value, `expected data, but ${lifted}`);
  }
  if (!v8.hasV8) {
    throw new CodecError(
      "structured",
      value,
      "expected plain data (JSON-like trees): this platform has no node:v8 for anything else",
    );
  }
  try {
    if (lifted === undefined) return v8.serialize(value);
    const bytes = v8.serialize([lifted.value, lifted.refs]);
    const out = new Uint8Array(bytes.length + 1);
    out[0] = SHARED_FORMAT;
    out.set(bytes, 1);
    return out;
  } catch (error) {
    // A function, a symbol, a WeakMap, a class instance's methods, ...
    throw new CodecError(
      "structured",
      value,
      `expected a structured-clonable value (${(error as Error).message})`,
      { cause: error },
    );
  }
}

const structured: Codec<unknown> = Object.freeze({
  name: "structured",
  slotSize: 0,
  encode(value: unknown): Uint8Array {
    return encodeStructured(value, false);
  },
  decode(b: Uint8Array): unknown {
    if (b[0] === PLAIN_FORMAT) return decodePlain(b);
    // The typed arrays `v8.deserialize` makes own their memory: none is a
    // view of `b`, which may be a view of a pool other values share.
    if (!v8.hasV8) {
      throw new TypeError(
        "structured codec: cannot decode node:v8 bytes: this platform has no node:v8",
      );
    }
    if (b[0] !== SHARED_FORMAT) return v8.deserialize(b);
    const [value, refs] = v8.deserialize(b.subarray(1)) as [
      unknown,
      SharedRef[],
    ];
    return lowerShared(value, refs);
  },
});

transient.encodeStructured = (value) => encodeStructured(value, true);

const CODECS: Readonly<Record<CodecName, Codec<unknown>>> = Object.freeze({
  int32: int32 as Codec<unknown>,
  float64: float64 as Codec<unknown>,
  bytes: bytes as Codec<unknown>,
  string: string as Codec<unknown>,
  json,
  structured,
});

/** The codec names in a fixed order: a codec's index is its id in memory. */
export const CODEC_NAMES: readonly CodecName[] = Object.freeze([
  "int32",
  "float64",
  "bytes",
  "string",
  "json",
  "structured",
]);

/**
 * Returns the built-in codec with the given name.
 *
 * @example Usage
 * ```ts
 * import { codecFor } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * const c = codecFor("string");
 * assert.equal(c.decode(c.encode("héllo") as Uint8Array), "héllo");
 * assert.equal(codecFor("float64").slotSize, 8);
 * ```
 *
 * @param name The codec's name.
 * @returns The codec.
 * @throws {TypeError} If there is no codec with that name.
 */
export function codecFor<T = unknown>(name: CodecName): Codec<T> {
  const codec = Object.hasOwn(CODECS, name) ? CODECS[name] : undefined;
  if (codec === undefined) {
    throw new TypeError(
      `Cannot find codec "${String(name)}": expected one of ${
        CODEC_NAMES.join(", ")
      }`,
    );
  }
  return codec as Codec<T>;
}
