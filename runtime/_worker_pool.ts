// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The runtime's workers (Go's Ms): starting them, noticing a death
 * (`self.close()`, an uncaught error, an exit, or the runtime terminating
 * one whose cancelled task ran past its grace period), reaping the tasks a
 * dead worker was running (failing them with a crash marker, or
 * re-queuing them while they have retries) and starting its replacement
 * at the same index; and stopping them all when the runtime closes.
 *
 * The workers are `node:worker_threads` workers (Web Workers in browsers:
 * `_thread.ts`) running `_worker_main.ts`. Deno (as of 2.9) does not stop a terminated worker's
 * thread while its code runs without returning to the event loop, but such
 * a worker does not keep the process alive, and its stale generation
 * (`O_GEN`, bumped before the reap) keeps its leftover code from touching
 * shared memory (`_processor.ts`, `_slot.ts`).
 *
 * @module
 */

import { endOpenRecords } from "./_trace.ts";
import { pushCompletion } from "./_completions.ts";
import { globalPush } from "./_global_queue.ts";
import {
  H_NSPINNING,
  H_STATE,
  type Memory,
  O_DONE,
  O_GEN,
  O_SPINNING,
  OWNER_WORDS,
} from "./_layout.ts";
import { writeMarker } from "./_payload.ts";
import { startThread, type Thread as Worker } from "./_thread.ts";
import type { PortHub } from "./_buffer_hub.ts";
import {
  DONE,
  FINISHING,
  FLAG_CANCEL,
  K_CRASHED,
  QUEUED,
  RUNNING,
  S_EXEC,
  S_FLAGS,
  S_RETRIES,
  S_SPAWNER,
  S_STATE,
  slotBase,
} from "./_slot.ts";
import { leaveParkedSet, wakeIdleWorker, wakeOwner } from "./_wake.ts";

/**
 * How long to wait for a terminated worker to stop, in ms (it stops within
 * milliseconds; the bound keeps close() from hanging on the platform).
 */
const STOP_WAIT_MS = 2000;

/** What a pool tells its runtime (`Runtime`'s `crash` and `replace` events). */
export interface PoolEvents {
  crash(index: number, reason: string): void;
  replace(index: number): void;
}

/** Waits for `promise`, but no longer than `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    promise,
    new Promise((resolve) => timer = setTimeout(resolve, ms)),
  ]);
  clearTimeout(timer);
}

/** The workers of one runtime. */
export class WorkerPool {
  /** Workers that died (or were terminated) and were replaced. */
  crashes = 0;
  #m: Memory;
  #procs: number;
  #workers: (Worker | undefined)[] = [];
  #replacing: Promise<void>[] = [];
  #stopping: Promise<unknown>[] = [];
  #stopped: Promise<void> | undefined;
  /** Set as stop() begins, before any worker is terminated. */
  #closing = false;
  #events: PoolEvents | undefined;
  #hub: PortHub | undefined;

  /**
   * A pool for the runtime whose shared memory is `m` and whose buffers
   * `hub` carries (none in browsers); starts nothing. `events` hears of
   * each crash and each replacement ready.
   */
  constructor(m: Memory, hub: PortHub | undefined, events?: PoolEvents) {
    this.#m = m;
    this.#hub = hub;
    this.#events = events;
    this.#procs = m.layout.procs;
  }

