// Copyright the denogo authors. MIT license.
import assert from "node:assert/strict";
import { pushCompletion } from "../../runtime/_completions.ts";
import { layoutFor, memoryOf } from "../../runtime/_layout.ts";
import { writeResult } from "../../runtime/_payload.ts";
import { Registry } from "../../runtime/_registry.ts";
import { DONE, S_STATE, slotBase } from "../../runtime/_slot.ts";
import { SlotOwner } from "../../runtime/_slot_owner.ts";

Deno.test("SlotOwner.drain() settles the rest of a batch when one slot's cleanup throws", async () => {
  const layout = layoutFor({
    procs: 1,
    mainSlots: 8,
    workerSlots: 8,
    dequeCapacity: 8,
    traceEvents: 0,
    heapBytes: 4096,
  });
  const m = memoryOf(new SharedArrayBuffer(layout.byteLength), layout);
  const owner = new SlotOwner(m, 1, new Registry(m));
  const results: Promise<unknown>[] = [];
  const slots: number[] = [];
  for (let i = 0; i < 4; i++) {
    const slot = owner.take();
    slots.push(slot);
    results.push(
      new Promise((resolve, reject) =>
        owner.publish(slot, resolve, reject, () => {
          if (i === 1) throw new Error("cleanup failed");
        })
      ),
    );
  }
  for (let i = 0; i < 4; i++) {
    writeResult(m, slots[i], i * 10);
    Atomics.store(m.i32, slotBase(m, slots[i]) + S_STATE, DONE);
    pushCompletion(m, 1, slots[i]);
  }
  const reported: unknown[] = [];
  const onError = (e: ErrorEvent) => {
    e.preventDefault();
    reported.push(e.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    assert.deepEqual(owner.drain(), 4);
  } finally {
    globalThis.removeEventListener("error", onError);
  }
  assert.deepEqual(reported.map((e) => (e as Error).message), [
    "cleanup failed",
  ]);
  // Every slot is free again and every caller got its value.
  assert.deepEqual(owner.free, 8);
  assert.deepEqual(await results[0], 0);
  assert.deepEqual(await results[1], 10);
  assert.deepEqual(await results[2], 20);
  assert.deepEqual(await results[3], 30);
});
