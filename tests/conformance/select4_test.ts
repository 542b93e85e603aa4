// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/select4.go: a select proceeds with the case whose
// value is ready, and runs no other case's body.

import assert from "node:assert/strict";
import { Channel, recv, select } from "../../mod.ts";

Deno.test("select receives the ready value and leaves the idle case alone", async () => {
  const ready = new Channel<number>({ capacity: 1 });
  const idle = new Channel<number>();
  await ready.send(42);
  const got = await select([
    recv(idle, () => assert.fail("the idle case's body ran")),
    recv(ready, (v) => v),
  ]);
  assert.equal(got, 42);
});
