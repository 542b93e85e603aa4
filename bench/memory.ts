// Copyright the denogo authors. MIT license.

/**
 * Memory per parked goroutine: the memory target of `bench/README.md`. Parks
 * `--count` goroutines (1,000,000 by default) on receives of one unbuffered
 * channel, compares `Deno.memoryUsage().heapUsed` before and after (after a
 * full GC when V8 exposes `gc()`), then closes the channel to release them all
 * and waits until every one has returned.
 *
 * Run with:
 *
 * ```sh
 * deno run --v8-flags=--expose-gc bench/memory.ts [--count 1000000] [--json]
 * ```
 *
 * `--json` prints one JSON object (what `bench/compare.ts` reads) instead of
 * a sentence. `--floor` measures the platform's floor instead: as many
 * plain async functions, no library, each suspended on a bare promise of
 * its own whose resolve function is kept (the least that lets each one be
 * woken, as a channel wakes each parked receiver). `--go-floor` measures
 * the same functions each started as `go()` must start a body, after the
 * caller yields, from a reaction on a settled promise whose promise
 * follows the body's: the floor plus the promise of the result that any
 * `go()` returns, still no library. `--counted-floor` adds to the go()
 * floor the least that can tell which body settled, as `numGoroutine()`
 * and the goroutine dump must: one reaction on each body's promise whose
 * handler is bound to that body (here to its index), still no library and
 * no record; the library's own record and channel waiter come on top.
 *
 * @module
 */

import { Channel, go, numGoroutine } from "../mod.ts";
import { gc, macrotask } from "./_heap.ts";

/** What a run measured. */
export interface MemoryResult {
  /** Goroutines parked at once. */
  goroutines: number;
  /** `heapUsed` growth per parked goroutine, in bytes. */
  bytesPerGoroutine: number;
  /** Whether a full GC ran before each reading (`--v8-flags=--expose-gc`). */
  gcExposed: boolean;
  /** Milliseconds spent spawning and parking them all. */
  parkMs: number;
  /** Milliseconds from close() until every goroutine returned. */
  releaseMs: number;
}

function heapUsed(): number {
  gc?.();
  gc?.();
  return Deno.memoryUsage().heapUsed;
}

/**
 * Parks `count` goroutines on one channel and measures the heap they hold.
 *
 * @param count How many goroutines to park at once.
 * @returns The measurement.
 */
export async function measure(count: number): Promise<MemoryResult> {
  const ch = new Channel<number>();
  let remaining = count;
  const { promise: allDone, resolve } = Promise.withResolvers<void>();
  // One shared body: the goroutines hold no closure of their own.
  const body = async () => {
    await ch.receive();
    if (--remaining === 0) resolve();
  };
  const base = numGoroutine();
  await macrotask();
  const before = heapUsed();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) go(body);
  await macrotask();
  const parkMs = performance.now() - t0;
  const after = heapUsed();
  if (numGoroutine() !== base + count) {
    throw new Error(
      `Expected ${count} parked goroutines, found ${numGoroutine() - base}`,
    );
  }
  const t1 = performance.now();
  ch.close();
  await allDone;
  const releaseMs = performance.now() - t1;
  return {
    goroutines: count,
    bytesPerGoroutine: (after - before) / count,
    gcExposed: gc !== undefined,
    parkMs,
    releaseMs,
  };
}

/**
 * The floor: parks `count` library-free async functions, each on a bare
 * promise of its own, and measures the heap they hold, as
 * {@linkcode measure} does for goroutines.
 *
 * @param count How many async functions to park at once.
 * @param asGo Whether each starts from a reaction on a settled promise, as
 *   a goroutine does, whose promise (what `go()` returns) follows its own.
 * @param counted Whether, started so, each is also counted out when it
 *   settles by a reaction whose handler is bound to it (implies `asGo`).
 * @returns The measurement.
 */
export async function measureFloor(
  count: number,
  asGo = false,
  counted = false,
): Promise<MemoryResult> {
  const resolvers: (() => void)[] = [];
  let remaining = count;
  const { promise: allDone, resolve } = Promise.withResolvers<void>();
  const park = (wake: () => void) => {
    resolvers.push(wake);
  };
  const body = async () => {
    await new Promise<void>(park);
    if (--remaining === 0) resolve();
  };
  await macrotask();
  const before = heapUsed();
  const t0 = performance.now();
  if (counted) {
    const settled = Promise.resolve();
    const start = () => {
      const result = body();
      const done = countOut.bind(live++);
      result.then(done, done);
      return result;
    };
    for (let i = 0; i < count; i++) settled.then(start);
  } else if (asGo) {
    const settled = Promise.resolve();
    for (let i = 0; i < count; i++) settled.then(body);
  } else {
    for (let i = 0; i < count; i++) body();
  }
  await macrotask();
  const parkMs = performance.now() - t0;
  const after = heapUsed();
  if (resolvers.length !== count) {
    throw new Error(
      `Expected ${count} parked async functions, found ${resolvers.length}`,
    );
  }
  const t1 = performance.now();
  for (const wake of resolvers) wake();
  await allDone;
  const releaseMs = performance.now() - t1;
  return {
    goroutines: count,
    bytesPerGoroutine: (after - before) / count,
    gcExposed: gc !== undefined,
    parkMs,
    releaseMs,
  };
}

/** Bodies started by the counted floor whose promise has not settled. */
let live = 0;

/** The counted floor's settle handler, bound to the body's index. */
function countOut(this: number): void {
  live--;
}

function parseCount(args: string[]): number {
  const i = args.findIndex((a) => a === "--count" || a.startsWith("--count="));
  if (i === -1) return 1_000_000;
  const text = args[i].includes("=") ? args[i].split("=")[1] : args[i + 1];
  const count = Number(text);
  if (!Number.isSafeInteger(count) || count <= 0) {
    throw new RangeError(
      `Cannot measure memory: --count must be a positive integer, received ${text}`,
    );
  }
  return count;
}

if (import.meta.main) {
  const countedFloor = Deno.args.includes("--counted-floor");
  const goFloor = countedFloor || Deno.args.includes("--go-floor");
  const floor = goFloor || Deno.args.includes("--floor");
  const count = parseCount(Deno.args);
  const result = floor
    ? await measureFloor(count, goFloor, countedFloor)
    : await measure(count);
  if (Deno.args.includes("--json")) {
    console.log(JSON.stringify(result));
  } else {
    console.log(
      `${result.goroutines} ${
        countedFloor
          ? "async functions started as go() starts them and counted out when they settle, parked on bare promises (the counted floor)"
          : goFloor
          ? "async functions started as go() starts them, parked on bare promises (the go() floor)"
          : floor
          ? "async functions parked on bare promises (the floor)"
          : "goroutines parked on a channel receive"
      }: ` +
        `${result.bytesPerGoroutine.toFixed(1)} bytes each ` +
        `(heapUsed${
          result.gcExposed
            ? ", after a full GC"
            : ", no GC: run with --v8-flags=--expose-gc"
        }); ` +
        `parked in ${result.parkMs.toFixed(0)} ms, released in ${
          result.releaseMs.toFixed(0)
        } ms`,
    );
  }
}
