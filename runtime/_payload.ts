// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * How a task's arguments and result are carried in its slot (`_slot.ts`).
 *
 * Arguments that are all numbers (and results that are a number,
 * `undefined` or a short string) are written as they are: no
 * serialization (`K_NUMS`, `K_NONE`, `K_STRING`). Plain data (what JSON
 * can say, and `undefined`, `NaN`, ..., with shared objects met once) is
 * written in the compact format of the `structured` codec's fast path
 * (`K_PLAIN`, `workers/_plain.ts`).
 * Anything else goes through `node:v8`'s serializer (`K_V8`), inline in the slot's 192 bytes
 * when it fits, else in a block of the payload heap (`_heap.ts`) whose
 * offset the slot records in `S_HEAP`. A thrown error travels as a plain
 * record (`K_ERROR`) and is rebuilt as an `Error` with the same name,
 * message, stack and cause chain.
 *
 * ## Inline payload (slot words 14..61)
 *
 * | kind | `S_LEN` | words 14..61 hold |
 * | --- | --- | --- |
 * | `K_NONE` | 0 | nothing |
 * | `K_NUMS` | n ≤ 24 | n Float64 numbers (Float64 index `(base + 14) / 2`) |
 * | `K_STRING` | bytes ≤ 192 | UTF-8 bytes |
 * | `K_PLAIN`, `K_V8`, `K_SHARED`, `K_ERROR` | bytes | the bytes when `S_HEAP` is 0, else nothing |
 * | `K_CANCELLED`, `K_CRASHED` | bytes ≤ 60 | the reason as UTF-8 |
 *
 * Before `node:v8`'s serializer runs, the value is walked
 * (`workers/_shared_ref.ts`): a function, a symbol or a class instance, at
 * any depth, fails with a `TaskPayloadError` naming it and where it is
 * (`argument 0, field "p", is a Point (a class instance)`); the serializer
 * would silently flatten a class instance into a plain object without its
 * methods. Shared objects (a `SharedChannel`, the shared sync types, the
 * atomics, a `SharedContext`, a `SharedArrayBuffer` or a view over one)
 * are lifted out into refs that name their memory by id; the payload is
 * then `K_SHARED`, the serialized `[value, refs]`, and the reader opens
 * each ref as an object of the same class over the same memory
 * (`workers/_shared_lower.ts`; the memory itself travels once per buffer
 * and thread, by message: `_buffer_hub.ts`).
 *
 * @module
 */

import { deserialize, serialize } from "./_v8.ts";
import type { Memory } from "./_layout.ts";
import { BLOCK_HEADER, heapAlloc, heapFree } from "./_heap.ts";
import {
  K_ERROR,
  K_NONE,
  K_NUMS,
  K_PLAIN,
  K_SHARED,
  K_STRING,
  K_V8,
  S_HEAP,
  S_KIND,
  S_LEN,
  S_PAYLOAD,
  S_PAYLOAD_END,
  slotBase,
} from "./_slot.ts";
import { TaskPayloadError } from "./errors.ts";
import { liftShared, type SharedRef } from "../workers/_shared_ref.ts";
import { lowerShared } from "../workers/_shared_lower.ts";
import { decodePlain, encodePlain } from "../workers/_plain.ts";
// Registers SharedChannel as a kind that crosses (`_shared_kinds.ts`).
import "../workers/shared_channel.ts";

const INLINE_BYTES = (S_PAYLOAD_END - S_PAYLOAD) * 4;
const INLINE_NUMS = INLINE_BYTES / 8;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Frees the slot's heap block, if its payload has one. */
export function releasePayload(m: Memory, slot: number): void {
  const base = slotBase(m, slot);
  const block = m.i32[base + S_HEAP];
  if (block !== 0) {
    m.i32[base + S_HEAP] = 0;
    heapFree(m, block - 1);
  }
}

