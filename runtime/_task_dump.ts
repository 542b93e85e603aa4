// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Reads the runtime's task slots (`_slot.ts`) into {@linkcode TaskInfo}
 * records, and prints them as Go prints goroutines. The reads are
 * `Atomics.load`s of words other threads write: a snapshot of each slot,
 * not of all of them at one instant.
 */

import { F_T0, type Memory, now } from "./_layout.ts";
import type { Registry } from "./_registry.ts";
import {
  FINISHING,
  FLAG_CANCEL,
  QUEUED,
  RUNNING,
  S_EXEC,
  S_FLAGS,
  S_FN,
  S_SPAWNER,
  S_STATE,
  S_T_QUEUED,
  S_T_START,
  S_T_WAIT,
  S_WAIT,
  S_WAIT_ID,
  slotBase,
} from "./_slot.ts";
import { waitReason, waitTarget } from "./_task_waits.ts";
import type { TaskInfo } from "./goroutines.ts";

const STATES = new Map<number, TaskInfo["state"]>([
  [QUEUED, "runnable"],
  [RUNNING, "running"],
  [FINISHING, "finishing"],
]);

/** Every live task of the runtime whose memory is `m`, by slot. */
export function readTasks(m: Memory, registry: Registry): TaskInfo[] {
  const { i32, f64, layout } = m;
  const procs = layout.procs;
  const tasks: TaskInfo[] = [];
  const t = now();
  for (let owner = 0; owner < layout.slotBase.length; owner++) {
    const first = layout.slotBase[owner];
    for (let slot = first; slot < first + layout.slotCount[owner]; slot++) {
      const base = slotBase(m, slot);
      let state = STATES.get(Atomics.load(i32, base + S_STATE));
      if (state === undefined) continue;
      const wait = state === "running"
        ? waitReason(Atomics.load(i32, base + S_WAIT))
        : undefined;
      if (wait !== undefined) state = wait;
      const { url, name } = registry.nameOf(Atomics.load(i32, base + S_FN));
      const exec = Atomics.load(i32, base + S_EXEC);
      const spawner = Atomics.load(i32, base + S_SPAWNER);
      // The queue time is written for the main thread's calls only.
      const since = state !== "runnable"
        ? f64[(base + S_T_START) >> 1]
        : spawner === procs
        ? f64[(base + S_T_QUEUED) >> 1]
        : NaN;
      tasks.push({
        id: slot,
        state,
        function: name,
        module: url,
        worker: state === "runnable" || exec < 0 ? undefined : exec,
        createdBy: spawner === procs ? "main thread" : `worker ${spawner}`,
        cancelled: (Atomics.load(i32, base + S_FLAGS) & FLAG_CANCEL) !== 0,
        forMs: since > 0 && Number.isFinite(since) ? t - since : undefined,
        waitingMs: wait === undefined
          ? undefined
          : Math.max(0, t - f64[F_T0] - Atomics.load(i32, base + S_T_WAIT)),
        waitingOn: wait === undefined
          ? undefined
          : waitTarget(wait, Atomics.load(i32, base + S_WAIT_ID)),
      });
    }
  }
  return tasks;
}

/** Go's wait time text: only waits of a minute or more are shown. */
function minutes(ms: number | undefined): string {
  if (ms === undefined || ms < 60_000) return "";
  const m = Math.floor(ms / 60_000);
  return `, ${m} minute${m === 1 ? "" : "s"}`;
}

/**
 * Formats tasks as Go's traceback does goroutines: one block per task,
 * `goroutine <id> [<state>, worker <n>]:`, then the function and module,
 * then who created it. As in Go, the minutes are those of the wait, for a
 * task that waits.
 */
export function formatTasks(tasks: readonly TaskInfo[]): string {
  return tasks.map((t) => {
    const where = t.worker === undefined ? "" : `, worker ${t.worker}`;
    const cancelled = t.cancelled ? ", cancelled" : "";
    return `goroutine ${t.id} [${t.state}${where}${cancelled}${
      minutes(t.waitingMs ?? t.forMs)
    }]:\n${t.function}(...)\n\t${t.module}\ncreated by ${t.createdBy}\n`;
  }).join("\n");
}
