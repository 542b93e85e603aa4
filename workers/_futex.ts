// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Async waits on the futex words of the shared primitives: the one registry
 * every shared type uses (channels' blocked operations and selects, mutex,
 * wait group, once, semaphore, context).
 *
 * `Atomics.waitAsync` alone is not enough in Deno: a `waitAsync` woken by a
 * `notify` from its own thread is served only on a later turn of the event
 * loop, or never if nothing else keeps the loop alive. So every async wait
 * is registered here under its primitive's `ID` word and the word's index,
 * and a primitive that wakes its sleepers calls {@linkcode wakeHere} besides
 * `Atomics.notify`. Each thread keeps at most one `Atomics.waitAsync` per
 * (primitive, word), shared by all of this thread's waits on that word, so
 * a loop over a word that rarely changes does not pile up pending waits.
 *
 * A pending `waitAsync` may be for an older value of the word than a new
 * registration expects. It still fires on the next `notify` of the word
 * (a `notify` wakes every waiter on the address, whatever value it waited
 * for), which is why the primitives always wake every sleeper (`notify`
 * without a count): a count-limited notify could be taken by that stale
 * waiter. Callbacks run at most once per registration and may run
 * spuriously; callers re-check their words.
 *
 * A runtime worker's processor loop defers the `Atomics.waitAsync`s
 * ({@linkcode deferWaits}): while it runs, it polls the words of the
 * waits itself ({@linkcode pollWords}), which wakes a goroutine of the
 * worker microseconds after another thread's change, where `waitAsync`
 * takes tens of microseconds; before the thread returns to its event loop
 * it arms them ({@linkcode armWaits}). A wait registered while the thread
 * is in its event loop is armed at once, and tells the loop
 * ({@linkcode onWaitWhileIdle}).
 *
 * Any other thread (the main thread, a plain worker) polls the same way
 * for a moment after a wait is registered: for up to `POLL_MAX_MS`, a
 * microtask turn per poll, it runs the waits whose word changed, and only
 * then puts out the `Atomics.waitAsync`s of those left. A wait that
 * another thread ends within microseconds (a ping-pong's next value) is
 * served without the trip through the event loop; a longer one costs the
 * thread that poll's CPU once, and its timers and I/O wait that long at
 * most. The budget adapts: it shrinks while polls time out.
 *
 * | registry entry | meaning |
 * | --- | --- |
 * | key `id * 64 + index` | one futex word of one primitive (`index` < 64) |
 * | `pending` | this thread has an `Atomics.waitAsync` out on that word |
 * | `first`, `firstValue` | the oldest of this thread's waits on the word (each run once), and the value it expects; undefined if none |
 * | `more` | the younger waits, oldest first, each with its value (null until a second wait comes): most words have one wait, which then costs no `Map` |
 * | `same` | the value all its waits expect, NaN if they differ: a poll that finds the word still there skips the entry |
 * | `words`, `index` | the word, for polling and for arming a deferred wait |
 */

import { outsideWaitEnded, outsideWaitStarted } from "../_parking.ts";
import { notedWait } from "../_wait_notes.ts";
import { PollBudget } from "./_poll_budget.ts";

interface Entry {
  pending: boolean;
  /**
   * The oldest wait's callback, and the value it expects the word to
   * leave; set only while `more` is empty, so it is older than all there.
   */
  first: (() => void) | undefined;
  firstValue: number;
  /** The other waits' callbacks, oldest first, each with its value. */
  more: Map<() => void, number> | null;
  /** The value every callback expects, or NaN if they differ. */
  same: number;
  readonly words: Int32Array;
  readonly index: number;
}

/**
 * How long a thread that is not a runtime worker polls the words of new
 * waits before it arms their `Atomics.waitAsync`, in ms, at most and at
 * least; and how many polls go between two looks at the clock. The budget
 * adapts (see {@linkcode pollBriefly}).
 */
const POLL_MAX_MS = 0.05;
const POLL_MIN_MS = 0.002;
const CHECK_EVERY = 8;
/** Every this many polls, one probes with the whole budget. */
const PROBE_EVERY = 64;
/**
 * Longest stretch of polls, in ms, before a wait is left to the event
 * loop again, so that timers and I/O are served.
 */
const YIELD_MS = 4;
/**
 * Whether the stretch of polls begun at `stretchStart` has lasted
 * `YIELD_MS`: it stays over until the event loop serves a `waitAsync`,
 * so {@linkcode mayPoll} reads no clock meanwhile.
 */
let stretchOver = false;
/** The budget of {@linkcode pollBriefly}. */
const budget = new PollBudget(POLL_MIN_MS, POLL_MAX_MS, PROBE_EVERY);
/**
 * When the polls began since the event loop last served a `waitAsync`
 * (which shows it has turned), or -1: the next poll starts a stretch.
 */
let stretchStart = -1;

const entries = new Map<number, Entry>();
/**
 * Whether the processor loop, or this module's own poll (on a thread
 * without one), polls the words and arms the waits itself.
 */
let deferring = false;
/** Whether this module's own poll runs ({@linkcode pollBriefly}). */
let polling = false;
/** Entries with a wait and no `waitAsync` out, while deferring. */
let unarmed = 0;
let idleListener: (() => void) | undefined;

function key(id: number, index: number): number {
  return id * 64 + index;
}

/**
 * A random non-zero 31-bit number: the `ID` word of a new primitive, under
 * which this registry finds its waits.
 */
export function newId(): number {
  return ((Math.random() * 0x7fffffff) | 0) + 1;
}

/**
 * Calls `callback` once `words[index]` may no longer hold `expected`: on a
 * `notify` of the word from any thread, or a {@linkcode wakeHere} on this
 * one. Returns false, registering nothing, if the word already differs.
 */
export function watchWord(
  words: Int32Array,
  index: number,
  id: number,
  expected: number,
  callback: () => void,
): boolean {
  if (Atomics.load(words, index) !== expected) return false;
  const k = key(id, index);
  let entry = entries.get(k);
  if (entry === undefined) {
    entry = {
      pending: false,
      first: undefined,
      firstValue: 0,
      more: null,
      same: NaN,
      words,
      index,
    };
    entries.set(k, entry);
  }
  if (waits(entry) === 0) entry.same = expected;
  else if (entry.same !== expected) entry.same = NaN;
  addWait(entry, callback, expected);
  let t: number;
  if (deferring) {
    if (!entry.pending) unarmed++;
  } else if (idleListener !== undefined) {
    if (!entry.pending) {
      arm(k, entry);
      idleListener();
    }
  } else if ((t = mayPoll()) < 0) {
    if (!entry.pending) arm(k, entry);
  } else {
    // Polled even if a `waitAsync` is out on the word: it may be one
    // already notified, whose callback waits for the event loop.
    if (!entry.pending) unarmed++;
    deferring = polling = true;
    void pollBriefly(t);
  }
  return true;
}

/** How many waits an entry holds. */
function waits(entry: Entry): number {
  return (entry.first === undefined ? 0 : 1) +
    (entry.more === null ? 0 : entry.more.size);
}

/** Adds (or, if it is there, updates) a wait of an entry. */
function addWait(entry: Entry, callback: () => void, expected: number): void {
  if (entry.first === callback) {
    entry.firstValue = expected;
  } else if (
    entry.first === undefined && (entry.more === null || entry.more.size === 0)
  ) {
    entry.first = callback;
    entry.firstValue = expected;
  } else (entry.more ??= new Map()).set(callback, expected);
}

/** Removes a wait of an entry, if it is there. */
function deleteWait(entry: Entry, callback: () => void): void {
  if (entry.first === callback) entry.first = undefined;
  else entry.more?.delete(callback);
}

/**
 * The poll of a thread that has no processor loop: runs the waits whose
 * word changes, a microtask turn per poll, until no wait has run for the
 * budget or none is left, then arms the `Atomics.waitAsync` of those left
 * (see the module doc). After `YIELD_MS` of polls, new waits are left to
 * `waitAsync` until the event loop has served one, so timers and I/O
 * keep being served through a long fast ping-pong. The budget
 * (`PollBudget`, between `POLL_MIN_MS` and `POLL_MAX_MS`, the whole of it
 * every `PROBE_EVERY`th poll) doubles after a poll in which a wait ran,
 * and halves after one in which none did: a thread whose waits are long,
 * or whose peers do not get a core while it spins (a loaded machine),
 * soon stops spending CPU on them. (A wait left to `waitAsync` cannot
 * tell how late it came: the event loop's turn adds tens of µs.)
 */
async function pollBriefly(start: number): Promise<void> {
  const ms = budget.begin();
  let until = start + ms;
  let ran = false;
  let hit = false;
  if (stretchStart < 0) stretchStart = start;
  for (let polls = 1;; polls++) {
    await null;
    if (!polling) return;
    if (pollWords() > 0) ran = hit = true;
    if (!anyWait()) break;
    if (polls % CHECK_EVERY !== 0) continue;
    const t = performance.now();
    // A waitAsync served meanwhile showed the event loop has turned.
    if (stretchStart < 0) stretchStart = t;
    else if (t - stretchStart >= YIELD_MS) break;
    if (hit) {
      hit = false;
      until = t + ms;
    } else if (t >= until) break;
  }
  if (ran) budget.hit(0); // doubles
  else budget.missed();
  polling = false;
  armWaits();
}

/**
 * Whether this thread's own poll of the words of its waits runs now
 * ({@linkcode pollBriefly}, on a thread without a processor loop): a
 * wait of it is expected to end within microseconds, so another poll of
 * the thread (the runtime's poll for a task's result) may go on polling
 * meanwhile at little cost, where it would otherwise give up.
 */
export function pollingWaits(): boolean {
  return polling;
}

/** Whether this thread has a wait on some word. */
function anyWait(): boolean {
  for (const entry of entries.values()) {
    if (waits(entry) > 0) return true;
  }
  return false;
}

/** Puts out the `Atomics.waitAsync` of an entry that has none. */
function arm(k: number, entry: Entry): void {
  let expected = Atomics.load(entry.words, entry.index);
  // A wait whose value is gone is due now; sleep on the current value.
  if (entry.first !== undefined && entry.firstValue !== expected) {
    expected = NaN;
  } else if (entry.more !== null) {
    for (const value of entry.more.values()) {
      if (value !== expected) {
        expected = NaN;
        break;
      }
    }
  }
  entry.pending = true;
  const fire = () => {
    entry.pending = false;
    run(k, entry);
  };
  if (expected !== expected) {
    queueMicrotask(fire);
    return;
  }
  const r = Atomics.waitAsync(entry.words, entry.index, expected);
  if (r.async) {
    r.value.then(() => {
      stretchStart = -1; // the event loop has turned
      stretchOver = false;
      fire();
    });
  } else queueMicrotask(fire);
}

/**
 * Whether a thread without a processor loop may poll for a new wait now:
 * the time, to start the poll's budget from, or -1 if it may not.
 */
function mayPoll(): number {
  if (stretchOver) return -1;
  const t = performance.now();
  if (stretchStart < 0) stretchStart = t;
  if (t - stretchStart < YIELD_MS) return t;
  stretchOver = true;
  return -1;
}

/**
 * Makes this thread's processor loop the waker of its waits: from now on
 * a new wait puts out no `Atomics.waitAsync` while the loop runs
 * (between {@linkcode armWaits} and the next {@linkcode deferWaits});
 * `listener` is called when a wait is registered while it does not.
 */
export function onWaitWhileIdle(listener: () => void): void {
  idleListener = listener;
  polling = false;
}

/** The loop runs again: defer new waits' `Atomics.waitAsync`. */
export function deferWaits(): void {
  deferring = true;
}

/**
 * The loop goes back to its event loop: puts out the `Atomics.waitAsync`
 * of every deferred wait, and stops deferring until {@linkcode deferWaits}.
 */
export function armWaits(): void {
  deferring = false;
  if (unarmed === 0) return;
  unarmed = 0;
  for (const [k, entry] of entries) {
    if (!entry.pending && waits(entry) > 0) {
      arm(k, entry);
    }
  }
}

/**
 * Sleeps the thread, with `Atomics.wait`, until a word this thread's waits
 * watch is notified, or for `ms` at most (a tenth of it when they watch
 * several words: the others are not seen until the next poll). Returns
 * false at once, sleeping not, if there are no waits.
 */
export function sleepOnWords(ms: number): boolean {
  let first: Entry | undefined;
  let several = false;
  for (const entry of entries.values()) {
    if (waits(entry) === 0) continue;
    if (first !== undefined) {
      several = true;
      break;
    }
    first = entry;
  }
  if (first === undefined) return false;
  const expected = first.first !== undefined
    ? first.firstValue
    : first.more!.values().next().value!;
  Atomics.wait(first.words, first.index, expected, several ? ms / 10 : ms);
  return true;
}

/**
 * Runs, now, this thread's waits whose word no longer holds the value
 * each expects; returns how many ran. A `waitAsync` out on such a word
 * stays out while other waits remain (it fires on the word's next
 * `notify`, spuriously), and is ended with a `notify` when none does.
 */
export function pollWords(): number {
  let ran = 0;
  for (const [k, entry] of entries) {
    if (waits(entry) === 0) continue;
    const now = Atomics.load(entry.words, entry.index);
    if (now === entry.same) continue;
    const first = entry.first !== undefined && entry.firstValue !== now
      ? entry.first
      : undefined;
    let due: (() => void)[] | undefined;
    if (entry.more !== null) {
      for (const [cb, value] of entry.more) {
        if (value !== now) (due ??= []).push(cb);
      }
    }
    if (first === undefined && due === undefined) continue;
    if (first !== undefined) entry.first = undefined;
    if (due !== undefined) { for (const cb of due) entry.more!.delete(cb); }
    endIdleWait(entry);
    forget(k, entry);
    if (first !== undefined) {
      ran++;
      runOne(first);
    }
    if (due !== undefined) {
      ran += due.length;
      runEach(due);
    }
  }
  return ran;
}

/**
 * Calls each callback; one that throws does not keep the others from
 * running, and its error is thrown again in a microtask (uncaught, as it
 * would be from a `waitAsync`'s continuation), never swallowed.
 */
function runEach(callbacks: readonly (() => void)[]): void {
  for (const cb of callbacks) runOne(cb);
}

/** Calls `callback`; an error it throws is thrown again in a microtask. */
function runOne(callback: () => void): void {
  try {
    callback();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

/** Removes a callback registered with {@linkcode watchWord}, if still there. */
export function unwatchWord(
  id: number,
  index: number,
  callback: () => void,
): void {
  removeWait(id, index, callback, false);
}

/**
 * Removes a callback registered with {@linkcode watchWord} for good: the
 * wait it belonged to is over (a select decided by another case, an
 * aborted wait). If it was this thread's last wait on the word, the
 * pending `Atomics.waitAsync` is ended with a `notify` of the word: a
 * `waitAsync` that is never notified keeps its `SharedArrayBuffer` (and
 * this registry's entry) alive, so a dropped channel that nobody notifies
 * again would never be collected. The `notify` wakes the word's waiters on
 * other threads too; for them it is a spurious wake-up, which they
 * re-check (see the module doc).
 */
export function releaseWord(
  id: number,
  index: number,
  callback: () => void,
): void {
  removeWait(id, index, callback, true);
}

/** Removes `callback`'s wait on the word; `release` as {@linkcode releaseWord}. */
function removeWait(
  id: number,
  index: number,
  callback: () => void,
  release: boolean,
): void {
  const k = key(id, index);
  const entry = entries.get(k);
  if (entry === undefined) return;
  deleteWait(entry, callback);
  if (release) endIdleWait(entry);
  forget(k, entry);
}

/**
 * Ends, with a `notify` of its word, the pending `waitAsync` of an entry
 * that has no wait left: one never notified keeps its buffer alive (see
 * {@linkcode releaseWord}).
 */
function endIdleWait(entry: Entry): void {
  if (entry.pending && waits(entry) === 0) {
    Atomics.notify(entry.words, entry.index);
  }
}

/**
 * How many `Atomics.waitAsync` calls this thread has pending: one per word
 * that some wait of this thread is on, or was on until it was released and
 * the `notify` has not been served yet (for the leak check,
 * `bench/select_leak.ts`).
 */
export function pendingWaits(): number {
  let n = 0;
  for (const entry of entries.values()) if (entry.pending) n++;
  return n;
}

/** Runs, in a microtask, this thread's waits on a word that changed. */
export function wakeHere(id: number, index: number): void {
  const k = key(id, index);
  const entry = entries.get(k);
  if (entry !== undefined && waits(entry) > 0) {
    queueMicrotask(() => run(k, entry));
  }
}

/** Runs every wait of an entry, oldest first. */
function run(k: number, entry: Entry): void {
  const first = entry.first;
  const more = entry.more;
  let rest: (() => void)[] | null = null;
  entry.first = undefined;
  if (more !== null && more.size > 0) {
    rest = [...more.keys()];
    more.clear();
  }
  forget(k, entry);
  if (first !== undefined) runOne(first);
  if (rest !== null) runEach(rest);
}

/**
 * Drops an entry with no callbacks and no pending wait, if it is still the
 * one registered under `k` (a late run may find a newer one there).
 */
function forget(k: number, entry: Entry): void {
  if (
    !entry.pending && waits(entry) === 0 && entries.get(k) === entry
  ) entries.delete(k);
}

/**
 * Resolves once `words[index]` may no longer hold `value` (see
 * {@linkcode watchWord}), or `signal` aborts. Callers re-check the word (and
 * the signal) and loop. While it is pending the wait counts, for the
 * deadlock detector, as one that another thread may end, and for the
 * runtime's goroutine dump as a wait on `reason` (Go's words).
 */
export function waitChange(
  words: Int32Array,
  index: number,
  value: number,
  id: number,
  signal: AbortSignal | undefined,
  reason: string,
): Promise<void> {
  return notedWait(
    new Promise<void>((resolve) => {
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        releaseWord(id, index, done);
        signal?.removeEventListener("abort", done);
        outsideWaitEnded();
        resolve();
      };
      if (!watchWord(words, index, id, value, done)) {
        resolve();
        return;
      }
      outsideWaitStarted();
      signal?.addEventListener("abort", done, { once: true });
    }),
    reason,
    id,
  );
}
