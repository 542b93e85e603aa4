// Copyright the denogo authors. MIT license.
// Port of Go 1.21's TestCause table and TestWithoutCancel
// (src/context/x_test.go): what err() and cause() report for each way a
// context can end, and a context that ignores its parent's cancellation.

import assert from "node:assert/strict";
import {
  background,
  Canceled,
  cause,
  type Context,
  DeadlineExceeded,
  todo,
  withCancel,
  withCancelCause,
  withDeadline,
  withDeadlineCause,
  withoutCancel,
  withTimeout,
  withTimeoutCause,
  withValue,
} from "../../context/mod.ts";
import { contextInternals } from "../../context/_internals.ts";
import { isDone, otherContext } from "./_helpers.ts";

const causeErr = new Error("cause error");
const parentCause = new Error("parent cause");
const childCause = new Error("child cause");
const tooSlow = new Error("too slow");
const finishedEarly = new Error("finished early");

const FOREVER_MS = 60 * 60 * 1000;

interface Case {
  name: string;
  /** Builds the context; returns it and the cancels to run at the end. */
  ctx: () => Promise<[Context, (() => void)[]]> | [Context, (() => void)[]];
  err: unknown;
  cause: unknown;
}

const cases: Case[] = [
  {
    name: "Background",
    ctx: () => [background(), []],
    err: undefined,
    cause: undefined,
  },
  { name: "TODO", ctx: () => [todo(), []], err: undefined, cause: undefined },
  {
    name: "WithCancel",
    ctx: () => {
      const [ctx, cancel] = withCancel(background());
      cancel();
      return [ctx, []];
    },
    err: Canceled,
    cause: Canceled,
  },
  {
    name: "WithCancelCause",
    ctx: () => {
      const [ctx, cancel] = withCancelCause(background());
      cancel(causeErr);
      return [ctx, []];
    },
    err: Canceled,
    cause: causeErr,
  },
  {
    name: "WithCancelCause nil",
    ctx: () => {
      const [ctx, cancel] = withCancelCause(background());
      cancel(undefined);
      return [ctx, []];
    },
    err: Canceled,
    cause: Canceled,
  },
  {
    name: "WithCancelCause nested parent first",
    ctx: () => {
      const [p, cancelP] = withCancelCause(background());
      const [c, cancelC] = withCancelCause(p);
      cancelP(parentCause);
      cancelC(childCause);
      return [c, []];
    },
    err: Canceled,
    cause: parentCause,
  },
  {
    name: "WithCancelCause nested child first",
    ctx: () => {
      const [p, cancelP] = withCancelCause(background());
      const [c, cancelC] = withCancelCause(p);
      cancelC(childCause);
      cancelP(parentCause);
      return [c, []];
    },
    err: Canceled,
    cause: childCause,
  },
  {
    name: "WithValue over WithCancelCause",
    ctx: () => {
      const [p, cancel] = withCancelCause(background());
      cancel(causeErr);
      return [withValue(p, "k", "v"), []];
    },
    err: Canceled,
    cause: causeErr,
  },
  {
    name: "WithCancel over WithCancelCause cancelled first",
    ctx: () => {
      const [p, cancelP] = withCancelCause(background());
      cancelP(causeErr);
      const [c, cancelC] = withCancel(p);
      return [c, [cancelC]];
    },
    err: Canceled,
    cause: causeErr,
  },
  {
    name: "WithTimeout",
    ctx: async () => {
      const [ctx, cancel] = withTimeout(background(), 1);
      await ctx.done().receive();
      return [ctx, [cancel]];
    },
    err: DeadlineExceeded,
    cause: DeadlineExceeded,
  },
  {
    name: "WithTimeout canceled",
    ctx: () => {
      const [ctx, cancel] = withTimeout(background(), FOREVER_MS);
      cancel();
      return [ctx, []];
    },
    err: Canceled,
    cause: Canceled,
  },
  {
    name: "WithTimeoutCause",
    ctx: async () => {
      const [ctx, cancel] = withTimeoutCause(background(), 1, tooSlow);
      await ctx.done().receive();
      return [ctx, [cancel]];
    },
    err: DeadlineExceeded,
    cause: tooSlow,
  },
  {
    name: "WithTimeoutCause canceled",
    ctx: () => {
      const [ctx, cancel] = withTimeoutCause(background(), FOREVER_MS, tooSlow);
      cancel();
      return [ctx, []];
    },
    err: Canceled,
    cause: Canceled,
  },
  {
    name: "WithTimeout under a cancelled WithCancelCause",
    ctx: () => {
      const [p, cancelP] = withCancelCause(background());
      const [c, cancelC] = withTimeout(p, FOREVER_MS);
      cancelP(causeErr);
      return [c, [cancelC]];
    },
    err: Canceled,
    cause: causeErr,
  },
  {
    name: "WithTimeoutCause stacked, already expired",
    ctx: () => {
      const [p, cancelP] = withCancelCause(background());
      const [c, cancelC] = withTimeoutCause(p, 0, tooSlow);
      cancelP(finishedEarly);
      return [c, [cancelC]];
    },
    err: DeadlineExceeded,
    cause: tooSlow,
  },
  {
    name: "WithTimeoutCause stacked, parent cancelled first",
    ctx: () => {
      const [p, cancelP] = withCancelCause(background());
      const [c, cancelC] = withTimeoutCause(p, FOREVER_MS, tooSlow);
      cancelP(finishedEarly);
      return [c, [cancelC]];
    },
    err: Canceled,
    cause: finishedEarly,
  },
  {
    name: "WithDeadlineCause in the past",
    ctx: () => {
      const [c, cancel] = withDeadlineCause(
        background(),
        Date.now() - 1000,
        tooSlow,
      );
      return [c, [cancel]];
    },
    err: DeadlineExceeded,
    cause: tooSlow,
  },
  {
    name: "WithoutCancel",
    ctx: () => [withoutCancel(background()), []],
    err: undefined,
    cause: undefined,
  },
  {
    name: "WithoutCancel of a cancelled parent",
    ctx: () => {
      const [p, cancel] = withCancelCause(background());
      cancel(causeErr);
      return [withoutCancel(p), []];
    },
    err: undefined,
    cause: undefined,
  },
  {
    name: "WithoutCancel of an expired parent",
    ctx: () => {
      const [p, cancel] = withTimeout(background(), -1);
      return [withoutCancel(p), [cancel]];
    },
    err: undefined,
    cause: undefined,
  },
  {
    name: "custom context wrapping a cancelled WithCancelCause",
    ctx: () => {
      const [p, cancel] = withCancelCause(background());
      cancel(causeErr);
      return [otherContext(p), []];
    },
    err: Canceled,
    cause: causeErr,
  },
  {
    name: "custom context with no cancel ancestor: cause is err()",
    ctx: () => {
      const [p, cancel] = withCancel(background());
      cancel();
      const custom = { ...otherContext(p), value: () => undefined } as Context;
      return [custom, []];
    },
    err: Canceled,
    cause: Canceled,
  },
];

