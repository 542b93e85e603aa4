// Copyright the denogo authors. MIT license.

/**
 * Go's `sync` package and `golang.org/x/sync`, for goroutines on one
 * isolate: locks, wait groups, once, condition variables, a weighted
 * semaphore, error groups and pools.
 *
 * On one isolate, code between two `await`s already runs alone, so these
 * primitives matter where a critical section, or a wait, spans `await`s.
 * Every blocking call returns a promise; every one has a non-blocking
 * `try` form or resolves at once (one microtask) when it need not wait.
 * Blocked calls are served in arrival order, and take part in the deadlock
 * report like blocked channel operations (`[sync.Mutex.Lock]`,
 * `[sync.WaitGroup.Wait]`, ...). Misuse that Go reports as a fatal error
 * (unlock of an unlocked mutex, a negative WaitGroup counter, ...) throws a
 * {@linkcode SyncError} here and leaves the primitive usable.
 *
 * A short tour:
 *
 * ```ts
 * import {
 *   ErrGroup,
 *   Mutex,
 *   Once,
 *   RWMutex,
 *   Semaphore,
 *   WaitGroup,
 * } from "@denogo/go/sync";
 * import { yieldNow } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * // Mutex: a critical section across awaits; `using` unlocks on exit.
 * const mu = new Mutex();
 * let counter = 0;
 * async function increment() {
 *   using _ = await mu.locked();
 *   const c = counter;
 *   await yieldNow();
 *   counter = c + 1;
 * }
 *
 * // WaitGroup: wait for a set of goroutines (wg.go is Go 1.25's wg.Go).
 * const wg = new WaitGroup();
 * for (let i = 0; i < 10; i++) wg.go(increment);
 * await wg.wait();
 * assert.equal(counter, 10);
 *
 * // RWMutex: many readers or one writer.
 * const rw = new RWMutex();
 * await rw.rLock();
 * assert.equal(rw.tryLock(), false);
 * rw.rUnlock();
 *
 * // Once: one initialisation, however many callers.
 * const once = new Once();
 * let inits = 0;
 * await Promise.all([1, 2, 3].map(() => once.do(() => { inits++; })));
 * assert.equal(inits, 1);
 *
 * // Semaphore (x/sync/semaphore): weighted, FIFO.
 * const sem = new Semaphore(4);
 * await sem.acquire(3);
 * assert.equal(sem.tryAcquire(2), false);
 * sem.release(3);
 *
 * // ErrGroup (x/sync/errgroup): the first error, and a signal that
 * // cancels the siblings.
 * const group = ErrGroup.withSignal();
 * group.go(() => { throw new Error("bad input"); });
 * await assert.rejects(group.wait(), /bad input/);
 * assert.equal(group.signal.aborted, true);
 * ```
 *
 * - {@linkcode Mutex} (and the {@linkcode Locker} interface),
 *   {@linkcode RWMutex}: `lock`, `tryLock`, `unlock`, `locked()` guards
 *   for `using`; strict FIFO hand-off, so no waiter starves.
 * - {@linkcode WaitGroup}: `add`, `done`, `wait`, `go`.
 * - {@linkcode Once}, {@linkcode onceFunc}, {@linkcode onceValue}.
 * - {@linkcode Cond}: `wait`, `signal`, `broadcast` over any Locker.
 * - {@linkcode Semaphore}: `acquire(n, { signal })`, `tryAcquire`,
 *   `release`.
 * - {@linkcode ErrGroup}: `go`, `tryGo`, `wait`, `setLimit`, `signal`.
 * - {@linkcode Pool}: `get`, `put`.
 * - Errors: {@linkcode SyncError} and its subclasses
 *   {@linkcode UnlockOfUnlockedError}, {@linkcode NegativeCounterError},
 *   {@linkcode AcquireExceedsSizeError}, {@linkcode ReleaseExceedsHeldError}.
 *
 * @module
 */

export * from "./errors.ts";
export * from "./mutex.ts";
export * from "./rw_mutex.ts";
export * from "./wait_group.ts";
export * from "./once.ts";
export * from "./cond.ts";
export * from "./semaphore.ts";
export * from "./err_group.ts";
export * from "./pool.ts";
