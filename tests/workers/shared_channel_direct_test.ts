// Copyright the denogo authors. MIT license.
// The directed hand-off of unbuffered SharedChannels across threads: a
// value a sender hands to a receiver it found waiting on another thread is
// that receiver's, as Go's send copies it into the receiver's sudog. No
// other receiver, and never the sender itself, takes it.

import assert from "node:assert/strict";
import { SharedChannel } from "../../workers/mod.ts";
import { CELL } from "../../workers/_channel_words.ts";
import type { Job } from "./_worker_fixture.ts";
import { type Fixture, spawn as spawnFixture } from "./_spawn.ts";
import { until } from "../_util.ts";

function spawn(): Fixture<Job> {
  return spawnFixture<Job>(new URL("./_worker_fixture.ts", import.meta.url));
}

/** The hand-off cell's states (`_handoff_cell.ts`). */
const CELL_WAITING = 1;
const CELL_ASLEEP = 2;

for (const codec of ["int32", "float64"] as const) {
  Deno.test(`SharedChannel ${codec} unbuffered: a value handed to a worker's recvSync in the hand-off cell is never received by its sender`, async () => {
    using w = spawn();
    const ch = new SharedChannel<number>({ codec });
    const h = new Int32Array(ch.handle.buffer);
    for (let round = 0; round < 20; round++) {
      const received = w.run({ cmd: "recvSync", ch: ch.handle });
      await until(() => {
        const cell = Atomics.load(h, CELL);
        return cell === CELL_WAITING || cell === CELL_ASLEEP;
      });
      assert.equal(ch.trySend(round), true);
      // The send completed for the worker's receive: the sender, trying
      // at once, finds nothing.
      assert.deepEqual(ch.tryReceive(), { state: "empty" });
      assert.deepEqual(await received, { value: round, ok: true });
    }
  });
}
