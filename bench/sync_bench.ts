// Copyright the denogo authors. MIT license.

/**
 * Benchmarks of the `sync` primitives. Each bench iteration performs a
 * batch of operations; the number is in the bench's name, "(1000 ops)", so
 * the time per operation is the reported time divided by it. The Go
 * counterparts, one operation per `b.N`, are in `bench/go/sync_test.go`:
 *
 * | bench | Go |
 * | --- | --- |
 * | Mutex tryLock+unlock | BenchmarkMutexTryLock |
 * | Mutex await lock+unlock | BenchmarkMutexUncontended |
 * | Mutex hand-off between two goroutines | BenchmarkMutexContended |
 * | RWMutex tryRLock+rUnlock | BenchmarkRWMutexRLockUncontended |
 * | WaitGroup spawn one goroutine and wait | BenchmarkWaitGroupSpawnWait |
 * | WaitGroup spawn 100 goroutines and wait | BenchmarkWaitGroupSpawnWait100 |
 * | Once.do after the first call | BenchmarkOnceDone |
 * | Semaphore tryAcquire+release | BenchmarkSemaphoreTryAcquire |
 *
 * Run with `deno bench bench/sync_bench.ts`.
 *
 * @module
 */

import { go } from "../mod.ts";
import { Mutex, Once, RWMutex, Semaphore, WaitGroup } from "../sync/mod.ts";
import { RUNS } from "./_quick.ts";

/** Operations per bench iteration. */
const N = 1000;

if (import.meta.main) {
  console.log("Run with: deno bench bench/sync_bench.ts");
}

// Mutex, uncontended: the non-blocking path and the awaited path. ---------

const mu = new Mutex();

Deno.bench({
  name: `Mutex tryLock+unlock (${N} ops)`,
  group: "mutex uncontended, non-blocking",
  ...RUNS,
  fn() {
    for (let i = 0; i < N; i++) {
      mu.tryLock();
      mu.unlock();
    }
  },
});

Deno.bench({
  name: `await Promise.resolve() (${N} ops)`,
  group: "mutex uncontended, awaited",
  baseline: true,
  ...RUNS,
  async fn() {
    for (let i = 0; i < N; i++) await Promise.resolve();
  },
});

Deno.bench({
  name: `Mutex await lock+unlock (${N} ops)`,
  group: "mutex uncontended, awaited",
  ...RUNS,
  async fn() {
    for (let i = 0; i < N; i++) {
      await mu.lock();
      mu.unlock();
    }
  },
});

// Mutex, contended: two goroutines, every lock a hand-off. ----------------

let shared = 0;
async function locker(m: Mutex, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await m.lock();
    shared++;
    m.unlock();
  }
}

Deno.bench({
  name: `Mutex hand-off between two goroutines (${N} ops)`,
  group: "mutex contended",
  ...RUNS,
  async fn() {
    const m = new Mutex();
    await Promise.all([go(locker, m, N / 2), go(locker, m, N / 2)]);
  },
});

// The floor of the hand-off: the least a library-free program does for it.
// A lock with one waiter slot; a contended lock() parks on a fresh bare
// promise and unlock() resolves it, one promise per hand-off. No queue, no
// deadlock bookkeeping, no cancellation: what no Mutex can do without.

async function floorLocker(
  slot: { held: boolean; waiting: (() => void) | null },
  n: number,
): Promise<void> {
  for (let i = 0; i < n; i++) {
    if (slot.held) {
      await new Promise<void>((resolve) => slot.waiting = resolve);
    } else {
      slot.held = true;
      await undefined;
    }
    shared++;
    const w = slot.waiting;
    if (w === null) slot.held = false;
    else {
      slot.waiting = null;
      w();
    }
  }
}

Deno.bench({
  name: `floor: hand-off through a resolved promise (${N} ops)`,
  group: "mutex contended",
  baseline: true,
  ...RUNS,
  async fn() {
    const slot = { held: false, waiting: null };
    await Promise.all([
      floorLocker(slot, N / 2),
      floorLocker(slot, N / 2),
    ]);
  },
});

// The same floor plus what naming the woken goroutine costs: the library
// names the goroutine a primitive wakes as running for exactly the turn its
// code resumes in, by queueing one microtask just before the resolve and one
// just after (see `_goroutines.ts`). Nothing lets JavaScript run code right
// before and right after one `await` resumes for less than those two
// microtasks; this row is the floor of a hand-off that keeps the dump and
// the deadlock report exact.

let naming = 0;
function noteEnter(): void {
  naming++;
}
function noteLeave(): void {
  naming--;
}

async function namedFloorLocker(
  slot: { held: boolean; waiting: (() => void) | null },
  n: number,
): Promise<void> {
  for (let i = 0; i < n; i++) {
    if (slot.held) {
      await new Promise<void>((resolve) => slot.waiting = resolve);
    } else {
      slot.held = true;
      await undefined;
    }
    shared++;
    const w = slot.waiting;
    if (w === null) slot.held = false;
    else {
      slot.waiting = null;
      queueMicrotask(noteEnter);
      w();
      queueMicrotask(noteLeave);
    }
  }
}

Deno.bench({
  name: `floor: hand-off through a resolved promise, waker named (${N} ops)`,
  group: "mutex contended",
  ...RUNS,
  async fn() {
    const slot = { held: false, waiting: null };
    await Promise.all([
      namedFloorLocker(slot, N / 2),
      namedFloorLocker(slot, N / 2),
    ]);
    if (naming !== 0) throw new Error("unbalanced naming microtasks");
  },
});

// RWMutex, Once, Semaphore: the non-blocking paths. ----------------------

const rw = new RWMutex();
Deno.bench({
  name: `RWMutex tryRLock+rUnlock (${N} ops)`,
  group: "other non-blocking paths",
  ...RUNS,
  fn() {
    for (let i = 0; i < N; i++) {
      rw.tryRLock();
      rw.rUnlock();
    }
  },
});

const once = new Once();
await once.do(() => {});
const noop = () => {};
Deno.bench({
  name: `Once.do after the first call (${N} ops)`,
  group: "other non-blocking paths",
  ...RUNS,
  fn() {
    for (let i = 0; i < N; i++) once.do(noop);
  },
});

const sem = new Semaphore(10);
Deno.bench({
  name: `Semaphore tryAcquire+release (${N} ops)`,
  group: "other non-blocking paths",
  ...RUNS,
  fn() {
    for (let i = 0; i < N; i++) {
      sem.tryAcquire(1);
      sem.release(1);
    }
  },
});

// WaitGroup: spawn and wait. ----------------------------------------------

function done(wg: WaitGroup): void {
  wg.done();
}

Deno.bench({
  name: `WaitGroup spawn one goroutine and wait (${N} ops)`,
  group: "wait group",
  ...RUNS,
  async fn() {
    for (let i = 0; i < N; i++) {
      const wg = new WaitGroup();
      wg.add(1);
      go(done, wg);
      await wg.wait();
    }
  },
});

Deno.bench({
  name: `WaitGroup spawn 100 goroutines and wait (10 ops)`,
  group: "wait group",
  ...RUNS,
  async fn() {
    for (let i = 0; i < 10; i++) {
      const wg = new WaitGroup();
      wg.add(100);
      for (let j = 0; j < 100; j++) go(done, wg);
      await wg.wait();
    }
  },
});
