// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import { Channel, numGoroutine, yieldNow } from "../../mod.ts";
import { ErrGroup, SyncError } from "../../sync/mod.ts";
import {
  background,
  Canceled,
  cause,
  withCancel,
  withValue,
} from "../../context/mod.ts";
import { flush, track } from "../_util.ts";

Deno.test("ErrGroup.wait() resolves once every goroutine has finished", async () => {
  const group = new ErrGroup();
  const release = new Channel<void>();
  let finished = 0;
  for (let i = 0; i < 3; i++) {
    group.go(async () => {
      await release.receive();
      finished++;
    });
  }
  const waiting = track(group.wait());
  await flush();
  assert.equal(waiting.settled, false);
  release.close();
  await flush();
  assert.equal(waiting.settled, true);
  assert.equal(waiting.error, undefined);
  assert.equal(finished, 3);
});

Deno.test("ErrGroup.wait() resolves at once for an empty group", async () => {
  await new ErrGroup().wait();
});

Deno.test("ErrGroup.wait() rejects with the first error, after all goroutines finish", async () => {
  const group = new ErrGroup();
  const second = new Channel<void>();
  let lastDone = false;
  group.go(() => {
    throw new Error("first");
  });
  group.go(async () => {
    await second.receive();
    lastDone = true;
    throw new Error("second");
  });
  const waiting = group.wait();
  await flush();
  second.close();
  await assert.rejects(waiting, /first/);
  assert.equal(lastDone, true);
  await assert.rejects(group.wait(), /first/, "later waits see it too");
});

Deno.test("ErrGroup.withSignal(): the signal aborts with the first error", async () => {
  const group = ErrGroup.withSignal();
  const never = new Channel<void>();
  const boom = new Error("boom");
  group.go(async () => {
    await never.receive({ signal: group.signal });
  });
  group.go(() => {
    throw boom;
  });
  await assert.rejects(group.wait(), (e) => e === boom);
  assert.equal(group.signal.aborted, true);
  assert.equal(group.signal.reason, boom);
});

Deno.test("ErrGroup: the signal aborts when wait() returns without an error", async () => {
  const group = ErrGroup.withSignal();
  group.go(() => {});
  assert.equal(group.signal.aborted, false);
  await group.wait();
  assert.equal(group.signal.aborted, true);
  assert.equal((group.signal.reason as DOMException).name, "AbortError");
});

Deno.test("ErrGroup: the signal follows the parent signal", () => {
  const parent = new AbortController();
  const group = new ErrGroup({ signal: parent.signal });
  const reason = new Error("parent cancelled");
  parent.abort(reason);
  assert.equal(group.signal.aborted, true);
  assert.equal(group.signal.reason, reason);
});

Deno.test("ErrGroup: a signal first read after a failure is already aborted", async () => {
  const group = new ErrGroup();
  group.go(() => Promise.reject(new Error("early")));
  await assert.rejects(group.wait(), /early/);
  assert.equal(group.signal.aborted, true);
  assert.match(String(group.signal.reason), /early/);
});

Deno.test("ErrGroup.setLimit() bounds how many goroutines run at once; go() waits for a slot", async () => {
  const group = new ErrGroup();
  group.setLimit(2);
  const gates = [0, 1, 2].map(() => new Channel<void>());
  let running = 0;
  let peak = 0;
  const starts: Promise<void>[] = [];
  for (const gate of gates) {
    starts.push(group.go(async () => {
      peak = Math.max(peak, ++running);
      await gate.receive();
      running--;
    }));
  }
  const third = track(starts[2]);
  await flush();
  assert.equal(third.settled, false, "the third go() waits for a slot");
  assert.equal(running, 2);
  gates[0].close();
  await flush();
  assert.equal(third.settled, true);
  gates[1].close();
  gates[2].close();
  await group.wait();
  assert.equal(peak, 2);
});

Deno.test("ErrGroup.tryGo() starts a goroutine only below the limit", async () => {
  const group = new ErrGroup();
  assert.equal(group.tryGo(() => {}), true, "no limit by default");
  await group.wait();
  group.setLimit(1);
  const gate = new Channel<void>();
  assert.equal(group.tryGo(() => gate.receive()), true);
  assert.equal(group.tryGo(() => {}), false);
  gate.close();
  await group.wait();
  assert.equal(group.tryGo(() => {}), true);
  await group.wait();
});

Deno.test("ErrGroup.setLimit() while goroutines run throws SyncError; bad limits throw RangeError", async () => {
  const group = new ErrGroup();
  const gate = new Channel<void>();
  group.go(() => gate.receive());
  assert.throws(() => group.setLimit(1), (e) => {
    assert(e instanceof SyncError);
    assert.match(e.message, /while 1 goroutines of the group are still active/);
    return true;
  });
  gate.close();
  await group.wait();
  assert.throws(() => group.setLimit(NaN), RangeError);
  assert.throws(() => group.setLimit(1.5), RangeError);
  group.setLimit(-1); // No limit.
  for (let i = 0; i < 5; i++) assert.equal(group.tryGo(() => {}), true);
  await group.wait();
});

Deno.test("ErrGroup.go() with a limit of 0 rejects with SyncError instead of waiting forever", async () => {
  const group = new ErrGroup();
  group.setLimit(0);
  await assert.rejects(group.go(() => {}), SyncError);
  assert.equal(group.tryGo(() => {}), false);
  await group.wait();
});

Deno.test("ErrGroup.go() rejects a non-function with TypeError; tryGo() throws it", async () => {
  const group = new ErrGroup();
  await assert.rejects(group.go(1 as unknown as () => void), TypeError);
  assert.throws(() => group.tryGo(null as unknown as () => void), TypeError);
  await group.wait();
});

Deno.test("ErrGroup runs each function in a goroutine and leaks none", async () => {
  const before = numGoroutine();
  const group = new ErrGroup();
  for (let i = 0; i < 10; i++) group.go(() => yieldNow());
  assert.equal(numGoroutine(), before + 10);
  await group.wait();
  assert.equal(numGoroutine(), before);
});

// ErrGroup.withContext -------------------------------------------------------

Deno.test("ErrGroup.withContext(): the context is cancelled with the first error as its cause", async () => {
  const [group, ctx] = ErrGroup.withContext(background());
  const boom = new Error("boom");
  const sibling = group.go(async () => {
    await ctx.done().receive(); // Blocks until a sibling fails.
    return "stopped";
  });
  assert.equal(ctx.err(), undefined);
  group.go(() => {
    throw boom;
  });
  await assert.rejects(group.wait(), (e) => e === boom);
  await sibling;
  assert.equal(ctx.err(), Canceled);
  assert.equal(cause(ctx), boom);
  assert.equal(ctx.signal.reason, boom);
});

Deno.test("ErrGroup.withContext(): the context is cancelled when wait() returns, even without an error", async () => {
  const [group, ctx] = ErrGroup.withContext(background());
  let sawLive = false;
  group.go(() => {
    sawLive = ctx.err() === undefined;
  });
  assert.equal(ctx.err(), undefined);
  await group.wait();
  assert.equal(sawLive, true);
  assert.equal(ctx.err(), Canceled);
  assert.equal(cause(ctx), Canceled);
});

Deno.test("ErrGroup.withContext(): a cancelled parent cancels the derived context, and values pass through", async () => {
  const key = Symbol("request");
  const [parent, cancelParent] = withCancel(
    withValue(background(), key, "r-1"),
  );
  const [group, ctx] = ErrGroup.withContext(parent);
  assert.equal(ctx.value(key), "r-1");
  cancelParent();
  assert.equal(ctx.err(), Canceled);
  await group.wait();
});
