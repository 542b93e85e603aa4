// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
// A test-only dependency: imported inline, it stays out of deno.json.
import fc from "fast-check";
import { go, yieldNow } from "../../mod.ts";
import {
  Mutex,
  SyncError,
  UnlockOfUnlockedError,
  WaitGroup,
} from "../../sync/mod.ts";
import { flush, settlesNow, track } from "../_util.ts";

Deno.test("Mutex.tryLock() takes a free mutex and fails on a held one", () => {
  const mu = new Mutex();
  assert.equal(mu.tryLock(), true);
  assert.equal(mu.tryLock(), false);
  mu.unlock();
  assert.equal(mu.tryLock(), true);
  mu.unlock();
});

Deno.test("Mutex.lock() resolves at once on a free mutex", async () => {
  const mu = new Mutex();
  await mu.lock();
  assert.equal(mu.tryLock(), false);
  mu.unlock();
});

Deno.test("Mutex.lock() waits while the mutex is held, until unlock()", async () => {
  const mu = new Mutex();
  await mu.lock();
  const second = track(mu.lock());
  await flush();
  assert.equal(second.settled, false);
  mu.unlock();
  await flush();
  assert.equal(second.settled, true);
  assert.equal(second.error, undefined);
  assert.equal(mu.tryLock(), false, "the lock was handed to the waiter");
  mu.unlock();
});

Deno.test("Mutex.unlock() hands the lock to waiters in arrival order", async () => {
  const mu = new Mutex();
  await mu.lock();
  const order: number[] = [];
  const waiters = [0, 1, 2, 3].map((i) =>
    mu.lock().then(() => {
      order.push(i);
      mu.unlock();
    })
  );
  mu.unlock();
  await Promise.all(waiters);
  assert.deepEqual(order, [0, 1, 2, 3]);
  assert.equal(mu.tryLock(), true);
  mu.unlock();
});

Deno.test("Mutex: a new lock() or tryLock() never overtakes a waiter", async () => {
  const mu = new Mutex();
  await mu.lock();
  const order: string[] = [];
  const first = mu.lock().then(() => order.push("waiter"));
  mu.unlock(); // Handed to the waiter, not freed.
  assert.equal(mu.tryLock(), false);
  const late = mu.lock().then(() => order.push("late"));
  await first;
  mu.unlock();
  await late;
  mu.unlock();
  assert.deepEqual(order, ["waiter", "late"]);
});

Deno.test("Mutex.unlock() of an unlocked mutex throws UnlockOfUnlockedError and leaves it usable", async () => {
  const mu = new Mutex();
  assert.throws(() => mu.unlock(), (e) => {
    assert(e instanceof UnlockOfUnlockedError);
    assert(e instanceof SyncError);
    assert.equal(e.name, "UnlockOfUnlockedError");
    assert.equal(e.operation, "Mutex.unlock");
    assert.match(e.message, /Cannot unlock Mutex: it is not locked/);
    assert.match(e.message, /exactly once/);
    return true;
  });
  await mu.lock();
  mu.unlock();
  assert.throws(() => mu.unlock(), UnlockOfUnlockedError);
  assert.equal(mu.tryLock(), true);
  mu.unlock();
});

Deno.test("Mutex.locked() unlocks when the using scope exits, even by a throw", async () => {
  const mu = new Mutex();
  {
    using _ = await mu.locked();
    assert.equal(mu.tryLock(), false);
  }
  assert.equal(mu.tryLock(), true);
  mu.unlock();
  const fails = async () => {
    using _ = await mu.locked();
    throw new Error("inside");
  };
  await assert.rejects(fails(), /inside/);
  assert.equal(mu.tryLock(), true);
  mu.unlock();
});

Deno.test("Mutex.locked() waits for the holder, and a second dispose does nothing", async () => {
  const mu = new Mutex();
  await mu.lock();
  const g = mu.locked();
  const state = track(g);
  await flush();
  assert.equal(state.settled, false);
  mu.unlock();
  const guard = await g;
  const next = track(mu.lock());
  guard[Symbol.dispose]();
  guard[Symbol.dispose](); // No second unlock: the next holder keeps it.
  await flush();
  assert.equal(next.settled, true);
  assert.equal(mu.tryLock(), false);
  mu.unlock();
});

Deno.test("Mutex.lock() with an aborted signal leaves the queue; later waiters still get the lock", async () => {
  const mu = new Mutex();
  await mu.lock();
  const controller = new AbortController();
  const reason = new Error("gave up");
  const aborted = mu.lock({ signal: controller.signal });
  const next = track(mu.lock());
  controller.abort(reason);
  await assert.rejects(aborted, (e) => e === reason);
  mu.unlock();
  await flush();
  assert.equal(next.settled, true);
  assert.equal(next.error, undefined);
  mu.unlock();
  assert.equal(mu.tryLock(), true);
  mu.unlock();
});

Deno.test("Mutex.lock() rejects with an already-aborted signal only if it must wait", async () => {
  const mu = new Mutex();
  const signal = AbortSignal.abort(new Error("late"));
  await mu.lock({ signal }); // Free: the signal is not consulted.
  await assert.rejects(mu.lock({ signal }), /late/);
  mu.unlock();
  assert.equal(mu.tryLock(), true);
  mu.unlock();
});

