// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Task slots: one task's record in shared memory (Go's `g`), how its
 * arguments and result are carried, the payload heap for large values, and
 * the registry that names task functions across threads.
 *
 * ## Slot (`SLOT_WORDS` = 64 Int32 words, 256 bytes)
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 0 | `S_STATE` | `FREE`, `QUEUED`, `RUNNING`, `DONE` or `CANCELLED` (cancelled while queued) |
 * | 1 | `S_FN` | registry id of the task's function |
 * | 2 | `S_SPAWNER` | owner that spawned it (a worker index, or P for the main thread): the only thread that frees the slot |
 * | 3 | `S_EXEC` | worker running it, -1 before it starts |
 * | 4 | `S_FLAGS` | bit 0: cancellation requested (by the spawner: its caller's signal, `close({ mode: "cancel" })`, or the cancellation of the task that spawned it) |
 * | 5 | `S_RETRIES` | re-runs left if its worker dies |
 * | 6 | `S_KIND` | what the payload holds (`K_*`): the arguments while queued, the result once `DONE` |
 * | 7 | `S_LEN` | payload size: numbers for `K_NUMS`, bytes otherwise |
 * | 8 | `S_HEAP` | byte offset + 1 of the payload's heap block, 0 when inline |
 * | 16..63 | payload | inline: up to 24 Float64 numbers or 192 bytes |
 *
 * Lifecycle: the spawner takes a `FREE` slot, writes the arguments and
 * sets `QUEUED`, then queues it; a worker moves it `QUEUED → RUNNING` by
 * CAS (a spawner cancelling a queued task wins the CAS to `CANCELLED`
 * instead), runs it, writes the result over the arguments, sets `DONE` and
 * hands it back to the spawner (directly if it is the spawner, else
 * through the spawner's completion ring). The spawner reads the result and
 * sets `FREE`.
 *
 * Arguments that are all numbers (and results that are a number,
 * `undefined` or a short string) are written as they are: no
 * serialization. Anything else goes through `node:v8`'s structured-clone
 * serializer, inline when it fits, else in a heap block.
 *
 * ## Payload heap
 *
 * Segregated free lists: a block of class `c` holds `256 << c` bytes
 * including an 8-byte header (Int32: class, next free + 1). Blocks are cut
 * from a bump pointer and recycled through their class's free list; all
 * under the spin lock `H_HEAP_LOCK` (the critical sections are a few
 * loads and stores).
 *
 * @module
 */

import { deserialize, serialize } from "node:v8";
import {
  H_HEAP_BUMP,
  H_HEAP_FREE,
  H_HEAP_LOCK,
  H_REG_BYTES,
  H_REG_COUNT,
  H_REG_LOCK,
  HEAP_CLASSES,
  type Memory,
  O_CANCEL,
  OWNER_WORDS,
  REG_BYTES,
  REG_MAX,
  SLOT_WORDS,
} from "./_layout.ts";
import { TaskPayloadError } from "./errors.ts";
import { signal } from "./_park.ts";

export const S_STATE = 0;
export const S_FN = 1;
export const S_SPAWNER = 2;
export const S_EXEC = 3;
export const S_FLAGS = 4;
export const S_RETRIES = 5;
export const S_KIND = 6;
export const S_LEN = 7;
export const S_HEAP = 8;
export const S_PAYLOAD = 16;

export const FREE = 0;
export const QUEUED = 1;
export const RUNNING = 2;
export const DONE = 3;
export const CANCELLED = 4;

export const FLAG_CANCEL = 1;

/** No payload: no arguments, or an `undefined` result. */
export const K_NONE = 0;
/** `S_LEN` Float64 numbers. */
export const K_NUMS = 1;
/** A UTF-8 string of `S_LEN` bytes (a result). */
export const K_STRING = 2;
/** `node:v8` serialized bytes. */
export const K_V8 = 3;
/** A thrown error, `node:v8` serialized. */
export const K_ERROR = 4;
/** Cancelled before it ran. */
export const K_CANCELLED = 5;
/** Its worker died; the payload is the reason as UTF-8. */
export const K_CRASHED = 6;

const INLINE_BYTES = (SLOT_WORDS - S_PAYLOAD) * 4;
const INLINE_NUMS = INLINE_BYTES / 8;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Int32 index of slot `slot`'s first word. */
export function slotBase(m: Memory, slot: number): number {
  return m.layout.slots + slot * SLOT_WORDS;
}

/**
 * Requests the cancellation of the task in `slot`: sets `FLAG_CANCEL`; a
 * queued task moves `QUEUED → CANCELLED` (its executor hands it back unrun,
 * as `K_CANCELLED`); a running task's executor gets a bump of its
 * `O_CANCEL` word and a wake-up, so it aborts the task's signal. A
 * finished task is left as it is. Only the slot's spawner calls it, before
 * it frees the slot (so the slot still holds that task).
 */
export function cancelSlot(m: Memory, slot: number): void {
  const i32 = m.i32;
  const base = slotBase(m, slot);
  Atomics.or(i32, base + S_FLAGS, FLAG_CANCEL);
  if (
    Atomics.compareExchange(i32, base + S_STATE, QUEUED, CANCELLED) === QUEUED
  ) return;
  const exec = Atomics.load(i32, base + S_EXEC);
  if (exec >= 0 && Atomics.load(i32, base + S_STATE) === RUNNING) {
    Atomics.add(i32, m.layout.owners + exec * OWNER_WORDS + O_CANCEL, 1);
    signal(m, exec);
  }
}

// Spin lock (critical sections are a handful of plain loads and stores).

function lock(i32: Int32Array, at: number): void {
  while (Atomics.compareExchange(i32, at, 0, 1) !== 0) {
    // spin
  }
}

function unlock(i32: Int32Array, at: number): void {
  Atomics.store(i32, at, 0);
}

// Payload heap.

function heapAlloc(m: Memory, bytes: number): number {
  const need = bytes + 8;
  let c = 0;
  while ((256 << c) < need) c++;
  if (c >= HEAP_CLASSES) return -1;
  const { i32, layout } = m;
  lock(i32, H_HEAP_LOCK);
  try {
    const head = i32[H_HEAP_FREE + c];
    if (head !== 0) {
      const block = head - 1;
      i32[H_HEAP_FREE + c] = i32[(layout.heap + block) / 4 + 1];
      return block;
    }
    const bump = i32[H_HEAP_BUMP];
    if (bump + (256 << c) > layout.heapBytes) return -1;
    i32[H_HEAP_BUMP] = bump + (256 << c);
    i32[(layout.heap + bump) / 4] = c;
    return bump;
  } finally {
    unlock(i32, H_HEAP_LOCK);
  }
}

function heapFree(m: Memory, block: number): void {
  const { i32, layout } = m;
  const at = (layout.heap + block) / 4;
  lock(i32, H_HEAP_LOCK);
  const c = i32[at];
  i32[at + 1] = i32[H_HEAP_FREE + c];
  i32[H_HEAP_FREE + c] = block + 1;
  unlock(i32, H_HEAP_LOCK);
}

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
    at = m.layout.heap + block + 8;
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
    : m.layout.heap + block - 1 + 8;
  return m.u8.slice(at, at + len);
}

function serializeOrThrow(value: unknown, what: string): Uint8Array {
  try {
    return serialize(value);
  } catch (error) {
    throw new TaskPayloadError(
      `Cannot pass ${what} to or from a task: it is not structured-clonable ` +
        `(${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/** Writes a task's arguments into its slot. Throws TaskPayloadError. */
export function writeArgs(m: Memory, slot: number, args: unknown[]): void {
  const base = slotBase(m, slot);
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
  writeBytes(m, slot, K_V8, serializeOrThrow(args, "the arguments"));
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
  return deserialize(readBytes(m, slot)) as unknown[];
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
    writeBytes(m, slot, K_V8, serializeOrThrow(value, "the result"));
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

/** Writes a result of kind K_CANCELLED or K_CRASHED (with `reason`). */
export function writeMarker(
  m: Memory,
  slot: number,
  kind: number,
  reason = "",
): void {
  writeBytes(m, slot, kind, encoder.encode(reason.slice(0, 60)));
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
  if (kind === K_V8) return deserialize(bytes);
  if (kind === K_ERROR) return errorFromRecord(deserialize(bytes));
  return decoder.decode(bytes); // K_CANCELLED, K_CRASHED: the reason
}

// Registry of task functions: id <-> "url\nname".

/** This thread's view of the registry. */
export class Registry {
  #m: Memory;
  #ids = new Map<string, number>();
  #keys: string[] = [];

  /** Opens the registry in `m`. */
  constructor(m: Memory) {
    this.#m = m;
  }

  #catchUp(): void {
    const { i32, u8, layout } = this.#m;
    const count = Atomics.load(i32, H_REG_COUNT);
    for (let id = this.#keys.length; id < count; id++) {
      const offset = i32[layout.regTable + id * 2];
      const len = i32[layout.regTable + id * 2 + 1];
      const key = decoder.decode(
        u8.slice(layout.regBytes + offset, layout.regBytes + offset + len),
      );
      this.#keys.push(key);
      this.#ids.set(key, id);
    }
  }

  /** The id of `url`'s export `name`, registering it if new. */
  idOf(url: string, name: string): number {
    const key = `${url}\n${name}`;
    const known = this.#ids.get(key);
    if (known !== undefined) return known;
    const { i32, u8, layout } = this.#m;
    lock(i32, H_REG_LOCK);
    try {
      this.#catchUp();
      const found = this.#ids.get(key);
      if (found !== undefined) return found;
      const bytes = encoder.encode(key);
      const id = i32[H_REG_COUNT];
      const used = i32[H_REG_BYTES];
      if (id >= REG_MAX || used + bytes.length > REG_BYTES) {
        throw new RangeError(
          `Cannot register task "${name}" of ${url}: the runtime's registry ` +
            `is full (${REG_MAX} functions)`,
        );
      }
      u8.set(bytes, layout.regBytes + used);
      i32[layout.regTable + id * 2] = used;
      i32[layout.regTable + id * 2 + 1] = bytes.length;
      i32[H_REG_BYTES] = used + bytes.length;
      Atomics.store(i32, H_REG_COUNT, id + 1);
      this.#keys.push(key);
      this.#ids.set(key, id);
      return id;
    } finally {
      unlock(i32, H_REG_LOCK);
    }
  }

  /** The module URL and export name of function `id`. */
  nameOf(id: number): { url: string; name: string } {
    if (id >= this.#keys.length) this.#catchUp();
    const key = this.#keys[id];
    const at = key.indexOf("\n");
    return { url: key.slice(0, at), name: key.slice(at + 1) };
  }
}
