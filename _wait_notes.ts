// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Wait notes: how a blocked operation tells the multi-worker runtime what
 * the task that called it now waits on, for the runtime's goroutine dump.
 *
 * The runtime sets a {@linkcode WaitNoter} in each of its workers; nothing
 * sets one elsewhere, where a blocked operation pays one `null` check. Both
 * tiers' primitives call {@linkcode noteWait} when an operation blocks (a
 * tier-1 park, a shared channel's queued operation, a shared select or
 * lock wait) and call what it returns once the operation is over, however
 * it ends.
 */

/**
 * Notes that the running task waits on `reason` (Go's words: `"chan
 * receive"`, `"select"`, `"sync.Mutex.Lock"`) of the shared primitive whose
 * `ID` word is `id` (0 for a tier-1 one, or a select); returns what ends
 * the note, or undefined when no task is running.
 */
export type WaitNoter = (
  reason: string,
  id: number,
) => (() => void) | undefined;

let noter: WaitNoter | null = null;

/** Installs the runtime worker's noter (null removes it). */
export function setWaitNoter(n: WaitNoter | null): void {
  noter = n;
}

/**
 * Notes that the caller's task waits on `reason` of shared primitive `id`
 * (0 for none); returns what ends the note, or undefined when nothing
 * takes notes.
 */
export function noteWait(
  reason: string,
  id: number,
): (() => void) | undefined {
  return noter === null ? undefined : noter(reason, id);
}

/**
 * {@linkcode noteWait} for `op.reason`, read only when something takes
 * notes (the reason of a tier-1 parked operation is a getter).
 */
export function noteParked(
  op: { readonly reason: string },
): (() => void) | undefined {
  return noter === null ? undefined : noter(op.reason, 0);
}

/**
 * `promise`, noted as a wait on `reason` of shared primitive `id` until it
 * settles; `promise` itself when nothing takes notes. The result settles as
 * `promise` does, so a rejection nobody handles is still reported.
 */
export function notedWait<T>(
  promise: Promise<T>,
  reason: string,
  id: number,
): Promise<T> {
  const end = noter === null ? undefined : noter(reason, id);
  if (end === undefined) return promise;
  return promise.then((value) => {
    end();
    return value;
  }, (error) => {
    end();
    throw error;
  });
}
