// Copyright the denogo authors. MIT license.
// AbortSignal interop, both ways: ctx.signal for web APIs (fetch included,
// against a local server), and withSignal()/fromSignal() to turn a signal
// into a context.

import assert from "node:assert/strict";
import { Channel, recv, select } from "../../mod.ts";
import {
  background,
  Canceled,
  cause,
  type Context,
  DeadlineExceeded,
  fromSignal,
  withCancel,
  withCancelCause,
  withSignal,
  withTimeout,
  withValue,
} from "../../context/mod.ts";
import { contextInternals } from "../../context/_internals.ts";
import { isDone } from "./_helpers.ts";

Deno.test("ctx.signal aborts on cancel with Canceled as its reason", () => {
  const [ctx, cancel] = withCancel(background());
  const signal = ctx.signal;
  assert.equal(ctx.signal, signal); // Same signal on every read.
  assert.equal(signal.aborted, false);
  let seen: unknown;
  signal.addEventListener("abort", () => seen = signal.reason);
  cancel();
  assert.equal(signal.aborted, true);
  assert.equal(seen, Canceled);
  assert.throws(() => signal.throwIfAborted(), (e) => e === Canceled);
});

Deno.test("ctx.signal of a timed-out context aborts with DeadlineExceeded", async () => {
  const [ctx, cancel] = withTimeout(background(), 1);
  const signal = ctx.signal;
  // The 1 ms may already be over when the signal is first read; it is then
  // made aborted.
  if (!signal.aborted) {
    await new Promise((resolve) =>
      signal.addEventListener("abort", resolve, { once: true })
    );
  }
  assert.equal(signal.reason, DeadlineExceeded);
  cancel();
});

Deno.test("ctx.signal read after cancel is already aborted with the cause", () => {
  const [ctx, cancel] = withCancelCause(background());
  const why = new Error("why");
  cancel(why);
  assert.equal(ctx.signal.aborted, true);
  assert.equal(ctx.signal.reason, why);
});

Deno.test("ctx.signal of a value context is its parent's signal", () => {
  const [ctx, cancel] = withCancel(background());
  const v = withValue(ctx, "k", 1);
  assert.equal(v.signal, ctx.signal);
  cancel();
  assert.equal(v.signal.aborted, true);
});

Deno.test("abort listeners run after the whole subtree is cancelled", () => {
  const [root, cancel] = withCancel(background());
  const [a, cancelA] = withCancel(root);
  const [b, cancelB] = withCancel(root);
  const [aa, cancelAA] = withCancel(a);
  const seen: string[] = [];
  for (const [name, ctx] of [["a", a], ["b", b], ["aa", aa]] as const) {
    ctx.signal.addEventListener("abort", () => {
      // Every context of the tree is done when any listener runs.
      for (const c of [root, a, b, aa]) assert.equal(c.err(), Canceled);
      seen.push(name);
    });
  }
  cancel();
  assert.deepEqual(seen.sort(), ["a", "aa", "b"]);
  cancelA();
  cancelB();
  cancelAA();
});

Deno.test("an abort listener that cancels another context runs to completion", () => {
  const [first, cancelFirst] = withCancel(background());
  const [second, cancelSecond] = withCancel(background());
  const [third, cancelThird] = withCancel(second);
  const order: string[] = [];
  first.signal.addEventListener("abort", () => {
    order.push("first");
    cancelSecond();
    order.push("after cancelSecond");
  });
  third.signal.addEventListener("abort", () => order.push("third"));
  cancelFirst();
  assert.equal(third.err(), Canceled);
  assert.deepEqual(order, ["first", "after cancelSecond", "third"]);
  cancelThird();
});

Deno.test("withSignal(): aborting the signal cancels the context with its reason as cause", () => {
  const controller = new AbortController();
  const [ctx, cancel] = withSignal(background(), controller.signal);
  const [child, cancelChild] = withCancel(ctx);
  assert.equal(ctx.err(), undefined);
  controller.abort("user left");
  assert.equal(ctx.err(), Canceled);
  assert.equal(child.err(), Canceled);
  assert.equal(cause(ctx), "user left");
  assert.equal(cause(child), "user left");
  assert.equal(ctx.signal.reason, "user left");
  cancelChild();
  cancel();
});

Deno.test("withSignal(): a TimeoutError reason becomes DeadlineExceeded", async () => {
  const [ctx, cancel] = withSignal(background(), AbortSignal.timeout(1));
  await ctx.done().receive();
  assert.equal(ctx.err(), DeadlineExceeded);
  assert.equal((cause(ctx) as DOMException).name, "TimeoutError");
  cancel();
});

Deno.test("withSignal(): an already aborted signal gives a done context", () => {
  const reason = new Error("gone");
  const [ctx, cancel] = withSignal(background(), AbortSignal.abort(reason));
  assert.equal(isDone(ctx), true);
  assert.equal(cause(ctx), reason);
  cancel();
});

