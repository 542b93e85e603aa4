// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * What a runtime task awaits, written to its slot for the goroutine dump
 * (`_task_dump.ts`): the worker's {@linkcode WaitNoter} (`_wait_notes.ts`)
 * finds the task by its async context and stores the wait's reason in
 * `S_WAIT`, its start in `S_T_WAIT` and the shared primitive's id in
 * `S_WAIT_ID` (`_slot.ts`).
 *
 * A task may await several operations at once (`Promise.all`); its slot
 * shows the latest until all of them are over. A note taken by code a task
 * left running after it returned is dropped: that slot may hold another
 * task by then.
 *
 * @module
 */

import { setWaitNoter } from "../_wait_notes.ts";
import { F_T0, type Memory, now } from "./_layout.ts";
import { S_T_WAIT, S_WAIT, S_WAIT_ID, slotBase } from "./_slot.ts";
import type { TaskWait } from "./goroutines.ts";

/** The waits a slot can name, in Go's words; any other is `"waiting"`. */
export const WAIT_REASONS = [
  "waiting",
  "chan receive",
  "chan send",
  "select",
  "select (no cases)",
  "sync.Mutex.Lock",
  "sync.RWMutex.Lock",
  "sync.RWMutex.RLock",
  "sync.WaitGroup.Wait",
  "sync.Cond.Wait",
  "sync.Once.Do",
  "semacquire",
] as const satisfies readonly TaskWait[];

const CODES = new Map<string, number>(
  WAIT_REASONS.map((reason, i) => [reason, i + 1]),
);

/** The task a noter finds in the async context. */
export interface NotedTask {
  readonly slot: number;
  /** Its waits not yet over. */
  waits: number;
}

/**
 * Installs this worker's noter: `current` gives the task running (or
 * resumed) now, and `live` tells whether it is still running.
 */
export function noteTaskWaits(
  m: Memory,
  current: () => NotedTask | undefined,
  live: (task: NotedTask) => boolean,
): void {
  const { i32, f64 } = m;
  setWaitNoter((reason, id) => {
    const task = current();
    if (task === undefined || !live(task)) return undefined;
    const base = slotBase(m, task.slot);
    task.waits++;
    i32[base + S_T_WAIT] = Math.round(now() - f64[F_T0]);
    i32[base + S_WAIT_ID] = id;
    Atomics.store(i32, base + S_WAIT, CODES.get(reason) ?? 1);
    return () => {
      if (--task.waits === 0 && live(task)) {
        Atomics.store(i32, base + S_WAIT, 0);
      }
    };
  });
}

/** The shared class a wait on `reason` is a wait on, for the dump's names. */
const SHARED_CLASS = new Map<string, string>([
  ["chan receive", "SharedChannel"],
  ["chan send", "SharedChannel"],
  ["sync.Mutex.Lock", "SharedMutex"],
  ["sync.RWMutex.Lock", "SharedRWMutex"],
  ["sync.RWMutex.RLock", "SharedRWMutex"],
  ["sync.WaitGroup.Wait", "SharedWaitGroup"],
  ["sync.Once.Do", "SharedOnce"],
  ["semacquire", "SharedSemaphore"],
]);

/**
 * `"SharedChannel 123"`: the shared primitive with `ID` word `id` that a
 * wait on `reason` waits on; undefined for id 0.
 */
export function waitTarget(reason: string, id: number): string | undefined {
  if (id === 0) return undefined;
  return `${SHARED_CLASS.get(reason) ?? "shared primitive"} ${id}`;
}

/** The reason of slot word `S_WAIT`'s `code`, or undefined for 0. */
export function waitReason(code: number): TaskWait | undefined {
  return code > 0 ? WAIT_REASONS[code - 1] ?? "waiting" : undefined;
}
