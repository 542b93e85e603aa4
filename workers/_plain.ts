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
 * properties besides its elements whose prototype is `Array.prototype`, or
 * an object (not an array, not an `arguments` object) whose prototype is
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
 * | 8 | an object | its shape's hash (4 bytes, int32; 0 the first time the encoder meets the shape), the byte length of its key block (4 bytes), the key block: the key count n (4 bytes), then the n keys as strings without their tag; then the n values, in the keys' order |
 * | 9 | a shared object (a `SharedChannel`, a shared sync type, an atomic, a `SharedContext`, a `SharedArrayBuffer` or a view over one), when a runtime on this thread carries its memory | its ref (`_shared_ref.ts`) as a value: an object (tag 8) naming its kind and buffer id; decoded by opening it (`_shared_lower.ts`) |
 *
 * ## Shapes
 *
 * Values in a stream often repeat an object's keys. The encoder remembers
 * the last {@linkcode SHAPES} key lists it wrote (up to 32 keys each) and,
 * from the second object that has one, its key block and the block's hash
 * (FNV-1a): an object whose `Object.keys` match one, key for key, gets the
 * block copied in, and after a few such
 * objects a function made for the shape reads its values with one property
 * access per key. The decoder keeps the shapes it met by their hash; a block
 * that matches one byte for byte reuses its keys (no string is read), and
 * after a few objects a function made for the shape builds each from an
 * object literal. Each encoding carries its key blocks whole, so any
 * thread decodes it alone: the caches only save work. Where the platform
 * refuses `new Function` (a content security policy), both sides work key
 * by key.
 *
 * @module
 */

import { builtin } from "./_builtin.ts";
import { pooledBytes } from "./_byte_pool.ts";
import { CodecError } from "./codec_error.ts";
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
/**
 * Shapes (key lists) the encoder remembers, and the most keys and key-block
 * bytes a remembered shape has; larger objects write their keys each time.
 */
const SHAPES = 8;
const SHAPE_KEYS = 32;
const SHAPE_BYTES = 1024;
/**
 * A shape is written (or built) this many times key by key before it gets
 * a function of its own, so that only shapes that repeat pay for making
 * (and compiling) one.
 */
const COMPILE_AFTER = 8;
/**
 * The hash of a key block the encoder has met once (no FNV-1a hash of a
 * block written is 0: one would be written as 1): the decoder does not
 * keep it. Objects of a shape met only once then pay for no copy of its
 * block on either side.
 */
const UNSHAPED = 0;
/** Objects the encoder checks for repeats by a linear scan, before a Set. */
const SEEN_LIST = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Whether this platform is little-endian (numbers are in its byte order). */
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Turns 8 bytes into a float64 (decoder). */
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

// The encoder's scratch space, reused from one call to the next.
let out = new Uint8Array(1024);
let view = new DataView(out.buffer);
let at = 0;
let budget = 0;
/**
 * The objects and arrays written so far: none may come twice. A short list
 * scanned linearly (most values hold a few), then a Set.
 */
const seen: (object | undefined)[] = [];
let seenCount = 0;
let seenSet: Set<object> | null = null;
/** Set while encoding: a getter that encodes in turn goes to `node:v8`. */
let busy = false;

/**
 * An object shape the encoder has written: its keys, as `Object.keys` gave
 * them, and its key block (key count, then the keys), with the block's hash.
 */
interface Shape {
  readonly keys: readonly string[];
  /** Null, and `hash` {@linkcode UNSHAPED}, until a second object has it. */
  block: Uint8Array | null;
  hash: number;
  /** How many objects of this shape were written. */
  uses: number;
  /**
   * Once {@linkcode COMPILE_AFTER} were, a function that writes an object's
   * values with a property read per key (null where the platform forbids
   * making functions from source).
   */
  write:
    | ((o: unknown, w: (v: unknown) => boolean) => boolean)
    | null
    | undefined;
}
/** The remembered shapes, most often found first; replaced round robin. */
const shapes: Shape[] = [];
let nextShape = 0;

/**
 * Encodes a plain value: a new array of bytes in the format above, or
 * undefined if the value is not plain.
 */
export function encodePlain(value: unknown): Uint8Array | undefined {
  return encode(value, false);
}

/**
 * Like {@linkcode encodePlain}, but the bytes are a view of this thread's
 * scratch space, which the next encoding on this thread overwrites: for a
 * caller that copies them at once (a channel's `sendSync` into its ring),
 * which then pays no copy into a pooled array.
 */
export function encodePlainTransient(value: unknown): Uint8Array | undefined {
  return encode(value, true);
}

