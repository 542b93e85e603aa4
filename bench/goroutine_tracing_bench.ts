// Copyright the denogo authors. MIT license.

/**
 * What goroutine tracing (`setGoroutineTracing`) and a goroutine trace
 * being recorded (`startGoroutineTrace`) cost: off (the default) against
 * on, for a spawn-and-wait and for an unbuffered ping-pong (a park and a
 * wake per message). Off must cost nothing measurable: the off rows
 * are the baselines, and the same rows run on a commit from before the
 * goroutine registry (the file skips what that commit lacks) give the cost
 * of the registry itself. Each iteration performs the number of operations
 * in its name.
 *
 * Run with `deno bench bench/goroutine_tracing_bench.ts`.
 *
 * @module
 */

import * as lib from "../mod.ts";
import { quick } from "./_quick.ts";

const { Channel, go } = lib;
/** Absent before the goroutine registry: then only the "off" rows run. */
const setTracing = (lib as { setGoroutineTracing?: (on: boolean) => boolean })
  .setGoroutineTracing;
/** Absent before the goroutine trace: then its rows do not run. */
const { startGoroutineTrace, stopGoroutineTrace } = lib as {
  startGoroutineTrace?: () => void;
  stopGoroutineTrace?: () => unknown;
};

const N = quick() ? 100 : 1000;

if (import.meta.main) {
  console.log("Run with: deno bench bench/goroutine_tracing_bench.ts");
}

function noop(): void {}

async function pingPong(n: number): Promise<void> {
  const ping = new Channel<number>(), pong = new Channel<number>();
  const g = go(async () => {
    for (let i = 0; i < n; i++) await pong.send((await ping.receive()).value!);
  });
  for (let i = 0; i < n; i++) {
    await ping.send(i);
    await pong.receive();
  }
  await g;
}

/** Runs `fn` with tracing `on` (restoring it after). */
async function traced(on: boolean, fn: () => Promise<void>): Promise<void> {
  const was = setTracing?.(on);
  try {
    await fn();
  } finally {
    if (was !== undefined) setTracing!(was);
  }
}

for (const on of setTracing ? [false, true] : [false]) {
  const state = on ? "on" : "off";
  Deno.bench({
    name: `await go(fn), tracing ${state} (${N} ops)`,
    group: "goroutine tracing: spawn and wait",
    baseline: !on,
    async fn() {
      await traced(on, async () => {
        for (let i = 0; i < N; i++) await go(noop);
      });
    },
  });
  Deno.bench({
    name: `unbuffered ping-pong, tracing ${state} (${N} round trips)`,
    group: "goroutine tracing: park and wake",
    baseline: !on,
    async fn() {
      await traced(on, () => pingPong(N));
    },
  });
}

if (startGoroutineTrace !== undefined && stopGoroutineTrace !== undefined) {
  /** Runs `fn` while a goroutine trace is recorded. */
  const recorded = async (fn: () => Promise<void>) => {
    startGoroutineTrace();
    try {
      await fn();
    } finally {
      stopGoroutineTrace();
    }
  };
  Deno.bench({
    name: `await go(fn), goroutine trace recorded (${N} ops)`,
    group: "goroutine tracing: spawn and wait",
    async fn() {
      await recorded(async () => {
        for (let i = 0; i < N; i++) await go(noop);
      });
    },
  });
  Deno.bench({
    name: `unbuffered ping-pong, goroutine trace recorded (${N} round trips)`,
    group: "goroutine tracing: park and wake",
    async fn() {
      await recorded(() => pingPong(N));
    },
  });
}
