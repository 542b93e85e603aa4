// Copyright the denogo authors. MIT license.

/**
 * Preemption: Go's 10 ms time slice for goroutines that never block.
 *
 * An awaited operation that completes at once resolves in a microtask, so a
 * loop of them (a ping-pong, a `select` with `default`, `yieldNow()`) never
 * lets the event loop run: timers, I/O and a context's timeout starve. Go
 * preempts such a loop after 10 ms; here, every operation that completes at
 * once asks {@linkcode preemptDue}, and when microtasks have run for more
 * than a slice since the event loop last ran, the operation resolves after
 * one macrotask turn ({@linkcode afterTurn}) instead of at once.
 *
 * How "since the event loop last ran" is known, cheaply:
 *
 * | state        | meaning                                                    |
 * | ------------ | ---------------------------------------------------------- |
 * | `countdown`  | operations left before the next clock read                 |
 * | `period`     | operations between clock reads, adapted (1 to 2048) so     |
 * |              | that a busy loop reads the clock about every `CHECK_MS`    |
 * | `checks`     | clock reads since one of our macrotasks last ran, and      |
 * | `firstCheck` | the time of the first of them                              |
 * | `probe`      | a macrotask of ours is queued, since `sliceStart`          |
 *
 * - The fast path is one decrement and a compare; `performance.now()`
 *   (hundreds of ns in Deno) is read once per `period` operations.
 * - After a few clock reads spread over `PROBE_AFTER_MS` without seeing a
 *   turn, a probe macrotask is queued. While it is pending the event loop
 *   has not run since `sliceStart`; once that is a slice ago, preemption is
 *   due. When it runs (or a preemption turn runs), a new slice starts. A
 *   short program or test never queues one.
 * - The probe and the turns use `setImmediate` where it exists (Deno, Node,
 *   Bun: ~5 µs, an expired timer runs in the same turn, and Deno's test
 *   sanitizers do not count it, unlike a timer or a `MessagePort`), else a
 *   `MessageChannel` message (browsers), else `setTimeout(0)`. It is looked
 *   up at the first probe, not at load: in Deno the first look-up loads Node
 *   compatibility (a few ms, once). Deno's `MessageChannel` is not used: its
 *   messages are delivered ~128 at a time before timers run.
 * - Probes and turns are queued from a microtask, never inside an
 *   operation: the first look-up of `setImmediate` can run queued
 *   microtasks on the spot.
 * - Bound: a slice ends at the first clock read after 10 ms; with `period`
 *   at its cap, that is up to 2048 operations after, so a loop whose
 *   iterations suddenly grow from nanoseconds to a millisecond may run a
 *   while longer before its first turn.
 *
 * @module
 */

/** Go's time slice (`forcePreemptNS` in runtime/proc.go). */
export const SLICE_MS = 10;
/** A busy loop reads the clock about this often. */
const CHECK_MS = 0.5;
const MAX_PERIOD = 2048;
/** Arm a probe only after this long, and this many clock reads, without a turn seen. */
const PROBE_AFTER_MS = 2;
const PROBE_AFTER_CHECKS = 4;

let countdown = 1;
let period = 1;
let lastCheck = 0;
/** Clock reads since a turn was last seen, and the time of the first. */
let checks = 0;
let firstCheck = 0;
let probe = false;
let probeQueued = false;
let sliceStart = 0;

/**
 * Whether the caller, an awaited operation that completed at once, should
 * resolve after a macrotask turn: microtasks have run for more than a slice
 * since the event loop last ran. Cheap enough for every operation.
 */
export function preemptDue(): boolean {
  if (--countdown > 0) return false;
  return checkClock();
}

function checkClock(): boolean {
  const now = performance.now();
  const elapsed = now - lastCheck;
  lastCheck = now;
  if (elapsed < CHECK_MS / 2) {
    if (period < MAX_PERIOD) period *= 2;
  } else if (elapsed > CHECK_MS * 2) {
    period = Math.max(1, Math.floor(period * CHECK_MS / elapsed));
  }
  countdown = period;
  if (probe) return now - sliceStart > SLICE_MS;
  if (checks++ === 0) firstCheck = now;
  if (
    checks >= PROBE_AFTER_CHECKS && now - firstCheck >= PROBE_AFTER_MS &&
    !probeQueued
  ) {
    probeQueued = true;
    queueMicrotask(armProbe);
  }
  return false;
}

function armProbe(): void {
  probeQueued = false;
  if (probe) return;
  probe = true;
  sliceStart = performance.now();
  (schedule ??= pickScheduler())(turnSeen);
}

/** The event loop ran a macrotask of ours: a new slice starts. */
function turnSeen(): void {
  probe = false;
  checks = 0;
}

let schedule: ((fn: () => void) => void) | undefined;
let waiting: (() => void)[] = [];

function flush(): void {
  turnSeen();
  const run = waiting;
  waiting = [];
  for (const resolve of run) resolve();
}

function queueTurn(): void {
  (schedule ??= pickScheduler())(flush);
}

/**
 * Resolves with `value` after one macrotask turn, so timers and I/O that
 * are due run first. Turns asked for together share one macrotask.
 */
export function afterTurn<T>(value: T): Promise<T> {
  return new Promise<T>((resolve) => {
    if (waiting.push(() => resolve(value)) === 1) queueMicrotask(queueTurn);
  });
}

function pickScheduler(): (fn: () => void) => void {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (typeof g.setImmediate === "function") {
    const setImmediate = g.setImmediate as (fn: () => void) => void;
    return (fn) => setImmediate(fn);
  }
  if (typeof g.MessageChannel === "function" && g.Deno === undefined) {
    const channel = new MessageChannel();
    let queued: (() => void) | null = null;
    channel.port1.onmessage = () => {
      const fn = queued!;
      queued = null;
      fn();
    };
    // A referenced port would keep the process alive.
    (channel.port1 as { unref?: () => void }).unref?.();
    (channel.port2 as { unref?: () => void }).unref?.();
    return (fn) => {
      queued = fn;
      channel.port2.postMessage(null);
    };
  }
  return (fn) => setTimeout(fn, 0);
}
