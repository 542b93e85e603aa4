// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The task module of the runtime's doc examples, standing for a module of
 * yours: the runtime loads it in its workers. (It imports `./mod.ts`; your
 * module imports `@denogo/go/runtime`.)
 *
 * @module
 */

import { spawn, taskSignal } from "./mod.ts";
import type { SharedChannel } from "../workers/mod.ts";

/** x². */
export function square(x: number): number {
  return x * x;
}

function fibSeq(n: number): number {
  return n < 2 ? n : fibSeq(n - 1) + fibSeq(n - 2);
}

/** Fork-join Fibonacci: a child task per call above 20. */
export async function fib(n: number): Promise<number> {
  if (n < 20) return fibSeq(n);
  const [a, b] = await Promise.all([spawn(fib, n - 1), spawn(fib, n - 2)]);
  return a + b;
}

/** Resolves with "done" after `ms`, or rejects when the task is cancelled. */
export function slow(ms: number): Promise<string> {
  const signal = taskSignal();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve("done"), ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

/** Sends 1..n on `out`, then closes it. */
export async function count(out: SharedChannel<number>, n: number) {
  for (let i = 1; i <= n; i++) await out.send(i);
  out.close();
}
