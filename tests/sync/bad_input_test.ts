// Copyright the denogo authors. MIT license.
// Every bad argument of the sync primitives: a TypeError or RangeError whose
// message names the operation, the rule and the value as given; a rejection
// (never a synchronous throw) from the calls that return a promise; and no
// state lost.

import assert from "node:assert/strict";
import {
  Cond,
  ErrGroup,
  type Locker,
  Mutex,
  Once,
  onceFunc,
  onceValue,
  Pool,
  RWMutex,
  Semaphore,
  WaitGroup,
} from "../../sync/mod.ts";
import type { Context } from "../../context/mod.ts";

type ErrorClass = typeof TypeError | typeof RangeError;

/** Asserts that `call` throws `type` with exactly `message`. */
function assertThrows(call: () => unknown, type: ErrorClass, message: string) {
  assert.throws(call, (e) => {
    assert(e instanceof type, `${e} is not a ${type.name}`);
    assert.equal((e as Error).message, message);
    return true;
  });
}

/**
 * Asserts that `call` returns (does not throw) a promise that rejects with
 * `type` and exactly `message`.
 */
async function assertRejects(
  call: () => Promise<unknown>,
  type: ErrorClass,
  message: string,
) {
  let promise: Promise<unknown> | undefined;
  assert.doesNotThrow(() => promise = call(), "it must reject, not throw");
  await assert.rejects(promise!, (e) => {
    assert(e instanceof type, `${e} is not a ${type.name}`);
    assert.equal((e as Error).message, message);
    return true;
  });
}

const notAFunction: [unknown, string][] = [
  [5, "5"],
  ["f", '"f" (a string)'],
  [undefined, "undefined"],
  [null, "null"],
  [{}, "an object"],
];

Deno.test("Once.do() rejects a non-function with TypeError and stays usable", async () => {
  const once = new Once();
  for (const [fn, shown] of notAFunction) {
    await assertRejects(
      () => once.do(fn as () => void),
      TypeError,
      `Cannot run Once.do(): fn must be a function, received ${shown}`,
    );
  }
  let ran = 0;
  await once.do(() => ran++); // The bad calls did not use up the Once.
  await once.do(() => ran++);
  assert.equal(ran, 1);
  await assertRejects(
    () => once.do(5 as unknown as () => void),
    TypeError,
    "Cannot run Once.do(): fn must be a function, received 5",
  );
});

Deno.test("onceFunc() and onceValue() throw TypeError for a non-function", () => {
  for (const [fn, shown] of notAFunction) {
    assertThrows(
      () => onceFunc(fn as () => void),
      TypeError,
      `Cannot create onceFunc(): f must be a function, received ${shown}`,
    );
    assertThrows(
      () => onceValue(fn as () => void),
      TypeError,
      `Cannot create onceValue(): f must be a function, received ${shown}`,
    );
  }
});

Deno.test("WaitGroup.add() throws TypeError for a non-number and RangeError for a non-integer, leaving the counter", async () => {
  const wg = new WaitGroup();
  wg.add(1);
  const cases: [unknown, ErrorClass, string][] = [
    ["3", TypeError, '"3" (a string)'],
    [undefined, TypeError, "undefined"],
    [1n, TypeError, "1n (a bigint)"],
    [NaN, RangeError, "NaN"],
    [1.5, RangeError, "1.5"],
    [Infinity, RangeError, "Infinity"],
  ];
  for (const [delta, type, shown] of cases) {
    assertThrows(
      () => wg.add(delta as number),
      type,
      `Cannot add to WaitGroup: delta must be an integer, received ${shown}`,
    );
  }
  wg.done(); // The counter is still 1.
  await wg.wait();
});

Deno.test("WaitGroup.go() rejects a non-function; wait() rejects bad options", async () => {
  const wg = new WaitGroup();
  await assertRejects(
    () => wg.go("f" as unknown as () => void),
    TypeError,
    'Cannot start goroutine with WaitGroup.go(): fn must be a function, received "f" (a string)',
  );
  await assertRejects(
    () => wg.wait({ signal: "stop" as unknown as AbortSignal }),
    TypeError,
    'Cannot wait on WaitGroup: options.signal must be an AbortSignal, received "stop" (a string)',
  );
  await assertRejects(
    () => wg.wait(7 as unknown as { signal?: AbortSignal }),
    TypeError,
    "Cannot wait on WaitGroup: options must be an object, received 7",
  );
  await wg.wait(); // Counter untouched: nothing to wait for.
});

