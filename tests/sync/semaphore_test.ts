// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
// A test-only dependency: imported inline, it stays out of deno.json.
import fc from "fast-check";
import { yieldNow } from "../../mod.ts";
import {
  AcquireExceedsSizeError,
  ReleaseExceedsHeldError,
  Semaphore,
  SyncError,
  WaitGroup,
} from "../../sync/mod.ts";
import { flush, track } from "../_util.ts";

Deno.test("Semaphore.acquire() resolves at once while units are free", async () => {
  const sem = new Semaphore(3);
  await sem.acquire(1);
  await sem.acquire(2);
  assert.equal(sem.tryAcquire(1), false);
  sem.release(3);
  assert.equal(sem.size, 3);
});

Deno.test("Semaphore.acquire() waits until enough units are released", async () => {
  const sem = new Semaphore(2);
  await sem.acquire(2);
  const waiting = track(sem.acquire(2));
  sem.release(1);
  await flush();
  assert.equal(waiting.settled, false);
  sem.release(1);
  await flush();
  assert.equal(waiting.settled, true);
  sem.release(2);
});

Deno.test("Semaphore: a large waiting request is not overtaken by later small ones", async () => {
  const sem = new Semaphore(4);
  await sem.acquire(3);
  const order: string[] = [];
  const big = sem.acquire(4).then(() => order.push("big"));
  const small = sem.acquire(1).then(() => order.push("small"));
  assert.equal(sem.tryAcquire(1), false, "one unit is free, but big waits");
  await flush();
  assert.deepEqual(order, []);
  sem.release(3);
  await big;
  assert.deepEqual(order, ["big"]);
  sem.release(4);
  await small;
  assert.deepEqual(order, ["big", "small"]);
  sem.release(1);
});

Deno.test("Semaphore.release() wakes as many waiters, in order, as now fit", async () => {
  const sem = new Semaphore(3);
  await sem.acquire(3);
  const order: number[] = [];
  const ws = [1, 1, 1, 2].map((n, i) =>
    sem.acquire(n).then(() => order.push(i))
  );
  sem.release(3);
  await Promise.all(ws.slice(0, 3));
  assert.deepEqual(order, [0, 1, 2]);
  sem.release(2);
  await ws[3];
  assert.deepEqual(order, [0, 1, 2, 3]);
  sem.release(3);
});

Deno.test("Semaphore.acquire() beyond the size rejects at once with AcquireExceedsSizeError", async () => {
  const sem = new Semaphore(2);
  await assert.rejects(sem.acquire(3), (e) => {
    assert(e instanceof AcquireExceedsSizeError);
    assert(e instanceof SyncError);
    assert.equal(e.name, "AcquireExceedsSizeError");
    assert.equal(e.requested, 3);
    assert.equal(e.size, 2);
    assert.match(e.message, /Cannot acquire 3 from a Semaphore of size 2/);
    return true;
  });
  assert.equal(sem.tryAcquire(3), false);
  assert.equal(sem.tryAcquire(2), true, "still usable");
  sem.release(2);
});

Deno.test("Semaphore.release() of more than held throws ReleaseExceedsHeldError and releases nothing", async () => {
  const sem = new Semaphore(3);
  await sem.acquire(1);
  assert.throws(() => sem.release(2), (e) => {
    assert(e instanceof ReleaseExceedsHeldError);
    assert.equal(e.released, 2);
    assert.equal(e.held, 1);
    assert.match(e.message, /released more than held/);
    return true;
  });
  assert.equal(sem.tryAcquire(3), false, "the unit is still held");
  sem.release(1);
  assert.equal(sem.tryAcquire(3), true);
  sem.release(3);
});

Deno.test("Semaphore rejects bad sizes and weights with RangeError", async () => {
  for (const bad of [-1, 1.5, NaN, Infinity]) {
    assert.throws(() => new Semaphore(bad), RangeError);
  }
  const sem = new Semaphore(2);
  for (const bad of [-1, 0.5, NaN]) {
    await assert.rejects(sem.acquire(bad), RangeError);
    assert.throws(() => sem.tryAcquire(bad), RangeError);
    assert.throws(() => sem.release(bad), RangeError);
  }
  assert.equal(sem.tryAcquire(2), true);
  sem.release(2);
});