function encode(value: unknown, transient: boolean): Uint8Array | undefined {
  if (busy) return undefined;
  busy = true;
  at = 0;
  budget = MAX_NODES;
  out[at++] = PLAIN_FORMAT;
  try {
    if (!writeValue(value)) return undefined;
    return transient ? scratchView(at) : pooledCopy(out, at);
  } catch {
    // A getter threw: let `node:v8` meet it and report it.
    return undefined;
  } finally {
    // Cleared slot by slot (setting `length` is a call into the runtime).
    for (let i = 0; i < seenCount; i++) seen[i] = undefined;
    seenCount = 0;
    seenSet = null;
    busy = false;
  }
}

/**
 * A new view holding a copy of `bytes[0, n)`, from the pool of
 * `_byte_pool.ts`: allocating an ArrayBuffer for each encoding would cost
 * more than the encoding itself.
 */
function pooledCopy(bytes: Uint8Array, n: number): Uint8Array {
  const copy = pooledBytes(n);
  copy.set(bytes.subarray(0, n));
  return copy;
}

/**
 * Views of the scratch space's first n bytes, by n (up to
 * {@linkcode SCRATCH_VIEWS}), made once: making a view costs more than
 * copying a small encoding.
 */
let views: Uint8Array[] = [];
const SCRATCH_VIEWS = 4096;

/** A view of `out[0, n)`. */
function scratchView(n: number): Uint8Array {
  if (n > SCRATCH_VIEWS) return out.subarray(0, n);
  return views[n] ??= out.subarray(0, n);
}

/** Makes room for `n` more bytes at `at`. */
function reserve(n: number): void {
  if (at + n <= out.length) return;
  let size = out.length * 2;
  while (size < at + n) size *= 2;
  const bigger = new Uint8Array(size);
  bigger.set(out.subarray(0, at));
  out = bigger;
  view = new DataView(out.buffer);
  views = [];
}

/** Writes `n` as 4 bytes at `i`; `n` may be an int32 or a uint32. */
function put32(i: number, n: number): void {
  view.setInt32(i, n, LITTLE);
}

/** False if `o` was met before in this value; else records it. */
function firstVisit(o: object): boolean {
  if (seenSet !== null) {
    if (seenSet.has(o)) return false;
    seenSet.add(o);
    return true;
  }
  const n = seenCount;
  for (let i = 0; i < n; i++) if (seen[i] === o) return false;
  if (n < SEEN_LIST) seen[seenCount++] = o;
  else {
    seenSet = new Set(seen as object[]);
    seenSet.add(o);
  }
  return true;
}

