// Copyright the denogo authors. MIT license.

/**
 * Memory left behind by a select that blocks on `SharedChannel`s and is won
 * by another case: runs `--count` such selects (100,000 by default), each
 * over two fresh unbuffered shared channels (a receive case, and a send
 * case that leaves an offer), won by a case on a long-lived channel (a
 * tier-1 `Channel`, or with `--won-by shared` a `SharedChannel`), and
 * compares `Deno.memoryUsage().heapUsed` before and after, after a full GC.
 * A `FinalizationRegistry` counts the fresh channels' buffers collected,
 * and the futex registry (`workers/_futex.ts`) tells how many
 * `Atomics.waitAsync` calls are still pending at the end: a pending one
 * keeps its buffer's memory (each reserves its `maxBytes` of address space,
 * 1 GiB by default) after the buffer object itself was collected.
 *
 * Run with:
 *
 * ```sh
 * deno run --v8-flags=--expose-gc bench/select_leak.ts [--count 100000] [--won-by tier1|shared] [--json]
 * ```
 *
 * `--json` prints one JSON object (what `tests/workers/shared_select_leak_test.ts`
 * reads) instead of a sentence.
 *
 * Every 10,000 selects it runs a full GC (see the loop for why). Every
 * 1,000 it gives the event loop a macrotask turn, as any program does: a decided select ends its pending `Atomics.waitAsync`
 * with a `notify` of its own thread, which is served on a later turn of the
 * event loop (see `releaseWord` in `workers/_futex.ts`).
 *
 * @module
 */

import { Channel, recv, select, send } from "../mod.ts";
import { SharedChannel } from "../workers/mod.ts";
import { pendingWaits } from "../workers/_futex.ts";
import { gc, heapPerOp } from "./_heap.ts";

/** What a run measured. */
export interface SelectLeakResult {
  /** Losing selects run. */
  selects: number;
  /** What won them: a tier-1 `Channel` or a `SharedChannel`. */
  wonBy: "tier1" | "shared";
  /** `heapUsed` growth per losing select, in bytes. */
  bytesPerSelect: number;
  /** Fresh channels' buffers collected by the end (two per select). */
  collected: number;
  /** This thread's `Atomics.waitAsync` calls still pending at the end. */
  pendingWaits: number;
  /** Whether a full GC ran before each reading (`--v8-flags=--expose-gc`). */
  gcExposed: boolean;
}

/**
 * Runs `count` losing selects and measures what they leave behind.
 *
 * @param count How many selects to run.
 * @param wonBy Which kind of channel wins them.
 * @returns The measurement.
 */
export async function measure(
  count: number,
  wonBy: "tier1" | "shared",
): Promise<SelectLeakResult> {
  const winner = wonBy === "shared"
    ? new SharedChannel<number>({ capacity: 1, codec: "float64" })
    : new Channel<number>({ capacity: 1 });
  const { bytesPerOp, collected } = await heapPerOp(count, async (track) => {
    const a = new SharedChannel<number>({ codec: "float64" });
    const b = new SharedChannel<number>();
    track?.(a.handle.buffer);
    track?.(b.handle.buffer);
    const p = select([recv(a), send(b, 1), recv(winner)]);
    winner.trySend(1);
    await p;
  });
  return {
    selects: count,
    wonBy,
    bytesPerSelect: bytesPerOp,
    pendingWaits: pendingWaits(),
    collected,
    gcExposed: gc !== undefined,
  };
}

if (import.meta.main) {
  const args = Deno.args;
  const at = args.indexOf("--count");
  const count = at >= 0 ? Number(args[at + 1]) : 100_000;
  const won = args.indexOf("--won-by");
  const wonBy = won >= 0 && args[won + 1] === "shared" ? "shared" : "tier1";
  const r = await measure(count, wonBy);
  if (args.includes("--json")) {
    console.log(JSON.stringify(r));
  } else {
    console.log(
      `${r.selects} selects blocked on two fresh SharedChannels, won by a ` +
        `${r.wonBy === "shared" ? "SharedChannel" : "Channel"}: ` +
        `${r.bytesPerSelect} B of heap each, ${r.collected} of ` +
        `${2 * r.selects} channel buffers collected` +
        `, ${r.pendingWaits} waitAsync calls left pending` +
        (r.gcExposed ? "" : ", no GC: run with --v8-flags=--expose-gc"),
    );
  }
}
