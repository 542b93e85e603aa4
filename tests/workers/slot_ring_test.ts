// Copyright the denogo authors. MIT license.

/**
 * The lock-free slot ring behind buffered `int32` / `float64` shared
 * channels, against a plain array: random puts, takes, waiting marks and
 * closes through several objects over the same memory (so their guesses of
 * the tail and head go stale), with so few laps that tickets wrap many
 * times. Then the
 * same operations through `SharedChannel`'s non-blocking API, for both the
 * slot ring and the byte ring, against the same model.
 *
 * Cross-thread behaviour is covered by `tests/stress/shared_stress_test.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  MAX_PADDED_CAPACITY,
  PUT_CLOSED,
  PUT_FULL,
  PUT_OK,
  RING_DRAINED,
  RING_EMPTY,
  slotBytesFor,
  SlotRing,
  WAKE_RECEIVERS,
  WAKE_SENDERS,
} from "../../workers/_slot_ring.ts";
import { ChannelClosedError } from "../../channel.ts";
import { type CodecName, SharedChannel } from "../../workers/mod.ts";

const FULL = Deno.env.get("STRESS") === "full";
const RUNS = FULL ? 2_000 : 200;

type Op =
  | { op: "put"; via: number; value: number }
  | { op: "take"; via: number }
  | { op: "close" }
  | { op: "markTake" | "markPut"; via: number }
  | { op: "putRun"; via: number; values: number[] }
  | { op: "takeRun"; via: number; max: number };

const value = fc.integer({ min: -1000, max: 1000 });

/** Puts, takes and closes; with `ring`, also the ring's own operations. */
const ops = (n: number, ring = false): fc.Arbitrary<Op[]> => {
  const channelOps = [
    {
      weight: 20,
      arbitrary: fc.record({
        op: fc.constant("put" as const),
        via: fc.nat(2),
        value,
      }),
    },
    {
      weight: 20,
      arbitrary: fc.record({
        op: fc.constant("take" as const),
        via: fc.nat(2),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant("close" as const) }),
    },
  ];
  const ringOps = [
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constantFrom("markTake" as const, "markPut" as const),
        via: fc.nat(2),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        op: fc.constant("putRun" as const),
        via: fc.nat(2),
        values: fc.array(value, { minLength: 1, maxLength: 7 }),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        op: fc.constant("takeRun" as const),
        via: fc.nat(2),
        max: fc.integer({ min: 1, max: 7 }),
      }),
    },
  ];
  const all: fc.WeightedArbitrary<Op>[] = ring
    ? [...channelOps, ...ringOps]
    : channelOps;
  return fc.array(fc.oneof(...all), { maxLength: n, size: "max" });
};

