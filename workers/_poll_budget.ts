// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * How long a thread polls for a wait to end before it sleeps: the one
 * adaptive budget of the fast wake-ups, used by a runtime worker's
 * processor loop (`runtime/_processor.ts`, before it sleeps on the words
 * with `Atomics.wait`) and by any other thread (`_futex.ts`, before it
 * leaves its waits to `Atomics.waitAsync`).
 *
 * Polling costs CPU and, on a loaded machine, the core the thread that
 * ends the wait may need; sleeping costs a kernel wake-up or an event-loop
 * turn (µs to tens of µs). So the budget follows how long waits take:
 *
 * | what the poller reports | the budget becomes |
 * | --- | --- |
 * | {@linkcode PollBudget.hit}: a wait ended `ms` into the poll | twice as large and at least `2 × ms` (up to the maximum) |
 * | {@linkcode PollBudget.missed}: the poll gave up, no wait ended | half as large (down to the minimum) |
 * | {@linkcode PollBudget.late}, after that: a wait ended `ms` after the poll began, `ms` ≤ the maximum | the same as after a hit: a longer poll would have caught it |
 * | the same with `ms` > the maximum, or no wait timed | left halved: polling was no use |
 *
 * A poller that can time the wait it gave up on (a runtime worker, which
 * sleeps on the words with `Atomics.wait` after its polls) therefore
 * shrinks its budget only for waits that outlast the maximum (long waits,
 * or a peer without a core on a loaded machine), so such a thread soon
 * sleeps at once, while a wait that ends just after the poll gave up
 * makes the next poll longer. With `probeEvery` above 0, every
 * `probeEvery`th poll has the whole maximum, for a poller that cannot
 * time a wait once it has given up (one left to `Atomics.waitAsync`,
 * which adds tens of µs).
 *
 * @example Usage
 * ```ts ignore
 * const budget = new PollBudget(0.002, 0.02, 0);
 * const start = performance.now();
 * const until = start + budget.begin();
 * // ... poll until a wait ends (budget.hit(now - start)) or `until` ...
 * ```
 */
export class PollBudget {
  readonly minMs: number;
  readonly maxMs: number;
  readonly #probeEvery: number;
  #ms: number;
  #begun = 0;

  /**
   * A budget between `minMs` and `maxMs` (in ms), starting at `maxMs`;
   * with `probeEvery` > 0, every `probeEvery`th {@linkcode begin} returns
   * `maxMs`.
   */
  constructor(minMs: number, maxMs: number, probeEvery: number) {
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.#probeEvery = probeEvery;
    this.#ms = maxMs;
  }

  /** The current budget, in ms. */
  get ms(): number {
    return this.#ms;
  }

  /** Starts a poll: returns its budget, in ms. */
  begin(): number {
    const every = this.#probeEvery;
    if (every > 0 && ++this.#begun % every === 0) return this.maxMs;
    return this.#ms;
  }

  /** A wait ended `ms` into a poll, while it polled: grows the budget. */
  hit(ms: number): void {
    const want = Math.max(2 * ms, 2 * this.#ms);
    this.#ms = want < this.maxMs ? want : this.maxMs;
  }

  /** A poll gave up, no wait having ended: halves the budget. */
  missed(): void {
    const half = this.#ms / 2;
    this.#ms = half > this.minMs ? half : this.minMs;
  }

  /**
   * After {@linkcode missed}: a wait ended `ms` after that poll began. If
   * `ms` is within the maximum, the budget grows as after a hit (undoing
   * the halving); else nothing changes.
   */
  late(ms: number): void {
    if (ms <= this.maxMs) this.hit(ms);
  }
}
