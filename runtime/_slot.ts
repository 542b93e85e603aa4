// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * A task slot: one task's record in shared memory (Go's `g`). The slots
 * are split into ranges, one per owner (each worker, and the main thread);
 * an owner spawns only into its own range, and only it takes and frees
 * those slots (`_slot_owner.ts`).
 *
 * ## Slot (`SLOT_WORDS` = 64 Int32 words, 256 bytes)
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 0 | `S_STATE` | `FREE`, `QUEUED`, `RUNNING`, `FINISHING`, `DONE` or `CANCELLED` (cancelled while queued) |
 * | 1 | `S_FN` | registry id of the task's function (`_registry.ts`) |
 * | 2 | `S_SPAWNER` | owner that spawned it (a worker index, or P for the main thread): the only thread that frees the slot |
 * | 3 | `S_EXEC` | worker running it, -1 before it starts |
 * | 4 | `S_FLAGS` | bit 0 `FLAG_CANCEL`: cancellation requested (by the spawner: its caller's signal, `close({ mode: "cancel" })`, or the cancellation of the task that spawned it) |
 * | 5 | `S_RETRIES` | re-runs left if its worker dies |
 * | 6 | `S_KIND` | what the payload holds (`K_*`): the arguments while queued, the result once `DONE` |
 * | 7 | `S_LEN` | payload size: numbers for `K_NUMS`, bytes otherwise |
 * | 8 | `S_HEAP` | byte offset + 1 of the payload's heap block (`_heap.ts`), 0 when inline |
 * | 9 | `S_WAIT` | what the running task awaits, for the goroutine dump: 0 nothing the library sees, else 1 + an index of `WAIT_REASONS` (`_task_waits.ts`); written by the executor only |
 * | 10..11 | `S_T_QUEUED` | Float64 (at `f64[(base + 10) / 2]`): when the spawner queued it, `now()` ms; main-thread calls only |
 * | 12..13 | `S_T_START` | Float64: when a worker started it, `now()` ms (NaN until then) |
 * | 14..61 | payload | inline: up to 24 Float64 numbers or 192 bytes (`_payload.ts`) |
 * | 62 | `S_T_WAIT` | when the wait of `S_WAIT` began, whole ms since the runtime started |
 * | 63 | `S_WAIT_ID` | the `ID` word of the shared primitive it waits on, 0 for none (a select, a tier-1 primitive) |
 *
 * Words 0..15 are the slot's first 64-byte cache line: the words every
 * task's spawner and executor read and write, and the first number of
 * the payload, so a task of one number argument and a number result moves
 * one cache line each way between the threads.
 *
 * ## Lifecycle
 *
 * The spawner takes a `FREE` slot, writes its words, its arguments and
 * `QUEUED` with plain stores, then queues the slot id (the queue's
 * `Atomics` store publishes them); a worker moves it `QUEUED → RUNNING` by CAS (a
 * spawner cancelling a queued task wins the CAS to `CANCELLED` instead),
 * runs it, claims it by CAS `RUNNING → FINISHING`, writes the result over
 * the arguments, `Atomics.store`s `DONE`
 * and hands it back to the spawner (directly if it is the spawner, else
 * through the spawner's completion queue, `_completions.ts`). The spawner
 * reads the result and stores `FREE` (a plain store: no other thread
 * reads the slot until the spawner queues it again). When a worker dies (or is terminated),
 * the main thread claims each of its `RUNNING` slots by the same CAS and
 * writes a crash marker (or re-queues it): exactly one of the two writes
 * the result. A terminated worker may go on running in Deno until its code
 * returns to the event loop; its stale `O_GEN` keeps it from touching a
 * slot again.
 *
 * Happens-before: the spawner's writes of a slot synchronize before the
 * worker's CAS to `RUNNING` succeeds (the queue entry is stored after them
 * and loaded before the CAS), so the task sees its arguments; the worker's
 * result writes synchronize before the spawner takes the slot from its
 * completion queue, so the caller sees the result. Only the thread that
 * holds a slot in its current state writes its payload: the spawner while
 * `FREE`, the executor while `RUNNING`, the spawner again once `DONE`.
 *
 * @module
 */

import { type Memory, O_CANCEL, OWNER_WORDS, SLOT_WORDS } from "./_layout.ts";
import { wakeOwner } from "./_wake.ts";

export const S_STATE = 0;
export const S_FN = 1;
export const S_SPAWNER = 2;
export const S_EXEC = 3;
export const S_FLAGS = 4;
export const S_RETRIES = 5;
export const S_KIND = 6;
export const S_LEN = 7;
export const S_HEAP = 8;
export const S_WAIT = 9;
/** Int32 word of the Float64 queue time (slots are 64-byte aligned). */
export const S_T_QUEUED = 10;
/** Int32 word of the Float64 start time. */
export const S_T_START = 12;
export const S_PAYLOAD = 14;
/** One past the payload's last word. */
export const S_PAYLOAD_END = 62;
export const S_T_WAIT = 62;
export const S_WAIT_ID = 63;

export const FREE = 0;
export const QUEUED = 1;
export const RUNNING = 2;
export const DONE = 3;
export const CANCELLED = 4;
/** Claimed by whoever writes the result: the executor, or the main thread reaping a dead one. */
export const FINISHING = 5;

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
/** `node:v8` serialized `[value, refs]`: a value holding shared objects. */
export const K_SHARED = 7;
/** Plain data in `workers/_plain.ts`'s format (no `node:v8`). */
export const K_PLAIN = 8;

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
    wakeOwner(m, exec);
  }
}