Deno.test("SlotRing matches a FIFO array through puts, takes, runs of them, waiting marks, close and ticket wrap-around", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 2, max: 4 }),
      fc.constantFrom(4 as const, 8 as const),
      fc.boolean(),
      ops(200, true),
      (capacity, laps, value, padded, steps) => {
        const TAIL = 0, HEAD = 16;
        const words = new Int32Array(new SharedArrayBuffer(32 * 4));
        // A cache line per slot, or packed slots: what a small `maxBytes`
        // gets.
        const slotBytes = slotBytesFor(
          capacity,
          value,
          padded ? 1024 : capacity * 2 * value,
        );
        assert.equal(slotBytes, padded ? 64 : 2 * value);
        const data = new SharedArrayBuffer(capacity * slotBytes);
        const rings = [0, 1, 2].map(() =>
          new SlotRing(
            words,
            TAIL,
            HEAD,
            data,
            0,
            capacity,
            value,
            slotBytes,
            laps,
          )
        );
        const model: number[] = [];
        let closed = false;
        // A receiver marked the empty head slot; a sender the full tail's.
        let recvMarked = false;
        let sendMarked = false;
        for (const step of steps) {
          if (step.op === "close") {
            if (!closed) rings[0].close();
            closed = true;
          } else if (step.op === "markTake") {
            const waits: boolean = !closed && model.length === 0;
            assert.equal(rings[step.via].markTake(), waits);
            recvMarked ||= waits;
          } else if (step.op === "markPut") {
            const waits: boolean = !closed && model.length === capacity;
            assert.equal(rings[step.via].markPut(), waits);
            sendMarked ||= waits;
          } else if (step.op === "putRun") {
            const ring = rings[step.via];
            const k: number = closed
              ? 0
              : Math.min(step.values.length, capacity - model.length);
            assert.equal(ring.putRun(step.values, 0, step.values.length), k);
            if (k > 0) {
              model.push(...step.values.slice(0, k));
              assert.equal(ring.woke, recvMarked ? WAKE_RECEIVERS : 0);
              recvMarked = false;
            }
          } else if (step.op === "takeRun") {
            const ring = rings[step.via];
            const out: number[] = [];
            const k = ring.takeRun(step.max, out);
            assert.deepEqual(out, model.splice(0, step.max));
            assert.equal(k, out.length);
            if (k > 0) {
              assert.equal(ring.woke, sendMarked ? WAKE_SENDERS : 0);
              sendMarked = false;
            }
          } else if (step.op === "put") {
            const want: number = closed
              ? PUT_CLOSED
              : model.length === capacity
              ? PUT_FULL
              : PUT_OK;
            const ring = rings[step.via];
            assert.equal(ring.put(step.value), want);
            if (want === PUT_OK) {
              model.push(step.value);
              // The put filled the slot a receiver waited on.
              assert.equal(ring.woke, recvMarked ? WAKE_RECEIVERS : 0);
              recvMarked = false;
            }
          } else {
            const want: unknown = model.length > 0
              ? model.shift()
              : closed
              ? RING_DRAINED
              : RING_EMPTY;
            const ring = rings[step.via];
            assert.equal(ring.take(), want);
            if (typeof want === "number") {
              // The take freed the slot a sender waited on.
              assert.equal(ring.woke, sendMarked ? WAKE_SENDERS : 0);
              sendMarked = false;
            }
          }
          for (const ring of rings) {
            assert.equal(ring.size(), model.length);
            assert.equal(ring.canPut(), closed || model.length < capacity);
            assert.equal(ring.canTake(), closed || model.length > 0);
          }
        }
      },
    ),
    { numRuns: RUNS, seed: FULL ? undefined : 0x5107 },
  );
});

/** What a non-blocking channel operation did, for comparison. */
function attempt(f: () => unknown): unknown {
  try {
    return f();
  } catch (error) {
    assert.ok(error instanceof ChannelClosedError, String(error));
    return "closed";
  }
}

Deno.test("SharedChannel trySend/tryReceive/close match a FIFO array, on the slot ring and the byte ring", () => {
  fc.assert(
    fc.property(
      fc.constantFrom<CodecName>("int32", "float64", "string"),
      fc.integer({ min: 0, max: 4 }),
      ops(60),
      (codec, capacity, steps) => {
        const a = new SharedChannel<unknown>({ capacity, codec });
        const chans = [
          a,
          SharedChannel.from(a.handle),
          SharedChannel.from(a.handle),
        ];
        const model: unknown[] = [];
        const encode = (x: number) => codec === "string" ? `v${x}` : x;
        for (const step of steps) {
          if (step.op === "close") {
            const want = a.closed ? "closed" : undefined;
            assert.equal(attempt(() => chans[0].close()), want);
          } else if (step.op === "put") {
            const v = encode(step.value);
            const want = a.closed ? "closed" : model.length < capacity;
            assert.equal(attempt(() => chans[step.via].trySend(v)), want);
            if (want === true) model.push(v);
          } else {
            const want = model.length > 0
              ? { state: "ok", value: model.shift() }
              : { state: a.closed ? "closed" : "empty" };
            assert.deepEqual(chans[step.via].tryReceive(), want);
          }
          for (const ch of chans) {
            assert.equal(ch.size, model.length);
            assert.equal(ch.capacity, capacity);
          }
        }
      },
    ),
    { numRuns: RUNS, seed: FULL ? undefined : 0x5108 },
  );
});

