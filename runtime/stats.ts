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
  /**
   * How long calls from the main thread took, from the call (once it has
   * a slot) to its result arriving back on the main thread: one sample
   * per settled call, cancelled and crashed ones included.
   */
  latency: HistogramStats;
  /**
   * How long calls from the main thread waited in the queues before a
   * worker started them: one sample per call that started.
   */
  queueWait: HistogramStats;
  /** Per worker. */
  workers: WorkerStats[];
}

/**
 * A distribution of durations in milliseconds, from
 * {@linkcode RuntimeStats.latency} and {@linkcode RuntimeStats.queueWait}.
 * The percentiles come from fixed log buckets (4 per power of 2, from
 * 1 µs): each is at most 19 % above the exact value; `min`, `mean` and
 * `max` are exact. All fields are 0 while `count` is.
 *
 * @example Usage
 * ```ts
 * import { type HistogramStats, Runtime } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * await using rt = await Runtime.start({ procs: 1 });
 * const url = import.meta.resolve("./_example_tasks.ts");
 * await rt.go(url, "square", 3);
 * const latency: HistogramStats = rt.stats().latency;
 * assert.equal(latency.count, 1);
 * assert.ok(latency.p50 <= latency.p99 && latency.p99 <= latency.max);
 * ```
 */
export interface HistogramStats {
  /** Samples. */
  count: number;
  /** The smallest, ms. */
  min: number;
  /** The mean, ms. */
  mean: number;
  /** The median, ms. */
  p50: number;
  /** The 90th percentile, ms. */
  p90: number;
  /** The 99th percentile, ms. */
  p99: number;
  /** The largest, ms. */
  max: number;
}
