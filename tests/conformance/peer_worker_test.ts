// Copyright the denogo authors. MIT license.
// The Go conformance ports across threads: the peer goroutines (fifo.go's
// sender or receiver, sieve1.go's generator, doubleselect.go's sender,
// select6.go's and select7.go's plain receivers, runtime/chan_test.go's
// TestChan senders or receivers) run in a worker
// (tests/workers/_conformance_fixture.ts) over SharedChannels whose handles
// it is posted, for the `structured` and the `float64` codec, with async
// and with sync (`sendSync` / `recvSync`) peers. Sizes are small in CI;
// `STRESS=full` runs them at Go's sizes.

import assert from "node:assert/strict";
import {
  go,
  type ReceiveChannel,
  recv,
  select,
  send,
  type SendChannel,
} from "../../mod.ts";
import { SharedChannel } from "../../workers/mod.ts";
import type { ConformanceJob } from "../workers/_conformance_fixture.ts";
import { type Fixture, spawn } from "../workers/_spawn.ts";
import {
  type ChannelKind,
  FULL,
  SHARED_FLOAT64,
  SHARED_STRUCTURED,
  testEachKind,
} from "./_shared.ts";
import { settleAll, track } from "./_util.ts";

const KINDS = [SHARED_STRUCTURED, SHARED_FLOAT64];
const FIXTURE = new URL("../workers/_conformance_fixture.ts", import.meta.url);

function peer(): Fixture<ConformanceJob> {
  return spawn<ConformanceJob>(FIXTURE);
}

function shared(kind: ChannelKind, capacity = 0): SharedChannel<number> {
  return new SharedChannel<number>({ capacity, codec: kind.codec });
}

const SEQ = FULL ? 100_000 : 2_000;

testEachKind(
  KINDS,
  "fifo: a sender in a worker delivers in order, buffered and unbuffered",
  async (kind) => {
    using worker = peer();
    for (const capacity of [0, 1, 10]) {
      for (const sync of [false, true]) {
        const ch = shared(kind, capacity);
        const sent = worker.run({
          cmd: "sendSeq",
          ch: ch.handle,
          n: SEQ,
          sync,
          close: true,
        });
        let want = 0;
        for await (const v of ch) {
          assert.equal(v, want++, `capacity ${capacity}, sync ${sync}`);
        }
        assert.equal(want, SEQ);
        assert.equal(await sent, SEQ);
      }
    }
  },
);

testEachKind(
  KINDS,
  "fifo: a receiver in a worker gets the values in send order",
  async (kind) => {
    using worker = peer();
    for (const capacity of [0, 1, 10]) {
      for (const sync of [false, true]) {
        const ch = shared(kind, capacity);
        const got = worker.run({
          cmd: "receiveSeq",
          ch: ch.handle,
          n: SEQ,
          sync,
        });
        for (let i = 0; i < SEQ; i++) await ch.send(i);
        assert.deepEqual(
          await got,
          Array.from({ length: SEQ }, (_, i) => i),
          `capacity ${capacity}, sync ${sync}`,
        );
      }
    }
  },
);

const PRIMES_BELOW_100 =
  "2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71 73 79 83 89 97"
    .split(" ").map(Number);

/**
 * sieve1.go's sieve over `generated`: a chain of filter goroutines on this
 * thread, each recorded in `goroutines`, all observing `signal`.
 */
async function sieve(
  kind: ChannelKind,
  generated: ReceiveChannel<number>,
  primes: SendChannel<number>,
  signal: AbortSignal,
  goroutines: Promise<void>[],
): Promise<void> {
  const filter = async (
    input: ReceiveChannel<number>,
    out: SendChannel<number>,
    prime: number,
  ) => {
    for (;;) {
      const { value } = await input.receive({ signal });
      if (value! % prime !== 0) await out.send(value!, { signal });
    }
  };
  let ch = generated;
  for (;;) {
    const { value: prime } = await ch.receive({ signal });
    await primes.send(prime!, { signal });
    const next = kind.make<number>();
    track(goroutines, go(filter, ch, next, prime!));
    ch = next;
  }
}

testEachKind(
  KINDS,
  "sieve: the prime sieve fed by a generator in a worker yields the primes in order",
  async (kind) => {
    using worker = peer();
    for (const sync of [false, true]) {
      const controller = new AbortController();
      const goroutines: Promise<void>[] = [];
      const generated = shared(kind);
      const generator = worker.run({
        cmd: "generate",
        ch: generated.handle,
        sync,
      });
      const primes = kind.make<number>();
      track(
        goroutines,
        go(sieve, kind, generated, primes, controller.signal, goroutines),
      );
      for (const expected of PRIMES_BELOW_100) {
        assert.equal((await primes.receive()).value, expected);
      }
      const stop = new Error("stop");
      controller.abort(stop);
      for (const result of await settleAll(goroutines)) {
        assert.equal(result.status, "rejected");
        assert.equal(result.reason, stop);
      }
      generated.close(); // The generator's blocked send fails; it returns.
      // It handed over at least 2 .. 97.
      assert(((await generator) as number) >= 96, `sync ${sync}`);
    }
  },
);

const SELECTS = FULL ? 100_000 : 2_000;