/** Writes `bytes` as the slot's payload of kind `kind`. */
function writeBytes(
  m: Memory,
  slot: number,
  kind: number,
  bytes: Uint8Array,
): void {
  const base = slotBase(m, slot);
  releasePayload(m, slot);
  let at = (base + S_PAYLOAD) * 4;
  if (bytes.length > INLINE_BYTES) {
    const block = heapAlloc(m, bytes.length);
    if (block < 0) {
      throw new TaskPayloadError(
        `Cannot pass a value of ${bytes.length} bytes to or from a task: ` +
          `the runtime's payload heap is full or the value exceeds its ` +
          `largest block; start the runtime with a larger heapBytes`,
      );
    }
    m.i32[base + S_HEAP] = block + 1;
    at = m.layout.heap + block + BLOCK_HEADER;
  }
  m.u8.set(bytes, at);
  m.i32[base + S_KIND] = kind;
  m.i32[base + S_LEN] = bytes.length;
}

/** Copies the slot's byte payload out of shared memory. */
function readBytes(m: Memory, slot: number): Uint8Array {
  const base = slotBase(m, slot);
  const len = m.i32[base + S_LEN];
  const block = m.i32[base + S_HEAP];
  const at = block === 0
    ? (base + S_PAYLOAD) * 4
    : m.layout.heap + block - 1 + BLOCK_HEADER;
  return m.u8.slice(at, at + len);
}

const REFUSED = "a class instance would arrive as a plain object without " +
  "its methods; pass plain data (numbers, strings, arrays, plain objects, " +
  "Map, Set, Date, ArrayBuffer and typed arrays), the shared types of " +
  "workers/ and SharedArrayBuffers, not functions or symbols";

/**
 * Writes `value` (the arguments when `args`, else the result) as the
 * slot's `K_PLAIN`, `K_V8` or `K_SHARED` payload.
 */