Deno.test("withSignal(): the parent and cancel() cancel it too, and remove the listener", () => {
  const controller = new AbortController();
  const [parent, cancelParent] = withCancel(background());
  const [ctx, cancel] = withSignal(parent, controller.signal);
  assert.equal(contextInternals.childCount(parent), 1);
  cancelParent();
  assert.equal(ctx.err(), Canceled);
  assert.equal(cause(ctx), Canceled);
  controller.abort("late"); // The listener is gone: nothing changes.
  assert.equal(cause(ctx), Canceled);
  cancel();

  const c2 = new AbortController();
  const [ctx2, cancel2] = withSignal(background(), c2.signal);
  cancel2();
  c2.abort("late");
  assert.equal(cause(ctx2), Canceled);
});

Deno.test("withSignal() with one long-lived signal does not accumulate listeners", () => {
  // The signal is the long-lived one here; each context removes its
  // listener when cancelled. Counted through a wrapper around the signal's
  // own add/remove, since AbortSignal does not expose its listeners.
  const controller = new AbortController();
  const signal = controller.signal;
  let listeners = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<typeof add>) => {
    listeners++;
    add(...args);
  }) as typeof add;
  signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
    listeners--;
    remove(...args);
  }) as typeof remove;
  for (let i = 0; i < 1000; i++) {
    const [, cancel] = withSignal(background(), signal);
    cancel();
  }
  assert.equal(listeners, 0);
});

Deno.test("fromSignal(): a root context that is done when the signal aborts", async () => {
  const controller = new AbortController();
  const ctx = fromSignal(controller.signal);
  assert.equal(ctx.signal, controller.signal);
  assert.equal(ctx.deadline(), undefined);
  const woke = select([recv(ctx.done(), () => ctx.err())]);
  controller.abort();
  assert.equal(await woke, Canceled);
  assert.equal((cause(ctx) as DOMException).name, "AbortError");
});

Deno.test("fromSignal(): err() is set even inside an earlier abort listener", () => {
  const controller = new AbortController();
  let seen: unknown = "not run";
  const holder: { ctx?: Context } = {};
  // Registered before fromSignal() adds its own listener.
  controller.signal.addEventListener("abort", () => seen = holder.ctx!.err());
  holder.ctx = fromSignal(controller.signal);
  controller.abort();
  assert.equal(seen, Canceled);
});

Deno.test("withSignal() and fromSignal() reject what is not an AbortSignal", () => {
  assert.throws(
    () => withSignal(background(), {} as AbortSignal),
    /expected an AbortSignal/,
  );
  assert.throws(() => fromSignal(null as unknown as AbortSignal), TypeError);
  assert.throws(
    () => withSignal(null as unknown as Context, new AbortController().signal),
    /nil parent/,
  );
});

Deno.test("ctx.signal round-trips: a context from another context's signal", () => {
  const [a, cancelA] = withTimeout(background(), -1);
  const [b, cancelB] = withSignal(background(), a.signal);
  assert.equal(b.err(), DeadlineExceeded);
  cancelB();
  cancelA();
});

/**
 * Starts a server on 127.0.0.1 whose handler never answers on its own: it
 * reports each request, then waits until the request's own context (from
 * `req.signal`) is done, and reports that too.
 */
function slowServer() {
  const arrived = new Channel<void>({ capacity: 1 });
  const serverSawCancel = new Channel<unknown>({ capacity: 1 });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const ctx = fromSignal(req.signal);
      arrived.trySend();
      await ctx.done().receive();
      serverSawCancel.trySend(ctx.err());
      return new Response("too late");
    },
  );
  const url = `http://127.0.0.1:${server.addr.port}/`;
  return { server, url, arrived, serverSawCancel };
}

Deno.test("fetch() with ctx.signal rejects with Canceled when ctx is cancelled, and the server sees it", async () => {
  const { server, url, arrived, serverSawCancel } = slowServer();
  try {
    const [ctx, cancel] = withCancel(background());
    const response = fetch(url, { signal: ctx.signal });
    await arrived.receive(); // The request reached the handler.
    cancel();
    await assert.rejects(response, (e) => e === Canceled);
    // The server's context, made from req.signal, is cancelled as well.
    assert.equal((await serverSawCancel.receive()).value, Canceled);
  } finally {
    await server.shutdown();
  }
});

Deno.test("fetch() with the signal of a timeout context rejects with DeadlineExceeded", async () => {
  const { server, url, serverSawCancel } = slowServer();
  try {
    const start = Date.now();
    const [ctx, cancel] = withTimeout(background(), 20);
    await assert.rejects(
      fetch(url, { signal: ctx.signal }),
      (e) => e === DeadlineExceeded,
    );
    assert(Date.now() - start >= 20);
    cancel();
    await serverSawCancel.receive();
  } finally {
    await server.shutdown();
  }
});

Deno.test("fetch() with the signal of an already cancelled context never connects", async () => {
  const [ctx, cancel] = withCancelCause(background());
  const why = new Error("no longer needed");
  cancel(why);
  await assert.rejects(
    fetch("http://127.0.0.1:9/", { signal: ctx.signal }),
    (e) => e === why,
  );
});

Deno.test("no deadline timer outlives the tests above", () => {
  // Deno's sanitizers do not report leaked timers (as of 2.9): count them.
  assert.equal(contextInternals.armedTimers(), 0);
});
