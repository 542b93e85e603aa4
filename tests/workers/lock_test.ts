// Copyright the denogo authors. MIT license.

/**
 * The futex lock of the shared primitives (`workers/_lock.ts`): a wake-up
 * asked for under a lock is made once this thread holds no lock, so the
 * woken thread does not find the lock held.
 *
 * @module
 */

import assert from "node:assert/strict";
import { lock, notifyUnlocked, unlock } from "../../workers/_lock.ts";

/** A word with an `Atomics.waitAsync` out on it, and that wait's result. */
function waitedWord(): { word: Int32Array; woken: Promise<string> } {
  const word = new Int32Array(new SharedArrayBuffer(8));
  const r = Atomics.waitAsync(word, 1, 0);
  assert.equal(r.async, true);
  return { word, woken: r.value as Promise<string> };
}

Deno.test("notifyUnlocked() without a lock held notifies at once", async () => {
  const { word, woken } = waitedWord();
  notifyUnlocked(word, 1);
  assert.equal(Atomics.notify(word, 1), 0, "the waiter was notified");
  assert.equal(await woken, "ok");
});

Deno.test("notifyUnlocked() under locks notifies once the last is released", async () => {
  const { word, woken } = waitedWord();
  const locks = new Int32Array(new SharedArrayBuffer(8));
  lock(locks, 0);
  lock(locks, 1);
  notifyUnlocked(word, 1);
  notifyUnlocked(word, 1);
  unlock(locks, 1);
  assert.equal(Atomics.load(locks, 0), 1, "the outer lock is held");
  unlock(locks, 0);
  assert.equal(await woken, "ok");
  assert.equal(Atomics.notify(word, 1), 0, "no waiter is left");
});

Deno.test("notifyUnlocked() under a lock leaves the waiter waiting until the unlock", async () => {
  const { word, woken } = waitedWord();
  const locks = new Int32Array(new SharedArrayBuffer(4));
  lock(locks, 0);
  notifyUnlocked(word, 1);
  // The deferred notify has not run: this one finds the waiter and wakes it.
  assert.equal(Atomics.notify(word, 1), 1);
  unlock(locks, 0); // its deferred notify finds nobody, harmlessly
  assert.equal(await woken, "ok");
});
