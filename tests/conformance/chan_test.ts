// Copyright the denogo authors. MIT license.
// Port of the channel tests of Go's src/runtime/chan_test.go. See README.md
// for the tests left out and why. Every test but the one about object
// identity also runs over SharedChannel (structured and float64); the
// longest ones run a tenth of their rounds there unless `STRESS=full`.

import assert from "node:assert/strict";
import { Channel, go, recv, select, send, yieldNow } from "../../mod.ts";
import {
  type Chan,
  type ChannelKind,
  FULL,
  NUMBER_KINDS,
  testEachKind,
} from "./_shared.ts";
import { flushMacrotask, settlesNow } from "./_util.ts";

/** Go's TestChan runs capacities 0..19 in short mode. */
const CAPACITIES = Array.from({ length: 20 }, (_, i) => i);

/** `n` rounds for a `Channel`; a tenth of them for a shared one. */
function rounds(kind: ChannelKind, n: number): number {
  return kind.shared && !FULL ? Math.ceil(n / 10) : n;
}

testEachKind(
  NUMBER_KINDS,
  "receive from an empty channel blocks until a value is sent",
  async (kind) => {
    for (const capacity of CAPACITIES) {
      const c = kind.make<number>(capacity);
      const withoutOk = go(async () => (await c.receive()).value);
      const withOk = go(() => c.receive());
      assert.equal(await settlesNow(Promise.race([withoutOk, withOk])), false);
      // Neither form of non-blocking receive finds a value.
      assert.equal(
        await select([recv(c, () => "value")], { default: () => "default" }),
        "default",
      );
      assert.equal(
        await select([recv(c, (_, ok) => ok)], { default: () => "default" }),
        "default",
      );
      await c.send(0);
      await c.send(0);
      assert.equal(await withoutOk, 0);
      assert.deepEqual(await withOk, { value: 0, ok: true });
    }
  },
);

testEachKind(
  NUMBER_KINDS,
  "send to a full channel blocks until a value is received",
  async (kind) => {
    for (const capacity of CAPACITIES) {
      const c = kind.make<number>(capacity);
      for (let i = 0; i < capacity; i++) await c.send(i);
      const sender = go(() => c.send(0));
      assert.equal(await settlesNow(sender), false);
      assert.equal(
        await select([send(c, 0, () => "sent")], { default: () => "default" }),
        "default",
      );
      await c.receive();
      await sender;
      assert.equal(c.size, capacity);
    }
  },
);

testEachKind(
  NUMBER_KINDS,
  "a closed channel yields its buffered values, then undefined with ok = false",
  async (kind) => {
    for (const capacity of CAPACITIES) {
      const c = kind.make<number>(capacity);
      for (let i = 0; i < capacity; i++) await c.send(i);
      c.close();
      for (let i = 0; i < capacity; i++) {
        assert.equal((await c.receive()).value, i);
      }
      assert.equal((await c.receive()).value, undefined);
      assert.deepEqual(await c.receive(), { value: undefined, ok: false });
    }
  },
);

testEachKind(
  NUMBER_KINDS,
  "close wakes a blocked receiver with undefined and ok = false",
  async (kind) => {
    for (const capacity of CAPACITIES) {
      const c = kind.make<number>(capacity);
      const done = new Channel<boolean>();
      const receiver = go(async () => {
        const { value, ok } = await c.receive();
        await done.send(value === undefined && !ok);
      });
      await flushMacrotask();
      c.close();
      assert.equal((await done.receive()).value, true);
      await receiver;
    }
  },
);

testEachKind(
  NUMBER_KINDS,
  "values from one sender arrive uncorrupted and in order",
  async (kind) => {
    for (const capacity of CAPACITIES) {
      const c = kind.make<number>(capacity);
      const sendHundred = async () => {
        for (let i = 0; i < 100; i++) await c.send(i);
      };
      let sender = go(sendHundred);
      for (let i = 0; i < 100; i++) assert.equal((await c.receive()).value, i);
      await sender;
      sender = go(sendHundred);
      for (let i = 0; i < 100; i++) {
        assert.deepEqual(await c.receive(), { value: i, ok: true });
      }
      await sender;
    }
  },
);

testEachKind(
  NUMBER_KINDS,
  "values from four senders to four receivers each arrive exactly once",
  async (kind) => {
    const P = 4;
    const L = 1000;
    for (const capacity of CAPACITIES) {
      const c = kind.make<number>(capacity);
      const senders = Array.from({ length: P }, () =>
        go(async () => {
          for (let i = 0; i < L; i++) await c.send(i);
        }));
      const done = new Channel<Map<number, number>>();
      const receivers = Array.from({ length: P }, () =>
        go(async () => {
          const counts = new Map<number, number>();
          for (let i = 0; i < L; i++) {
            const { value } = await c.receive();
            counts.set(value!, (counts.get(value!) ?? 0) + 1);
          }
          await done.send(counts);
        }));
      const total = new Map<number, number>();
      for (let p = 0; p < P; p++) {
        for (const [k, n] of (await done.receive()).value!) {
          total.set(k, (total.get(k) ?? 0) + n);
        }
      }
      assert.equal(total.size, L);
      for (const n of total.values()) assert.equal(n, P);
      await Promise.all([...senders, ...receivers]);
    }
  },
);

