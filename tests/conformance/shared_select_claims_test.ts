// Copyright the denogo authors. MIT license.
// A select blocked on SharedChannels is found, as in Go, by the peers on
// other threads too: a trySend, a tryReceive, a select with a default, and
// the blocking sends and receives of a worker pair with a select blocked on
// the main thread, and the other way round (workers/_select_claims.ts). In
// Go a non-blocking send on an unbuffered channel succeeds if a receiver,
// one parked in a select included, waits (runtime/chan.go, chansend and
// recvq); the first peer to dequeue one of a select's sudogs wins it
// (select.go, selectDone). The sibling of shared_select_peers_test.ts,
// which covers the peers on the select's own thread.

import assert from "node:assert/strict";
import { Channel, recv, select, send } from "../../mod.ts";
import { SharedChannel } from "../../workers/mod.ts";
import { ENTRIES, ENTRIES_END } from "../../workers/_channel_words.ts";
import { slotsTaken } from "../../workers/_select_claims.ts";
import type {
  ClaimJob,
  PeerOp,
  PeerResult,
} from "../workers/_claim_fixture.ts";
import { type Fixture, spawn } from "../workers/_spawn.ts";
import { flushMacrotask } from "./_util.ts";

const CODECS = ["float64", "structured"] as const;
type CodecName = typeof CODECS[number];
const FIXTURE = new URL("../workers/_claim_fixture.ts", import.meta.url);
/** Rounds of the stress tests: `STRESS=full` runs more. */
const ROUNDS = Deno.env.get("STRESS") === "full" ? 5_000 : 300;

function worker(): Fixture<ClaimJob> {
  return spawn<ClaimJob>(FIXTURE);
}

function chans(
  n: number,
  codec: CodecName,
  capacity = 0,
): SharedChannel<number>[] {
  return Array.from(
    { length: n },
    () => new SharedChannel<number>({ capacity, codec }),
  );
}

function closeAll(cs: SharedChannel<unknown>[]): void {
  for (const c of cs) if (!c.closed) c.close();
}

/** The select entries still listed in an unbuffered channel's memory. */
function entriesLeft(ch: SharedChannel<unknown>): number {
  const h = new Int32Array(ch.handle.buffer, 0, ENTRIES_END);
  let n = 0;
  for (let e = ENTRIES; e < ENTRIES_END; e += 2) if (h[e] !== 0) n++;
  return n;
}

function peer(
  w: Fixture<ClaimJob>,
  ch: SharedChannel<number>,
  op: PeerOp,
  value?: number,
): Promise<PeerResult> {
  return w.run({ cmd: "peer", ch: ch.handle, op, value }) as Promise<
    PeerResult
  >;
}

