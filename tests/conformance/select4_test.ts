// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/select4.go: a select proceeds with the case whose
// value is ready, and runs no other case's body.

import assert from "node:assert/strict";
import { recv, select } from "../../mod.ts";
import { NUMBER_KINDS, testEachKind } from "./_shared.ts";

testEachKind(
  NUMBER_KINDS,
  "select receives the ready value and leaves the idle case alone",
  async (kind) => {
    const ready = kind.make<number>(1);
    const idle = kind.make<number>();
    await ready.send(42);
    const got = await select([
      recv(idle, () => assert.fail("the idle case's body ran")),
      recv(ready, (v) => v),
    ]);
    assert.equal(got, 42);
  },
);
