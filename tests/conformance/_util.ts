// Copyright the denogo authors. MIT license.

/**
 * Helpers shared by the Go conformance ports.
 *
 * The deterministic stand-in for Go's "this blocks" checks, which Go's
 * tests make with `time.Sleep`: one macrotask turn runs only after the
 * microtask queue is empty, so any goroutine that could still make progress
 * without a timer or I/O has done so by then. A promise still pending after
 * it is blocked.
 *
 * @module
 */

/** Waits one macrotask turn: every microtask queued so far has run. */
export function flushMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Reports whether `promise` settles (resolves or rejects) before one
 * macrotask turn is over. `false` means it is blocked.
 */
export async function settlesNow(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => settled = true,
    () => settled = true,
  );
  await flushMacrotask();
  return settled;
}

/**
 * Adds `goroutine` to `goroutines`, the list {@linkcode settleAll} reads.
 * It counts as handled at once: a goroutine started after settleAll's
 * last look, which fails before settleAll looks again (a turn of the event
 * loop later), is not an unhandled rejection; settleAll still reports it.
 */
export function track(
  goroutines: Promise<unknown>[],
  goroutine: Promise<unknown>,
): void {
  goroutine.catch(() => {});
  goroutines.push(goroutine);
}

/**
 * Waits until every goroutine in `goroutines` has settled, including those
 * pushed onto the list while waiting (goroutines that start goroutines),
 * and returns their outcomes.
 */
export async function settleAll(
  goroutines: Promise<unknown>[],
): Promise<PromiseSettledResult<unknown>[]> {
  let results: PromiseSettledResult<unknown>[];
  do {
    results = await Promise.allSettled(goroutines.slice());
  } while (results.length < goroutines.length);
  return results;
}
