// Copyright the denogo authors. MIT license.

/**
 * A trace of this isolate's goroutines, as Go's `runtime/trace` records
 * one: {@linkcode startGoroutineTrace} starts recording,
 * {@linkcode stopGoroutineTrace} stops and returns a Chrome trace that
 * Perfetto (ui.perfetto.dev) and `chrome://tracing` load whole, and that
 * `traceToHtml()` (`@denogo/go/runtime`) draws as a page.
 *
 * In the trace, each goroutine is a thread (`tid` = its id; 1 is the main
 * program) with an async slice (category `"goroutine"`) for its life, from
 * `go()` to its end (or to the end of the trace, `args.state` `"live"`);
 * each wait on a channel, select, lock or wait group is an async slice
 * (category `"block"`) on that thread named as Go names the wait
 * (`chan receive`, `select`, `sync.Mutex.Lock`, ...; still waiting ones end
 * with the trace, `args.state` `"waiting"`); the spans in which it waited on
 * nothing are complete slices (`"X"`); each `go()` is a flow arrow from the
 * creator to the new goroutine. Times are µs of `performance.now()`.
 *
 * Recording is off by default and costs nothing measurable then (see
 * `bench/goroutine_tracing_bench.ts`); while on, it keeps a few dozen
 * bytes per goroutine and per wait, up to `maxEvents` records.
 *
 * @module
 */

import * as recorder from "./_trace_recorder.ts";
import type { TraceFile } from "./trace_event.ts";
import { describe } from "./_describe.ts";

export type { TraceEvent, TraceFile } from "./trace_event.ts";

/** Options of {@linkcode startGoroutineTrace}. */
export interface GoroutineTraceOptions {
  /**
   * The most goroutines plus waits to record, an integer ≥ 1; later ones
   * are dropped (and counted in the trace's process labels).
   *
   * @default {1000000}
   */
  maxEvents?: number;
}

/**
 * Starts recording a goroutine trace: Go's `trace.Start`. A trace already
 * being recorded starts over.
 *
 * @example Usage
 * ```ts
 * import {
 *   Channel,
 *   go,
 *   startGoroutineTrace,
 *   stopGoroutineTrace,
 * } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * startGoroutineTrace();
 * const ch = new Channel<number>();
 * const g = go(async function producer() {
 *   await ch.send(1);
 * });
 * await ch.receive();
 * await g;
 * const trace = stopGoroutineTrace();
 * const names = trace.traceEvents.map((e) => e.name);
 * assert(names.includes("producer"));
 * ```
 *
 * @param options How many records to keep at most.
 * @throws {RangeError} If `maxEvents` is not an integer ≥ 1.
 * @throws {TypeError} If `options` is not an object.
 */
export function startGoroutineTrace(options?: GoroutineTraceOptions): void {
  if (
    options !== undefined && (typeof options !== "object" || options === null)
  ) {
    throw new TypeError(
      `Cannot start goroutine trace: options must be an object, received ${
        describe(options)
      }`,
    );
  }
  const maxEvents = options?.maxEvents ?? 1_000_000;
  if (
    typeof maxEvents !== "number" || !Number.isSafeInteger(maxEvents) ||
    maxEvents < 1
  ) {
    const Err = typeof maxEvents === "number" ? RangeError : TypeError;
    throw new Err(
      `Cannot start goroutine trace: maxEvents must be an integer ≥ 1, received ${
        describe(maxEvents)
      }`,
    );
  }
  recorder.start(maxEvents);
}

/**
 * Stops recording and returns the trace: Go's `trace.Stop`. Write it with
 * `JSON.stringify` and open it in Perfetto, or draw it with
 * `traceToHtml()`. Without a trace being recorded, the trace holds only
 * its metadata and the main program.
 *
 * @example Usage
 * ```ts
 * import { startGoroutineTrace, stopGoroutineTrace } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * startGoroutineTrace();
 * const trace = stopGoroutineTrace();
 * assert.equal(trace.displayTimeUnit, "ms");
 * assert(trace.traceEvents.some((e) => e.name === "process_name"));
 * ```
 *
 * @returns The trace, in the Chrome trace event format.
 */
export function stopGoroutineTrace(): TraceFile {
  return recorder.stop();
}

/**
 * Whether a goroutine trace is being recorded.
 *
 * @example Usage
 * ```ts
 * import {
 *   goroutineTraceRecording,
 *   startGoroutineTrace,
 *   stopGoroutineTrace,
 * } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * startGoroutineTrace();
 * assert.equal(goroutineTraceRecording(), true);
 * stopGoroutineTrace();
 * assert.equal(goroutineTraceRecording(), false);
 * ```
 *
 * @returns Whether {@linkcode startGoroutineTrace} was called and
 * {@linkcode stopGoroutineTrace} not since.
 */
export function goroutineTraceRecording(): boolean {
  return recorder.recording;
}
