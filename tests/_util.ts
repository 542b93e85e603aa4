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

import assert from "node:assert/strict";
import process from "node:process";

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

/**
 * Asserts that `count` of `trials` Bernoulli(p) draws is within six standard
 * deviations of its mean: a bound a fair choice misses about once in 10^9
 * runs, and a bias of a few percent over thousands of trials does not.
 *
 * @param count How many draws came out true.
 * @param trials How many draws there were.
 * @param p The probability of each draw.
 * @param what What is being counted, for the message.
 */
export function assertBinomial(
  count: number,
  trials: number,
  p: number,
  what: string,
): void {
  const mean = trials * p;
  const sigma = Math.sqrt(trials * p * (1 - p));
  assert(
    Math.abs(count - mean) <= 6 * sigma,
    `${what}: ${count} of ${trials}, expected ${mean} ± ${6 * sigma}`,
  );
}

/**
 * Resolves once `ready()` holds, looking once per timer turn: for a state
 * another thread reaches (a runtime worker, a plain worker), which no
 * promise of this thread announces.
 *
 * @param ready The condition to wait for.
 */
export async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 1));
}

/**
 * This process's CPU time (user + system) over one second of waiting, in
 * ms: for the checks that an idle runtime uses no CPU, against the same
 * figure taken before it starts.
 *
 * With `under`, it measures up to three seconds and gives the first that
 * took less than `under` ms, else the lowest: a burst the runtime did not
 * cause (an earlier test's garbage collected, a worker's exit) does not
 * fail the check, while a runtime that spins fails all three.
 */
export async function idleSecondCpuMs(under?: number): Promise<number> {
  let lowest = Infinity;
  for (let i = 0; i < (under === undefined ? 1 : 3); i++) {
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const used = process.cpuUsage(before);
    lowest = Math.min(lowest, (used.user + used.system) / 1000);
    if (lowest < (under ?? Infinity)) break;
  }
  return lowest;
}

/**
 * Runs a command and resolves with its stdout, trimmed; fails the test with
 * its stderr if it exits non-zero. For temporary files in tests, which run
 * with --allow-run but not --allow-write (`mktemp`, `touch`, `rm`).
 */
export async function sh(command: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  assert.equal(out.code, 0, `${command} failed: ${decoder.decode(out.stderr)}`);
  return decoder.decode(out.stdout).trim();
}

/**
 * Runs a memory bench script (`bench/select_leak.ts`, `bench/abort_leak.ts`)
 * in a child process with the GC exposed and `--json`, and resolves with
 * the result it prints last.
 */
export async function runHeapBench<T>(
  script: URL,
  ...args: string[]
): Promise<T> {
  const out = await sh(
    Deno.execPath(),
    "run",
    "--v8-flags=--expose-gc",
    script.pathname,
    "--json",
    ...args,
  );
  return JSON.parse(out.split("\n").at(-1)!) as T;
}
