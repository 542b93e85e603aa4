// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
// A test-only dependency: imported inline, it stays out of deno.json.
import fc from "fast-check";
import { Channel, yieldNow } from "../../mod.ts";
import { RWMutex, UnlockOfUnlockedError, WaitGroup } from "../../sync/mod.ts";
import { flush, track } from "../_util.ts";

Deno.test("RWMutex lets many readers hold the lock at once", async () => {
  const rw = new RWMutex();
  await rw.rLock();
  await rw.rLock();
  assert.equal(rw.tryRLock(), true);
  assert.equal(rw.tryLock(), false);
  rw.rUnlock();
  rw.rUnlock();
  rw.rUnlock();
  assert.equal(rw.tryLock(), true);
  rw.unlock();
});

// Go's TestParallelReaders: every reader holds the lock while the others
// take it too.
Deno.test("RWMutex: readers in separate goroutines hold the read lock together", async () => {
  const rw = new RWMutex();
  const n = 8;
  const holding = new Channel<void>({ capacity: n });
  const release = new Channel<void>();
  const wg = new WaitGroup();
  for (let i = 0; i < n; i++) {
    wg.go(async () => {
      await rw.rLock();
      await holding.send();
      await release.receive();
      rw.rUnlock();
    });
  }
  for (let i = 0; i < n; i++) await holding.receive();
  assert.equal(rw.tryLock(), false);
  release.close();
  await wg.wait();
  assert.equal(rw.tryLock(), true);
  rw.unlock();
});

Deno.test("RWMutex.lock() waits for every reader, and the last rUnlock() hands it over", async () => {
  const rw = new RWMutex();
  await rw.rLock();
  await rw.rLock();
  const writer = track(rw.lock());
  rw.rUnlock();
  await flush();
  assert.equal(writer.settled, false);
  rw.rUnlock();
  await flush();
  assert.equal(writer.settled, true);
  assert.equal(rw.tryRLock(), false);
  rw.unlock();
});

Deno.test("RWMutex: a waiting writer blocks new readers", async () => {
  const rw = new RWMutex();
  await rw.rLock();
  const writer = track(rw.lock());
  assert.equal(rw.tryRLock(), false);
  const reader = track(rw.rLock());
  await flush();
  assert.equal(writer.settled, false);
  assert.equal(reader.settled, false);
  rw.rUnlock(); // Writer first, though the new reader could share.
  await flush();
  assert.equal(writer.settled, true);
  assert.equal(reader.settled, false);
  rw.unlock(); // Then the reader.
  await flush();
  assert.equal(reader.settled, true);
  rw.rUnlock();
});

Deno.test("RWMutex.unlock() admits every waiting reader before the next writer", async () => {
  const rw = new RWMutex();
  await rw.lock();
  const order: string[] = [];
  const r1 = rw.rLock().then(() => order.push("r1"));
  const w2 = rw.lock().then(() => order.push("w2"));
  const r3 = rw.rLock().then(() => order.push("r3"));
  rw.unlock();
  await Promise.all([r1, r3]);
  assert.deepEqual(order, ["r1", "r3"]);
  rw.rUnlock();
  rw.rUnlock();
  await w2;
  assert.deepEqual(order, ["r1", "r3", "w2"]);
  rw.unlock();
});

Deno.test("RWMutex serves writers in arrival order", async () => {
  const rw = new RWMutex();
  await rw.lock();
  const order: number[] = [];
  const writers = [0, 1, 2].map((i) =>
    rw.lock().then(() => {
      order.push(i);
      rw.unlock();
    })
  );
  rw.unlock();
  await Promise.all(writers);
  assert.deepEqual(order, [0, 1, 2]);
});

