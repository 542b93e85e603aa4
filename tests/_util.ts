// Copyright the denogo authors. MIT license.

/**
 * Helpers shared by the tests: the deterministic way to show that a promise
 * is blocked, without sleeping.
 *
 * Every primitive of the library completes through microtasks only, so once
 * one macrotask turn has passed, every goroutine that could make progress
 * without a timer or I/O has done so. A promise still pending then is
 * blocked.
 *
 * @module
 */

/**
 * Waits one macrotask turn (a `setTimeout(0)`): every microtask queued so
 * far, and every microtask those queue, has run when it resolves.
 *
 * @returns A promise that resolves after one macrotask turn.
 */
export function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** What {@linkcode track} has seen of a promise so far. */
export interface Tracker {
  /** Whether the promise has resolved or rejected. */
  readonly settled: boolean;
  /** The rejection reason, if it rejected. */
  readonly error: unknown;
}

/**
 * Follows a promise's settlement, so a test can check later whether it is
 * still blocked. A rejection is observed here, so it is not reported as
 * unhandled; read it from `error`, or await the promise.
 *
 * @param promise The promise to follow.
 * @returns A tracker updated when the promise settles.
 */
export function track(promise: Promise<unknown>): Tracker {
  const tracker = { settled: false, error: undefined as unknown };
  promise.then(
    () => tracker.settled = true,
    (e) => {
      tracker.settled = true;
      tracker.error = e;
    },
  );
  return tracker;
}

/**
 * Whether `promise` settles (resolves or rejects) within one macrotask turn:
 * `false` means it is blocked.
 *
 * @param promise The promise to watch.
 * @returns Whether it settled.
 */
export async function settlesNow(promise: Promise<unknown>): Promise<boolean> {
  const tracker = track(promise);
  await flush();
  return tracker.settled;
}
