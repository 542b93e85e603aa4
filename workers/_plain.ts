// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The fast path of the `structured` codec: plain data (what JSON can say,
 * plus `undefined`, `-0`, `NaN` and `±Infinity`) in a small tagged binary
 * format, written and read in JavaScript. `node:v8`'s `serialize` and
 * `deserialize` cost about 4 and 2.5 µs for an object of ten fields here,
 * mostly in crossing into the runtime; this format costs well under 1 µs.
 *
 * A value is plain if it is `undefined`, `null`, a boolean, a number, a
 * well-formed string (no lone surrogates), an array with no holes and no
 * properties besides its elements, or an object whose prototype is
 * `Object.prototype` or `null` and whose values are plain; no proxy, no object met twice
 * (so no cycle and no shared reference), and at most {@linkcode MAX_NODES}
 * values in all; a shared object met once is written as a ref (tag 9)
 * while a runtime on this thread carries its memory. Everything else (Map,
 * Set, Date, RegExp, typed arrays, BigInt, class instances, cycles, a
 * shared object met twice, ...) goes to `node:v8`, which keeps
 * structured clone's semantics: {@linkcode encodePlain} returns undefined
 * and the codec serializes the value with `node:v8` instead. A plain value
 * decodes to what `structuredClone` would give: a null-prototype object
 * comes back with `Object.prototype`, as there. Getters run when the value
 * is read, as in structured clone (up to three times, if the value then
 * turns out not to be plain: once here, once in the codec's check for
 * shared memory, `_shared_ref.ts`, once in `node:v8`).
 *
 * ## Format
 *
 * Byte 0 is {@linkcode PLAIN_FORMAT} (1); `node:v8`'s output starts with
 * 0xFF, so the decoder tells the two apart. Then one value, as a tag byte
 * and what follows it. Numbers are in the platform's byte order
 * (little-endian wherever Deno runs): the bytes never leave the process.
 *
 * | tag | value | followed by |
 * | --- | --- | --- |
 * | 0 | `undefined` | – |
 * | 1 | `null` | – |
 * | 2 | `false` | – |
 * | 3 | `true` | – |
 * | 4 | a number that is an int32 (not `-0`) | 4 bytes, int32 |
 * | 5 | any other number | 8 bytes, float64 |
 * | 6 | a string | its UTF-8 length (4 bytes, uint32), then its UTF-8 bytes |
 * | 7 | an array | its length n (4 bytes), then n values |
 * | 8 | an object | its key count n (4 bytes), then n pairs: the key as a string without its tag, then the value |
 * | 9 | a shared object (a `SharedChannel`, a shared sync type, an atomic, a `SharedContext`, a `SharedArrayBuffer` or a view over one), when a runtime on this thread carries its memory | its ref (`_shared_ref.ts`) as a value: an object (tag 8) naming its kind and buffer id; decoded by opening it (`_shared_lower.ts`) |
 *
 * @module
 */

import { builtin } from "./_builtin.ts";
import { pooledBytes } from "./_byte_pool.ts";
import { refOf, type SharedRef } from "./_shared_ref.ts";
import { openRef } from "./_shared_lower.ts";

/** `node:util`'s proxy test; browsers have none (a proxy is then walked). */
const isProxy =
  builtin<{ types: { isProxy(o: unknown): boolean } }>("node:util")?.types
    .isProxy ?? (() => false);

/** Byte 0 of this format. */
export const PLAIN_FORMAT = 1;
/** The most values one encoding holds; larger ones go to `node:v8`. */
export const MAX_NODES = 4096;

const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const INT32 = 4;
const FLOAT64 = 5;
const STRING = 6;
const ARRAY = 7;
const OBJECT = 8;
const SHARED = 9;

/** Strings up to this length are copied char by char while ASCII. */
const SHORT_STRING = 64;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Moves float64s and int32s to and from bytes. */
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

// The encoder's scratch space, reused from one call to the next.
let out = new Uint8Array(1024);
let at = 0;
let budget = 0;
/** The objects and arrays written so far: none may come twice. */
const seen = new Set<object>();
/** Set while encoding: a getter that encodes in turn goes to `node:v8`. */
let busy = false;

/**
 * Encodes a plain value: a new array of bytes in the format above, or
 * undefined if the value is not plain.
 */
export function encodePlain(value: unknown): Uint8Array | undefined {
  if (busy) return undefined;
  busy = true;
  at = 0;
  budget = MAX_NODES;
  out[at++] = PLAIN_FORMAT;
  try {
    return writeValue(value) ? pooledCopy(out, at) : undefined;
  } catch {
    // A getter threw: let `node:v8` meet it and report it.
    return undefined;
  } finally {
    seen.clear();
    busy = false;
  }
}

/**
 * A new view holding a copy of `bytes[0, n)`, from the pool of
 * `_byte_pool.ts`: allocating an ArrayBuffer for each encoding would cost
 * more than the encoding itself.
 */
function pooledCopy(bytes: Uint8Array, n: number): Uint8Array {
  const view = pooledBytes(n);
  view.set(bytes.subarray(0, n));
  return view;
}

/** Makes room for `n` more bytes at `at`. */
function reserve(n: number): void {
  if (at + n <= out.length) return;
  let size = out.length * 2;
  while (size < at + n) size *= 2;
  const bigger = new Uint8Array(size);
  bigger.set(out.subarray(0, at));
  out = bigger;
}

/** Writes `n` as 4 bytes at `i`; `n` may be an int32 or a uint32. */
function put32(i: number, n: number): void {
  out[i] = n;
  out[i + 1] = n >> 8;
  out[i + 2] = n >> 16;
  out[i + 3] = n >> 24;
}

