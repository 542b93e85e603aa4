// Copyright the denogo authors. MIT license.

/**
 * The poll of a thread without a processor loop (`workers/_futex.ts`): it
 * says whether it runs, so the runtime's poll for task results can go on
 * polling beside it rather than give up (`runtime/runtime.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { SharedChannel } from "../../workers/mod.ts";
import { pollingWaits } from "../../workers/_futex.ts";

Deno.test("pollingWaits() holds while a wait is polled, and ends with the last wait", async () => {
  const ch = new SharedChannel<number>({ codec: "float64" });
  const got = ch.receive(); // blocks: nobody has sent
  assert.equal(pollingWaits(), true);
  assert.equal(ch.trySend(7), true);
  assert.equal((await got).value, 7);
  // The poll runs in microtasks: once a macrotask runs, it has ended, as
  // no wait is left to poll for.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(pollingWaits(), false);
  ch.close();
});
