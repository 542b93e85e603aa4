// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/zerosize.go: channels of empty values (Go's
// `chan struct{}` and `chan [0]byte`), unbuffered and buffered.

import assert from "node:assert/strict";
import { Channel } from "../../mod.ts";

Deno.test("channels of empty values can be made, filled and drained", async () => {
  const signals = new Channel<void>({ capacity: 1 });
  await signals.send();
  assert.deepEqual(await signals.receive(), { value: undefined, ok: true });

  const empties = new Channel<readonly []>({ capacity: 1 });
  await empties.send([]);
  assert.deepEqual(await empties.receive(), { value: [], ok: true });

  assert.equal(new Channel<void>().capacity, 0);
  assert.equal(new Channel<Record<never, never>>({ capacity: 1 }).capacity, 1);
});
