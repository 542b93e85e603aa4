// Copyright the denogo authors. MIT license.
// The task module of the packaged program (`main.ts`).

import { spawn } from "../../../runtime/mod.ts";

function fibSeq(n: number): number {
  return n < 2 ? n : fibSeq(n - 1) + fibSeq(n - 2);
}

/** Fork-join Fibonacci: spawns a child per call above `cutoff`. */
export async function fib(n: number, cutoff: number): Promise<number> {
  if (n <= cutoff) return fibSeq(n);
  const [a, b] = await Promise.all([
    spawn(fib, n - 1, cutoff),
    spawn(fib, n - 2, cutoff),
  ]);
  return a + b;
}
