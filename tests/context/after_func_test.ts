// Copyright the denogo authors. MIT license.
// Port of Go 1.21's TestAfterFunc* (src/context/afterfunc_test.go and
// x_test.go): afterFunc runs its function in a new goroutine once the
// context is done, at most once, unless stop() came first.

import assert from "node:assert/strict";
import { Channel, numGoroutine } from "../../mod.ts";
import {
  afterFunc,
  background,
  type Context,
  withCancel,
  withoutCancel,
  withTimeout,
} from "../../context/mod.ts";
import { contextInternals } from "../../context/_internals.ts";
import { flushMacrotask, otherContext } from "./_helpers.ts";

/** Whether the channel is closed after one macrotask turn. */
async function closedSoon(ch: Channel<void>): Promise<boolean> {
  await flushMacrotask();
  return ch.closed;
}

Deno.test("afterFunc() runs fn after the context is cancelled, not before", async () => {
  const [ctx, cancel] = withCancel(background());
  const donec = new Channel<void>();
  afterFunc(ctx, () => donec.close());
  assert.equal(await closedSoon(donec), false);
  cancel();
  assert.equal((await donec.receive()).ok, false);
});

Deno.test("afterFunc() runs fn after the context times out", async () => {
  const [ctx, cancel] = withTimeout(background(), 1);
  const donec = new Channel<void>();
  afterFunc(ctx, () => donec.close());
  await donec.receive();
  assert.equal(donec.closed, true);
  cancel();
});

Deno.test("afterFunc() on a done context runs fn at once, in a new goroutine", async () => {
  const [ctx, cancel] = withCancel(background());
  cancel();
  let ran = false;
  const donec = new Channel<void>();
  afterFunc(ctx, () => {
    ran = true;
    donec.close();
  });
  assert.equal(ran, false, "fn must not run inside afterFunc()");
  await donec.receive();
  assert.equal(ran, true);
});

Deno.test("stop() before cancel keeps fn from running and returns true once", async () => {
  const [ctx, cancel] = withCancel(background());
  const donec = new Channel<void>();
  const stop = afterFunc(ctx, () => donec.close());
  assert.equal(contextInternals.childCount(ctx), 1);
  assert.equal(stop(), true);
  assert.equal(contextInternals.childCount(ctx), 0);
  cancel();
  assert.equal(await closedSoon(donec), false);
  assert.equal(stop(), false);
});

Deno.test("stop() after fn started returns false", async () => {
  const [ctx, cancel] = withCancel(background());
  const donec = new Channel<void>();
  const stop = afterFunc(ctx, () => donec.close());
  cancel();
  assert.equal(stop(), false);
  await donec.receive();
  assert.equal(stop(), false);
});

Deno.test("cancel() does not wait for fn, and fn runs as a goroutine", async () => {
  const [ctx, cancel] = withCancel(background());
  const release = new Channel<void>();
  const finished = new Channel<void>();
  const before = numGoroutine();
  afterFunc(ctx, async () => {
    await release.receive(); // Blocks until the test releases it.
    finished.close();
  });
  cancel(); // Returns although fn is blocked.
  await flushMacrotask();
  assert.equal(numGoroutine(), before + 1);
  assert.equal(finished.closed, false);
  release.close();
  await finished.receive();
});

Deno.test("several afterFunc() registrations are independent", async () => {
  const [ctx, cancel] = withCancel(background());
  const order: number[] = [];
  const all = new Channel<void>();
  const stops = [1, 2, 3].map((n) =>
    afterFunc(ctx, () => {
      order.push(n);
      if (order.length === 2) all.close();
    })
  );
  assert.equal(stops[1](), true);
  cancel();
  await all.receive();
  assert.deepEqual(order, [1, 3]);
  assert.equal(stops[0](), false);
  assert.equal(stops[2](), false);
});

Deno.test("afterFunc() on a context that is never done never runs fn", async () => {
  for (
    const ctx of [background(), withoutCancel(withCancel(background())[0])]
  ) {
    const donec = new Channel<void>();
    const stop = afterFunc(ctx, () => donec.close());
    assert.equal(await closedSoon(donec), false);
    assert.equal(stop(), true);
  }
});

Deno.test("afterFunc() on a custom context follows its signal and stop() unhooks it", async () => {
  const [inner, cancel] = withCancel(background());
  const custom = {
    ...otherContext(inner),
    done: () => new Channel<void>(),
  } as unknown as Context;
  Object.defineProperty(custom, "signal", { get: () => inner.signal });
  const ran = new Channel<void>();
  afterFunc(custom, () => ran.close());
  const stopped = new Channel<void>();
  const stop = afterFunc(custom, () => stopped.close());
  assert.equal(stop(), true);
  cancel();
  await ran.receive();
  assert.equal(await closedSoon(stopped), false);
});

Deno.test("afterFunc() rejects a non-function and a nil context", () => {
  assert.throws(
    () => afterFunc(background(), 42 as unknown as () => void),
    TypeError,
  );
  assert.throws(
    () => afterFunc(null as unknown as Context, () => {}),
    /nil parent/,
  );
});

Deno.test("no deadline timer outlives the tests above", () => {
  // Deno's sanitizers do not report leaked timers (as of 2.9): count them.
  assert.equal(contextInternals.armedTimers(), 0);
});