Deno.test("Semaphore.acquire(0) succeeds at once, unless others wait (FIFO)", async () => {
  const sem = new Semaphore(1);
  await sem.acquire(0);
  await sem.acquire(1);
  const big = track(sem.acquire(1));
  const zero = track(sem.acquire(0));
  await flush();
  assert.equal(zero.settled, false);
  sem.release(1);
  await flush();
  assert.equal(big.settled, true);
  assert.equal(zero.settled, true);
  sem.release(1);
});

Deno.test("Semaphore.acquire() with an aborted signal fails even if units are free (Go's rule)", async () => {
  const sem = new Semaphore(1);
  await assert.rejects(
    sem.acquire(1, { signal: AbortSignal.abort(new Error("done")) }),
    /done/,
  );
  assert.equal(sem.tryAcquire(1), true, "nothing was taken");
  sem.release(1);
});

Deno.test("Semaphore: cancelling the head waiter lets the ones behind it through", async () => {
  const sem = new Semaphore(2);
  await sem.acquire(1);
  const controller = new AbortController();
  const big = sem.acquire(2, { signal: controller.signal });
  const small = track(sem.acquire(1));
  await flush();
  assert.equal(small.settled, false);
  controller.abort(new Error("too slow"));
  await assert.rejects(big, /too slow/);
  await flush();
  assert.equal(small.settled, true);
  sem.release(2);
});

// x/sync's TestWeighted: goroutines acquiring random weights never hold
// more than the size together.
Deno.test("Semaphore bounds the total weight held by concurrent goroutines", async () => {
  const size = 5;
  const sem = new Semaphore(size);
  let held = 0;
  const wg = new WaitGroup();
  for (let g = 0; g < 10; g++) {
    wg.go(async () => {
      for (let i = 0; i < 20; i++) {
        const n = 1 + ((g + i) % size);
        await sem.acquire(n);
        held += n;
        assert(held <= size, `held ${held} > ${size}`);
        await yieldNow();
        held -= n;
        sem.release(n);
      }
    });
  }
  await wg.wait();
  assert.equal(held, 0);
});

// Model-based property: a random schedule of acquires, tryAcquires,
// releases, cancellations and misuse against a FIFO model.
type SemCommand =
  | { op: "acquire" | "tryAcquire"; n: number }
  | { op: "release"; pick: number }
  | { op: "overRelease" }
  | { op: "abort"; pick: number };

const semCommand: fc.Arbitrary<SemCommand> = fc.oneof(
  fc.record({
    op: fc.constantFrom("acquire" as const, "tryAcquire" as const),
    n: fc.integer({ min: 0, max: 6 }),
  }),
  fc.record({ op: fc.constant("release" as const), pick: fc.nat() }),
  fc.constant({ op: "overRelease" } as const),
  fc.record({ op: fc.constant("abort" as const), pick: fc.nat() }),
);