function writeValue(v: unknown): boolean {
  if (--budget < 0) return false;
  switch (typeof v) {
    case "number":
      if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
        reserve(5);
        out[at] = INT32;
        view.setInt32(at + 1, v, LITTLE);
        at += 5;
      } else {
        reserve(9);
        out[at] = FLOAT64;
        view.setFloat64(at + 1, v, LITTLE);
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
  if (!firstVisit(o) || isProxy(o)) return false;
  const proto = Object.getPrototypeOf(o);
  if (proto === Array.prototype) {
    if (!Array.isArray(o)) return false;
    const n = o.length;
    if (n > budget) return false;
    // As many keys as elements, the last of them the last index: then the
    // keys are the indices 0 to n - 1, in order (indices come first, and a
    // named property is never an index), so there is no hole and no
    // property besides the elements.
    const keys = Object.keys(o);
    if (keys.length !== n || (n > 0 && keys[n - 1] !== String(n - 1))) {
      return false;
    }
    reserve(5);
    out[at] = ARRAY;
    put32(at + 1, n);
    at += 5;
    for (let i = 0; i < n; i++) {
      const v = o[i];
      // A getter met earlier may have deleted this element: a hole (which
      // structured clone keeps), read through to Array.prototype.
      if (v === undefined && !Object.hasOwn(o, i)) return false;
      if (!writeValue(v)) return false;
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
  // A null-prototype array stays an array in structured clone, and an
  // `arguments` object is refused there: both are for `node:v8`.
  if (
    Array.isArray(o) ||
    Object.prototype.toString.call(o) === "[object Arguments]"
  ) return false;
  const keys = Object.keys(o);
  const n = keys.length;
  if (n > budget) return false;
  const shape = shapeOf(keys);
  if (shape !== undefined && shape.block !== null) {
    const block = shape.block;
    reserve(9 + block.length);
    out[at] = OBJECT;
    put32(at + 1, shape.hash);
    put32(at + 5, block.length);
    out.set(block, at + 9);
    at += 9 + block.length;
    if (shape.write === undefined && ++shape.uses >= COMPILE_AFTER) {
      shape.write = compileWriter(keys);
    }
    if (shape.write) return shape.write(o, writeValue);
  } else if (!writeKeys(keys, shape)) return false;
  const record = o as Record<string, unknown>;
  for (let i = 0; i < n; i++) {
    if (!writeValue(record[keys[i]])) return false;
  }
  return true;
}

/** The remembered shape with exactly these keys, in this order. */
function shapeOf(keys: readonly string[]): Shape | undefined {
  const n = keys.length;
  for (let s = 0; s < shapes.length; s++) {
    const shape = shapes[s];
    const known = shape.keys;
    if (known.length !== n) continue;
    let i = 0;
    while (i < n && known[i] === keys[i]) i++;
    if (i === n) return shape;
  }
  return undefined;
}

/**
 * Writes an object's tag, hash, block length and key block for a shape not
 * remembered, and remembers it if it is small; false if a key is not
 * well-formed.
 */
function writeKeys(keys: string[], seen: Shape | undefined): boolean {
  const n = keys.length;
  reserve(13);
  const head = at;
  out[head] = OBJECT;
  const start = head + 9;
  put32(start, n);
  at = start + 4;
  for (let i = 0; i < n; i++) if (!writeString(keys[i])) return false;
  const length = at - start;
  put32(head + 5, length);
  if (seen !== undefined) {
    // Met before: its block is worth keeping, and the decoder's keeping.
    seen.hash = hashBytes(out, start, length) || 1;
    seen.block = out.slice(start, at);
    put32(head + 1, seen.hash);
    return true;
  }
  put32(head + 1, UNSHAPED);
  if (n <= SHAPE_KEYS && length <= SHAPE_BYTES) {
    const shape: Shape = {
      keys,
      block: null,
      hash: UNSHAPED,
      uses: 0,
      write: undefined,
    };
    if (shapes.length < SHAPES) shapes.push(shape);
    else {
      shapes[nextShape] = shape;
      nextShape = (nextShape + 1) % SHAPES;
    }
  }
  return true;
}

/**
 * A function that writes the values of an object of these keys in order,
 * reading each with a property access of its own: V8 then reads each from
 * where the object's shape keeps it, where one access reading every key
 * from a list goes through a slow generic lookup. It reads what the loop
 * in `writeObject` reads, in the same order, and stops where it would.
 * Null where the platform refuses `new Function`.
 */
function compileWriter(
  keys: readonly string[],
): ((o: unknown, w: (v: unknown) => boolean) => boolean) | null {
  let body = "true";
  for (const key of keys) body += ` && w(o[${JSON.stringify(key)}])`;
  try {
    return new Function("o", "w", `"use strict"; return ${body};`) as (
      o: unknown,
      w: (v: unknown) => boolean,
    ) => boolean;
  } catch {
    return null;
  }
}

/** FNV-1a over `bytes[start, start + n)`. */
function hashBytes(bytes: Uint8Array, start: number, n: number): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = start; i < start + n; i++) {
    hash = Math.imul(hash ^ bytes[i], 0x01000193);
  }
  return hash;
}

// The decoder's state, for one call at a time.
let input: Uint8Array = new Uint8Array(0);
let from = 0;

/**
 * Decodes bytes that {@linkcode encodePlain} produced.
 *
 * @throws {CodecError} If the bytes are corrupt: an unknown tag, a count or
 * a string's length larger than the bytes hold, a value cut short, or bytes
 * left after the value. (A read past the end gives `undefined`, which the
 * arithmetic turns into 0: the position, which every read moves, then ends
 * past the bytes, and the one check at the end sees it.)
 */
export function decodePlain(bytes: Uint8Array): unknown {
  input = bytes;
  from = 1;
  const value = readValue();
  if (from !== bytes.length) {
    throw corrupt(
      from > bytes.length
        ? `the value ends at byte ${from}, past the ${bytes.length} bytes given`
        : `the value ends at byte ${from}, with ${
          bytes.length - from
        } bytes after it`,
    );
  }
  return value;
}

/** The error of corrupt bytes: `why`, with the input. */
function corrupt(why: string): CodecError {
  return new CodecError("structured", input, why, { decoding: true });
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
    case ARRAY:
      return readArray(fitting(get32() >>> 0, 1));
    case OBJECT:
      return readObject();
    case SHARED:
      return openRef(readValue() as SharedRef);
    default:
      throw corrupt(`unknown tag ${tag} at byte ${from - 1}`);
  }
}

/**
 * An array of the next `n` values. A short one is an array literal (its
 * elements evaluate in order), which V8 allocates at its exact size, where
 * a first `push` makes room for 17 elements.
 */
function readArray(n: number): unknown[] {
  switch (n) {
    case 0:
      return [];
    case 1:
      return [readValue()];
    case 2:
      return [readValue(), readValue()];
    case 3:
      return [readValue(), readValue(), readValue()];
    case 4:
      return [readValue(), readValue(), readValue(), readValue()];
  }
  const a: unknown[] = [];
  for (let i = 0; i < n; i++) a.push(readValue());
  return a;
}