Deno.test("Semaphore: bad sizes and weights show the value as given; bad calls change nothing", async () => {
  const sizes: [unknown, ErrorClass, string][] = [
    ["2", TypeError, 'size must be an integer, received "2" (a string)'],
    [1.5, RangeError, "size must be an integer, received 1.5"],
    [-1, RangeError, "size must be non-negative, received -1"],
  ];
  for (const [size, type, rule] of sizes) {
    assertThrows(
      () => new Semaphore(size as number),
      type,
      `Cannot create Semaphore: ${rule}`,
    );
  }
  const sem = new Semaphore(2);
  const weights: [unknown, ErrorClass, string][] = [
    ["1", TypeError, 'n must be an integer, received "1" (a string)'],
    [null, TypeError, "n must be an integer, received null"],
    [NaN, RangeError, "n must be an integer, received NaN"],
    [-1, RangeError, "n must be a non-negative weight, received -1"],
  ];
  for (const [n, type, rule] of weights) {
    await assertRejects(
      () => sem.acquire(n as number),
      type,
      `Cannot acquire from Semaphore: ${rule}`,
    );
    assertThrows(
      () => sem.tryAcquire(n as number),
      type,
      `Cannot tryAcquire from Semaphore: ${rule}`,
    );
    assertThrows(
      () => sem.release(n as number),
      type,
      `Cannot release to Semaphore: ${rule}`,
    );
  }
  await assertRejects(
    () => sem.acquire(1, { signal: {} as AbortSignal }),
    TypeError,
    "Cannot acquire from Semaphore: options.signal must be an AbortSignal, received an object",
  );
  assert.equal(sem.tryAcquire(2), true); // Nothing was acquired above.
  sem.release(2);
});

Deno.test("Mutex and RWMutex reject bad lock options, even when the lock is free, and stay unlocked", async () => {
  const bad = { signal: 1 } as unknown as { signal: AbortSignal };
  const mu = new Mutex();
  const rw = new RWMutex();
  const calls: [() => Promise<unknown>, string][] = [
    [() => mu.lock(bad), "lock Mutex"],
    [() => mu.locked(bad), "lock Mutex"],
    [() => rw.lock(bad), "lock RWMutex"],
    [() => rw.locked(bad), "lock RWMutex"],
    [() => rw.rLock(bad), "rLock RWMutex"],
    [() => rw.rLocked(bad), "rLock RWMutex"],
  ];
  for (const [call, what] of calls) {
    await assertRejects(
      call,
      TypeError,
      `Cannot ${what}: options.signal must be an AbortSignal, received 1`,
    );
  }
  assert.equal(mu.tryLock(), true);
  mu.unlock();
  assert.equal(rw.tryLock(), true);
  rw.unlock();
});

Deno.test("Cond: a bad Locker throws, bad wait options reject and leave the lock held", async () => {
  assertThrows(
    () => new Cond("mu" as unknown as Locker),
    TypeError,
    'Cannot create Cond: expected a Locker with lock() and unlock() methods, received "mu" (a string)',
  );
  const mu = new Mutex();
  const cond = new Cond(mu);
  await mu.lock();
  await assertRejects(
    () => cond.wait({ signal: "x" as unknown as AbortSignal }),
    TypeError,
    'Cannot wait on Cond: options.signal must be an AbortSignal, received "x" (a string)',
  );
  assert.equal(mu.tryLock(), false); // Still held: wait() did not unlock.
  mu.unlock();
});

Deno.test("ErrGroup: bad functions, limits, signals and contexts", async () => {
  const group = new ErrGroup();
  await assertRejects(
    () => group.go(5 as unknown as () => void),
    TypeError,
    "Cannot start goroutine with ErrGroup.go(): fn must be a function, received 5",
  );
  assertThrows(
    () => group.tryGo(undefined as unknown as () => void),
    TypeError,
    "Cannot start goroutine with ErrGroup.tryGo(): fn must be a function, received undefined",
  );
  assertThrows(
    () => group.setLimit("2" as unknown as number),
    TypeError,
    'Cannot set ErrGroup limit: n must be an integer, received "2" (a string)',
  );
  assertThrows(
    () => group.setLimit(0.5),
    RangeError,
    "Cannot set ErrGroup limit: n must be an integer, received 0.5",
  );
  assertThrows(
    () => new ErrGroup({ signal: true as unknown as AbortSignal }),
    TypeError,
    "Cannot create ErrGroup: options.signal must be an AbortSignal, received true (a boolean)",
  );
  assertThrows(
    () => ErrGroup.withSignal("s" as unknown as AbortSignal),
    TypeError,
    'Cannot create ErrGroup.withSignal(): parent must be an AbortSignal, received "s" (a string)',
  );
  assertThrows(
    () =>
      ErrGroup.withContext(
        undefined as unknown as Context,
      ),
    TypeError,
    "Cannot create ErrGroup.withContext(): cannot create context from nil parent; use background() for a root context",
  );
  assertThrows(
    () => ErrGroup.withContext(3 as unknown as Context),
    TypeError,
    "Cannot create ErrGroup.withContext(): parent must be a Context (with done, err, deadline, value and signal), received 3",
  );
  await group.wait(); // Nothing was started.
});

Deno.test("Pool: a bad new or maxIdle shows the value as given", () => {
  assertThrows(
    () => new Pool({ new: "make" as unknown as () => number }),
    TypeError,
    'Cannot create Pool: options.new must be a function that makes an item, received "make" (a string)',
  );
  assertThrows(
    () => new Pool({ new: () => 1, maxIdle: "8" as unknown as number }),
    TypeError,
    'Cannot create Pool: options.maxIdle must be an integer, received "8" (a string)',
  );
  assertThrows(
    () => new Pool({ new: () => 1, maxIdle: -1 }),
    RangeError,
    "Cannot create Pool: options.maxIdle must be non-negative, received -1",
  );
});
