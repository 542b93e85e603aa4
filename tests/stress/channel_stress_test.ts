// Copyright the denogo authors. MIT license.

/**
 * Stress tests of channels and select: many goroutines racing on shared
 * channels, checked for lost, duplicated and reordered values.
 *
 * The default (CI) mode moves 100,000 values and runs 5,000 close
 * races; `STRESS=full` (`deno task stress`) moves 1,000,000 values and runs
 * many more races. Randomness comes from a seeded generator, printed in
 * every failure message; `STRESS_SEED=<n>` replays a run (select's own
 * choices stay random).
 *
 * The main test body waits for its goroutines while blocked on a channel
 * (see {@linkcode join}), so that if the library ever loses a wake-up, the
 * deadlock detector reports it instead of the test hanging.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  Channel,
  ChannelClosedError,
  go,
  numGoroutine,
  recv,
  select,
  send,
} from "../../mod.ts";

const FULL = Deno.env.get("STRESS") === "full";
const SEED = Number(Deno.env.get("STRESS_SEED") ?? (FULL ? Date.now() : 1));

/** A small seeded PRNG (mulberry32): a float in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Waits for every goroutine, blocked on a channel the last one to finish
 * closes. Blocked there, the main body counts as a parked goroutine: if the
 * others all block for good (a lost wake-up), the deadlock detector rejects
 * every parked operation with its report and the test fails, where awaiting
 * `Promise.all` alone would hang.
 */
async function join(goroutines: Promise<unknown>[]): Promise<void> {
  const done = new Channel<never>();
  let left = goroutines.length;
  const finished = () => {
    if (--left === 0) done.close();
  };
  for (const g of goroutines) g.then(finished, finished);
  if (left > 0) await done.receive();
  await Promise.all(goroutines);
}

