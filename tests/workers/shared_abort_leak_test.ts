// Copyright the denogo authors. MIT license.
// A plain receive() or send() on a SharedChannel that blocks and is aborted
// through its signal leaves nothing behind: its channel side's pending
// Atomics.waitAsync is ended once its queue is empty (Blocked.release in
// workers/_channel_waiters.ts), so the heap stays flat and the channels'
// memory is freed. Each check runs bench/abort_leak.ts in a child process
// with the GC exposed.

import assert from "node:assert/strict";
import { runHeapBench } from "../_util.ts";
import type { AbortLeakResult } from "../../bench/abort_leak.ts";

/** `STRESS=full` runs 100,000 operations; CI runs 10,000. */
const COUNT = Deno.env.get("STRESS") === "full" ? 100_000 : 10_000;
const SCRIPT = new URL("../../bench/abort_leak.ts", import.meta.url);

/** Heap growth per operation below which the heap counts as flat (a leak was 2,000 B). */
const FLAT_BYTES = 64;

function measure(
  op: "receive" | "send",
  codec: "float64" | "structured",
  capacity: number,
): Promise<AbortLeakResult> {
  return runHeapBench<AbortLeakResult>(
    SCRIPT,
    "--count",
    String(COUNT),
    "--op",
    op,
    "--codec",
    codec,
    "--capacity",
    String(capacity),
  );
}

const cases = [
  ["receive", "float64", 0],
  ["send", "structured", 0],
  ["receive", "float64", 4],
  ["send", "float64", 4],
] as const;

for (const [op, codec, capacity] of cases) {
  Deno.test(`${op}() aborted while blocked on fresh ${codec} SharedChannels of capacity ${capacity} leaves the heap flat and the channels collected`, async () => {
    const r = await measure(op, codec, capacity);
    assert.equal(r.gcExposed, true);
    assert.equal(r.ops, COUNT);
    assert.equal(r.pendingWaits, 0, "a released waitAsync is still pending");
    assert.ok(
      r.bytesPerOp < FLAT_BYTES,
      `the heap grew by ${r.bytesPerOp} B per aborted ${op}()`,
    );
    assert.ok(
      r.collected >= COUNT * 0.99,
      `${r.collected} of ${COUNT} channel buffers collected`,
    );
  });
}
