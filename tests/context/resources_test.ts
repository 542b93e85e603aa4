// Copyright the denogo authors. MIT license.
// What a context costs and what it leaves behind: children unregister,
// timers are cleared at cancel (Deno's sanitizers check), done channels and
// AbortControllers are made only on demand, deep trees cancel without
// recursion, and bad durations and deadlines are rejected.

import assert from "node:assert/strict";
import {
  afterFunc,
  background,
  Canceled,
  type Context,
  DeadlineExceeded,
  withCancel,
  withDeadline,
  withTimeout,
  withTimeoutCause,
  withValue,
} from "../../context/mod.ts";
import { contextInternals } from "../../context/_internals.ts";

Deno.test("many short-lived children of a long-lived parent leave its children set empty", () => {
  const [parent, cancelParent] = withCancel(background());
  for (let i = 0; i < 10_000; i++) {
    const [child, cancel] = i % 2 === 0
      ? withCancel(parent)
      : withTimeout(withValue(parent, "i", i), 60_000);
    const stop = afterFunc(child, () => {});
    assert.equal(contextInternals.childCount(child), 1);
    stop();
    cancel();
  }
  assert.equal(contextInternals.childCount(parent), 0);
  cancelParent();
});

Deno.test("cancelling a parent clears the timers of all its timeout descendants at once", () => {
  const [parent, cancel] = withCancel(background());
  const children: Context[] = [];
  for (let i = 0; i < 1000; i++) {
    children.push(withTimeout(parent, 60 * 60 * 1000)[0]);
  }
  assert.equal(contextInternals.armedTimers(), 1000);
  cancel();
  assert.equal(contextInternals.armedTimers(), 0);
  for (const c of children) assert.equal(c.err(), Canceled);
});

Deno.test("a 10,000-node tree is created and cancelled without done channels or AbortControllers", () => {
  const [root, cancel] = withCancel(background());
  const nodes: Context[] = [root];
  for (let i = 0; nodes.length < 10_000; i++) {
    nodes.push(withCancel(nodes[i >> 2])[0]); // A 4-ary tree.
  }
  assert.equal(contextInternals.childCount(root), 4);
  cancel();
  for (const node of nodes) {
    assert.equal(node.err(), Canceled);
    assert.equal(contextInternals.hasDoneChannel(node), false);
    assert.equal(contextInternals.hasController(node), false);
    assert.equal(contextInternals.childCount(node), 0);
  }
  // Asked for after the cancel: a closed channel and an aborted signal,
  // still without allocating per-node state.
  assert.equal(nodes[9_999].done().closed, true);
  assert.equal(nodes[9_999].signal.reason, Canceled);
  assert.equal(contextInternals.hasController(nodes[9_999]), false);
});

Deno.test("done() and signal allocate only when read", () => {
  const [ctx, cancel] = withCancel(background());
  assert.equal(contextInternals.hasDoneChannel(ctx), false);
  assert.equal(contextInternals.hasController(ctx), false);
  ctx.done();
  assert.equal(contextInternals.hasDoneChannel(ctx), true);
  assert.equal(contextInternals.hasController(ctx), false);
  void ctx.signal;
  assert.equal(contextInternals.hasController(ctx), true);
  cancel();
});

Deno.test("a chain of 100,000 nested contexts cancels without overflowing the stack", () => {
  const [root, cancel] = withCancel(background());
  let leaf: Context = root;
  for (let i = 0; i < 100_000; i++) leaf = withCancel(leaf)[0];
  cancel();
  assert.equal(leaf.err(), Canceled);
});

Deno.test("value() on a chain of 100,000 values walks it without recursion", () => {
  const key = Symbol("root");
  let ctx = withValue(background(), key, "found");
  for (let i = 0; i < 100_000; i++) ctx = withValue(ctx, i, i);
  assert.equal(ctx.value(key), "found");
  assert.equal(ctx.value("missing"), undefined);
});

Deno.test("withTimeout() with zero or a negative timeout is already DeadlineExceeded", () => {
  for (const ms of [0, -1, -1e12]) {
    const [ctx, cancel] = withTimeout(background(), ms);
    assert.equal(ctx.err(), DeadlineExceeded, `timeout ${ms}`);
    assert.equal(ctx.done().closed, true);
    cancel();
  }
});

Deno.test("withTimeout() of an already cancelled parent reports the parent's Canceled", () => {
  const [parent, cancelParent] = withCancel(background());
  cancelParent();
  const [ctx, cancel] = withTimeout(parent, -1);
  assert.equal(ctx.err(), Canceled);
  cancel();
});

Deno.test("withTimeout() rejects NaN and infinities with RangeError, non-numbers with TypeError", () => {
  for (const ms of [NaN, Infinity, -Infinity]) {
    assert.throws(
      () => withTimeout(background(), ms),
      (e) => e instanceof RangeError && /withTimeout/.test(e.message),
    );
  }
  for (const ms of ["10", undefined, null, 10n]) {
    assert.throws(
      () => withTimeout(background(), ms as unknown as number),
      TypeError,
    );
  }
  assert.throws(
    () => withTimeoutCause(background(), NaN, new Error("x")),
    RangeError,
  );
});

Deno.test("withDeadline() rejects invalid dates and non-dates", () => {
  assert.throws(
    () => withDeadline(background(), new Date("not a date")),
    /Invalid Date/,
  );
  assert.throws(() => withDeadline(background(), NaN), RangeError);
  assert.throws(() => withDeadline(background(), 1e300), RangeError);
  assert.throws(
    () => withDeadline(background(), "2030-01-01" as unknown as Date),
    TypeError,
  );
});

Deno.test("withTimeout(2 ** 32) arms one JS timer clamped to setTimeout's limit", async () => {
  const real = globalThis.setTimeout;
  const delays: number[] = [];
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    delays.push(ms ?? 0);
    return real(fn, ms);
  }) as typeof setTimeout;
  let cancel: () => void;
  try {
    [, cancel] = withTimeout(background(), 2 ** 32);
    await Promise.resolve(); // The timer is armed in a microtask.
  } finally {
    globalThis.setTimeout = real;
  }
  assert.deepEqual(delays, [2 ** 31 - 1]);
  cancel();
});

Deno.test("no deadline timer outlives the tests above", () => {
  // Deno's sanitizers do not report leaked timers (as of 2.9): count them.
  assert.equal(contextInternals.armedTimers(), 0);
});