for (const c of cases) {
  Deno.test(`cause(): ${c.name}`, async () => {
    const [ctx, cleanup] = await c.ctx();
    try {
      assert.equal(ctx.err(), c.err, "err()");
      assert.equal(cause(ctx), c.cause, "cause()");
    } finally {
      for (const f of cleanup) f();
    }
  });
}

Deno.test("cause() is undefined while a context is live, and the signal's reason after", () => {
  const [ctx, cancel] = withCancelCause(background());
  assert.equal(cause(ctx), undefined);
  const signal = ctx.signal;
  cancel(causeErr);
  assert.equal(signal.reason, causeErr);
  assert.equal(cause(ctx), causeErr);
  cancel(new Error("second cause is ignored"));
  assert.equal(cause(ctx), causeErr);
});

Deno.test("a null cause means Canceled, as Go's nil error does", () => {
  const [ctx, cancel] = withCancelCause(background());
  cancel(null);
  assert.equal(cause(ctx), Canceled);
});

Deno.test("a non-Error cause is kept as given", () => {
  const [ctx, cancel] = withCancelCause(background());
  cancel("shutdown");
  assert.equal(cause(ctx), "shutdown");
  assert.equal(ctx.signal.reason, "shutdown");
});

Deno.test("withoutCancel() keeps values and drops done, err, deadline and signal", () => {
  const key = Symbol("key");
  const [parent, cancel] = withTimeout(
    withValue(background(), key, "value"),
    FOREVER_MS,
  );
  const ctx = withoutCancel(parent);
  assert.equal(ctx.value(key), "value");
  assert.equal(ctx.deadline(), undefined);
  assert.notEqual(parent.deadline(), undefined);
  cancel();
  assert.equal(parent.err(), Canceled);
  assert.equal(ctx.err(), undefined);
  assert.equal(isDone(ctx), false);
  assert.equal(ctx.signal.aborted, false);
  assert.equal(ctx.value(key), "value");
  assert.match(String(ctx), /\.WithoutCancel$/);

  // Its children are cancelable on their own, and nothing holds them.
  const [child, cancelChild] = withCancel(ctx);
  assert.equal(contextInternals.childCount(parent), 0);
  assert.equal(child.err(), undefined);
  cancelChild();
  assert.equal(child.err(), Canceled);
});

Deno.test("withoutCancel() of a nil parent throws TypeError", () => {
  assert.throws(
    () => withoutCancel(undefined as unknown as Context),
    /nil parent/,
  );
});

Deno.test("withDeadline() under an earlier parent deadline follows the parent", () => {
  const near = Date.now() + 10_000;
  const [p, cancelP] = withDeadline(background(), near);
  const [c, cancelC] = withDeadlineCause(p, near + 60_000, tooSlow);
  assert.equal(c.deadline()?.getTime(), near);
  assert.match(String(c), /\.WithDeadline\(.*\)\.WithCancel$/);
  cancelP();
  assert.equal(c.err(), Canceled);
  assert.equal(cause(c), Canceled);
  cancelC();
});

Deno.test("no deadline timer outlives the tests above", () => {
  // Deno's sanitizers do not report leaked timers (as of 2.9): count them.
  assert.equal(contextInternals.armedTimers(), 0);
});
