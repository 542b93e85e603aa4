// Copyright the denogo authors. MIT license.

/**
 * Go's concurrency model, native to Deno: goroutines, channels, `select`,
 * timers as channels, and (in `sync` and `context`) Go's synchronization and
 * cancellation packages.
 *
 * A short tour:
 *
 * ```ts
 * import { after, Channel, go, recv, select } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * // A pipeline: gen -> square, each stage a goroutine.
 * function gen(...nums: number[]): Channel<number> {
 *   const out = new Channel<number>();
 *   go(async () => {
 *     for (const n of nums) await out.send(n);
 *     out.close();
 *   });
 *   return out;
 * }
 * function square(input: Channel<number>): Channel<number> {
 *   const out = new Channel<number>();
 *   go(async () => {
 *     for await (const n of input) await out.send(n * n);
 *     out.close();
 *   });
 *   return out;
 * }
 * assert.deepEqual(await Array.fromAsync(square(gen(1, 2, 3))), [1, 4, 9]);
 *
 * // select with a timeout: Go's
 * //   select { case v := <-ch: ...; case <-time.After(10 * time.Millisecond): ... }
 * const ch = new Channel<string>();
 * const got = await select([
 *   recv(ch, (v) => `got ${v}`),
 *   recv(after(10), () => "timeout"),
 * ]);
 * assert.equal(got, "timeout");
 * ```
 *
 * - {@linkcode Channel}: `send`, `receive` (with Go's `ok`), `trySend`,
 *   `tryReceive`, `close`, `for await`, send-only and receive-only types.
 * - {@linkcode select} with {@linkcode recv} and {@linkcode send} cases, a
 *   `default`, and `null` (nil) channels.
 * - {@linkcode go}, {@linkcode yieldNow}, {@linkcode numGoroutine}, and a
 *   deadlock report when every goroutine is blocked; {@linkcode goroutines},
 *   {@linkcode goroutineDump} and, on `SIGQUIT`, {@linkcode dumpOnSignal}.
 * - {@linkcode after}, {@linkcode tick}, {@linkcode Timer},
 *   {@linkcode Ticker}, {@linkcode afterFunc}, {@linkcode sleep}.
 * - Go's `sync` package ({@linkcode Mutex}, {@linkcode WaitGroup}, ...) and,
 *   as the `context` namespace, Go's `context` package.
 * - Across workers, in `@denogo/go/workers`: `SharedChannel` (the same API
 *   over shared memory), `SharedMutex`, `SharedWaitGroup`, `AtomicInt32`,
 *   `AtomicBigInt64`.
 *
 * @module
 */

export * from "./channel.ts";
export * from "./select.ts";
export * from "./scheduler.ts";
export * from "./goroutine_trace.ts";
export * from "./dump_on_signal.ts";
// The multi-worker runtime (Go's M:N scheduler over Web Workers), also
// published alone as `@denogo/go/runtime`.
export * from "./runtime/mod.ts";
export * from "./time.ts";
export * from "./sync/mod.ts";
export * as context from "./context/mod.ts";
