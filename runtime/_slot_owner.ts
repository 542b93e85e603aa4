// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The one owner of an owner's task slots: the main thread's `Runtime` and
 * each worker's `Processor` both spawn through a {@linkcode SlotOwner}, so
 * taking a slot, filling it, and settling it when its task comes back (the
 * caller's promise resolved or rejected with the right error, the slot
 * freed) are written once.
 *
 * An owner's range is `layout.slotBase[o] .. + layout.slotCount[o]`
 * (`_layout.ts`); only this object, on the owner's thread, takes and frees
 * those slots (the slot states are in `_slot.ts`). A worker that replaces
 * a crashed one opens the same range: the slots its predecessor left in
 * flight are not `FREE`, so they are not handed out until they come back
 * through the completion queue, and then they settle with no caller.
 *
 * @module
 */

import { takeCompletions } from "./_completions.ts";
import type { Memory } from "./_layout.ts";
import { readResult, releasePayload, writeArgs } from "./_payload.ts";
import type { Registry } from "./_registry.ts";
import {
  cancelSlot,
  FREE,
  K_CANCELLED,
  K_CRASHED,
  K_ERROR,
  QUEUED,
  S_EXEC,
  S_FLAGS,
  S_FN,
  S_KIND,
  S_RETRIES,
  S_SPAWNER,
  S_STATE,
  slotBase,
} from "./_slot.ts";
import { TaskError, WorkerCrashedError } from "./errors.ts";

/** Most completions {@linkcode SlotOwner.drain} takes from the queue at once. */
const DRAIN_BATCH = 64;

/** Resolves a caller's promise with its task's result. */
export type Resolve = (value: unknown) => void;
/** Rejects it with the task's error, cancellation or crash. */
export type Reject = (error: unknown) => void;

/** The slots of one owner (a worker, or the main thread). */
export class SlotOwner {
  /** The owner: a worker index, or `procs` for the main thread. */
  readonly owner: number;
  #m: Memory;
  #i32: Int32Array;
  #registry: Registry;
  #first: number;
  #free: number[] = [];
  /** The callers' settle functions, by slot - first: no object per call. */
  #resolves: (Resolve | undefined)[];
  #rejects: (Reject | undefined)[];
  #cleanup: ((() => void) | undefined)[];
  #settled: ((slot: number) => void) | undefined;
  /** The completions taken at once by {@linkcode drain}. */
  #batch = new Int32Array(DRAIN_BATCH);

