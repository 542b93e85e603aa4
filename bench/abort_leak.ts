// Copyright the denogo authors. MIT license.

/**
 * Memory left behind by a plain `receive()` or `send()` on a
 * `SharedChannel` that blocks and is then abandoned through its
 * `AbortSignal` (a context's `done` signal behaves the same): runs `--count`
 * such operations (100,000 by default), each on a fresh channel (unbuffered, or full with `--capacity`),
 * and compares `Deno.memoryUsage().heapUsed` before and after, after a full
 * GC, as `bench/select_leak.ts` does for selects. A `FinalizationRegistry`
 * counts the fresh channels' buffers collected, and the futex registry
 * (`workers/_futex.ts`) tells how many `Atomics.waitAsync` calls are still
 * pending at the end: a pending one keeps its buffer alive.
 *
 * Run with:
 *
 * ```sh
 * deno run --v8-flags=--expose-gc bench/abort_leak.ts [--count 100000] [--op receive|send] [--codec float64|structured] [--capacity 0] [--json]
 * ```
 *
 * `--json` prints one JSON object (what `tests/workers/shared_abort_leak_test.ts`
 * reads) instead of a sentence.
 *
 * @module
 */

import { SharedChannel } from "../workers/mod.ts";
import { pendingWaits } from "../workers/_futex.ts";
import { gc, heapPerOp } from "./_heap.ts";

/** What a run measured. */
export interface AbortLeakResult {
  /** Aborted operations run. */
  ops: number;
  /** Which operation blocked and was aborted. */
  op: "receive" | "send";
  /** The fresh channels' codec. */
  codec: "float64" | "structured";
  /** The fresh channels' capacity. */
  capacity: number;
  /** `heapUsed` growth per aborted operation, in bytes. */
  bytesPerOp: number;
  /** Fresh channels' buffers collected by the end (one per operation). */
  collected: number;
  /** This thread's `Atomics.waitAsync` calls still pending at the end. */
  pendingWaits: number;
  /** Whether a full GC ran before each reading (`--v8-flags=--expose-gc`). */
  gcExposed: boolean;
}

/**
 * Runs `count` aborted operations and measures what they leave behind.
 *
 * @param count How many operations to run.
 * @param op Which operation blocks.
 * @param codec The fresh channels' codec.
 * @param capacity The fresh channels' capacity (a full buffer blocks a send).
 * @returns The measurement.
 */
export async function measure(
  count: number,
  op: "receive" | "send",
  codec: "float64" | "structured",
  capacity = 0,
): Promise<AbortLeakResult> {
  const { bytesPerOp, collected } = await heapPerOp(count, async (track) => {
    const ch = new SharedChannel<number>({ codec, capacity });
    track?.(ch.handle.buffer);
    for (let i = 0; i < capacity && op === "send"; i++) ch.trySend(0);
    const ac = new AbortController();
    const p = op === "receive"
      ? ch.receive({ signal: ac.signal })
      : ch.send(1, { signal: ac.signal });
    ac.abort();
    await p.catch(() => {});
  });
  return {
    ops: count,
    op,
    codec,
    capacity,
    bytesPerOp,
    pendingWaits: pendingWaits(),
    collected,
    gcExposed: gc !== undefined,
  };
}

if (import.meta.main) {
  const args = Deno.args;
  const arg = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const count = Number(arg("--count") ?? 100_000);
  const op = arg("--op") === "send" ? "send" : "receive";
  const codec = arg("--codec") === "structured" ? "structured" : "float64";
  const capacity = Number(arg("--capacity") ?? 0);
  const r = await measure(count, op, codec, capacity);
  if (args.includes("--json")) {
    console.log(JSON.stringify(r));
  } else {
    console.log(
      `${r.ops} ${r.op}() calls blocked on fresh ${r.codec} SharedChannels ` +
        `of capacity ${r.capacity} ` +
        `and aborted: ${r.bytesPerOp} B of heap each, ${r.collected} of ` +
        `${r.ops} channel buffers collected, ${r.pendingWaits} waitAsync ` +
        `calls left pending` +
        (r.gcExposed ? "" : ", no GC: run with --v8-flags=--expose-gc"),
    );
  }
}
