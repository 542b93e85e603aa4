// Copyright the denogo authors. MIT license.
// Deadlines share one timer heap: they fire in deadline order (equal ones
// in creation order), a cancel before the deadline takes the entry out, a
// cancel after it changes nothing, a child under an earlier parent deadline
// follows the parent, and no JS timer is left once the heap is empty.

import assert from "node:assert/strict";
import {
  afterFunc,
  background,
  Canceled,
  type Context,
  DeadlineExceeded,
  withDeadline,
  withTimeout,
} from "../../context/mod.ts";
import { contextInternals } from "../../context/_internals.ts";
import { jsTimerPending } from "../../_timer_heap.ts";

/** Resolves with the order in which `ctxs` become done. */
function doneOrder(ctxs: Context[]): Promise<number[]> {
  const order: number[] = [];
  return new Promise((resolve) => {
    ctxs.forEach((c, i) =>
      afterFunc(c, () => {
        order.push(i);
        if (order.length === ctxs.length) resolve(order);
      })
    );
  });
}

Deno.test("deadlines fire in deadline order, whatever the creation order", async () => {
  const base = Date.now() + 5;
  const offsets = [9, 3, 0, 7, 1, 8, 2, 6, 4, 5];
  const pairs = offsets.map((o) => withDeadline(background(), base + o));
  const order = await doneOrder(pairs.map(([c]) => c));
  assert.deepEqual(order.map((i) => offsets[i]), [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
  ]);
  for (const [c, cancel] of pairs) {
    assert.equal(c.err(), DeadlineExceeded);
    cancel();
    assert.equal(
      c.err(),
      DeadlineExceeded,
      "a cancel after the deadline changes nothing",
    );
  }
  assert.equal(contextInternals.armedTimers(), 0);
});

Deno.test("equal deadlines fire in creation order", async () => {
  const at = Date.now() + 3;
  const pairs = Array.from(
    { length: 20 },
    () => withDeadline(background(), at),
  );
  const order = await doneOrder(pairs.map(([c]) => c));
  assert.deepEqual(order, [...order.keys()]);
  for (const [, cancel] of pairs) cancel();
});

Deno.test("a deadline cancelled before it passes is Canceled; the others still fire", async () => {
  const at = Date.now() + 3;
  const pairs = Array.from(
    { length: 9 },
    (_, i) => withDeadline(background(), at + (i % 3)),
  );
  for (let i = 0; i < pairs.length; i += 2) pairs[i][1]();
  assert.equal(contextInternals.armedTimers(), 4);
  const live = pairs.filter((_, i) => i % 2 === 1).map(([c]) => c);
  await doneOrder(live);
  pairs.forEach(([c], i) => {
    assert.equal(c.err(), i % 2 === 0 ? Canceled : DeadlineExceeded);
    assert.equal(c.deadline()?.getTime(), at + (i % 3));
  });
  assert.equal(contextInternals.armedTimers(), 0);
});

Deno.test("cancelling the earliest deadline leaves the later ones to fire", async () => {
  // Far enough apart that the first cannot expire before it is cancelled
  // (a 1 ms deadline can, when the second withTimeout() runs late).
  const [first, cancelFirst] = withTimeout(background(), 20);
  const [second, cancelSecond] = withTimeout(background(), 40);
  cancelFirst();
  await second.done().receive();
  assert.equal(first.err(), Canceled);
  assert.equal(second.err(), DeadlineExceeded);
  cancelSecond();
});

Deno.test("a child under a parent with an earlier deadline follows the parent", async () => {
  const [parent, cancelParent] = withTimeout(background(), 3);
  const parentAt = parent.deadline()!.getTime();
  const [child, cancelChild] = withTimeout(parent, 60_000);
  assert.equal(child.deadline()?.getTime(), parentAt);
  const [grandchild, cancelGrandchild] = withDeadline(child, parentAt - 1_000);
  assert.equal(
    grandchild.err(),
    DeadlineExceeded,
    "a past deadline is done at once",
  );
  await child.done().receive();
  assert.equal(parent.err(), DeadlineExceeded);
  assert.equal(child.err(), DeadlineExceeded);
  cancelGrandchild();
  cancelChild();
  cancelParent();
  assert.equal(contextInternals.armedTimers(), 0);
});

Deno.test("a parent whose deadline fires first cancels a child with a later one", async () => {
  const [parent, cancelParent] = withTimeout(background(), 2);
  const [child, cancelChild] = withTimeout(parent, 60_000 * 60);
  // The parent's deadline comes first: the child follows it, with no entry
  // of its own in the heap.
  assert.equal(contextInternals.armedTimers(), 1);
  assert.equal(child.deadline()?.getTime(), parent.deadline()?.getTime());
  await child.done().receive();
  assert.equal(child.err(), DeadlineExceeded);
  assert.equal(contextInternals.armedTimers(), 0);
  cancelChild();
  cancelParent();
});

Deno.test("a deadline beyond setTimeout's limit is pending, and cancel takes it out", () => {
  const [ctx, cancel] = withDeadline(background(), Date.now() + 2 ** 40);
  assert.equal(ctx.err(), undefined);
  assert.equal(contextInternals.armedTimers(), 1);
  cancel();
  assert.equal(ctx.err(), Canceled);
  assert.equal(contextInternals.armedTimers(), 0);
});

Deno.test("no JS timer is left once the last pending deadline is cancelled", async () => {
  for (let i = 0; i < 100; i++) withTimeout(background(), 60_000)[1]();
  const [, cancel] = withTimeout(background(), 60_000);
  // The timer follows the heap in a microtask: none was armed for the
  // deadlines created and cancelled in this one.
  assert.equal(jsTimerPending(), false);
  await Promise.resolve();
  assert.equal(jsTimerPending(), true);
  cancel();
  await Promise.resolve();
  assert.equal(jsTimerPending(), false);
  assert.equal(contextInternals.armedTimers(), 0);
});
