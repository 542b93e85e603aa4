// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import { go } from "../../mod.ts";
import { Once, onceFunc, onceValue, SyncError } from "../../sync/mod.ts";

// Go's TestOnce.
Deno.test("Once.do() calls its function exactly once across goroutines", async () => {
  const once = new Once();
  let calls = 0;
  await Promise.all(
    Array.from({ length: 10 }, () => go(() => once.do(() => calls++))),
  );
  assert.equal(calls, 1);
});

Deno.test("Once.do() runs a synchronous function before returning", () => {
  const once = new Once();
  let ran = false;
  void once.do(() => ran = true);
  assert.equal(ran, true);
});

Deno.test("Once.do(): callers arriving while an async function runs wait until it finishes", async () => {
  const once = new Once();
  let finished = false;
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const first = once.do(async () => {
    await gate;
    finished = true;
  });
  const seen: boolean[] = [];
  const others = [1, 2, 3].map(() =>
    once.do(() => assert.fail("called twice")).then(() => seen.push(finished))
  );
  release();
  await first;
  await Promise.all(others);
  assert.deepEqual(seen, [true, true, true]);
});

// Go's TestOncePanic.
Deno.test("Once.do(): a function that throws still counts as done", async () => {
  const once = new Once();
  await assert.rejects(
    once.do(() => {
      throw new Error("failed");
    }),
    /failed/,
  );
  await once.do(() => assert.fail("called after a throw"));
});

Deno.test("Once.do(): an async rejection rejects only the first caller; waiters resolve", async () => {
  const once = new Once();
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const first = once.do(async () => {
    await gate;
    throw new Error("async failure");
  });
  const waiter = once.do(() => assert.fail("called twice"));
  release();
  await assert.rejects(first, /async failure/);
  await waiter;
  await once.do(() => assert.fail("called after a rejection"));
});

Deno.test("onceFunc() calls f once and rethrows its error on every call", () => {
  let calls = 0;
  const f = onceFunc(() => {
    calls++;
  });
  f();
  f();
  assert.equal(calls, 1);
  const failing = onceFunc(() => {
    calls++;
    throw new Error("init failed");
  });
  assert.throws(failing, /init failed/);
  assert.throws(failing, /init failed/);
  assert.equal(calls, 2);
});

Deno.test("onceValue() returns the first result on every call", () => {
  let calls = 0;
  const get = onceValue(() => ({ n: ++calls }));
  const a = get();
  assert.equal(get(), a);
  assert.equal(calls, 1);
});

Deno.test("onceValue() with an async f shares one promise between callers", async () => {
  let calls = 0;
  const get = onceValue(async () => {
    await null;
    return ++calls;
  });
  assert.deepEqual(await Promise.all([get(), get(), get()]), [1, 1, 1]);
  assert.equal(calls, 1);
  const failing = onceValue(() => Promise.reject(new Error("nope")));
  await assert.rejects(failing(), /nope/);
  await assert.rejects(failing(), /nope/);
});

Deno.test("onceValue() called from inside f throws SyncError instead of deadlocking", () => {
  const get: () => number = onceValue((): number => get() + 1);
  assert.throws(get, (e) => {
    assert(e instanceof SyncError);
    assert.match(e.message, /from inside its own first call/);
    return true;
  });
  assert.throws(get, SyncError, "the failure is remembered");
});
