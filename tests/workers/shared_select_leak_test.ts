// Copyright the denogo authors. MIT license.
// A select that blocks on SharedChannels and loses leaves nothing behind: its
// pending Atomics.waitAsync calls are ended (workers/_futex.ts, releaseWord),
// so the heap stays flat and the channels' memory is freed. Each check runs
// bench/select_leak.ts in a child process with the GC exposed.

import assert from "node:assert/strict";
import { runHeapBench } from "../_util.ts";
import type { SelectLeakResult } from "../../bench/select_leak.ts";

/** `STRESS=full` runs the 100,000 selects; CI runs 10,000. */
const COUNT = Deno.env.get("STRESS") === "full" ? 100_000 : 10_000;
const SCRIPT = new URL("../../bench/select_leak.ts", import.meta.url);

/** Heap growth per select below which the heap counts as flat (a leak was 555 B). */
const FLAT_BYTES = 64;

function measure(wonBy: "tier1" | "shared"): Promise<SelectLeakResult> {
  return runHeapBench<SelectLeakResult>(
    SCRIPT,
    "--count",
    String(COUNT),
    "--won-by",
    wonBy,
  );
}

for (const wonBy of ["tier1", "shared"] as const) {
  const winner = wonBy === "shared" ? "SharedChannel" : "Channel";
  Deno.test(`select blocked on fresh SharedChannels and won by a ${winner} case leaves the heap flat and the channels collected`, async () => {
    const r = await measure(wonBy);
    assert.equal(r.gcExposed, true);
    assert.equal(r.selects, COUNT);
    assert.equal(r.pendingWaits, 0, "a released waitAsync is still pending");
    assert.ok(
      r.bytesPerSelect < FLAT_BYTES,
      `the heap grew by ${r.bytesPerSelect} B per losing select`,
    );
    // Two fresh channels per select; the last few may await the next GC.
    assert.ok(
      r.collected >= 2 * COUNT * 0.99,
      `${r.collected} of ${2 * COUNT} channel buffers collected`,
    );
  });
}