// Go's TestMutex: goroutines hammer one mutex; the critical section,
// which spans awaits, is never entered twice.
Deno.test("Mutex excludes goroutines from a critical section spanning awaits", async () => {
  const mu = new Mutex();
  let inside = 0;
  let total = 0;
  const wg = new WaitGroup();
  for (let g = 0; g < 10; g++) {
    wg.go(async () => {
      for (let i = 0; i < 50; i++) {
        await mu.lock();
        inside++;
        assert.equal(inside, 1, "two goroutines in the critical section");
        await yieldNow();
        total++;
        inside--;
        mu.unlock();
      }
    });
  }
  await wg.wait();
  assert.equal(total, 500);
});

// Go's TestMutexFairness: a goroutine that relocks in a loop cannot
// starve another that wants the lock.
Deno.test("Mutex: a goroutine relocking in a loop cannot starve another", async () => {
  const mu = new Mutex();
  let stop = false;
  const hog = go(async () => {
    while (!stop) {
      await mu.lock();
      await yieldNow();
      mu.unlock();
    }
  });
  const polite = go(async () => {
    for (let i = 0; i < 10; i++) {
      await yieldNow();
      await mu.lock();
      mu.unlock();
    }
  });
  await polite;
  stop = true;
  await hog;
});

// Model-based property: random schedules of lock/tryLock/unlock/abort and
// misuse. The model is a holder and a FIFO queue; the real mutex must grant
// the lock to exactly the callers the model does, in the same order.
type MutexCommand =
  | { op: "lock" }
  | { op: "tryLock" }
  | { op: "unlock" }
  | { op: "abort"; pick: number };

const mutexCommand: fc.Arbitrary<MutexCommand> = fc.oneof(
  fc.constant({ op: "lock" } as const),
  fc.constant({ op: "tryLock" } as const),
  fc.constant({ op: "unlock" } as const),
  fc.record({ op: fc.constant("abort" as const), pick: fc.nat() }),
);

Deno.test("Mutex property: mutual exclusion and FIFO hand-off hold under any schedule", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(mutexCommand, { maxLength: 40 }),
      async (commands) => {
        const mu = new Mutex();
        let holder: number | null = null;
        const queue: { id: number; controller: AbortController }[] = [];
        const expectedGrants: number[] = [];
        const grants: number[] = [];
        const expectedAborts: number[] = [];
        const aborts: number[] = [];
        let nextId = 0;
        for (const c of commands) {
          const id = nextId++;
          switch (c.op) {
            case "lock": {
              const controller = new AbortController();
              mu.lock({ signal: controller.signal }).then(
                () => grants.push(id),
                () => aborts.push(id),
              );
              if (holder === null) {
                holder = id;
                expectedGrants.push(id);
              } else {
                queue.push({ id, controller });
              }
              break;
            }
            case "tryLock": {
              const got = mu.tryLock();
              assert.equal(got, holder === null);
              if (got) holder = id;
              break;
            }
            case "unlock": {
              if (holder === null) {
                assert.throws(() => mu.unlock(), UnlockOfUnlockedError);
                break;
              }
              mu.unlock();
              const next = queue.shift();
              holder = next?.id ?? null;
              if (next !== undefined) expectedGrants.push(next.id);
              break;
            }
            case "abort": {
              if (queue.length === 0) break;
              const [w] = queue.splice(c.pick % queue.length, 1);
              w.controller.abort();
              expectedAborts.push(w.id);
              break;
            }
          }
        }
        // Release everything so nothing stays parked.
        while (holder !== null) {
          mu.unlock();
          const next = queue.shift();
          holder = next?.id ?? null;
          if (next !== undefined) expectedGrants.push(next.id);
        }
        await flush();
        assert.deepEqual(grants, expectedGrants);
        assert.deepEqual(aborts.sort(), expectedAborts.sort());
        assert.equal(mu.tryLock(), true, "usable afterwards");
        mu.unlock();
      },
    ),
    { numRuns: 100 },
  );
});

// A lock() that blocks after a hand-off reuses the waiter record the
// unlock() woke: the signal of the earlier wait must not reach the later one.
Deno.test("Mutex: after a hand-off, the first waiter's signal cannot cancel a later lock()", async () => {
  const mu = new Mutex();
  await mu.lock();
  const controller = new AbortController();
  const first = track(mu.lock({ signal: controller.signal }));
  mu.unlock(); // Hands the lock to `first`.
  await flush();
  assert.equal(first.settled, true);
  assert.equal(first.error, undefined);
  const later = track(mu.lock()); // Blocks: `first` holds the lock.
  controller.abort(new Error("too late"));
  await flush();
  assert.equal(later.settled, false);
  mu.unlock(); // Hands the lock to `later`.
  await flush();
  assert.equal(later.settled, true);
  assert.equal(later.error, undefined);
  assert.equal(mu.tryLock(), false);
  mu.unlock();
  assert.equal(mu.tryLock(), true);
  mu.unlock();
});

Deno.test("Mutex: a lock() blocked after a hand-off can be cancelled, and the lock stays with its holder", async () => {
  const mu = new Mutex();
  await mu.lock();
  const first = mu.lock();
  mu.unlock(); // Hands the lock to `first`.
  await first;
  const controller = new AbortController();
  const cancelled = mu.lock({ signal: controller.signal });
  const reason = new Error("gave up");
  controller.abort(reason);
  await assert.rejects(cancelled, (e) => e === reason);
  // Still held by `first`: a new lock() waits until it is released.
  const third = mu.lock();
  assert.equal(await settlesNow(third), false);
  mu.unlock();
  await third;
  mu.unlock();
  assert.equal(mu.tryLock(), true);
  mu.unlock();
});
