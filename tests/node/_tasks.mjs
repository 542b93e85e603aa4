// Copyright the denogo authors. MIT license.
// Task functions for the Node/Bun runtime tests, importing the npm build.

import { spawn } from "../../npm/runtime/mod.js";

function fibSeq(n) {
  return n < 2 ? n : fibSeq(n - 1) + fibSeq(n - 2);
}

/** Fork-join Fibonacci: spawns a child per call above `cutoff`. */
export async function fib(n, cutoff) {
  if (n <= cutoff) return fibSeq(n);
  const a = spawn(fib, n - 1, cutoff);
  const b = spawn(fib, n - 2, cutoff);
  return (await a) + (await b);
}

/** Ends its worker with an uncaught error. */
export function crash() {
  setTimeout(() => {
    throw new Error("boom");
  });
  return new Promise(() => {});
}