Deno.test(
  "producers, consumers and racing selects move every value exactly once, in order per producer and channel",
  async () => {
    const TOTAL = FULL ? 1_000_000 : 100_000;
    const PRODUCERS = 6;
    const PER_PRODUCER = Math.ceil(TOTAL / PRODUCERS);
    const where = `(STRESS_SEED=${SEED})`;

    // Shared channels: unbuffered, tiny buffer, larger buffer.
    const chans = [
      new Channel<number>(),
      new Channel<number>({ capacity: 1 }),
      new Channel<number>({ capacity: 16 }),
    ];
    const NCH = chans.length;
    // A value is seq * KEYS + key, where key = producer * NCH + channel and
    // seq counts that producer's values on that channel.
    const KEYS = PRODUCERS * NCH;
    const sent = new Int32Array(KEYS); // Next seq per key.
    const seen = Array.from(
      { length: KEYS },
      () => new Uint8Array(PER_PRODUCER),
    );
    let received = 0;

    /** A consumer's check: the value is new, and later than the last one. */
    const consumer = () => {
      const last = new Int32Array(KEYS).fill(-1);
      return (v: number) => {
        const key = v % KEYS, seq = (v - key) / KEYS;
        if (seen[key][seq] !== 0) {
          assert.fail(
            `value ${v} (key ${key}, seq ${seq}) received twice ${where}`,
          );
        }
        if (seq <= last[key]) {
          assert.fail(
            `key ${key}: seq ${seq} received after ${last[key]} ${where}`,
          );
        }
        seen[key][seq] = 1;
        last[key] = seq;
        received++;
      };
    };

    const goroutinesBefore = numGoroutine();
    const goroutines: Promise<unknown>[] = [];

    // Producers: even ones send with plain `send` on a random channel; odd
    // ones offer the next value of every channel in one select and let the
    // select pick. The last producer to finish closes the channels.
    let producing = PRODUCERS;
    for (let p = 0; p < PRODUCERS; p++) {
      const pick = prng(SEED + 1 + p);
      goroutines.push(go(async () => {
        const base = p * NCH;
        if (p % 2 === 0) {
          for (let i = 0; i < PER_PRODUCER; i++) {
            const c = pick() * NCH | 0;
            await chans[c].send(sent[base + c]++ * KEYS + base + c);
          }
        } else {
          const counted = chans.map((_, c) => () => {
            sent[base + c]++;
          });
          for (let i = 0; i < PER_PRODUCER; i++) {
            await select(
              chans.map((ch, c) =>
                send(ch, sent[base + c] * KEYS + base + c, counted[c])
              ),
            );
          }
        }
        if (--producing === 0) { for (const ch of chans) ch.close(); }
      }));
    }

    // Plain consumers, two on the unbuffered channel, one per other channel.
    for (const c of [0, 0, 1, 2]) {
      const take = consumer();
      goroutines.push(go(async () => {
        for (;;) {
          const r = await chans[c].receive();
          if (!r.ok) return;
          take(r.value);
        }
      }));
    }
    // A consumer that ranges with `for await`.
    {
      const take = consumer();
      goroutines.push(go(async () => {
        for await (const v of chans[2]) take(v);
      }));
    }

    // Select consumers over all three channels; a closed channel's case
    // becomes a nil case.
    for (let s = 0; s < 2; s++) {
      const take = consumer();
      goroutines.push(go(async () => {
        const open: (Channel<number> | null)[] = [...chans];
        let remaining = NCH;
        while (remaining > 0) {
          await select(open.map((ch, c) =>
            recv(ch, (v, ok) => {
              if (ok) take(v);
              else {
                open[c] = null;
                remaining--;
              }
            })
          ));
        }
      }));
    }

    // A relay: a select that receives from the buffered channels and, in
    // the same select, forwards what it holds to `out`, in order.
    const out = new Channel<number>({ capacity: 4 });
    goroutines.push(go(async () => {
      const inputs: (Channel<number> | null)[] = [chans[1], chans[2]];
      const queue: number[] = [];
      let head = 0;
      let remaining = inputs.length;
      while (remaining > 0 || head < queue.length) {
        const holding = head < queue.length;
        await select([
          ...inputs.map((ch, c) =>
            recv(ch, (v, ok) => {
              if (ok) queue.push(v);
              else {
                inputs[c] = null;
                remaining--;
              }
            })
          ),
          send(holding ? out : null, holding ? queue[head] : 0, () => {
            head++;
            if (head > 1024 && head * 2 > queue.length) {
              queue.splice(0, head);
              head = 0;
            }
          }),
        ]);
      }
      out.close();
    }));

    // The main body drains the relay's output itself.
    const take = consumer();
    for (;;) {
      const r = await out.receive();
      if (!r.ok) break;
      take(r.value);
    }
    await join(goroutines);
    assert.equal(numGoroutine(), goroutinesBefore);

    let expected = 0;
    for (let key = 0; key < KEYS; key++) {
      expected += sent[key];
      const lost = seen[key].subarray(0, sent[key]).indexOf(0);
      assert.equal(lost, -1, `key ${key}: seq ${lost} was lost ${where}`);
    }
    assert.equal(expected, PER_PRODUCER * PRODUCERS);
    assert.equal(received, expected);
    // Every path was used.
    for (let c = 0; c < NCH; c++) assert(sent[c] > 0 && sent[NCH + c] > 0);
  },
);

