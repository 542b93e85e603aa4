// Copyright the denogo authors. MIT license.

/**
 * The counters of {@linkcode Runtime.stats}.
 *
 * @module
 */

/**
 * Statistics of one worker, from {@linkcode Runtime.stats}.
 *
 * @example Usage
 * ```ts
 * import { Runtime, type WorkerStats } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * await using rt = await Runtime.start({ procs: 1 });
 * const [worker]: WorkerStats[] = rt.stats().workers;
 * assert.equal(worker.index, 0);
 * ```
 */
export interface WorkerStats {
  /** The worker's index (its P). */
  index: number;
  /** Tasks it started. */
  started: number;
  /** Tasks it finished. */
  finished: number;
  /** Tasks in its deque. */
  queued: number;
  /** Tasks it stole from other workers' deques. */
  steals: number;
  /** Times it parked. */
  parks: number;
  /** Milliseconds spent running task code. */
  busyMs: number;
  /** `busyMs` over the runtime's age: 0 .. 1. */
  utilisation: number;
}

/**
 * A snapshot of a runtime's counters, from {@linkcode Runtime.stats}.
 *
 * @example Usage
 * ```ts
 * import { Runtime, type RuntimeStats } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * await using rt = await Runtime.start({ procs: 1 });
 * const stats: RuntimeStats = rt.stats();
 * assert.equal(stats.procs, 1);
 * assert.equal(stats.crashes, 0);
 * ```
 */
export interface RuntimeStats {
  /** Workers. */
  procs: number;
  /** Tasks called from the main thread and not settled yet. */
  pending: number;
  /** Tasks waiting in the global queue and the deques. */
  queued: number;
  /** Tasks started and not finished, on all workers. */
  running: number;
  /** Tasks finished, on all workers. */
  finished: number;
  /** Steals, on all workers. */
  steals: number;
  /** Parks, on all workers. */
  parks: number;
  /** Workers parked right now. */
  parked: number;
  /** Workers replaced after a crash. */
  crashes: number;
  /** Per worker. */
  workers: WorkerStats[];
}
