// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * This thread's retirement: once another thread has retired it (the
 * runtime, before it terminates a worker; a user, through
 * `Retirement.terminate()`), every shared primitive refuses it any further
 * value, offer or lock. Deno does not stop a terminated worker's
 * JavaScript while it never returns to its event loop (a worker blocked in
 * `recvSync`, `lockSync`, or spinning), so without this such a worker
 * would go on taking values that are then lost to everyone else.
 *
 * A thread obeys the records it has adopted (`adopt`). Each record is the
 * buffer of a `Retirement` (`retirement.ts`):
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 0 | `STATE` | 0 while live; 1 once retired (written once, by the retiring thread) |
 * | 1 | `PARKS` | operations the adopting threads parked for good since (bumped and notified by them) |
 * | 2 | `MAGIC` | `0x64677274` ("dgrt"): marks a Retirement buffer (read-only) |
 * | 3 | `ID` | a random positive number naming the retirement, which a claims arena's owner words hold (`_select_claims.ts`) (read-only); see below |
 *
 * `ID`s are random (1 to 2^31 - 1), not unique: Retirements are made on
 * any thread, with no memory they all share. Two that collide (about one
 * pair in a billion) only cost the live one's threads their selects'
 * claims while the other is retired: peers then back off from those
 * selects as from retired ones (no claim, no reserved record, their
 * offers dropped while they run), and the selects find their values
 * through their polls and offers, as without a claims arena. No value is
 * lost or duplicated.
 *
 * ## Where the primitives look
 *
 * Every operation that would take a value or a lock, or put a value in a
 * channel, looks before it takes: at its entry (the fast paths) and each
 * time it wakes from a wait, before it tries again. A retired thread
 * never takes a value and then drops it: it leaves what is there. It
 * releases what the wait holds (the channel's lock, its count among the
 * waiting receivers, its claim on the hand-off cell), then parks for good:
 *
 * - a synchronous call (`recvSync`, `lockSync`, `tryRecv`, ...) in
 *   `Atomics.wait` on a word nobody notifies, using no CPU;
 * - an async call by returning a promise that never settles (and a
 *   blocked async operation stays queued, never served).
 *
 * A retired thread's operation already past its look when the retirement
 * is written (nanoseconds before a compare-and-swap) may still complete:
 * it is ordered before the retirement.
 *
 * The hot paths read `STATE` of the first record with a plain load: an
 * `Atomics.load` there cost about 18 ns a call in V8 (a plain one about 5).
 * Every look follows an atomic operation or an `Atomics.wait` on the
 * primitive's words, so it is not hoisted out of a loop; and a thread woken
 * by a `notify` after the retirement sees it (the retiring thread's
 * `Atomics.store` happens before that notify).
 */

import { MainThreadWaitError } from "./errors.ts";
import { canBlock, inWorker } from "./_lock.ts";

export const STATE = 0;
export const PARKS = 1;
export const MAGIC = 2;
export const ID = 3;
export const WORDS = 4;
export const MAGIC_VALUE = 0x64677274;

/** The records this thread obeys. */
const records: Int32Array[] = [];
/** The first of them (the one a hot path reads), or null for none. */
let first: Int32Array | null = null;

/** A promise that never settles: what a retired thread's async calls return. */
const NEVER: Promise<never> = new Promise<never>(() => {});

/**
 * Makes this thread obey the record `words` (a `Retirement`'s buffer).
 *
 * @throws {MainThreadWaitError} On the main thread, which is never retired.
 */
export function adopt(words: Int32Array, operation: string): void {
  if (!inWorker) throw new MainThreadWaitError(operation);
  if (records.some((r) => r.buffer === words.buffer)) return;
  records.push(words);
  first ??= words;
}

/** The `ID` of the first record this thread obeys, or 0 for none. */
export function retireeId(): number {
  return first === null ? 0 : first[ID];
}

/** Whether a record this thread obeys has been retired. */
export function isRetired(): boolean {
  return first !== null &&
    (first[STATE] !== 0 || (records.length > 1 && anyRetired()));
}

/**
 * `isRetired` with an `Atomics.load` of every record's `STATE`: for a
 * select, which wrote its slot's owner word (`_select_claims.ts`) before
 * it looks. The retiring thread writes `STATE` and then reads the owner
 * words (`markRetired`); both sides sequentially consistent, at least one
 * sees the other: the select is marked retired, or it sees it is.
 */
export function isRetiredNow(): boolean {
  return first !== null &&
    (Atomics.load(first, STATE) !== 0 || (records.length > 1 && anyRetired()));
}

function anyRetired(): boolean {
  for (let i = 1; i < records.length; i++) {
    if (Atomics.load(records[i], STATE) !== 0) return true;
  }
  return false;
}

function countPark(): void {
  for (const r of records) {
    Atomics.add(r, PARKS, 1);
    Atomics.notify(r, PARKS);
  }
}

/** Parks the retired thread for good, in `Atomics.wait` (no CPU). */
export function parkForever(): never {
  countPark();
  const word = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    if (canBlock) Atomics.wait(word, 0, 0);
  }
}

/** The never-settling promise of a retired thread's async call. */
export function parkAsync(): Promise<never> {
  countPark();
  return NEVER;
}

/** Parks for good if this thread is retired (the sync entry check). */
export function parkIfRetired(): void {
  if (isRetired()) parkForever();
}
