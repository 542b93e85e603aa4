// Copyright the denogo authors. MIT license.
// Task functions for the Node/Bun runtime tests, importing the npm build.

import { spawn, taskSignal } from "../../npm/runtime/mod.js";

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

/** Echoes any value node:v8 can copy. */
export function echo(value) {
  return value;
}

/** Never settles, and ignores its signal. */
export function hang() {
  return new Promise(() => {});
}

/**
 * Posts "started" on the BroadcastChannel `channel`, waits until its
 * signal aborts, then posts "cancelled".
 */
export function waitForCancel(channel) {
  const signal = taskSignal();
  const bc = new BroadcastChannel(channel);
  bc.postMessage("started");
  return new Promise((resolve) => {
    signal.addEventListener("abort", () => {
      bc.postMessage("cancelled");
      bc.close();
      resolve("cancelled");
    }, { once: true });
  });
}

/**
 * Spawns `waitForCancel(channel)` after an await (so the child finds its
 * parent through node:async_hooks' AsyncLocalStorage) and waits for it.
 */
export async function spawnAfterAwait(channel) {
  await null;
  return await spawn(waitForCancel, channel);
}
