// Copyright the denogo authors. MIT license.
// A select blocked on unbuffered SharedChannels is found, as in Go, by the
// operations of its own thread: a trySend, a tryReceive, a select with a
// default, a plain send or receive on any of its channels, and another select
// pair with it (workers/_local_selects.ts). Each test states Go's behaviour;
// they were once ignored, as gaps, and the property model
// (tests/property_test.ts) now runs these steps on the shared kinds too.

import assert from "node:assert/strict";
import { recv, select, send } from "../../mod.ts";
import {
  type Chan,
  type ChannelKind,
  settlesSoon,
  SHARED_FLOAT64,
  SHARED_STRUCTURED,
  testName,
} from "./_shared.ts";
import { flushMacrotask, settlesNow } from "./_util.ts";

const KINDS = [SHARED_STRUCTURED, SHARED_FLOAT64];

/** Trials for a pairing that depends on the channel the select offers on. */
const TRIALS = 20;

function peers(
  name: string,
  fn: (kind: ChannelKind) => Promise<void>,
): void {
  for (const kind of KINDS) Deno.test(testName(name, kind), () => fn(kind));
}

async function closeAll(
  chans: Chan<number>[],
  pending: Promise<unknown>[],
): Promise<void> {
  for (const c of chans) if (!c.closed) c.close();
  await Promise.allSettled(pending);
}

// Go: `select { case c <- v: default: }` sends to a goroutine blocked in
// `select { case x := <-c: }`.
peers("trySend hands its value to a select blocked receiving", async (kind) => {
  const c = kind.make<number>();
  const g = select([recv(c, (v) => v)]);
  await flushMacrotask();
  try {
    assert.equal(c.trySend(5), true, "trySend found no receiver");
    assert.equal(await g, 5);
  } finally {
    await closeAll([c], [g]);
  }
});

// The same with a select and a default.
peers(
  "a select's send case with a default pairs with a select blocked receiving",
  async (kind) => {
    const c = kind.make<number>();
    const g = select([recv(c, (v) => v)]);
    await flushMacrotask();
    try {
      const r = await select([send(c, 6, () => "sent")], {
        default: () => "default",
      });
      assert.equal(r, "sent");
      assert.equal(await g, 6);
    } finally {
      await closeAll([c], [g]);
    }
  },
);

// Go: tryReceive takes the value of a select blocked sending on that
// channel. The select offers its value on one of its two channels, at
// random; a tryReceive on the other one claims it.
peers(
  "tryReceive takes the value of a select blocked sending on two channels",
  async (kind) => {
    for (let i = 0; i < TRIALS; i++) {
      const a = kind.make<number>();
      const b = kind.make<number>();
      const g = select([send(a, 1, () => "a"), send(b, 2, () => "b")]);
      await flushMacrotask();
      try {
        assert.deepEqual(
          b.tryReceive(),
          { state: "ok", value: 2 },
          `trial ${i}`,
        );
        assert.equal(await g, "b");
      } finally {
        await closeAll([a, b], [g]);
      }
    }
  },
);

// Go: a goroutine blocked in `select { case c <- 1: case v := <-c: }`
// receives from a later `c <- 3`. The select's offer holds the channel's
// single offer slot; the sender claims the select's receive case instead
// of waiting for the slot.
peers(
  "a select blocked sending and receiving on one channel receives a later send",
  async (kind) => {
    const c = kind.make<number>();
    const g = select([
      send(c, 1, () => "sent"),
      recv(c, (v) => `received ${v}`),
    ]);
    await flushMacrotask();
    const p = c.send(3);
    try {
      assert.equal(
        await settlesSoon(g, kind),
        true,
        "the select stays blocked",
      );
      assert.equal(await g, "received 3");
      await p;
    } finally {
      await closeAll([c], [g, p]);
    }
  },
);

// Go: `select { case a <- 1: case b <- 2: }` pairs with a later
// `select { case v := <-a: }`, whichever channel the first one offers on.
peers(
  "a select blocked sending on two channels pairs with a select receiving on one",
  async (kind) => {
    for (let i = 0; i < TRIALS; i++) {
      const a = kind.make<number>();
      const b = kind.make<number>();
      const s = select([send(a, 1, () => "a"), send(b, 2, () => "b")]);
      await flushMacrotask();
      const r = select([recv(a, (v) => v)]);
      try {
        assert.equal(
          await settlesSoon(Promise.all([s, r]), kind),
          true,
          `trial ${i}: both selects stay blocked`,
        );
        assert.deepEqual(await Promise.all([s, r]), ["a", 1]);
      } finally {
        await closeAll([a, b], [s, r]);
      }
    }
  },
);

// Go's spec leaves the order of blocked receivers open; Go's runtime and
// `Channel` serve them in arrival order, and so does a SharedChannel on one
// thread: a later plain receive does not overtake a blocked select.
peers(
  "a select blocked receiving first gets the value before a later receive",
  async (kind) => {
    const c = kind.make<number>();
    const first = select([recv(c, (v) => v)]);
    await flushMacrotask();
    const second = c.receive();
    await flushMacrotask();
    const p = c.send(1);
    try {
      assert.equal(await settlesSoon(first, kind), true, "the select waits on");
      assert.equal(await first, 1);
      assert.equal(await settlesNow(second), false);
      await p;
    } finally {
      await closeAll([c], [first, second, p]);
    }
  },
);
