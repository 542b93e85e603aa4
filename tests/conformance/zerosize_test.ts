// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/zerosize.go: channels of empty values (Go's
// `chan struct{}` and `chan [0]byte`), unbuffered and buffered. A
// `SharedChannel` of empty values needs a codec that carries `undefined`
// and `[]`: `structured`.

import assert from "node:assert/strict";
import { ANY_VALUE_KINDS, testEachKind } from "./_shared.ts";

testEachKind(
  ANY_VALUE_KINDS,
  "channels of empty values can be made, filled and drained",
  async (kind) => {
    const signals = kind.make<void>(1);
    await signals.send();
    assert.deepEqual(await signals.receive(), { value: undefined, ok: true });

    const empties = kind.make<readonly []>(1);
    await empties.send([]);
    assert.deepEqual(await empties.receive(), { value: [], ok: true });

    assert.equal(kind.make<void>().capacity, 0);
    assert.equal(kind.make<Record<never, never>>(1).capacity, 1);
  },
);
