// Copyright the denogo authors. MIT license.
// Task functions for the runtime tests: the runtime loads this module in
// its workers.

import { go } from "../../scheduler.ts";
import { spawn, taskSignal, workerIndex } from "../../runtime/mod.ts";
import type { SharedChannel } from "../../workers/mod.ts";

/** x + 1: the tiny task. */
export function inc(x: number): number {
  return x + 1;
}

/** Sums its arguments. */
export function add(a: number, b: number): number {
  return a + b;
}

/** Echoes any structured-clonable value. */
export function echo<T>(value: T): T {
  return value;
}

/** Greets by name (a string result). */
export function greet(name: string): string {
  return `hello, ${name}`;
}

/** The worker index that runs it. */
export function where(): number {
  return workerIndex();
}

function fibSeq(n: number): number {
  return n < 2 ? n : fibSeq(n - 1) + fibSeq(n - 2);
}

/** Fork-join Fibonacci: spawns a child per call above `cutoff`. */
export async function fib(n: number, cutoff: number): Promise<number> {
  if (n <= cutoff) return fibSeq(n);
  const a = spawn(fib, n - 1, cutoff);
  const b = spawn(fib, n - 2, cutoff);
  return (await a) + (await b);
}

/** Busy-loops for `ms` milliseconds; returns the worker index. */
export function burn(ms: number): number {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
  return workerIndex();
}

/** Skewed load: one task spawns `n` children that each burn `ms`. */
export async function fanOut(n: number, ms: number): Promise<number[]> {
  const children: Promise<number>[] = [];
  for (let i = 0; i < n; i++) children.push(spawn(burn, ms));
  return await Promise.all(children);
}

/** Spawns `depth` levels of nested children; returns how many ran. */
export async function nest(depth: number, width: number): Promise<number> {
  if (depth === 0) return 1;
  const children: Promise<number>[] = [];
  for (let i = 0; i < width; i++) children.push(spawn(nest, depth - 1, width));
  let total = 1;
  for (const count of await Promise.all(children)) total += count;
  return total;
}

/** Throws an error with a cause. */
export function fail(message: string): never {
  throw new RangeError(message, { cause: new Error("root cause") });
}

/** Rejects after an await. */
export async function failLater(message: string): Promise<never> {
  await null;
  throw new TypeError(message);
}

/** Waits until cancelled; resolves with the abort reason's name. */
export function waitForCancel(): Promise<string> {
  const signal = taskSignal();
  return new Promise((resolve) => {
    signal.addEventListener(
      "abort",
      () => resolve(String(signal.reason?.name)),
    );
  });
}

/** Kills its worker with self.close(). */
export function closeSelf(): Promise<never> {
  (globalThis as unknown as { close(): void }).close();
  return new Promise(() => {});
}

/** Kills its worker with an uncaught error. */
export function throwUncaught(): Promise<never> {
  setTimeout(() => {
    throw new Error("uncaught in worker");
  }, 0);
  return new Promise(() => {});
}

/** Crashes the first time it runs on a fresh worker (uses a global flag). */
export function crashOnce(key: string): string {
  const g = globalThis as unknown as Record<string, boolean>;
  const marker = `crashOnce:${key}`;
  // The first run in the process writes a file-less flag through env.
  if (!Deno.env.get(marker) && !g[marker]) {
    Deno.env.set(marker, "1");
    (globalThis as unknown as { close(): void }).close();
    return "never";
  }
  return "second run";
}

/** Sleeps `ms` then returns `value` (an async task that awaits a timer). */
export async function sleepy(ms: number, value: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return value;
}

/**
 * A node of a tree of tasks `depth` levels below it, `width` children per
 * node: posts "started" on the BroadcastChannel `channel` once it has
 * spawned its children, waits until its signal aborts, posts "cancelled",
 * then awaits its children. The first child is spawned in the synchronous
 * part, the others after an await.
 */
export async function cancelTree(
  channel: string,
  depth: number,
  width: number,
): Promise<string> {
  const signal = taskSignal();
  const aborted = new Promise<void>((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );
  const children: Promise<string>[] = [];
  if (depth > 0) children.push(spawn(cancelTree, channel, depth - 1, width));
  await null;
  for (let i = 1; i < width && depth > 0; i++) {
    children.push(spawn(cancelTree, channel, depth - 1, width));
  }
  const bc = new BroadcastChannel(channel);
  bc.postMessage("started");
  await aborted;
  bc.postMessage("cancelled");
  bc.close();
  const results = await Promise.allSettled(children);
  return results.every((r) =>
      r.status === "fulfilled" && r.value === "cancelled"
    )
    ? "cancelled"
    : "a child was not cancelled while running";
}

/**
 * Sends 1 on `ch` once its signal is watched, then 2 once it aborts;
 * returns "cancelled".
 */
export async function reportCancel(ch: SharedChannel<number>): Promise<string> {
  const signal = taskSignal();
  const aborted = new Promise<void>((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );
  await ch.send(1);
  await aborted;
  await ch.send(2);
  return "cancelled";
}

/**
 * Not an `async function`: for "value" returns 0; for "promise" a promise
 * of "no child"; for "child" a promise whose callback (after the task's
 * synchronous part) spawns `reportCancel(ch)` and resolves to its result.
 */
export function plainThenSpawn(
  mode: "value" | "promise" | "child",
  ch?: SharedChannel<number>,
): number | Promise<string> {
  if (mode === "value") return 0;
  return Promise.resolve().then(() =>
    mode === "child" ? spawn(reportCancel, ch!) : "no child"
  );
}

/**
 * Not an `async function`, and returns a plain value: for "value" 0; for
 * "go" 1, after starting a goroutine that, once the task has returned,
 * spawns `inc(41)` and sends the child's result on `ch`.
 */
export function plainThenGo(
  mode: "value" | "go",
  ch?: SharedChannel<number>,
): number {
  if (mode === "value") return 0;
  go(async () => {
    await null; // The task has returned by now.
    await ch!.send(await spawn(inc, 41));
  });
  return 1;
}

/**
 * Posts "started" on the BroadcastChannel `channel` (if given) and waits
 * for a "go" there: so the watcher knows this task runs, and the message
 * is out before the task blocks its worker.
 */
async function announce(channel?: string): Promise<void> {
  if (channel === undefined) return;
  const bc = new BroadcastChannel(channel);
  await new Promise<void>((resolve) => {
    bc.onmessage = (e: MessageEvent<string>) => {
      if (e.data === "go") resolve();
    };
    bc.postMessage("started");
  });
  bc.close();
}

/**
 * Announces itself on `channel`, then never returns: a synchronous endless
 * loop that no signal can stop.
 */
export async function spinForever(channel?: string): Promise<number> {
  await announce(channel);
  for (;;) {
    // busy
  }
}

/** Announces itself on `channel`, then never settles and ignores its signal. */
export async function ignoreCancel(channel?: string): Promise<never> {
  await announce(channel);
  return await new Promise<never>(() => {});
}

/**
 * Announces itself on `channel`, then busy-loops for `ms` without looking
 * at its signal; returns `value`.
 */
export async function burnIgnoring(
  channel: string,
  ms: number,
  value: number,
): Promise<number> {
  await announce(channel);
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
  return value;
}

/** Returns an object holding a class instance: refused as a result. */
export function echoClass(): unknown {
  class Point {
    constructor(readonly x: number) {}
  }
  return { p: new Point(1) };
}