Deno.test("SharedChannel over the slot ring: a blocked async send and receive complete when the other side acts", async () => {
  const ch = new SharedChannel<number>({ capacity: 1, codec: "float64" });
  const other = SharedChannel.from<number>(ch.handle);
  await ch.send(1);
  let sent = false;
  const blockedSend = other.send(2).then(() => sent = true);
  assert.deepEqual(await ch.receive(), { value: 1, ok: true });
  await blockedSend;
  assert.equal(sent, true);
  assert.deepEqual(await other.receive(), { value: 2, ok: true });
  const blockedReceive = ch.receive();
  await other.send(3);
  assert.deepEqual(await blockedReceive, { value: 3, ok: true });
  const late = ch.receive();
  other.close();
  assert.deepEqual(await late, { value: undefined, ok: false });
  await assert.rejects(ch.send(4), ChannelClosedError);
});

Deno.test("SharedChannel over the slot ring: close fails blocked senders and keeps buffered values", async () => {
  const ch = new SharedChannel<number>({ capacity: 2, codec: "int32" });
  await ch.send(1);
  await ch.send(2);
  const blocked = ch.send(3);
  ch.close();
  await assert.rejects(
    blocked,
    (e) => e instanceof ChannelClosedError && e.value === 3,
  );
  assert.deepEqual(await Array.fromAsync(ch), [1, 2]);
});

Deno.test("SharedChannel over the slot ring: an aborted blocked send or receive leaves the channel as it was", async () => {
  const ch = new SharedChannel<number>({ capacity: 1, codec: "int32" });
  const ac = new AbortController();
  const r = ch.receive({ signal: ac.signal });
  ac.abort(new Error("stop receiving"));
  await assert.rejects(r, /stop receiving/);
  await ch.send(7);
  const ac2 = new AbortController();
  const s = ch.send(8, { signal: ac2.signal });
  ac2.abort(new Error("stop sending"));
  await assert.rejects(s, /stop sending/);
  assert.equal(ch.size, 1);
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 7 });
  assert.deepEqual(ch.tryReceive(), { state: "empty" });
});

Deno.test("SharedChannel with a fixed-size codec and a capacity above 2^20 keeps Go's semantics on the byte ring", () => {
  const ch = new SharedChannel<number>({
    capacity: 2 ** 20 + 1,
    codec: "int32",
  });
  for (let i = 0; i < 1000; i++) assert.equal(ch.trySend(i), true);
  assert.equal(ch.size, 1000);
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: 0 });
  ch.close();
  assert.equal(ch.size, 999);
});

Deno.test("SharedChannel keeps FIFO order and its capacity with padded and packed slot rings", () => {
  const cases = [
    { capacity: MAX_PADDED_CAPACITY }, // a cache line per slot
    { capacity: MAX_PADDED_CAPACITY + 1 }, // packed: too many slots to pad
    { capacity: 100, maxBytes: 100 * 16 }, // packed: maxBytes too small to pad
  ];
  for (const codec of ["int32", "float64"] as const) {
    for (const options of cases) {
      const ch = new SharedChannel<number>({ ...options, codec });
      const n = options.capacity;
      for (let i = 0; i < n; i++) assert.equal(ch.trySend(i * 3 - 7), true);
      assert.equal(ch.trySend(0), false);
      assert.equal(ch.size, n);
      for (let i = 0; i < n; i++) {
        assert.deepEqual(ch.tryReceive(), { state: "ok", value: i * 3 - 7 });
      }
      assert.deepEqual(ch.tryReceive(), { state: "empty" });
    }
  }
});