testEachKind(
  NUMBER_KINDS,
  "size and capacity report len and cap",
  async (kind) => {
    for (const capacity of CAPACITIES) {
      const c = kind.make<number>(capacity);
      assert.equal(c.size, 0);
      assert.equal(c.capacity, capacity);
      for (let i = 0; i < capacity; i++) await c.send(i);
      assert.equal(c.size, capacity);
      assert.equal(c.capacity, capacity);
    }
  },
);

testEachKind(
  NUMBER_KINDS,
  "a non-blocking receive racing with close still sees the value or the close",
  async (kind) => {
    for (let i = 0; i < 1000; i++) {
      const c = kind.make<number>(1);
      await c.send(1);
      const g = go(() =>
        select([recv(c, () => true)], { default: () => false })
      );
      c.close();
      await c.receive();
      assert.equal(await g, true, "the select took the default");
    }
  },
);

testEachKind(
  NUMBER_KINDS,
  "a non-blocking select sees the channels at one instant, not over a window",
  async (kind) => {
    const done = new Channel<boolean>({ capacity: 1 });
    for (let i = 0; i < 1000; i++) {
      const c1 = kind.make<number>(1);
      const c2 = kind.make<number>(1);
      await c1.send(1);
      go(async () => {
        const ready = await select(
          [recv(c1, () => true), recv(c2, () => true)],
          {
            default: () => false,
          },
        );
        await done.send(ready);
      });
      await c2.send(1);
      await select([recv(c1)], { default: () => {} });
      assert.equal((await done.receive()).value, true, "no channel was ready");
    }
  },
);

testEachKind(
  NUMBER_KINDS,
  "a non-blocking select sees a channel closed at the same instant as ready",
  async (kind) => {
    const done = new Channel<boolean>({ capacity: 1 });
    for (let i = 0; i < 1000; i++) {
      const c1 = kind.make<number>(1);
      const c2 = kind.make<number>();
      await c1.send(1);
      go(async () => {
        const ready = await select(
          [recv(c1, () => true), recv(c2, () => true)],
          {
            default: () => false,
          },
        );
        await done.send(ready);
      });
      c2.close();
      await select([recv(c1)], { default: () => {} });
      assert.equal((await done.receive()).value, true, "no channel was ready");
    }
  },
);

testEachKind(
  NUMBER_KINDS,
  "a select that sends and receives on one channel never receives its own value",
  async (kind) => {
    for (const capacity of [0, 10]) {
      const c = kind.make<number>(capacity);
      const selfReceive = (p: number, v: number | undefined) => {
        if (capacity === 0 && v === p) {
          assert.fail(`goroutine ${p} received its own value`);
        }
      };
      const workers = [0, 1].map((p) =>
        go(async () => {
          for (let i = 0; i < 1000; i++) {
            if (p === 0 || i % 2 === 0) {
              await select([send(c, p), recv(c, (v) => selfReceive(p, v))]);
            } else {
              await select([recv(c, (v) => selfReceive(p, v)), send(c, p)]);
            }
          }
        })
      );
      await Promise.all(workers);
    }
  },
);

testEachKind(
  NUMBER_KINDS,
  "plain operations and selects on four channels interleave without deadlock",
  async (kind) => {
    const N = rounds(kind, 10_000);
    const c = [
      kind.make<number>(),
      kind.make<number>(),
      kind.make<number>(2),
      kind.make<number>(3),
    ];
    const goroutines: Promise<void>[] = [];
    for (let k = 0; k < 4; k++) {
      goroutines.push(go(async () => {
        for (let i = 0; i < N; i++) await c[k].send(0);
      }));
      goroutines.push(go(async () => {
        for (let i = 0; i < N; i++) await c[k].receive();
      }));
    }
    goroutines.push(go(async () => {
      const n = [0, 0, 0, 0];
      const live: (Chan<number> | null)[] = [...c];
      const sent = (k: number) => () => {
        if (++n[k] === N) live[k] = null;
      };
      for (let i = 0; i < 4 * N; i++) {
        await select([
          send(live[3], 0, sent(3)),
          send(live[2], 0, sent(2)),
          send(live[0], 0, sent(0)),
          send(live[1], 0, sent(1)),
        ]);
      }
      assert.deepEqual(n, [N, N, N, N]);
    }));
    goroutines.push(go(async () => {
      const n = [0, 0, 0, 0];
      const live: (Chan<number> | null)[] = [...c];
      const received = (k: number) => () => {
        if (++n[k] === N) live[k] = null;
      };
      for (let i = 0; i < 4 * N; i++) {
        await select([
          recv(live[0], received(0)),
          recv(live[1], received(1)),
          recv(live[2], received(2)),
          recv(live[3], received(3)),
        ]);
      }
      assert.deepEqual(n, [N, N, N, N]);
    }));
    await Promise.all(goroutines);
    for (const ch of c) assert.equal(ch.size, 0);
  },
);