testEachKind(
  KINDS,
  "doubleselect: a select in a worker over four send cases sends each value exactly once",
  async (kind) => {
    using worker = peer();
    const outs = [0, 1, 2, 3].map(() => shared(kind));
    const merged = kind.make<number>();
    const done = kind.make<number>();
    const sender = worker.run({
      cmd: "selectSend",
      outs: outs.map((c) => c.handle),
      n: SELECTS,
    });
    const forward = async (input: ReceiveChannel<number>) => {
      for await (const v of input) await merged.send(v);
      await done.send(1);
    };
    const muxes = outs.map((c) => go(forward, c));
    const closer = go(async () => {
      for (let i = 0; i < outs.length; i++) await done.receive();
      merged.close();
    });
    const seen = new Set<number>();
    for await (const v of merged) {
      assert(!seen.has(v), `got duplicate value ${v}`);
      seen.add(v);
    }
    assert.equal(seen.size, SELECTS);
    assert.equal(await sender, SELECTS);
    await Promise.all([...muxes, closer]);
  },
);

/** TestChan's capacities: 0..19 at full size, a few of them in CI. */
const CAPACITIES = FULL
  ? Array.from({ length: 20 }, (_, i) => i)
  : [0, 1, 7, 19];
const P = 4;
const L = FULL ? 1000 : 250;

testEachKind(
  KINDS,
  "TestChan: four senders in a worker, four receivers here: each value arrives once per sender",
  async (kind) => {
    using worker = peer();
    for (const capacity of CAPACITIES) {
      const c = shared(kind, capacity);
      const sent = worker.run({
        cmd: "sendEach",
        ch: c.handle,
        goroutines: P,
        n: L,
      });
      const counts = new Array<number>(L).fill(0);
      await Promise.all(Array.from({ length: P }, () =>
        go(async () => {
          for (let i = 0; i < L; i++) counts[(await c.receive()).value!]++;
        })));
      assert.deepEqual(counts, new Array(L).fill(P), `capacity ${capacity}`);
      assert.equal(await sent, P * L);
    }
  },
);

testEachKind(
  KINDS,
  "TestChan: four senders here, four receivers in a worker: each value arrives once per sender",
  async (kind) => {
    using worker = peer();
    for (const capacity of CAPACITIES) {
      const c = shared(kind, capacity);
      const received = worker.run({
        cmd: "receiveEach",
        ch: c.handle,
        goroutines: P,
        n: L,
      });
      await Promise.all(Array.from({ length: P }, () =>
        go(async () => {
          for (let i = 0; i < L; i++) await c.send(i);
        })));
      assert.deepEqual(
        await received,
        new Array(L).fill(P),
        `capacity ${capacity}`,
      );
    }
  },
);

testEachKind(
  KINDS,
  "close reaches a receiver in a worker: undefined and ok = false",
  async (kind) => {
    using worker = peer();
    for (const capacity of [0, 3]) {
      for (const sync of [false, true]) {
        const c = shared(kind, capacity);
        const got = worker.run({ cmd: "receiveOne", ch: c.handle, sync });
        c.close();
        assert.deepEqual(await got, { value: undefined, ok: false });
      }
    }
  },
);

testEachKind(
  KINDS,
  "select6: a select here that loses on a channel leaves a receiver in a worker queued there",
  async (kind) => {
    using worker = peer();
    for (const sync of [false, true]) {
      const c1 = shared(kind);
      const c2 = kind.make<number>();
      const c3 = kind.make<number>();
      const first = worker.run({ cmd: "receiveOne", ch: c1.handle, sync });
      const second = go(async () => {
        await select([
          recv(c1, () => {
            throw new Error("the select received from c1");
          }),
          recv(c2, () => c3.send(1)),
        ]);
        return await c1.receive();
      });
      const third = go(() => c2.send(1));
      await c3.receive();
      await c1.send(1);
      await c1.send(2);
      const got = [await first, await second].map((r) =>
        (r as { value: number }).value
      );
      assert.deepEqual(got.sort(), [1, 2], `sync ${sync}`);
      await third;
    }
  },
);

const SENDERS: Record<string, (c: SharedChannel<number>) => Promise<unknown>> =
  {
    "a plain send": (c) => c.send(1),
    "a one-case select": (c) => select([send(c, 1)]),
    "a select with an idle second case": (c) =>
      select([send(c, 1), send(new SharedChannel<number>(), 1)]),
  };

testEachKind(
  KINDS,
  "select7: each form of send delivers to a receiver in a worker",
  async (kind) => {
    using worker = peer();
    for (const [name, sender] of Object.entries(SENDERS)) {
      for (const sync of [false, true]) {
        const c = shared(kind);
        const got = worker.run({ cmd: "receiveOne", ch: c.handle, sync });
        await sender(c);
        assert.deepEqual(await got, { value: 1, ok: true }, `${name}, ${sync}`);
      }
    }
  },
);

const RECEIVERS: Record<
  string,
  (c: SharedChannel<number>) => Promise<unknown>
> = {
  "a plain receive": async (c) => (await c.receive()).value,
  "a one-case select": (c) => select([recv(c, (v) => v)]),
  "a select with an idle second case": (c) =>
    select([recv(c, (v) => v), recv(new SharedChannel<number>(), () => 0)]),
};

testEachKind(
  KINDS,
  "select7: a sender in a worker delivers to each form of receive",
  async (kind) => {
    using worker = peer();
    for (const [name, receiver] of Object.entries(RECEIVERS)) {
      for (const sync of [false, true]) {
        const c = shared(kind);
        const sent = worker.run({
          cmd: "sendSeq",
          ch: c.handle,
          n: 1,
          sync,
          close: false,
        });
        assert.equal(await receiver(c), 0, `${name}, sync ${sync}`);
        assert.equal(await sent, 1);
      }
    }
  },
);
