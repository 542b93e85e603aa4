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

/**
 * Reports whether `promise` settles (resolves or rejects) within one
 * macrotask turn. `false` means it is blocked. A rejection is observed here,
 * so it is not reported as unhandled; await `promise` later to see it.
 *
 * @param promise The promise to watch.
 * @returns Whether it settled.
 */
export async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true, () => done = true);
  await flush();
  return done;
}