  /**
   * Opens owner `owner`'s range of slots in `m`; `settled`, if given, is
   * called with each slot that {@linkcode settle} frees.
   */
  constructor(
    m: Memory,
    owner: number,
    registry: Registry,
    settled?: (slot: number) => void,
  ) {
    this.owner = owner;
    this.#settled = settled;
    this.#m = m;
    this.#i32 = m.i32;
    this.#registry = registry;
    this.#first = m.layout.slotBase[owner];
    const count = m.layout.slotCount[owner];
    this.#resolves = new Array(count);
    this.#rejects = new Array(count);
    this.#cleanup = new Array(count);
    for (let i = count - 1; i >= 0; i--) {
      const slot = this.#first + i;
      if (Atomics.load(this.#i32, slotBase(m, slot) + S_STATE) === FREE) {
        this.#free.push(slot);
      }
    }
  }

  /** The first slot id of the range. */
  get first(): number {
    return this.#first;
  }

  /** The number of slots in the range. */
  get count(): number {
    return this.#resolves.length;
  }

  /** The number of free slots. */
  get free(): number {
    return this.#free.length;
  }

  /** A free slot, or -1 when every slot is in flight. */
  take(): number {
    return this.#free.pop() ?? -1;
  }

  /**
   * Writes the task's words and arguments (or its one number argument)
   * into `slot` (taken, not yet published). On a `TaskPayloadError` the slot goes back to the free
   * list and the error is rethrown.
   */
  fill(
    slot: number,
    fnId: number,
    args: unknown[] | number,
    retries: number,
  ): void {
    const i32 = this.#i32;
    const base = slotBase(this.#m, slot);
    i32[base + S_FN] = fnId;
    i32[base + S_SPAWNER] = this.owner;
    i32[base + S_EXEC] = -1;
    i32[base + S_FLAGS] = 0;
    i32[base + S_RETRIES] = retries;
    try {
      writeArgs(this.#m, slot, args);
    } catch (error) {
      this.release(slot);
      throw error;
    }
  }

  /**
   * Gives back `slot`, taken (and maybe filled) but never published: its
   * payload's heap block, if it has one, is freed.
   */
  release(slot: number): void {
    releasePayload(this.#m, slot);
    this.#free.push(slot);
  }

  /**
   * Records the caller of `slot` (its promise's `resolve` and `reject`)
   * and marks it `QUEUED`; the caller then queues the slot id. `cleanup`
   * runs once when the slot settles or is cancelled (to remove an abort
   * listener).
   */
  publish(
    slot: number,
    resolve: Resolve,
    reject: Reject,
    cleanup?: () => void,
  ): void {
    const at = slot - this.#first;
    this.#resolves[at] = resolve;
    this.#rejects[at] = reject;
    this.#cleanup[at] = cleanup;
    // A plain store: the queue entry's Atomics store publishes it.
    this.#i32[slotBase(this.#m, slot) + S_STATE] = QUEUED;
  }

  /** Sets the cleanup of a published slot (see {@linkcode publish}). */
  onSettle(slot: number, cleanup: () => void): void {
    this.#cleanup[slot - this.#first] = cleanup;
  }

  /** Takes back a published slot that could not be queued; frees it. */
  unpublish(slot: number): void {
    const at = slot - this.#first;
    this.#resolves[at] = undefined;
    this.#rejects[at] = undefined;
    this.#cleanup[at] = undefined;
    Atomics.store(this.#i32, slotBase(this.#m, slot) + S_STATE, FREE);
    this.#free.push(slot);
  }

  /** Whether a caller still awaits `slot` (not settled, not cancelled). */
  awaited(slot: number): boolean {
    return this.#resolves[slot - this.#first] !== undefined;
  }

  /**
   * Rejects `slot`'s caller with `reason` now and requests the task's
   * cancellation (`cancelSlot`); the slot settles later, with no caller.
   * Returns false if no caller awaited it.
   */
  cancel(slot: number, reason: unknown): boolean {
    const reject = this.#detach(slot);
    if (reject === undefined) return false;
    cancelSlot(this.#m, slot);
    reject(reason);
    return true;
  }

  /**
   * Rejects `slot`'s caller with `reason` and forgets it, without touching
   * the slot (its task is being abandoned). Returns false if no caller
   * awaited it.
   */
  abandon(slot: number, reason: unknown): boolean {
    const reject = this.#detach(slot);
    if (reject === undefined) return false;
    reject(reason);
    return true;
  }

  /**
   * Forgets `slot`'s caller and runs its cleanup; returns its `reject`
   * (undefined if no caller awaited it). Its `resolve` is read first by
   * {@linkcode settle}.
   */
  #detach(slot: number): Reject | undefined {
    const at = slot - this.#first;
    const reject = this.#rejects[at];
    this.#resolves[at] = undefined;
    this.#rejects[at] = undefined;
    const cleanup = this.#cleanup[at];
    if (cleanup !== undefined) {
      this.#cleanup[at] = undefined;
      cleanup();
    }
    return reject;
  }

  /**
   * Settles every slot in this owner's completion queue; returns how many.
   * A {@linkcode settle} that throws (a slot's cleanup, or the `settled`
   * callback) does not stop the others: the entries taken are already
   * gone from the queue, so each one is settled, and then each error is
   * passed to `reportError` (what an uncaught exception would do).
   */
  drain(): number {
    const batch = this.#batch;
    let n = 0;
    for (;;) {
      const k = takeCompletions(this.#m, this.owner, batch);
      if (k === 0) return n;
      let errors: unknown[] | undefined;
      let i = 0;
      while (i < k) {
        try {
          for (; i < k; i++) this.settle(batch[i]);
        } catch (error) {
          i++;
          (errors ??= []).push(error);
        }
      }
      n += k;
      if (errors !== undefined) { for (const e of errors) reportError(e); }
    }
  }

  /**
   * Settles finished `slot` (its state is `DONE`): reads its result, frees
   * the slot, then resolves its caller, or rejects it with a
   * {@linkcode TaskError}, a {@linkcode WorkerCrashedError} or an
   * `AbortError` `DOMException`. A slot with no caller (cancelled, or
   * spawned by a crashed predecessor) is only freed.
   */
  settle(slot: number): void {
    const m = this.#m;
    const i32 = this.#i32;
    const base = slotBase(m, slot);
    const at = slot - this.#first;
    const resolve = this.#resolves[at];
    const reject = this.#rejects[at];
    const cleanup = this.#cleanup[at];
    this.#resolves[at] = undefined;
    this.#rejects[at] = undefined;
    const kind = i32[base + S_KIND];
    const fnId = i32[base + S_FN];
    const exec = i32[base + S_EXEC];
    let value: unknown;
    let unreadable: unknown;
    try {
      value = readResult(m, slot);
    } catch (error) {
      unreadable = error; // a TaskPayloadError: shared memory that did not arrive
    }
    // A plain store: only this owner reads a slot it has freed (its next
    // spawn publishes it anew through a queue).
    i32[base + S_STATE] = FREE;
    this.#free.push(slot);
    // The cleanup and the callback run last, so that one that throws
    // leaves neither the slot nor its caller behind.
    if (cleanup !== undefined) this.#cleanup[at] = undefined;
    try {
      this.#settleCaller(resolve, reject, unreadable, kind, fnId, exec, value);
    } finally {
      try {
        cleanup?.();
      } finally {
        this.#settled?.(slot);
      }
    }
  }

  #settleCaller(
    resolve: Resolve | undefined,
    reject: Reject | undefined,
    unreadable: unknown,
    kind: number,
    fnId: number,
    exec: number,
    value: unknown,
  ): void {
    if (reject === undefined) return;
    if (unreadable !== undefined) {
      reject(unreadable);
    } else if (kind === K_ERROR || kind === K_CRASHED || kind === K_CANCELLED) {
      const { url, name } = this.#registry.nameOf(fnId);
      reject(
        kind === K_ERROR
          ? new TaskError(url, name, value)
          : kind === K_CRASHED
          ? new WorkerCrashedError(url, name, exec, String(value))
          : new DOMException(`Task "${name}" was cancelled`, "AbortError"),
      );
    } else {
      resolve!(value);
    }
  }
}