Deno.test(
  "close racing with blocked senders, receivers and selects loses and duplicates nothing",
  async () => {
    const ROUNDS = FULL ? 100_000 : 5_000;
    const random = prng(SEED);
    const int = (n: number) => random() * n | 0;
    const goroutinesBefore = numGoroutine();
    // Sends and selects that were blocked when a close woke them.
    let blockedSendsFailed = 0;
    let blockedSelectsFailed = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const where = `(round ${round}, STRESS_SEED=${SEED})`;
      const chans = [0, 1].map(() =>
        new Channel<number>({ capacity: [0, 0, 1, 2, 4][int(5)] })
      );
      let nextValue = 0;
      // Per value: 0 unsent, 1 delivered to the channel, 2 returned in an error.
      const fate: number[] = [];
      const receivedCount: number[] = [];
      const settle = (v: number, f: 1 | 2) => {
        if (fate[v] !== 0) {
          assert.fail(`value ${v} settled twice (${fate[v]}, ${f}) ${where}`);
        }
        fate[v] = f;
      };
      const newValue = () => {
        fate.push(0);
        receivedCount.push(0);
        return nextValue++;
      };
      const got = (v: number) => receivedCount[v]++;
      const closedWith = (error: unknown, values: number[]) => {
        if (!(error instanceof ChannelClosedError)) throw error;
        const v = error.value as number;
        if (!values.includes(v)) {
          assert.fail(`error holds ${v}, not one of ${values} ${where}`);
        }
        settle(v, 2);
      };
      const goroutines: Promise<void>[] = [];

      // Senders: send values until the channel closes on them.
      for (let s = int(5); s > 0; s--) {
        const ch = chans[int(2)];
        goroutines.push(go(async () => {
          for (;;) {
            const v = newValue();
            const wasOpen = !ch.closed;
            try {
              await ch.send(v);
            } catch (error) {
              closedWith(error, [v]);
              // Open at the call and failed: the close woke it up.
              if (wasOpen) blockedSendsFailed++;
              return;
            }
            settle(v, 1);
          }
        }));
      }
      // Receivers: receive until closed and drained.
      for (let r = int(4); r > 0; r--) {
        const ch = chans[int(2)];
        goroutines.push(go(async () => {
          for (;;) {
            const { value, ok } = await ch.receive();
            if (!ok) return;
            got(value);
          }
        }));
      }
      // Selects with receive cases on some channels and send cases on some
      // (both kinds on one channel sometimes), until a send case finds its
      // channel closed (Go's panic) or they only have closed channels left.
      for (let n = int(4); n > 0; n--) {
        const mode = 1 + int(15); // Bits 0-1: receive from; bits 2-3: send on.
        const receiving = chans.map((ch, c) => mode & (1 << c) ? ch : null);
        const sending = chans.filter((_, c) => mode & (4 << c));
        goroutines.push(go(async () => {
          while (sending.length > 0 || receiving.some((ch) => ch !== null)) {
            const values = sending.map(newValue);
            const cases = receiving.map((ch, c) =>
              recv(ch, (v, ok) => {
                if (ok) got(v);
                else receiving[c] = null;
              })
            );
            sending.forEach((ch, i) => {
              cases.push(send(ch, values[i], () => settle(values[i], 1)));
            });
            // Every send case's channel open at the call and a failure:
            // the select was blocked and a close woke it.
            const wasOpen = sending.every((ch) => !ch.closed);
            try {
              await select(cases);
            } catch (error) {
              closedWith(error, values);
              if (wasOpen) blockedSelectsFailed++;
              return;
            }
          }
        }));
      }

      // Close each channel after a random number of microtask turns.
      const closeAt = [int(40), int(40)];
      for (let t = 0; t <= Math.max(...closeAt); t++) {
        for (let c = 0; c < 2; c++) if (closeAt[c] === t) chans[c].close();
        await null;
      }
      await join(goroutines);
      // What is left in a buffer nobody drained is received here.
      for (const ch of chans) {
        for (
          let r = ch.tryReceive();
          r.state !== "closed";
          r = ch.tryReceive()
        ) {
          assert.equal(
            r.state,
            "ok",
            `a closed channel reported empty ${where}`,
          );
          if (r.state === "ok") got(r.value);
        }
      }
      for (let v = 0; v < nextValue; v++) {
        const expected = fate[v] === 1 ? 1 : 0;
        if (receivedCount[v] !== expected) {
          assert.fail(
            `value ${v}: fate ${fate[v]}, received ${
              receivedCount[v]
            } times ${where}`,
          );
        }
      }
    }
    assert.equal(numGoroutine(), goroutinesBefore);
    // The closes did catch sends and selects blocked.
    assert(blockedSendsFailed > ROUNDS / 10, `${blockedSendsFailed}`);
    assert(blockedSelectsFailed > ROUNDS / 20, `${blockedSelectsFailed}`);
  },
);