testEachKind(
  NUMBER_KINDS,
  "select chooses uniformly among ready cases",
  async (kind) => {
    const trials = 10_000;
    const c1 = kind.make<number>(trials + 1);
    const c2 = kind.make<number>(trials + 1);
    for (let i = 0; i < trials + 1; i++) {
      await c1.send(1);
      await c2.send(2);
    }
    const c3 = kind.make<number>();
    const c4 = kind.make<number>();
    const out = kind.make<number>();
    const done = new Channel<void>();
    const worker = go(async () => {
      for (;;) {
        const b = await select([
          recv(c3, (v) => v),
          recv(c4, (v) => v),
          recv(c1, (v) => v),
          recv(c2, (v) => v),
        ]);
        const stop = await select([
          send(out, b!, () => false),
          recv(done, () => true),
        ]);
        if (stop) return;
      }
    });
    let count1 = 0;
    let count2 = 0;
    for (let i = 0; i < trials; i++) {
      const { value } = await out.receive();
      if (value === 1) count1++;
      else if (value === 2) count2++;
      else assert.fail(`unexpected value ${value} on the channel`);
    }
    // count1 ~ Binomial(trials, 1/2) if the choice is fair: standard deviation
    // sqrt(trials)/2 = 50. Allowing 8 of them keeps the chance of a false
    // failure below 1e-14, yet catches any bias of more than 4%.
    const sigma = Math.sqrt(trials) / 2;
    assert(
      Math.abs(count1 - trials / 2) <= 8 * sigma,
      `unfair select: in ${trials} trials, results were ${count1}, ${count2}`,
    );
    done.close();
    await worker;
  },
);

Deno.test("select sends objects, non-blocking, with one or two send cases", async () => {
  const m = {};
  const c = new Channel<object>({ capacity: 1 });
  await c.send(m);
  assert.equal(
    await select([send(c, m, () => "sent")], { default: () => "full" }),
    "full",
  );
  assert.equal(
    await select([send(c, m, () => "sent"), send(c, {}, () => "sent")], {
      default: () => "full",
    }),
    "full",
  );
  assert.equal((await c.receive()).value, m);
});

testEachKind(
  NUMBER_KINDS,
  "a select between two sends on one channel chooses pseudo-randomly",
  async (kind) => {
    const n = 100;
    for (const capacity of [0, n]) {
      const c = kind.make<number>(capacity);
      const received: number[] = [];
      const receiver = go(async () => {
        for (let i = 0; i < n; i++) {
          await yieldNow();
          received.push((await c.receive()).value!);
        }
      });
      for (let i = 0; i < n; i++) await select([send(c, 1), send(c, 0)]);
      await receiver;
      const ones = received.filter((v) => v === 1).length;
      const zeros = n - ones;
      // For a fair choice, either count is at most n/10 with probability < 1e-16.
      assert(
        zeros > n / 10 && ones > n / 10,
        `want pseudo-random, got ${zeros} zeros and ${ones} ones (capacity ${capacity})`,
      );
    }
  },
);

testEachKind(
  NUMBER_KINDS,
  "many workers ranging over one channel each take distinct values",
  async (kind) => {
    const nwork = 23;
    const niter = rounds(kind, 271_828);
    const pn = [2, 3, 7, 11, 13, 17, 19, 23, 27, 31];
    const q = kind.make<number>(nwork * 3);
    const r = kind.make<number>(nwork * 3);

    const workers = Array.from({ length: nwork }, (_, w) =>
      go(async () => {
        for await (const v of q) {
          // Disturb the FIFO-like order in which the workers take values.
          if (pn[w % pn.length] === v) await yieldNow();
          await r.send(v);
        }
      }));
    let expect = 0;
    const feeder = go(async () => {
      for (let i = 0; i < niter; i++) {
        const v = pn[i % pn.length];
        expect += v;
        await q.send(v);
      }
      q.close();
      await Promise.all(workers);
      r.close();
    });

    let n = 0;
    let sum = 0;
    for await (const v of r) {
      n++;
      sum += v;
    }
    await feeder;
    assert.equal(n, niter);
    assert.equal(sum, expect);
  },
);

testEachKind(
  NUMBER_KINDS,
  "a select can wait on the same channel twice and leaves its queue intact",
  async (kind) => {
    const c = kind.make<number>();
    const d = kind.make<number>();
    const e = kind.make<number>();
    const a = go(async () => {
      await select([recv(c), recv(c), recv(d)]);
      await e.send(9);
    });
    await flushMacrotask(); // a is queued on c first,
    const b = go(() => c.receive());
    await flushMacrotask(); // then b.
    await d.send(7); // a wakes and leaves c's queue;
    await e.receive();
    await c.send(8); // b must still be queued to take this.
    assert.deepEqual(await b, { value: 8, ok: true });
    await a;
  },
);
