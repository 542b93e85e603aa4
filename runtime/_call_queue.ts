// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The runtime's overflow queue: calls from the main thread waiting for a
 * free task slot, in arrival order.
 *
 * A linked list of the calls' records, so that a burst of calls past
 * `maxTasks` (200,000 tiny tasks, say) is held by young records pointing
 * at young records: an array would be an old object with a pointer to a
 * young one per call, which every young-generation collection walks. A
 * record leaves the list with its fields cleared, so a promoted one that
 * is garbage keeps no young object alive.
 *
 * A call is removed in O(1) by its record (an aborted signal's calls): it
 * is marked removed and counted out, and {@linkcode CallQueue.shift}
 * steps over it.
 *
 * @module
 */

import type { TaskOptions } from "./options.ts";
import type { Reject, Resolve } from "./_slot_owner.ts";

/** A call waiting for a slot. */
export interface WaitingCall {
  fnId: number;
  /** Its arguments, or its one argument when that is a number. */
  args: unknown[] | number | undefined;
  options: TaskOptions | undefined;
  /** Undefined once the call has left the queue. */
  resolve: Resolve | undefined;
  reject: Reject | undefined;
  next: WaitingCall | undefined;
}

/** Calls waiting for a slot: FIFO, with removal by record. */
export class CallQueue {
  #head: WaitingCall | undefined;
  #tail: WaitingCall | undefined;
  /** Calls waiting: records in the list not marked removed. */
  #size = 0;

  /** The number of calls waiting. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends a call; returns its record. Arguments of one number are kept
   * as the number, not the array.
   */
  push(
    fnId: number,
    args: unknown[],
    options: TaskOptions | undefined,
    resolve: Resolve,
    reject: Reject,
  ): WaitingCall {
    const one = args.length === 1 && typeof args[0] === "number";
    const call: WaitingCall = {
      fnId,
      args: one ? args[0] as number : args,
      options,
      resolve,
      reject,
      next: undefined,
    };
    if (this.#tail === undefined) this.#head = call;
    else this.#tail.next = call;
    this.#tail = call;
    this.#size++;
    return call;
  }

  /**
   * Takes the oldest waiting call out and hands its record to `take`,
   * then clears it; returns false when none waits.
   */
  shift(take: (call: WaitingCall) => void): boolean {
    if (this.#size === 0) return false;
    let call = this.#head!;
    while (call.resolve === undefined) call = this.#unlink(call); // removed
    this.#head = call.next;
    if (call.next === undefined) this.#tail = undefined;
    call.next = undefined;
    this.#size--;
    if (this.#size === 0) this.#drop();
    try {
      take(call);
    } finally {
      call.resolve = call.reject = undefined;
      call.args = call.options = undefined;
    }
    return true;
  }

  /**
   * Takes `call` out of the queue, if it still waits; returns its
   * `reject`, or undefined when it was taken or removed already.
   */
  remove(call: WaitingCall): Reject | undefined {
    const reject = call.reject;
    if (call.resolve === undefined || reject === undefined) return undefined;
    call.resolve = call.reject = undefined;
    call.args = call.options = undefined;
    this.#size--;
    if (this.#size === 0) this.#drop();
    return reject;
  }

  /** Unlinks the head `call` and clears it; returns the new head. */
  #unlink(call: WaitingCall): WaitingCall {
    const next = call.next;
    this.#head = next;
    if (next === undefined) this.#tail = undefined;
    call.next = undefined;
    call.resolve = call.reject = undefined;
    call.args = call.options = undefined;
    return next!;
  }

  /** Lets go of the records left, all removed, once no call waits. */
  #drop(): void {
    for (let call = this.#head; call !== undefined;) {
      const next = call.next;
      call.next = undefined;
      call = next;
    }
    this.#head = this.#tail = undefined;
  }
}