Deno.test("Semaphore property: never over capacity, FIFO grants, misuse leaves it usable", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 5 }),
      fc.array(semCommand, { maxLength: 40 }),
      async (size, cmds) => {
        const sem = new Semaphore(size);
        let current = 0;
        const heldGrants: number[] = []; // Weights held.
        const queue: { id: number; n: number; c: AbortController }[] = [];
        const expected: number[] = [];
        const grants: number[] = [];
        const expectedFailures: number[] = [];
        const failures: number[] = [];
        let nextId = 0;
        const notify = () => {
          while (queue.length > 0 && size - current >= queue[0].n) {
            const w = queue.shift()!;
            current += w.n;
            heldGrants.push(w.n);
            expected.push(w.id);
          }
        };
        for (const c of cmds) {
          const id = nextId++;
          switch (c.op) {
            case "acquire": {
              const controller = new AbortController();
              sem.acquire(c.n, { signal: controller.signal }).then(
                () => grants.push(id),
                (e) => {
                  if (c.n > size) assert(e instanceof AcquireExceedsSizeError);
                  failures.push(id);
                },
              );
              if (size - current >= c.n && queue.length === 0) {
                current += c.n;
                heldGrants.push(c.n);
                expected.push(id);
              } else if (c.n > size) {
                expectedFailures.push(id);
              } else {
                queue.push({ id, n: c.n, c: controller });
              }
              break;
            }
            case "tryAcquire": {
              const ok = size - current >= c.n && queue.length === 0;
              assert.equal(sem.tryAcquire(c.n), ok);
              if (ok) {
                current += c.n;
                heldGrants.push(c.n);
              }
              break;
            }
            case "release": {
              if (heldGrants.length === 0) break;
              const [n] = heldGrants.splice(c.pick % heldGrants.length, 1);
              sem.release(n);
              current -= n;
              notify();
              break;
            }
            case "overRelease":
              assert.throws(
                () => sem.release(current + 1),
                ReleaseExceedsHeldError,
              );
              break;
            case "abort": {
              if (queue.length === 0) break;
              const [w] = queue.splice(c.pick % queue.length, 1);
              w.c.abort();
              expectedFailures.push(w.id);
              notify();
              break;
            }
          }
          assert(current <= size);
        }
        // Release everything; every waiter fits once the rest is free.
        while (heldGrants.length > 0) {
          const n = heldGrants.pop()!;
          sem.release(n);
          current -= n;
          notify();
        }
        assert.equal(queue.length, 0);
        await flush();
        assert.deepEqual(grants, expected);
        assert.deepEqual(failures.sort(), expectedFailures.sort());
        assert.equal(sem.tryAcquire(size), true, "usable afterwards");
        sem.release(size);
      },
    ),
    { numRuns: 100 },
  );
});

// Permits --------------------------------------------------------------------

Deno.test("Semaphore.acquire() resolves with a permit that `using` releases at scope exit", async () => {
  const sem = new Semaphore(3);
  {
    using permit = await sem.acquire(2);
    assert.equal(permit.weight, 2);
    assert.equal(permit.released, false);
    assert.equal(sem.tryAcquire(2), false);
  }
  assert.equal(sem.tryAcquire(3), true);
  sem.release(3);
});

Deno.test("Semaphore permit: a second release or dispose does nothing, so it never over-releases", async () => {
  const sem = new Semaphore(2);
  const first = await sem.acquire(1);
  const second = await sem.acquire(1);
  first.release();
  assert.equal(first.released, true);
  first.release();
  first[Symbol.dispose]();
  // Only one unit came back: the other is still held by `second`.
  assert.equal(sem.tryAcquire(1), true);
  assert.equal(sem.tryAcquire(1), false);
  second[Symbol.dispose]();
  sem.release(1);
  assert.equal(sem.tryAcquire(2), true);
  sem.release(2);
});

Deno.test("Semaphore permit of a waiting acquire releases what it waited for, and wakes the next waiter", async () => {
  const sem = new Semaphore(2);
  const held = await sem.acquire(2);
  const waiting = sem.acquire(2);
  const next = track(sem.acquire(1));
  held.release();
  const permit = await waiting;
  assert.equal(permit.weight, 2);
  await flush();
  assert.equal(next.settled, false);
  permit.release();
  (await sem.acquire(1)).release(); // The queue moved on.
  await flush();
  assert.equal(next.settled, true);
  sem.release(1);
});

Deno.test("Semaphore permit: `using` releases when the scope throws", async () => {
  const sem = new Semaphore(1);
  async function failing(): Promise<void> {
    using _ = await sem.acquire();
    throw new Error("inside");
  }
  await assert.rejects(failing(), /inside/);
  assert.equal(sem.tryAcquire(), true);
  sem.release();
});