function writeValue(
  m: Memory,
  slot: number,
  value: unknown,
  args: boolean,
): void {
  const plain = encodePlain(value);
  if (plain !== undefined) {
    writeBytes(m, slot, K_PLAIN, plain);
    return;
  }
  const what = args ? "the arguments" : "the result";
  let lifted = liftShared(value, true);
  if (typeof lifted === "string") {
    if (args) {
      lifted = lifted.replace(
        /^its element (\d+)(, is)?/,
        (_, i, is) => `argument ${i}${is ? " is" : ""}`,
      );
    }
    throw new TaskPayloadError(
      `Cannot pass ${what} to or from a task: ${lifted}; ${REFUSED}`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = serialize(
      lifted === undefined ? value : [lifted.value, lifted.refs],
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TaskPayloadError(
      `Cannot pass ${what} to or from a task: task payloads are copied with ` +
        `node:v8's serializer, which refused a value in them (${reason}); ` +
        `pass plain data (numbers, strings, arrays, plain objects, Map, Set, ` +
        `Date, ArrayBuffer and typed arrays), the shared types of workers/ ` +
        `and SharedArrayBuffers, not functions or symbols`,
    );
  }
  writeBytes(m, slot, lifted === undefined ? K_V8 : K_SHARED, bytes);
}

/** Reads a `K_PLAIN`, `K_V8` or `K_SHARED` payload of `kind` from `bytes`. */
function readValue(kind: number, bytes: Uint8Array): unknown {
  if (kind === K_V8) return deserialize(bytes);
  try {
    if (kind === K_PLAIN) return decodePlain(bytes);
    const [value, refs] = deserialize(bytes) as [unknown, SharedRef[]];
    return lowerShared(value, refs);
  } catch (error) {
    throw new TaskPayloadError(
      `Cannot receive a value from another thread: ${(error as Error).message}`,
    );
  }
}

/**
 * Writes a task's arguments into its slot: `args`, or one number `args`
 * stands for (a call kept waiting without its array). Throws
 * TaskPayloadError.
 */
export function writeArgs(
  m: Memory,
  slot: number,
  args: unknown[] | number,
): void {
  const base = slotBase(m, slot);
  if (typeof args === "number") {
    m.f64[(base + S_PAYLOAD) >> 1] = args;
    m.i32[base + S_KIND] = K_NUMS;
    m.i32[base + S_LEN] = 1;
    return;
  }
  const n = args.length;
  if (n <= INLINE_NUMS) {
    let numbers = true;
    for (let i = 0; i < n; i++) {
      if (typeof args[i] !== "number") {
        numbers = false;
        break;
      }
    }
    if (numbers) {
      const f = (base + S_PAYLOAD) >> 1;
      for (let i = 0; i < n; i++) m.f64[f + i] = args[i] as number;
      m.i32[base + S_KIND] = n === 0 ? K_NONE : K_NUMS;
      m.i32[base + S_LEN] = n;
      return;
    }
  }
  writeValue(m, slot, args, true);
}

/** Reads a task's arguments from its slot. */
export function readArgs(m: Memory, slot: number): unknown[] {
  const base = slotBase(m, slot);
  const kind = m.i32[base + S_KIND];
  if (kind === K_NONE) return [];
  if (kind === K_NUMS) {
    const n = m.i32[base + S_LEN];
    const f = (base + S_PAYLOAD) >> 1;
    if (n === 1) return [m.f64[f]];
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = m.f64[f + i];
    return out;
  }
  // The bytes stay until the result overwrites them: a task whose worker
  // dies is re-run from them.
  return readValue(kind, readBytes(m, slot)) as unknown[];
}

/** Writes a task's result into its slot. Throws TaskPayloadError. */
export function writeResult(m: Memory, slot: number, value: unknown): void {
  const base = slotBase(m, slot);
  if (typeof value === "number") {
    releasePayload(m, slot);
    m.f64[(base + S_PAYLOAD) >> 1] = value;
    m.i32[base + S_KIND] = K_NUMS;
    m.i32[base + S_LEN] = 1;
  } else if (value === undefined) {
    releasePayload(m, slot);
    m.i32[base + S_KIND] = K_NONE;
  } else if (typeof value === "string" && value.length * 3 <= INLINE_BYTES) {
    releasePayload(m, slot);
    const at = (base + S_PAYLOAD) * 4;
    const { written } = encoder.encodeInto(
      value,
      m.u8.subarray(at, at + INLINE_BYTES),
    );
    m.i32[base + S_KIND] = K_STRING;
    m.i32[base + S_LEN] = written;
  } else {
    writeValue(m, slot, value, false);
  }
}

/** A plain, serializable picture of a thrown value. */
function errorRecord(error: unknown): unknown {
  if (error instanceof Error) {
    const record: Record<string, unknown> = {
      error: true,
      name: error.name,
      message: error.message,
      stack: error.stack,
    };
    if (error.cause !== undefined) record.cause = errorRecord(error.cause);
    return record;
  }
  try {
    serialize(error);
    return { error: false, value: error };
  } catch {
    return { error: false, value: String(error) };
  }
}

function errorFromRecord(record: unknown): unknown {
  const r = record as {
    error: boolean;
    name?: string;
    message?: string;
    stack?: string;
    cause?: unknown;
    value?: unknown;
  };
  if (!r.error) return r.value;
  const error = new Error(
    r.message,
    r.cause === undefined ? undefined : { cause: errorFromRecord(r.cause) },
  );
  error.name = r.name ?? "Error";
  error.stack = r.stack;
  return error;
}

/** Writes a thrown value as the slot's result. */
export function writeError(m: Memory, slot: number, error: unknown): void {
  writeBytes(m, slot, K_ERROR, serialize(errorRecord(error)));
}

/**
 * Writes a result of kind K_CANCELLED or K_CRASHED (with `reason`, cut to
 * fit inline so that it never needs the heap).
 */
export function writeMarker(
  m: Memory,
  slot: number,
  kind: number,
  reason = "",
): void {
  let text = reason.slice(0, INLINE_BYTES);
  let bytes = encoder.encode(text);
  while (bytes.length > INLINE_BYTES) {
    text = text.slice(0, -1);
    bytes = encoder.encode(text);
  }
  writeBytes(m, slot, kind, bytes);
}

/** Reads a finished task's result from its slot and releases its payload. */
export function readResult(m: Memory, slot: number): unknown {
  const base = slotBase(m, slot);
  const kind = m.i32[base + S_KIND];
  if (kind === K_NUMS) return m.f64[(base + S_PAYLOAD) >> 1];
  if (kind === K_NONE) return undefined;
  if (kind === K_STRING) {
    const at = (base + S_PAYLOAD) * 4;
    return decoder.decode(m.u8.slice(at, at + m.i32[base + S_LEN]));
  }
  const bytes = readBytes(m, slot);
  releasePayload(m, slot);
  if (kind === K_PLAIN || kind === K_V8 || kind === K_SHARED) {
    return readValue(kind, bytes);
  }
  if (kind === K_ERROR) return errorFromRecord(deserialize(bytes));
  return decoder.decode(bytes); // K_CANCELLED, K_CRASHED: the reason
}