Deno.test("RWMutex misuse throws UnlockOfUnlockedError and changes nothing", async () => {
  const rw = new RWMutex();
  assert.throws(() => rw.rUnlock(), (e) => {
    assert(e instanceof UnlockOfUnlockedError);
    assert.equal(e.operation, "RWMutex.rUnlock");
    assert.match(e.message, /Cannot rUnlock RWMutex: it holds no read lock/);
    return true;
  });
  assert.throws(() => rw.unlock(), (e) => {
    assert(e instanceof UnlockOfUnlockedError);
    assert.equal(e.operation, "RWMutex.unlock");
    assert.match(e.message, /Cannot unlock RWMutex: it is not write-locked/);
    return true;
  });
  await rw.rLock();
  assert.throws(() => rw.unlock(), UnlockOfUnlockedError); // Read, not write.
  rw.rUnlock();
  await rw.lock();
  assert.throws(() => rw.rUnlock(), UnlockOfUnlockedError); // Write, not read.
  rw.unlock();
  assert.equal(rw.tryLock(), true);
  rw.unlock();
  assert.equal(rw.tryRLock(), true);
  rw.rUnlock();
});

Deno.test("RWMutex.locked() and rLocked() release at scope exit", async () => {
  const rw = new RWMutex();
  {
    using _ = await rw.locked();
    assert.equal(rw.tryRLock(), false);
  }
  {
    using _r = await rw.rLocked();
    using _s = await rw.rLocked();
    assert.equal(rw.tryLock(), false);
  }
  assert.equal(rw.tryLock(), true);
  rw.unlock();
});

// Go's TestRLocker.
Deno.test("RWMutex.rLocker() locks and unlocks the read side", async () => {
  const rw = new RWMutex();
  const readers = rw.rLocker();
  assert.equal(rw.rLocker(), readers);
  await readers.lock();
  await readers.lock();
  assert.equal(rw.tryLock(), false);
  readers.unlock();
  readers.unlock();
  assert.throws(() => readers.unlock(), UnlockOfUnlockedError);
  assert.equal(rw.tryLock(), true);
  rw.unlock();
});

Deno.test("RWMutex: an aborted waiting writer lets the readers behind it in", async () => {
  const rw = new RWMutex();
  await rw.rLock();
  const controller = new AbortController();
  const writer = rw.lock({ signal: controller.signal });
  const reader = track(rw.rLock());
  await flush();
  assert.equal(reader.settled, false);
  controller.abort(new Error("writer gave up"));
  await assert.rejects(writer, /writer gave up/);
  await flush();
  assert.equal(reader.settled, true);
  rw.rUnlock();
  rw.rUnlock();
  assert.equal(rw.tryLock(), true);
  rw.unlock();
});

// Go's TestRWMutex: readers and writers hammer one lock; the activity
// counter shows no writer ever overlaps anyone.
Deno.test("RWMutex: writers exclude everyone under concurrent load", async () => {
  const rw = new RWMutex();
  let activity = 0;
  const wg = new WaitGroup();
  const reader = async () => {
    for (let i = 0; i < 20; i++) {
      await rw.rLock();
      const n = ++activity;
      assert(n >= 1 && n < 10000, `reader saw activity ${n}`);
      await yieldNow();
      activity--;
      rw.rUnlock();
    }
  };
  const writer = async () => {
    for (let i = 0; i < 20; i++) {
      await rw.lock();
      activity += 10000;
      assert.equal(activity, 10000, "a writer overlapped");
      await yieldNow();
      activity -= 10000;
      rw.unlock();
    }
  };
  for (let i = 0; i < 4; i++) {
    wg.go(reader);
    wg.go(writer);
    wg.go(reader);
  }
  await wg.wait();
  assert.equal(activity, 0);
});

// Model-based property. The model: readers held, writer held, FIFO queues
// of waiting readers and writers, and Go's rules (a waiting writer blocks
// new readers; a writer's unlock admits all waiting readers, else the next
// writer; the last reader hands over to the next writer).
type RWCommand =
  | { op: "rLock" | "lock" | "tryRLock" | "tryLock" | "rUnlock" | "unlock" }
  | { op: "abort"; pick: number };

const rwCommand: fc.Arbitrary<RWCommand> = fc.oneof(
  fc.constantFrom(
    ...(["rLock", "lock", "tryRLock", "tryLock", "rUnlock", "unlock"] as const),
  ).map((op) => ({ op })),
  fc.record({ op: fc.constant("abort" as const), pick: fc.nat() }),
);