function writeValue(v: unknown): boolean {
  if (--budget < 0) return false;
  switch (typeof v) {
    case "number":
      if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
        reserve(5);
        out[at] = INT32;
        put32(at + 1, v);
        at += 5;
      } else {
        reserve(9);
        out[at] = FLOAT64;
        f64[0] = v;
        for (let i = 0; i < 8; i++) out[at + 1 + i] = f64Bytes[i];
        at += 9;
      }
      return true;
    case "string":
      reserve(1);
      out[at++] = STRING;
      return writeString(v);
    case "boolean":
      reserve(1);
      out[at++] = v ? TRUE : FALSE;
      return true;
    case "undefined":
      reserve(1);
      out[at++] = UNDEFINED;
      return true;
    case "object":
      if (v === null) {
        reserve(1);
        out[at++] = NULL;
        return true;
      }
      return writeObject(v);
    default:
      // bigint, symbol, function: for `node:v8` to take or refuse.
      return false;
  }
}

/** Writes a string's length and UTF-8 bytes; false if it is not well-formed. */
function writeString(s: string): boolean {
  const n = s.length;
  reserve(4 + 3 * n);
  const start = at + 4;
  let i = 0;
  if (n <= SHORT_STRING) {
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      out[start + i] = c;
    }
  }
  let length = i;
  if (i < n) {
    if (!s.isWellFormed()) return false;
    length = encoder.encodeInto(s, out.subarray(start)).written;
  }
  put32(at, length);
  at = start + length;
  return true;
}

function writeObject(o: object): boolean {
  if (seen.has(o) || isProxy(o)) return false;
  seen.add(o);
  const proto = Object.getPrototypeOf(o);
  if (proto === Array.prototype) {
    if (!Array.isArray(o)) return false;
    const n = o.length;
    // No holes (checked below) and as many keys as elements: nothing else.
    if (n > budget || Object.keys(o).length !== n) return false;
    reserve(5);
    out[at] = ARRAY;
    put32(at + 1, n);
    at += 5;
    for (let i = 0; i < n; i++) {
      if (!Object.hasOwn(o, i) || !writeValue(o[i])) return false;
    }
    return true;
  }
  if (proto !== Object.prototype && proto !== null) {
    const ref = refOf(o);
    if (ref === undefined) return false;
    reserve(1);
    out[at++] = SHARED;
    return writeObject(ref);
  }
  const keys = Object.keys(o);
  if (keys.length > budget) return false;
  reserve(5);
  out[at] = OBJECT;
  put32(at + 1, keys.length);
  at += 5;
  const record = o as Record<string, unknown>;
  for (const key of keys) {
    if (!writeString(key)) return false;
    if (!writeValue(record[key])) return false;
  }
  return true;
}

// The decoder's state, for one call at a time.
let input: Uint8Array = new Uint8Array(0);
let from = 0;

/** Decodes bytes that {@linkcode encodePlain} produced. */
export function decodePlain(bytes: Uint8Array): unknown {
  input = bytes;
  from = 1;
  return readValue();
}

/** Reads 4 bytes as an int32 (`>>> 0` makes it a uint32). */
function get32(): number {
  const b = input;
  const i = from;
  from += 4;
  return b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24;
}

function readValue(): unknown {
  const tag = input[from++];
  switch (tag) {
    case UNDEFINED:
      return undefined;
    case NULL:
      return null;
    case FALSE:
      return false;
    case TRUE:
      return true;
    case INT32:
      return get32();
    case FLOAT64:
      for (let i = 0; i < 8; i++) f64Bytes[i] = input[from + i];
      from += 8;
      return f64[0];
    case STRING:
      return readString();
    case ARRAY: {
      const n = get32() >>> 0;
      const a: unknown[] = [];
      for (let i = 0; i < n; i++) a.push(readValue());
      return a;
    }
    case OBJECT: {
      const n = get32() >>> 0;
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const key = readString();
        const value = readValue();
        // An own data property, as structured clone makes, even where
        // Object.prototype has a setter or a read-only property of that name.
        if (key in Object.prototype) {
          Object.defineProperty(o, key, {
            value,
            writable: true,
            enumerable: true,
            configurable: true,
          });
        } else o[key] = value;
      }
      return o;
    }
    case SHARED:
      return openRef(readValue() as SharedRef);
    default:
      throw new TypeError(
        `Cannot decode a structured value: unknown tag ${tag} at byte ${
          from - 1
        }; the bytes are corrupt`,
      );
  }
}

/**
 * Recently decoded short ASCII strings, by a hash of their bytes. Object
 * keys repeat from one value to the next; handing out the same string
 * (which V8 has already interned as a property name) makes each property
 * store several times cheaper than building a new string every time.
 * Strings are immutable, so sharing one is invisible.
 */
const recent: string[] = new Array<string>(256).fill("");

function readString(): string {
  const n = get32() >>> 0;
  const start = from;
  from = start + n;
  if (n <= SHORT_STRING) {
    let hash = n;
    let i = start;
    for (; i < from; i++) {
      const c = input[i];
      if (c >= 0x80) break;
      hash = (hash * 31 + c) | 0;
    }
    if (i === from) {
      const slot = hash & 255;
      const seen = recent[slot];
      if (seen.length === n) {
        let j = 0;
        while (j < n && seen.charCodeAt(j) === input[start + j]) j++;
        if (j === n) return seen;
      }
      const s = String.fromCharCode.apply(
        null,
        input.subarray(start, from) as unknown as number[],
      );
      recent[slot] = s;
      return s;
    }
  }
  return decoder.decode(input.subarray(start, from));
}
