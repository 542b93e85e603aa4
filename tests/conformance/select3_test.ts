// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/select3.go: which channel operations and selects
// block, which never do, and which panic. Go decides "blocks" by sleeping;
// here a goroutine blocks if it is still pending after one macrotask turn,
// and is then released through an AbortSignal.

import assert from "node:assert/strict";
import { ChannelClosedError, go, recv, select, send } from "../../mod.ts";
import {
  type Chan,
  CHANNEL,
  type ChannelKind,
  NUMBER_KINDS,
  settlesSoon,
  testEachKind,
} from "./_shared.ts";
import { settlesNow } from "./_util.ts";

/** Go's testBlock(always, f): `f` stays blocked until released. */
async function assertBlocks(
  f: (signal: AbortSignal) => Promise<unknown>,
): Promise<void> {
  const controller = new AbortController();
  const g = go(f, controller.signal);
  assert.equal(await settlesNow(g), false, "expected the goroutine to block");
  const released = new Error("released by the test");
  controller.abort(released);
  await assert.rejects(g, (e) => e === released);
}

/**
 * Go's testBlock(never, f): `f` completes without waiting on anyone (see
 * `settlesSoon` for how long a shared channel may take).
 */
async function assertDoesNotBlock(
  f: () => unknown,
  kind: ChannelKind = CHANNEL,
): Promise<void> {
  const g = go(f);
  assert.equal(
    await settlesSoon(g, kind),
    true,
    "expected the goroutine to finish",
  );
  await g;
}

function unreachable(): never {
  throw new Error("control flow should not reach here");
}

function closedChannel(kind: ChannelKind): Chan<number> {
  const ch = kind.make<number>();
  ch.close();
  return ch;
}

Deno.test("send on a nil channel blocks", async () => {
  await assertBlocks((signal) => select([send(null, 7)], { signal }));
});

Deno.test("receive from a nil channel blocks", async () => {
  await assertBlocks((signal) => select([recv(null)], { signal }));
});

Deno.test("select never chooses a send on a nil channel", async () => {
  assert.equal(
    await select([send(null, 7, unreachable)], { default: () => "default" }),
    "default",
  );
});

Deno.test("select never chooses a receive from a nil channel", async () => {
  assert.equal(
    await select([recv(null, unreachable)], { default: () => "default" }),
    "default",
  );
});

testEachKind(
  NUMBER_KINDS,
  "send to a buffered channel with free space does not block",
  async (kind) => {
    await assertDoesNotBlock(() => kind.make<number>(1).send(7), kind);
  },
);

testEachKind(
  NUMBER_KINDS,
  "receive from a closed channel does not block and yields undefined, ok = false",
  async (kind) => {
    const closed = closedChannel(kind);
    await assertDoesNotBlock(async () => {
      for (let i = 0; i < 10; i++) {
        assert.equal((await closed.receive()).value, undefined);
        assert.deepEqual(await closed.receive(), {
          value: undefined,
          ok: false,
        });
      }
    }, kind);
  },
);

testEachKind(
  NUMBER_KINDS,
  "send on a closed channel throws ChannelClosedError",
  async (kind) => {
    await assert.rejects(closedChannel(kind).send(7), ChannelClosedError);
  },
);

testEachKind(
  NUMBER_KINDS,
  "receive from a channel with no sender blocks",
  async (kind) => {
    await assertBlocks((signal) => kind.make<number>().receive({ signal }));
  },
);

Deno.test("select with no cases blocks", async () => {
  await assertBlocks((signal) => select([], { signal }));
});

Deno.test("select whose only case receives from a nil channel blocks", async () => {
  await assertBlocks((signal) => select([recv(null, unreachable)], { signal }));
});

Deno.test("select whose only case sends on a nil channel blocks", async () => {
  await assertBlocks((signal) =>
    select([send(null, 7, unreachable)], { signal })
  );
});

Deno.test("select over a nil receive and a nil send blocks", async () => {
  await assertBlocks((signal) =>
    select([recv(null, unreachable), send(null, 7, unreachable)], { signal })
  );
});

testEachKind(
  NUMBER_KINDS,
  "select over a channel that is not ready blocks",
  async (kind) => {
    await assertBlocks((signal) =>
      select([recv(kind.make<number>(), unreachable)], { signal })
    );
  },
);

Deno.test("select with only a default does not block", async () => {
  await assertDoesNotBlock(() => select([], { default: () => {} }));
});

Deno.test("select with a nil receive and a default does not block", async () => {
  await assertDoesNotBlock(() =>
    select([recv(null, unreachable)], { default: () => {} })
  );
});

Deno.test("select with a nil send and a default does not block", async () => {
  await assertDoesNotBlock(() =>
    select([send(null, 7, unreachable)], { default: () => {} })
  );
});

testEachKind(
  NUMBER_KINDS,
  "select with a send to a buffered channel with free space does not block",
  async (kind) => {
    await assertDoesNotBlock(async () => {
      const ch = kind.make<number>(1);
      await select([send(ch, 7)], { default: unreachable });
      assert.equal(ch.size, 1);
    }, kind);
  },
);

testEachKind(
  NUMBER_KINDS,
  "select with a receive from a buffered channel holding a value does not block",
  async (kind) => {
    await assertDoesNotBlock(async () => {
      const ch = kind.make<number>(1);
      await ch.send(7);
      assert.equal(
        await select([recv(ch, (v) => v)], { default: unreachable }),
        7,
      );
    }, kind);
  },
);

testEachKind(
  NUMBER_KINDS,
  "select receiving from a closed channel does not block",
  async (kind) => {
    const closed = closedChannel(kind);
    await assertDoesNotBlock(() => select([recv(closed)]), kind);
    await assertDoesNotBlock(async () => {
      assert.equal(await select([recv(closed, (v) => v)]), undefined);
    }, kind);
    await assertDoesNotBlock(async () => {
      assert.deepEqual(
        await select([recv(closed, (value, ok) => ({ value, ok }))]),
        { value: undefined, ok: false },
      );
    }, kind);
  },
);

testEachKind(
  NUMBER_KINDS,
  "select sending on a closed channel throws ChannelClosedError",
  async (kind) => {
    await assert.rejects(
      select([send(closedChannel(kind), 7)]),
      ChannelClosedError,
    );
  },
);

testEachKind(
  NUMBER_KINDS,
  "select sending and receiving on the same channel does not match itself",
  async (kind) => {
    await assertBlocks((signal) => {
      const c = kind.make<number>();
      return select([send(c, 1, unreachable), recv(c, unreachable)], {
        signal,
      });
    });
  },
);