for (const codec of CODECS) {
  for (const capacity of [0, 2]) {
    const kind = `${codec}, capacity ${capacity}`;

    for (const op of ["trySend", "selectSend", "send"] as const) {
      Deno.test(`select blocked on the main thread on three SharedChannels takes a worker's ${op} on one of them, once (${kind})`, async () => {
        using w = worker();
        const cs = chans(3, codec, capacity);
        try {
          const g = select(cs.map((c, i) => recv(c, (v) => [i, v])));
          await flushMacrotask();
          assert.deepEqual(await peer(w, cs[1], op, 7), { done: true });
          assert.deepEqual(await g, [1, 7]);
          // The select is gone: nobody receives any more.
          if (capacity === 0) {
            assert.deepEqual(await peer(w, cs[2], "trySend", 8), {
              done: false,
            });
          }
          assert.equal(cs[1].size, 0);
          if (capacity === 0) {
            for (const c of cs) assert.equal(entriesLeft(c), 0);
          }
        } finally {
          closeAll(cs);
        }
      });
    }

    for (const op of ["tryReceive", "selectRecv"] as const) {
      Deno.test(`select blocked on the main thread sending on a SharedChannel gives its value to a worker's ${op}, once (${kind})`, async () => {
        using w = worker();
        const cs = chans(3, codec, capacity);
        try {
          // A full buffer makes a buffered channel's send case block.
          for (let i = 0; i < capacity; i++) cs[2].trySend(-1);
          const g = select([
            recv(cs[0], (v) => ["recv", v]),
            recv(cs[1], (v) => ["recv", v]),
            send(cs[2], 9, () => ["sent"]),
          ]);
          await flushMacrotask();
          const r = await peer(w, cs[2], op);
          assert.deepEqual(r, { done: true, value: capacity === 0 ? 9 : -1 });
          assert.deepEqual(await g, ["sent"]);
          for (let i = 1; i < capacity; i++) {
            assert.deepEqual(cs[2].tryReceive(), { state: "ok", value: -1 });
          }
          if (capacity > 0) {
            assert.deepEqual(cs[2].tryReceive(), { state: "ok", value: 9 });
          }
          assert.deepEqual(cs[2].tryReceive(), { state: "empty" });
        } finally {
          closeAll(cs);
        }
      });
    }

    for (const op of ["trySend", "selectSend", "send"] as const) {
      Deno.test(`select blocked in a worker on three SharedChannels takes the main thread's ${op} on one of them, once (${kind})`, async () => {
        using w = worker();
        const cs = chans(3, codec, capacity);
        const ready = new SharedChannel<number>({ capacity: 1 });
        try {
          const g = w.run({
            cmd: "select",
            recvs: cs.map((c) => c.handle),
            sends: [],
            value: 0,
            ready: ready.handle,
          });
          await ready.receive();
          const sent = op === "trySend"
            ? cs[2].trySend(5)
            : op === "selectSend"
            ? await select([send(cs[2], 5, () => true)], {
              default: () => false,
            })
            : (await cs[2].send(5), true);
          assert.equal(sent, true);
          assert.deepEqual(await g, { index: 2, value: 5 });
          if (capacity === 0) assert.equal(cs[0].trySend(6), false);
        } finally {
          closeAll([...cs, ready]);
        }
      });
    }

    for (const op of ["tryReceive", "selectRecv"] as const) {
      Deno.test(`select blocked in a worker sending on a SharedChannel gives its value to the main thread's ${op}, once (${kind})`, async () => {
        using w = worker();
        const cs = chans(2, codec, capacity);
        const ready = new SharedChannel<number>({ capacity: 1 });
        try {
          for (let i = 0; i < capacity; i++) cs[1].trySend(-1);
          const g = w.run({
            cmd: "select",
            recvs: [cs[0].handle],
            sends: [cs[1].handle],
            value: 4,
            ready: ready.handle,
          });
          await ready.receive();
          const got = op === "tryReceive" ? cs[1].tryReceive() : await select(
            [recv(cs[1], (v) => ({ state: "ok", value: v }))],
            { default: () => ({ state: "empty" }) },
          );
          assert.deepEqual(got, {
            state: "ok",
            value: capacity === 0 ? 4 : -1,
          });
          assert.deepEqual(await g, { index: 1 });
          assert.equal(cs[0].trySend(6), capacity > 0);
        } finally {
          closeAll([...cs, ready]);
        }
      });
    }
  }

  Deno.test(`select blocked on the main thread takes a worker's sendSync and gives its value to a worker's recvSync (${codec})`, async () => {
    using w = worker();
    const cs = chans(2, codec);
    try {
      const g = select(cs.map((c, i) => recv(c, (v) => [i, v])));
      await flushMacrotask();
      assert.deepEqual(await peer(w, cs[0], "sendSync", 3), { done: true });
      assert.deepEqual(await g, [0, 3]);
      const h = select([
        recv(cs[0], () => "recv"),
        send(cs[1], 11, () => "sent"),
      ]);
      await flushMacrotask();
      assert.deepEqual(await peer(w, cs[1], "recvSync"), {
        done: true,
        value: 11,
      });
      assert.equal(await h, "sent");
    } finally {
      closeAll(cs);
    }
  });

  Deno.test(`two workers racing trySend and a select with a default against selects blocked on the main thread: every value arrives once, in order (${codec})`, async () => {
    using w1 = worker();
    using w2 = worker();
    const [a, b] = chans(2, codec);
    const stop = new SharedChannel<number>();
    const got: number[][] = [[], []];
    try {
      const loops = [
        w1.run({
          cmd: "sendLoop",
          ch: a.handle,
          op: "trySend",
          base: 0,
          stop: stop.handle,
        }),
        w2.run({
          cmd: "sendLoop",
          ch: b.handle,
          op: "selectSend",
          base: 1_000_000,
          stop: stop.handle,
        }),
      ];
      for (let i = 0; i < ROUNDS; i++) {
        await select([
          recv(a, (v) => got[0].push(v!)),
          recv(b, (v) => got[1].push(v!)),
        ]);
      }
      stop.close();
      const sent = await Promise.all(loops) as number[];
      assert.equal(sent[0] + sent[1], ROUNDS);
      assert.deepEqual(got[0], Array.from({ length: sent[0] }, (_, i) => i));
      assert.deepEqual(
        got[1],
        Array.from({ length: sent[1] }, (_, i) => 1_000_000 + i),
      );
      assert.equal(entriesLeft(a) + entriesLeft(b), 0);
    } finally {
      closeAll([a, b, stop]);
    }
  });

  Deno.test(`a worker's trySend and another's tryReceive racing for each select blocked on the main thread: exactly one wins each, nothing lost or duplicated (${codec})`, async () => {
    using w1 = worker();
    using w2 = worker();
    const [a, b] = chans(2, codec);
    const stop = new SharedChannel<number>();
    const received: number[] = [];
    let sentByMain = 0;
    try {
      const sender = w1.run({
        cmd: "sendLoop",
        ch: a.handle,
        op: "trySend",
        base: 0,
        stop: stop.handle,
      });
      const receiver = w2.run({
        cmd: "recvLoop",
        ch: b.handle,
        op: "tryReceive",
        stop: stop.handle,
      });
      for (let i = 0; i < ROUNDS; i++) {
        await select([
          recv(a, (v) => received.push(v!)),
          send(b, sentByMain, () => sentByMain++),
        ]);
      }
      stop.close();
      const sent = await sender as number;
      const taken = await receiver as number[];
      assert.equal(received.length + sentByMain, ROUNDS);
      assert.deepEqual(received, Array.from({ length: sent }, (_, i) => i));
      assert.deepEqual(taken, Array.from({ length: sentByMain }, (_, i) => i));
    } finally {
      closeAll([a, b, stop]);
    }
  });

  Deno.test(`selects blocked in a worker, the main thread's trySend racing: every value arrives once, in order (${codec})`, async () => {
    using w = worker();
    const [a, b] = chans(2, codec);
    const stop = new SharedChannel<number>();
    try {
      const loop = w.run({
        cmd: "recvLoop",
        ch: a.handle,
        op: "select",
        stop: stop.handle,
      });
      let v = 0;
      while (v < ROUNDS) {
        if (a.trySend(v)) v++;
        else await Promise.resolve();
        // A trySend on b never finds the worker's select, which is on a.
        assert.equal(b.trySend(-1), false);
      }
      stop.close();
      assert.deepEqual(
        await loop,
        Array.from({ length: ROUNDS }, (_, i) => i),
      );
    } finally {
      closeAll([a, b, stop]);
    }
  });
}

Deno.test("a select on SharedChannels that loses to another case after a worker's claim attempt leaves no entry and no claim slot behind", async () => {
  using w = worker();
  const winner = new Channel<number>({ capacity: 1 });
  const before = slotsTaken();
  for (let i = 0; i < 200; i++) {
    const [a, b] = chans(2, i % 2 === 0 ? "float64" : "structured");
    const g = select([
      recv(a, () => "a"),
      send(b, 1, () => "b"),
      recv(winner, () => "winner"),
    ]);
    await flushMacrotask();
    // A claim attempt that finds the wrong direction on each channel.
    assert.deepEqual(await peer(w, a, "tryReceive"), { done: false });
    assert.equal(slotsTaken(), before + 1);
    assert.equal(entriesLeft(a) + entriesLeft(b), 2);
    winner.trySend(i);
    assert.equal(await g, "winner");
    assert.equal(slotsTaken(), before);
    assert.equal(entriesLeft(a) + entriesLeft(b), 0);
    // A stale claim finds nothing.
    assert.deepEqual(await peer(w, a, "trySend", 2), { done: false });
    assert.deepEqual(await peer(w, b, "tryReceive"), { done: false });
  }
});
