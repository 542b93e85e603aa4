// Copyright the denogo authors. MIT license.
// Port of Go's src/context/context_test.go (run through x_test.go): the
// tree, deadlines, values and custom parents. Go's "this blocks" checks are
// a select with a default, as in the original; cancellation is synchronous,
// so no test needs to wait for it.

import assert from "node:assert/strict";
import { Channel, go, recv, select } from "../../mod.ts";
import {
  background,
  Canceled,
  CanceledError,
  type Context,
  type ContextError,
  DeadlineExceeded,
  DeadlineExceededError,
  todo,
  withCancel,
  withDeadline,
  withTimeout,
  withValue,
} from "../../context/mod.ts";
import { contextInternals } from "../../context/_internals.ts";
import { otherContext, seededRandom } from "./_helpers.ts";

const SHORT_MS = 1;
const VERY_LONG_MS = 1000 * 60 * 60 * 1000; // Go's veryLongDuration: 1000 h.

/** Go's `select { case <-ctx.Done(): ...; default: }`, as a boolean. */
function selectDone(ctx: Context): Promise<boolean> {
  return select([recv(ctx.done(), () => true)], { default: () => false });
}

Deno.test("background() is never done and prints as context.Background", async () => {
  const c = background();
  assert.equal(await selectDone(c), false);
  assert.equal(c.err(), undefined);
  assert.equal(c.deadline(), undefined);
  assert.equal(c.signal.aborted, false);
  assert.equal(String(c), "context.Background");
  assert.equal(background(), c);
});

Deno.test("todo() is never done and prints as context.TODO", async () => {
  const c = todo();
  assert.equal(await selectDone(c), false);
  assert.equal(c.err(), undefined);
  assert.equal(String(c), "context.TODO");
});

Deno.test("withCancel(): cancel() closes done and sets err on the context and its descendants at once", async () => {
  const [c1, cancel] = withCancel(background());
  assert.equal(String(c1), "context.Background.WithCancel");
  const o = otherContext(c1);
  const [c2, cancel2] = withCancel(o);
  const contexts = [c1, o, c2];
  for (const c of contexts) {
    assert.notEqual(c.done(), undefined);
    assert.equal(c.err(), undefined);
    assert.equal(await selectDone(c), false);
  }
  cancel(); // Propagates synchronously.
  for (const c of contexts) {
    assert.equal(await selectDone(c), true);
    assert.equal(c.err(), Canceled);
  }
  cancel2();
});

Deno.test("done() returns the same channel on every call, before and after cancel", () => {
  const [c, cancel] = withCancel(background());
  const ch = c.done();
  assert.equal(c.done(), ch);
  cancel();
  assert.equal(c.done(), ch);
  assert.equal(ch.closed, true);
  const [late, cancelLate] = withCancel(background());
  cancelLate();
  assert.equal(late.done(), late.done()); // made after cancel: closed
  assert.equal(late.done().closed, true);
});

Deno.test("cancelling a parent finishes every child, including through values and timers", async () => {
  // parent -> cancelChild
  // parent -> valueChild -> timerChild
  const [parent, cancel] = withCancel(background());
  const [cancelChild, stop1] = withCancel(parent);
  const valueChild = withValue(parent, "key", "value");
  const [timerChild, stop2] = withTimeout(valueChild, VERY_LONG_MS);

  const blocked = await select([
    recv(parent.done(), () => "parent"),
    recv(cancelChild.done(), () => "cancelChild"),
    recv(timerChild.done(), () => "timerChild"),
    recv(valueChild.done(), () => "valueChild"),
  ], { default: () => "blocked" });
  assert.equal(blocked, "blocked");

  // The parent holds the two cancelable children (the value node is skipped).
  assert.equal(contextInternals.childCount(parent), 2);
  cancel();
  assert.equal(contextInternals.childCount(parent), 0);

  for (const c of [parent, cancelChild, valueChild, timerChild]) {
    assert.equal(await selectDone(c), true);
    assert.equal(c.err(), Canceled);
  }

  // A child of a cancelled parent is cancelled from the start.
  const precanceled = withValue(parent, "key", "value");
  assert.equal(await selectDone(precanceled), true);
  assert.equal(precanceled.err(), Canceled);
  stop1();
  stop2();
});

