// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The async operations blocked on a {@linkcode SharedChannel} in one
 * thread: a FIFO per side (receivers, senders) per channel object.
 *
 * A thread never blocks in an async operation: it queues it, and serves
 * the queue, oldest first, when the side's futex word moves (one
 * registration in `_futex.ts` per side, however many operations wait), or
 * when an operation on this same thread made progress possible (the
 * channel's wake-up calls `wakeHere`, since a `waitAsync` woken by its own
 * thread's `notify` is served late). Invariant: after every synchronous
 * step of the channel, a side whose queue is not empty is registered in
 * `_futex.ts`, or has a serve scheduled in a microtask.
 */

import { releaseWord, watchWord } from "./_futex.ts";
import type { Raw } from "./_channel_words.ts";

/** A blocked `receive()` or `for await` step. */
export interface RecvWaiter {
  /** True for `for await`'s `next()`, false for `receive()`. */
  readonly iteration: boolean;
  /** When it blocked, on this thread's clock (`_local_selects.ts`). */
  readonly stamp: number;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Ends the wait note (`_wait_notes.ts`) once it settles, if one was taken. */
  readonly endNote: (() => void) | undefined;
}

/** A blocked `send()`. */
export interface SendWaiter {
  readonly value: unknown;
  readonly encoded: Raw;
  /** When it blocked, on this thread's clock (`_local_selects.ts`). */
  readonly stamp: number;
  /** Whether `ticket` names this sender's offer in the byte ring. */
  offered: boolean;
  ticket: number;
  /**
   * Its place among the senders waiting for bytes in a byte ring
   * (`_byte_waiters.ts`), or `NO_PLACE` (-1).
   */
  place: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Ends the wait note (`_wait_notes.ts`) once it settles, if one was taken. */
  readonly endNote: (() => void) | undefined;
}

/** One side (receivers or senders) of a channel object's blocked operations. */
export class Blocked<W> {
  /** The blocked operations, oldest first. */
  readonly queue: W[] = [];
  readonly #words: Int32Array;
  readonly #index: number;
  readonly #id: number;
  readonly #serve: () => void;
  #watching = false;
  #poked = false;

  /**
   * A side whose futex word is `words[index]` of the channel `id`, served
   * by `serve`, which takes from `queue` what it can.
   */
  constructor(words: Int32Array, index: number, id: number, serve: () => void) {
    this.#words = words;
    this.#index = index;
    this.#id = id;
    this.#serve = serve;
  }

  /**
   * Serves the queue once the futex word no longer holds `seq` (at once if
   * it already differs), unless a wait is already registered: that one
   * fires on the next change, or has fired and is about to serve.
   */
  watch(seq: number): void {
    if (this.#watching) return;
    this.#watching = true;
    if (!watchWord(this.#words, this.#index, this.#id, seq, this.#onWake)) {
      queueMicrotask(this.#onWake);
    }
  }

  /**
   * Ends the wait on the futex word for good, once the queue is empty
   * because its last operation was aborted: a `waitAsync` nobody notifies
   * would keep the channel's memory alive (see `releaseWord`).
   */
  release(): void {
    if (!this.#watching || this.queue.length > 0) return;
    this.#watching = false;
    releaseWord(this.#id, this.#index, this.#onWake);
  }

  /** Serves the queue in a microtask, if it holds anything. */
  poke(): void {
    if (this.queue.length > 0 && !this.#poked) {
      this.#poked = true;
      queueMicrotask(this.#onPoke);
    }
  }

  #onWake = (): void => {
    this.#watching = false;
    this.#serve();
  };

  #onPoke = (): void => {
    this.#poked = false;
    this.#serve();
  };
}