  /** Starts every worker; resolves once all are ready. */
  startAll(): Promise<void> {
    return Promise.all(
      Array.from({ length: this.#procs }, (_, i) => this.start(i)),
    ).then(() => {});
  }

  /**
   * Terminates worker `index` and replaces it, failing the tasks it runs
   * with `reason` (as a crash); does nothing if it is already gone.
   */
  kill(index: number, reason: string): void {
    const worker = this.#workers[index];
    if (worker !== undefined) this.#crash(index, worker, reason);
  }

  /** Resolves once no replacement is being started. */
  async settled(): Promise<void> {
    while (this.#replacing.length > 0) await Promise.all(this.#replacing);
  }

  /** Whether {@linkcode stop} was called. */
  get stopping(): boolean {
    return this.#stopped !== undefined || this.#closing;
  }

  /** Starts worker `index` and resolves once it is ready. */
  start(index: number): Promise<void> {
    if (this.#stopped !== undefined) {
      return Promise.reject(new Error("the runtime is closed"));
    }
    // A node:worker_threads worker where there is one (`_thread.ts`).
    const worker = startThread(`denogo-P${index}`);
    this.#workers[index] = worker;
    let ready = false;
    return new Promise<void>((resolve, reject) => {
      worker.on("message", (data: { type: string; reason?: string }) => {
        if (data.type === "ready") {
          ready = true;
          resolve();
        } else if (data.type === "exit") {
          this.#crash(index, worker, data.reason ?? "the worker exited");
        }
      });
      worker.on("error", (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (!ready) {
          // Failing to start is not a crash to recover from.
          this.#stop(worker);
          reject(new Error(`Runtime worker ${index} failed: ${message}`));
          return;
        }
        this.#crash(index, worker, message || "an uncaught error");
      });
      worker.on("exit", (code: number) => {
        if (!ready) {
          reject(new Error(`Runtime worker ${index} exited (code ${code})`));
          return;
        }
        this.#crash(index, worker, `the worker exited (code ${code})`);
      });
      const gen = Atomics.load(
        this.#m.i32,
        this.#m.layout.owners + index * OWNER_WORDS + O_GEN,
      );
      const hub = this.#hub?.connect(index);
      worker.postMessage(
        { sab: this.#m.sab, layout: this.#m.layout, index, gen, hub },
        hub?.ports.map(([, port]) => port),
      );
    });
  }

  /** Terminates `worker`; close() waits for it to stop. */
  #stop(worker: Worker): void {
    this.#stopping.push(worker.terminate().catch(() => {}));
  }

  /** Handles the death of `worker` (P `index`): fail or re-run its tasks, replace it. */
  #crash(index: number, worker: Worker, reason: string): void {
    if (this.stopping || this.#workers[index] !== worker) return;
    this.#workers[index] = undefined;
    this.crashes++;
    this.#events?.crash(index, reason);
    const replaced = this.#replace(index, worker, reason);
    this.#replacing.push(replaced);
    replaced.then(() => {
      this.#replacing = this.#replacing.filter((p) => p !== replaced);
    });
  }

  /**
   * Terminates `worker`, waits until it has stopped (so it writes nothing
   * more), fails or re-queues the tasks it was running, then starts its
   * replacement.
   */
  async #replace(index: number, worker: Worker, reason: string): Promise<void> {
    const stopped = worker.terminate().catch(() => {});
    this.#stopping.push(stopped);
    await within(stopped, STOP_WAIT_MS);
    if (this.#stopped !== undefined) return;
    this.#reap(index, reason);
    try {
      await this.start(index);
    } catch {
      return; // the runtime closed, or the platform refused a new worker
    }
    this.#events?.replace(index);
    wakeIdleWorker(this.#m);
  }

  /** Fails (or re-queues, with retries) every task dead worker `index` ran. */
  #reap(index: number, reason: string): void {
    const m = this.#m;
    const i32 = m.i32;
    const block = this.#m.layout.owners + index * OWNER_WORDS;
    // From here the dead worker's leftover code (if Deno still runs it)
    // claims no slot and touches no queue.
    Atomics.add(i32, block + O_GEN, 1);
    endOpenRecords(m, index);
    if (Atomics.compareExchange(i32, block + O_SPINNING, 1, 0) === 1) {
      Atomics.sub(i32, H_NSPINNING, 1);
    }
    leaveParkedSet(m, index);
    const total = this.#m.layout.slotBase[this.#procs] +
      this.#m.layout.mainSlots;
    for (let slot = 0; slot < total; slot++) {
      const base = slotBase(m, slot);
      if (
        Atomics.load(i32, base + S_STATE) !== RUNNING ||
        Atomics.load(i32, base + S_EXEC) !== index ||
        Atomics.compareExchange(i32, base + S_STATE, RUNNING, FINISHING) !==
          RUNNING
      ) continue;
      const spawner = i32[base + S_SPAWNER];
      if (
        spawner === this.#procs && i32[base + S_RETRIES] > 0 &&
        !(i32[base + S_FLAGS] & FLAG_CANCEL)
      ) {
        i32[base + S_RETRIES]--;
        i32[base + S_EXEC] = -1;
        Atomics.store(i32, base + S_STATE, QUEUED);
        globalPush(m, slot);
        continue;
      }
      writeMarker(m, slot, K_CRASHED, reason);
      Atomics.store(i32, base + S_STATE, DONE);
      Atomics.add(i32, block + O_DONE, 1);
      pushCompletion(m, spawner, slot);
      wakeOwner(m, spawner);
    }
    wakeIdleWorker(m);
  }

  /**
   * Stops the workers: the scheduler loops see `H_STATE` and every worker
   * is terminated; resolves once all of them (and any crashed ones) have
   * stopped, or after `STOP_WAIT_MS`.
   */
  stop(): Promise<void> {
    if (this.#stopped === undefined) {
      const m = this.#m;
      // Node's worker_threads in Deno emit "exit" inside terminate(): the
      // workers stopped here must not look like crashes.
      this.#closing = true;
      Atomics.store(m.i32, H_STATE, 1);
      for (let w = 0; w <= this.#procs; w++) wakeOwner(m, w);
      for (const worker of this.#workers) if (worker) this.#stop(worker);
      this.#stopped = within(Promise.all(this.#stopping), STOP_WAIT_MS);
    }
    return this.#stopped;
  }
}