Deno.test("cancelling a child leaves its parent live and unregisters the child", async () => {
  const [cancelable, stop] = withCancel(background());
  for (const parent of [background(), cancelable]) {
    const [child, cancel] = withCancel(parent);
    assert.equal(
      await select([
        recv(parent.done(), () => "parent"),
        recv(child.done(), () => "child"),
      ], { default: () => "blocked" }),
      "blocked",
    );
    if (parent === cancelable) {
      assert.equal(contextInternals.childCount(parent), 1);
    }
    cancel();
    if (parent === cancelable) {
      assert.equal(contextInternals.childCount(parent), 0);
    }
    assert.equal(await selectDone(child), true);
    assert.equal(child.err(), Canceled);
    assert.equal(await selectDone(parent), false);
    assert.equal(parent.err(), undefined);
  }
  stop();
});

/** Go's testDeadline: the context times out, with DeadlineExceeded. */
async function expectDeadline(c: Context, notBefore: number, name: string) {
  await c.done().receive();
  assert.equal(c.err(), DeadlineExceeded, name);
  assert(Date.now() >= notBefore, `${name}: done before its deadline`);
}

Deno.test("withDeadline() contexts time out with DeadlineExceeded, never before the deadline", async () => {
  let at = Date.now() + SHORT_MS;
  let [c, cancel] = withDeadline(background(), new Date(at));
  assert.match(String(c), /^context\.Background\.WithDeadline\(/);
  await expectDeadline(c, at, "WithDeadline");
  cancel();

  at = Date.now() + SHORT_MS;
  [c, cancel] = withDeadline(background(), at);
  await expectDeadline(otherContext(c), at, "WithDeadline+otherContext");
  cancel();

  at = Date.now() + SHORT_MS;
  [c, cancel] = withDeadline(background(), at);
  const [c2, cancel2] = withDeadline(
    otherContext(c),
    Date.now() + VERY_LONG_MS,
  );
  await expectDeadline(c2, at, "WithDeadline+otherContext+WithDeadline");
  cancel2();
  cancel();

  [c, cancel] = withDeadline(background(), Date.now() - SHORT_MS);
  assert.equal(c.err(), DeadlineExceeded, "WithDeadline+inthepast");
  cancel();

  [c, cancel] = withDeadline(background(), new Date());
  assert.equal(c.err(), DeadlineExceeded, "WithDeadline+now");
  cancel();
});

Deno.test("withTimeout() contexts time out with DeadlineExceeded, never early", async () => {
  let start = Date.now();
  let [c, cancel] = withTimeout(background(), SHORT_MS);
  assert.match(String(c), /^context\.Background\.WithDeadline\(/);
  await expectDeadline(c, start + SHORT_MS, "WithTimeout");
  cancel();

  start = Date.now();
  [c, cancel] = withTimeout(background(), SHORT_MS);
  await expectDeadline(otherContext(c), start + SHORT_MS, "+otherContext");
  cancel();

  start = Date.now();
  [c, cancel] = withTimeout(background(), SHORT_MS);
  const [c2, cancel2] = withTimeout(otherContext(c), VERY_LONG_MS);
  await expectDeadline(c2, start + SHORT_MS, "+otherContext+WithTimeout");
  cancel2();
  cancel();

  start = Date.now();
  [c, cancel] = withTimeout(background(), 20);
  await expectDeadline(c, start + 20, "20 ms");
  cancel();
});

Deno.test("a timer context cancelled before its deadline reports Canceled", async () => {
  const [c, cancel1] = withTimeout(background(), 1000);
  const [c2, cancel2] = withTimeout(otherContext(c), VERY_LONG_MS);
  cancel2(); // Propagates synchronously.
  assert.equal(await selectDone(c2), true);
  assert.equal(c2.err(), Canceled);
  assert.equal(c.err(), undefined);
  cancel1(); // Clears the 1 s timer: the sanitizer would catch it otherwise.
});

Deno.test("deadline() is the earliest deadline on the path to the root", () => {
  const far = Date.now() + 60_000;
  const near = Date.now() + 30_000;
  const [a, cancelA] = withDeadline(background(), far);
  assert.equal(a.deadline()?.getTime(), far);
  const [b, cancelB] = withDeadline(withValue(a, "k", 1), near);
  assert.equal(b.deadline()?.getTime(), near);
  // A later deadline under an earlier one keeps the earlier one.
  const [c, cancelC] = withDeadline(b, far + 1);
  assert.equal(c.deadline()?.getTime(), near);
  const [d, cancelD] = withCancel(otherContext(c));
  assert.equal(d.deadline()?.getTime(), near);
  assert.equal(withCancel(background())[0].deadline(), undefined);
  // Each call returns a fresh Date: mutating one does not move the deadline.
  b.deadline()!.setTime(0);
  assert.equal(b.deadline()?.getTime(), near);
  for (const cancel of [cancelD, cancelC, cancelB, cancelA]) cancel();
});

Deno.test("a deadline beyond setTimeout's 2^31 - 1 ms limit does not fire early", async () => {
  const [c, cancel] = withTimeout(background(), 2 ** 31 + 5_000);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(c.err(), undefined);
  cancel();
});

const k1 = Symbol("k1");
const k2 = Symbol("k2"); // Go: same int as k1, different type.
const k3 = Symbol("k3");

Deno.test("value() walks the chain; keys compare by identity; undefined shadows", () => {
  const check = (
    c: Context,
    name: string,
    v1?: string,
    v2?: string,
    v3?: string,
  ) => {
    assert.equal(c.value(k1), v1, `${name}.value(k1)`);
    assert.equal(c.value(k2), v2, `${name}.value(k2)`);
    assert.equal(c.value(k3), v3, `${name}.value(k3)`);
  };
  const c0 = background();
  check(c0, "c0");
  const c1 = withValue(background(), k1, "c1k1");
  check(c1, "c1", "c1k1");
  assert.equal(
    String(c1),
    "context.Background.WithValue(Symbol(k1), c1k1)",
  );
  const c2 = withValue(c1, k2, "c2k2");
  check(c2, "c2", "c1k1", "c2k2");
  const c3 = withValue(c2, k3, "c3k3");
  check(c3, "c3", "c1k1", "c2k2", "c3k3");
  const c4 = withValue(c3, k1, undefined);
  check(c4, "c4", undefined, "c2k2", "c3k3");

  const o0 = otherContext(background());
  check(o0, "o0");
  const o1 = otherContext(withValue(background(), k1, "c1k1"));
  check(o1, "o1", "c1k1");
  const o2 = withValue(o1, k2, "o2k2");
  check(o2, "o2", "c1k1", "o2k2");
  const o3 = otherContext(c4);
  check(o3, "o3", undefined, "c2k2", "c3k3");
  const o4 = withValue(o3, k3, undefined);
  check(o4, "o4", undefined, "c2k2");

  // Object keys are compared by identity, not structure.
  const objKey = { name: "k" };
  const c5 = withValue(background(), objKey, 1);
  assert.equal(c5.value(objKey), 1);
  assert.equal(c5.value({ name: "k" }), undefined);
});

Deno.test("values are visible through cancel and timer layers, after cancel too", () => {
  const [a, cancelA] = withCancel(withValue(background(), k1, "v1"));
  const [b, cancelB] = withTimeout(withValue(a, k2, "v2"), VERY_LONG_MS);
  assert.equal(b.value(k1), "v1");
  assert.equal(b.value(k2), "v2");
  cancelA();
  assert.equal(b.value(k1), "v1"); // Values outlive cancellation.
  cancelB();
});

Deno.test("simultaneous cancels of a 100-node tree in random order all finish", async () => {
  const [root, cancel] = withCancel(background());
  const all = new Map<Context, () => void>([[root, cancel]]);
  const queue: Context[] = [root];
  while (queue.length > 0 && all.size < 100) {
    const parent = queue.shift()!;
    for (let i = 0; i < 4; i++) {
      const [ctx, c] = withCancel(parent);
      all.set(ctx, c);
      queue.push(ctx);
    }
  }
  const entries = [...all].sort(() => Math.random() - 0.5);
  const cancels = entries.map(([, c]) => go(c));
  for (const [ctx] of [...all].sort(() => Math.random() - 0.5)) {
    await select([recv(ctx.done())]);
    assert.equal(ctx.err(), Canceled);
  }
  await Promise.all(cancels);
  assert.equal(contextInternals.childCount(root), 0);
});

Deno.test("a child cancelled from a goroutine woken by its parent's cancel finishes", async () => {
  const [parent, cancelParent] = withCancel(background());
  const [child, cancelChild] = withCancel(parent);
  const g = go(async () => {
    await parent.done().receive();
    cancelChild();
  });
  cancelParent();
  await child.done().receive();
  assert.equal(child.err(), Canceled);
  await g;
});

type Cancel = () => void;

/** Go's testLayers: 30+ random layers of values, cancels and timeouts. */
async function testLayers(seed: number, testTimeout: boolean) {
  const rand = seededRandom(seed);
  const msg = (s: string) => `seed=${seed}: ${s}`;
  const vals: object[] = [];
  const cancels: Cancel[] = [];
  let numTimers = 0;
  let ctx: Context = background();
  for (
    let i = 0;
    i < 30 || numTimers === 0 || cancels.length === 0 || vals.length === 0;
    i++
  ) {
    switch (rand(3)) {
      case 0: {
        const v = {};
        ctx = withValue(ctx, v, v);
        vals.push(v);
        break;
      }
      case 1: {
        const [c, cancel] = withCancel(ctx);
        ctx = c;
        cancels.push(cancel);
        break;
      }
      case 2: {
        const [c, cancel] = withTimeout(
          ctx,
          testTimeout ? SHORT_MS : VERY_LONG_MS,
        );
        ctx = c;
        cancels.push(cancel);
        numTimers++;
        break;
      }
    }
  }
  const checkValues = (when: string) => {
    for (const key of vals) {
      assert.equal(ctx.value(key), key, msg(`${when}: value(key)`));
    }
  };
  if (!testTimeout) {
    assert.equal(await selectDone(ctx), false, msg("canceled too early"));
  }
  assert.match(String(ctx), /^context\.Background\./);
  checkValues("before cancel");
  if (testTimeout) {
    await ctx.done().receive();
    assert.equal(ctx.err(), DeadlineExceeded, msg("err after timeout"));
    checkValues("after timeout");
  } else {
    cancels[rand(cancels.length)]();
    assert.equal(await selectDone(ctx), true, msg("ctx should be canceled"));
    checkValues("after cancel");
  }
  for (const cancel of cancels) cancel();
}

Deno.test("random layers of values and cancels: any cancel reaches the leaf", async () => {
  for (let i = 0; i < 20; i++) await testLayers(Date.now() + i, false);
});

Deno.test("random layers of values and timeouts: the leaf times out", async () => {
  for (let i = 0; i < 3; i++) await testLayers(Date.now() + i, true);
});

Deno.test("cancel() removes a withCancel or withTimeout child from its parent", () => {
  let [ctx, cancelCtx] = withCancel(background());
  assert.equal(contextInternals.childCount(ctx), 0);
  let [, cancel] = withCancel(ctx);
  assert.equal(contextInternals.childCount(ctx), 1);
  cancel();
  assert.equal(contextInternals.childCount(ctx), 0);
  cancelCtx();

  [ctx, cancelCtx] = withCancel(background());
  [, cancel] = withTimeout(ctx, 60 * 60 * 1000);
  assert.equal(contextInternals.childCount(ctx), 1);
  cancel();
  assert.equal(contextInternals.childCount(ctx), 0);
  cancelCtx();
});

Deno.test("a timer that fires removes its context from the parent", async () => {
  const [parent, cancelParent] = withCancel(background());
  const [child, cancel] = withTimeout(parent, SHORT_MS);
  assert.equal(contextInternals.childCount(parent), 1);
  await child.done().receive();
  assert.equal(contextInternals.childCount(parent), 0);
  cancel();
  cancelParent();
});

Deno.test("withCancel() of a cancelled parent is done from the start", async () => {
  const [parent, pcancel] = withCancel(background());
  pcancel();
  const [c, cancel] = withCancel(parent);
  assert.equal(await selectDone(c), true);
  assert.equal(c.err(), Canceled);
  assert.equal(contextInternals.childCount(parent), 0);
  cancel();
});

Deno.test("cancel is idempotent and never cancels the parent", () => {
  const [parent, cancelParent] = withCancel(background());
  const [child, cancel] = withCancel(parent);
  cancel();
  cancel();
  assert.equal(child.err(), Canceled);
  assert.equal(parent.err(), undefined);
  cancelParent();
  assert.equal(child.err(), Canceled);
});

Deno.test("withValue() rejects a nil key with a TypeError", () => {
  assert.throws(() => withValue(background(), null, "bar"), /nil key/);
  assert.throws(() => withValue(background(), undefined, "bar"), TypeError);
});

Deno.test("deriving from a nil parent throws TypeError, as Go panics", () => {
  const nil = null as unknown as Context;
  assert.throws(() => withCancel(nil), /cannot create context from nil parent/);
  assert.throws(() => withDeadline(nil, Date.now() + SHORT_MS), TypeError);
  assert.throws(() => withValue(nil, "foo", "bar"), TypeError);
  assert.throws(
    () => withCancel({} as Context),
    /parent must be a Context/,
  );
});

Deno.test("Canceled and DeadlineExceeded are distinct singletons of their classes", () => {
  assert(Canceled instanceof CanceledError);
  assert(Canceled instanceof Error);
  assert(DeadlineExceeded instanceof DeadlineExceededError);
  assert(!(DeadlineExceeded instanceof CanceledError));
  assert(!(Canceled instanceof DeadlineExceededError));
  assert.equal(Canceled.message, "context canceled");
  assert.equal(DeadlineExceeded.message, "context deadline exceeded");
  assert.equal(Canceled.name, "CanceledError");
  assert.equal(DeadlineExceeded.name, "DeadlineExceededError");
  // Go's TestDeadlineExceededSupportsTimeout.
  assert.equal(DeadlineExceeded.timeout(), true);
  assert.equal(DeadlineExceeded.temporary(), true);
});

Deno.test("a custom parent with its own done() channel still cancels its children", () => {
  // Go's myDoneCtx: the wrapper's done channel is not the inner context's,
  // so the child must not join the inner context's children; it follows the
  // wrapper's signal instead.
  const [inner, cancelInner] = withCancel(background());
  const ownDone = new Channel<void>();
  const custom = { ...otherContext(inner), done: () => ownDone };
  Object.defineProperty(custom, "signal", { get: () => inner.signal });
  const [child, cancel] = withCancel(custom as Context);
  assert.equal(contextInternals.childCount(inner), 0);
  assert.equal(child.err(), undefined);
  cancelInner();
  assert.equal(child.err(), Canceled);
  cancel();
});

Deno.test("a custom parent that forwards done() lets children join the inner context", () => {
  const [inner, cancelInner] = withCancel(background());
  const [child, cancel] = withCancel(otherContext(inner));
  assert.equal(contextInternals.childCount(inner), 1);
  cancel();
  assert.equal(contextInternals.childCount(inner), 0);
  assert.equal(child.err(), Canceled);
  cancelInner();
});

Deno.test("a custom parent cancels its children through its signal", () => {
  const controller = new AbortController();
  const state: { err?: ContextError } = {};
  const custom: Context = {
    done: () => background().done(),
    err: () => state.err,
    deadline: () => undefined,
    value: () => undefined,
    signal: controller.signal,
  } as Context;
  const [child, cancel] = withCancel(custom);
  const [grandchild, cancel2] = withCancel(child);
  assert.equal(child.err(), undefined);
  state.err = Canceled;
  controller.abort(Canceled);
  assert.equal(child.err(), Canceled);
  assert.equal(grandchild.err(), Canceled);
  cancel2();
  cancel();

  // A child cancelled first removes its listener from the custom signal.
  const controller2 = new AbortController();
  const custom2 = { ...custom, signal: controller2.signal } as Context;
  const [c3, cancel3] = withCancel(custom2);
  cancel3();
  controller2.abort();
  assert.equal(c3.err(), Canceled);
});

Deno.test("no deadline timer outlives the tests above", () => {
  // Deno's sanitizers do not report leaked timers (as of 2.9): count them.
  assert.equal(contextInternals.armedTimers(), 0);
});
