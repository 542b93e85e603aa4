// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Many deadlines on one JS timer: a binary min-heap of entries ordered by
 * deadline (`Date.now()` milliseconds), and one `setTimeout` armed for the
 * earliest, as Go's runtime keeps one timer heap per P.
 *
 * - The JS timer follows the heap lazily: adding or removing an entry only
 *   queues one microtask (once per turn) that reconciles the timer with the
 *   heap, so a deadline created and cancelled before the current microtask
 *   ends costs no timer call at all, and a loop that creates and cancels
 *   deadlines one after another costs none either.
 * - Once that microtask has run, while the heap holds an entry exactly one
 *   ref'd JS timer is pending (a pending deadline can wake goroutines, so it
 *   keeps the program alive), armed no later than the earliest deadline;
 *   with the heap empty none is (so the end of the event loop can still be
 *   a deadlock). The heap is counted as one wait for the deadlock detector
 *   from its first entry to its last, at once.
 * - Removing an entry that is not the last keeps the timer: if it fires
 *   before the new earliest deadline, it re-arms for that one.
 * - A delay above `setTimeout`'s limit (2^31 - 1 ms) arms for the limit
 *   and re-arms when it fires, as `_clock.ts` does.
 * - Entries with equal deadlines fire in the order they were added (each
 *   carries a sequence number), as Go's timers with equal `when`.
 *
 * @module
 */

import { timerArmed, timerDisarmed } from "./_parking.ts";

/** The longest delay `setTimeout` takes (2^31 - 1 ms). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** One deadline in the heap; `heapIndex` is -1 while it is not in it. */
export interface HeapTimer {
  /** When it is due, `Date.now()` milliseconds. */
  readonly at: number;
  /** Its slot in the heap, kept by the heap; -1 when not in it. */
  heapIndex: number;
  /** Insertion order, kept by the heap, breaks ties between equal `at`. */
  heapSeq: number;
  /** Called once, after it left the heap, when `at` has passed. */
  expire(): void;
}

const heap: HeapTimer[] = [];
let seq = 0;
let handle: ReturnType<typeof setTimeout> | undefined = undefined;
/** When the pending JS timer fires (`Date.now()` ms); Infinity if none. */
let armedAt = Infinity;
let syncQueued = false;

/** The number of entries in the heap. */
export function heapTimers(): number {
  return heap.length;
}

/** Whether a JS timer is pending (for the tests). */
export function jsTimerPending(): boolean {
  return handle !== undefined;
}

/**
 * Adds `t` (not in the heap); if it is earlier than the armed time, the JS
 * timer is re-armed for it in a microtask.
 */
export function addTimer(t: HeapTimer): void {
  if (heap.length === 0) timerArmed();
  t.heapSeq = seq++;
  t.heapIndex = heap.length;
  heap.push(t);
  up(t.heapIndex);
  if (t.at < armedAt) queueSync();
}

/** Takes `t` out of the heap; nothing happens if it is not in it. */
export function removeTimer(t: HeapTimer): void {
  const i = t.heapIndex;
  if (i < 0) return;
  t.heapIndex = -1;
  const last = heap.pop()!;
  if (i < heap.length) {
    heap[i] = last;
    last.heapIndex = i;
    down(i);
    up(last.heapIndex);
  }
  if (heap.length === 0) {
    timerDisarmed();
    if (handle !== undefined) queueSync();
  }
}

function queueSync(): void {
  if (syncQueued) return;
  syncQueued = true;
  queueMicrotask(sync);
}

/** Brings the JS timer in line with the heap (see the module doc). */
function sync(): void {
  syncQueued = false;
  if (heap.length === 0) {
    if (handle !== undefined) {
      clearTimeout(handle);
      handle = undefined;
      armedAt = Infinity;
    }
  } else if (heap[0].at < armedAt) {
    arm(heap[0].at);
  }
}

function arm(at: number): void {
  if (handle !== undefined) clearTimeout(handle);
  const delay = Math.min(Math.max(0, at - Date.now()), MAX_TIMEOUT_MS);
  armedAt = at;
  handle = setTimeout(fire, delay);
}

function fire(): void {
  handle = undefined;
  armedAt = Infinity;
  const now = Date.now();
  // Take every due entry out first: expiring one may remove others.
  const due: HeapTimer[] = [];
  while (heap.length > 0 && heap[0].at <= now) {
    const t = heap[0];
    removeTimer(t);
    due.push(t);
  }
  if (heap.length > 0) arm(heap[0].at);
  for (const t of due) t.expire();
}

function less(a: HeapTimer, b: HeapTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.heapSeq < b.heapSeq);
}

function up(i: number): void {
  const t = heap[i];
  while (i > 0) {
    const p = (i - 1) >> 1;
    const parent = heap[p];
    if (!less(t, parent)) break;
    heap[i] = parent;
    parent.heapIndex = i;
    i = p;
  }
  heap[i] = t;
  t.heapIndex = i;
}

function down(i: number): void {
  const n = heap.length;
  const t = heap[i];
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && less(heap[c + 1], heap[c])) c++;
    const child = heap[c];
    if (!less(child, t)) break;
    heap[i] = child;
    child.heapIndex = i;
    i = c;
  }
  heap[i] = t;
  t.heapIndex = i;
}
