// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * {@linkcode Blocked}: one side (receivers or senders) of the async
 * operations blocked on a shared channel in one thread.
 *
 * A thread never blocks in an async operation: it queues it, and serves
 * the queue, oldest first, when the side's futex word moves (one
 * `Atomics.waitAsync` per side, however many operations wait) or when an
 * operation on this same thread made progress possible (a poke: a
 * `waitAsync` woken by its own thread's `notify` is served late, or never
 * if nothing else keeps the event loop alive).
 */
export class Blocked<W> {
  /** The blocked operations, oldest first. */
  readonly queue: W[] = [];
  readonly #words: Int32Array;
  readonly #index: number;
  readonly #serve: () => void;
  #watching = false;
  #poked = false;

  /**
   * A side whose futex word is `words[index]`, served by `serve`, which
   * takes from `queue` what it can.
   */
  constructor(words: Int32Array, index: number, serve: () => void) {
    this.#words = words;
    this.#index = index;
    this.#serve = serve;
  }

  /**
   * Serves the queue once the futex word no longer holds `seq` (at once if
   * it already differs), unless a wait is already pending: that one fires
   * on the next change, or has fired and is about to serve.
   */
  watch(seq: number): void {
    if (this.#watching) return;
    this.#watching = true;
    const r = Atomics.waitAsync(this.#words, this.#index, seq);
    if (r.async) r.value.then(this.#onWake);
    else queueMicrotask(this.#onWake);
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