Deno.test("RWMutex property: readers/writer exclusion and fairness hold under any schedule", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(rwCommand, { maxLength: 40 }), async (cmds) => {
      const rw = new RWMutex();
      type W = { id: number; controller: AbortController };
      let readers = 0;
      let writer = false;
      const waitingReaders: W[] = [];
      const waitingWriters: W[] = [];
      const expected: string[] = [];
      const grants: string[] = [];
      const expectedAborts: number[] = [];
      const aborts: number[] = [];
      let nextId = 0;
      const admitReaders = () => {
        for (const r of waitingReaders) expected.push(`r${r.id}`);
        readers += waitingReaders.length;
        waitingReaders.length = 0;
      };
      const unlockModel = () => {
        if (waitingReaders.length > 0) {
          writer = false;
          admitReaders();
          return;
        }
        const w = waitingWriters.shift();
        if (w === undefined) writer = false;
        else expected.push(`w${w.id}`);
      };
      const rUnlockModel = () => {
        if (--readers === 0) {
          const w = waitingWriters.shift();
          if (w !== undefined) {
            writer = true;
            expected.push(`w${w.id}`);
          }
        }
      };
      for (const c of cmds) {
        const id = nextId++;
        switch (c.op) {
          case "rLock": {
            const controller = new AbortController();
            rw.rLock({ signal: controller.signal }).then(
              () => grants.push(`r${id}`),
              () => aborts.push(id),
            );
            if (!writer && waitingWriters.length === 0) {
              readers++;
              expected.push(`r${id}`);
            } else waitingReaders.push({ id, controller });
            break;
          }
          case "lock": {
            const controller = new AbortController();
            rw.lock({ signal: controller.signal }).then(
              () => grants.push(`w${id}`),
              () => aborts.push(id),
            );
            if (!writer && readers === 0 && waitingWriters.length === 0) {
              writer = true;
              expected.push(`w${id}`);
            } else waitingWriters.push({ id, controller });
            break;
          }
          case "tryRLock": {
            const ok: boolean = !writer && waitingWriters.length === 0;
            assert.equal(rw.tryRLock(), ok);
            if (ok) readers++;
            break;
          }
          case "tryLock": {
            const ok: boolean = !writer && readers === 0 &&
              waitingWriters.length === 0;
            assert.equal(rw.tryLock(), ok);
            if (ok) writer = true;
            break;
          }
          case "rUnlock":
            if (readers === 0) {
              assert.throws(() => rw.rUnlock(), UnlockOfUnlockedError);
            } else {
              rw.rUnlock();
              rUnlockModel();
            }
            break;
          case "unlock":
            if (!writer) {
              assert.throws(() => rw.unlock(), UnlockOfUnlockedError);
            } else {
              rw.unlock();
              unlockModel();
            }
            break;
          case "abort": {
            const all = [...waitingReaders, ...waitingWriters];
            if (all.length === 0) break;
            const w = all[c.pick % all.length];
            for (const q of [waitingReaders, waitingWriters]) {
              const i = q.indexOf(w);
              if (i >= 0) q.splice(i, 1);
            }
            w.controller.abort();
            expectedAborts.push(w.id);
            if (
              !writer && waitingWriters.length === 0 &&
              waitingReaders.length > 0
            ) admitReaders();
            break;
          }
        }
        // The invariant itself: never a writer together with readers.
        assert(!(writer && readers > 0));
      }
      // Release everything so nothing stays parked.
      while (writer || readers > 0) {
        if (writer) {
          rw.unlock();
          unlockModel();
        } else {
          rw.rUnlock();
          rUnlockModel();
        }
      }
      await flush();
      assert.deepEqual(grants, expected);
      assert.deepEqual(aborts.sort(), expectedAborts.sort());
      assert.equal(rw.tryLock(), true, "usable afterwards");
      rw.unlock();
    }),
    { numRuns: 100 },
  );
});