/**
 * An object shape the decoder has met: its key block, its keys, how many
 * objects it has built, and, once it has built {@linkcode COMPILE_AFTER},
 * a function that builds one from an object literal (null where the
 * platform forbids making functions from source).
 */
interface Known {
  readonly hash: number;
  readonly block: Uint8Array;
  /** The block, for {@linkcode sameBytes}'s reads of four bytes at a time. */
  readonly view: DataView;
  readonly keys: readonly string[];
  uses: number;
  build: ((read: () => unknown) => Record<string, unknown>) | null | undefined;
}
/** Shapes met, by the low byte of their hash. */
const known: (Known | undefined)[] = new Array<Known | undefined>(256);

/**
 * `n`, a count read from the bytes, if `n` items of at least `bytes` bytes
 * each fit in what is left; else the bytes are corrupt (a forged count
 * would make a loop of billions of empty items).
 */
function fitting(n: number, bytes: number): number {
  if (n * bytes > input.length - from) {
    throw corrupt(
      `a count of ${n} at byte ${from - 4} is more than the bytes hold`,
    );
  }
  return n;
}

function readObject(): Record<string, unknown> {
  const hash = get32();
  const length = get32() >>> 0;
  const start = from;
  from = start + length;
  if (hash === UNSHAPED) {
    from = start;
    const n = fitting(get32() >>> 0, 4);
    const keys: string[] = [];
    for (let i = 0; i < n; i++) keys.push(readString());
    return buildObject(keys);
  }
  const slot = hash & 255;
  let shape = known[slot];
  if (
    shape === undefined || shape.hash !== hash ||
    !sameBytes(shape, input, start, length)
  ) {
    const after = from;
    from = start;
    const n = fitting(get32() >>> 0, 4);
    const keys: string[] = [];
    for (let i = 0; i < n; i++) keys.push(readString());
    if (from !== after) {
      throw corrupt(
        `an object's keys end at byte ${from}, not at byte ${after} where its key block says`,
      );
    }
    const block = input.slice(start, after);
    shape = {
      hash,
      block,
      view: new DataView(block.buffer),
      keys,
      uses: 0,
      build: undefined,
    };
    if (n <= SHAPE_KEYS && length <= SHAPE_BYTES) known[slot] = shape;
  }
  if (shape.build === undefined && ++shape.uses >= COMPILE_AFTER) {
    shape.build = compileShape(shape.keys);
  }
  if (shape.build) return shape.build(readValue);
  return buildObject(shape.keys);
}

/** An object of these keys, its values read in order, key by key. */
function buildObject(keys: readonly string[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
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

/**
 * The input's buffer as a DataView, for {@linkcode sameBytes}: made when
 * the input's buffer changes (received records come from a few buffers).
 */
let inputBuffer: ArrayBufferLike | null = null;
let inputView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/**
 * Whether the block of `shape` equals `b[start, start + n)`: four bytes at
 * a time (a key block is tens of bytes), then the last few one by one.
 */
function sameBytes(
  shape: Known,
  b: Uint8Array,
  start: number,
  n: number,
): boolean {
  const a = shape.block;
  // Not past the input's end: the view's buffer may hold more.
  if (a.length !== n || start + n > b.length) return false;
  if (b.buffer !== inputBuffer) {
    inputBuffer = b.buffer;
    inputView = new DataView(b.buffer);
  }
  const av = shape.view;
  const bv = inputView;
  const base = b.byteOffset + start;
  const words = n & ~3;
  let i = 0;
  for (; i < words; i += 4) {
    if (av.getInt32(i, true) !== bv.getInt32(base + i, true)) return false;
  }
  for (; i < n; i++) if (a[i] !== b[start + i]) return false;
  return true;
}

/**
 * A function that builds an object of these keys from an object literal,
 * its values read in order: V8 then makes each object of the shape at once,
 * where setting the keys one by one from a list goes through a slow generic
 * store per key. A literal defines own data properties, as structured clone
 * does (a setter on Object.prototype does not run); `__proto__` is written
 * as a computed key, which defines a property rather than the prototype.
 * The keys are quoted by `JSON.stringify`, so they stay string literals.
 * Null where the platform refuses `new Function` (a content security
 * policy): the shape then builds key by key.
 */
function compileShape(
  keys: readonly string[],
): ((read: () => unknown) => Record<string, unknown>) | null {
  let body = "";
  for (const key of keys) {
    const quoted = JSON.stringify(key);
    body += key === "__proto__" ? `[${quoted}]: r(),` : `${quoted}: r(),`;
  }
  try {
    return new Function("r", `"use strict"; return {${body}};`) as (
      read: () => unknown,
    ) => Record<string, unknown>;
  } catch {
    return null;
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
  if (n > input.length - start) {
    throw corrupt(
      `a string's length of ${n} at byte ${
        start - 4
      } is more than the bytes hold`,
    );
  }
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
