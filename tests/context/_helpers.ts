// Copyright the denogo authors. MIT license.

/**
 * Helpers shared by the context tests.
 *
 * @module
 */

import type { Context } from "../../context/mod.ts";

/**
 * Whether `ctx.done()` is closed now: Go's
 * `select { case <-ctx.Done(): return true; default: return false }`.
 */
export function isDone(ctx: Context): boolean {
  return ctx.done().tryReceive().state === "closed";
}

/**
 * A Context that is not one of the context module's own types: Go's
 * `otherContext{ctx}`, which embeds a Context and so forwards every method.
 */
export function otherContext(ctx: Context): Context {
  return {
    done: () => ctx.done(),
    err: () => ctx.err(),
    deadline: () => ctx.deadline(),
    value: (key: unknown) => ctx.value(key),
    get signal() {
      return ctx.signal;
    },
  } as Context;
}

/** Waits one macrotask turn: every microtask queued so far has run. */
export function flushMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A small seeded PRNG (mulberry32), so a failing layout can be replayed. */
export function seededRandom(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}
