// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import {
  after,
  Channel,
  DeadlockError,
  go,
  numGoroutine,
  recv,
  select,
  send,
  setDeadlockDetection,
  sleep,
  yieldNow,
} from "../mod.ts";
import { flush } from "./_util.ts";

/** Asserts that `promise` rejects with a DeadlockError; returns its message. */
async function deadlockMessage(promise: Promise<unknown>): Promise<string> {
  let message = "";
  await assert.rejects(promise, (e) => {
    assert(e instanceof DeadlockError, `expected a DeadlockError, got ${e}`);
    assert.equal(e.name, "DeadlockError");
    message = e.message;
    return true;
  });
  return message;
}

// go() -----------------------------------------------------------------------

Deno.test("go() returns at once and starts the goroutine after the caller yields", async () => {
  const events: string[] = [];
  const g = go(() => {
    events.push("goroutine");
  });
  events.push("caller");
  assert.deepEqual(events, ["caller"]);
  await Promise.resolve();
  assert.deepEqual(events, ["caller", "goroutine"]);
  await g;
});

Deno.test("go() resolves with the result of a sync function", async () => {
  assert.equal(await go(() => 42), 42);
  assert.equal(await go(() => undefined), undefined);
});

Deno.test("go() resolves with the result of an async function", async () => {
  const ch = new Channel<string>();
  const g = go(async () => {
    const { value } = await ch.receive();
    return `got ${value}`;
  });
  await ch.send("x");
  assert.equal(await g, "got x");
});

Deno.test("go() passes its arguments to the function", async () => {
  const g = go(
    (a: number, b: string, c: { k: boolean }) => [a, b, c],
    1,
    "two",
    {
      k: true,
    },
  );
  assert.deepEqual(await g, [1, "two", { k: true }]);
  const ch = new Channel<number>({ capacity: 3 });
  await Promise.all(
    [1, 2, 3].map((n) => go((x: number) => ch.send(x * 10), n)),
  );
  const got = [ch.tryReceive(), ch.tryReceive(), ch.tryReceive()].map((r) =>
    r.state === "ok" ? r.value : -1
  );
  assert.deepEqual(got.sort(), [10, 20, 30]);
});

Deno.test("go() rejects its promise when the goroutine throws, sync or async", async () => {
  await assert.rejects(
    go(() => {
      throw new Error("sync panic");
    }),
    /sync panic/,
  );
  await assert.rejects(
    go(async () => {
      await null;
      throw new TypeError("async panic");
    }),
    TypeError,
  );
  const ch = new Channel<number>();
  ch.close();
  await assert.rejects(go(() => ch.send(1)), { name: "ChannelClosedError" });
});

Deno.test("go() does not swallow an error nobody handles: it is an unhandled rejection", async () => {
  const seen: unknown[] = [];
  const onUnhandled = (event: PromiseRejectionEvent) => {
    seen.push(event.reason);
    event.preventDefault(); // Keep this test's deliberate panic from failing the run.
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    const panic = new Error("unhandled panic");
    go(() => {
      throw panic;
    });
    // Unhandled rejections are reported after the microtask queue drains.
    await flush();
    await flush();
    assert.deepEqual(seen, [panic]);
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
});

Deno.test("go() throws TypeError for something that is not a function, and starts nothing", () => {
  const before = numGoroutine();
  for (const bad of [undefined, null, 42, "fn", {}, Promise.resolve()]) {
    assert.throws(
      () => go(bad as unknown as () => void),
      (e) => {
        assert(e instanceof TypeError);
        assert.equal(
          e.message,
          `Cannot start goroutine: expected a function, received ${typeof bad}`,
        );
        return true;
      },
    );
  }
  assert.equal(numGoroutine(), before);
});

// numGoroutine() -------------------------------------------------------------

Deno.test("numGoroutine() counts the main program as one", () => {
  assert.equal(numGoroutine(), 1);
});

Deno.test("numGoroutine() counts live goroutines and returns to the baseline when they end", async () => {
  const baseline = numGoroutine();
  const ch = new Channel<void>();
  const gs = [1, 2, 3].map(() => go(() => ch.receive()));
  assert.equal(numGoroutine(), baseline + 3);
  await flush(); // All three are blocked, and still count.
  assert.equal(numGoroutine(), baseline + 3);
  await ch.send();
  await gs[0];
  assert.equal(numGoroutine(), baseline + 2);
  ch.close();
  await Promise.all(gs);
  assert.equal(numGoroutine(), baseline);
});

Deno.test("numGoroutine() stops counting a goroutine that threw", async () => {
  const baseline = numGoroutine();
  const g = go(() => {
    throw new Error("done");
  });
  assert.equal(numGoroutine(), baseline + 1);
  await assert.rejects(g);
  assert.equal(numGoroutine(), baseline);
});

// yieldNow() -----------------------------------------------------------------

Deno.test("yieldNow() lets a runnable goroutine run before the caller resumes", async () => {
  let ran = false;
  const g = go(() => {
    ran = true;
  });
  await yieldNow();
  assert.equal(ran, true);
  await g;
});

Deno.test("yieldNow() lets goroutines that yield take turns", async () => {
  const log: string[] = [];
  const worker = (name: string) => async () => {
    for (let i = 0; i < 50; i++) {
      log.push(name);
      await yieldNow();
    }
  };
  await Promise.all([go(worker("a")), go(worker("b"))]);
  assert.equal(log.length, 100);
  // Neither ran all of its steps before the other started.
  assert(log.indexOf("b") < log.lastIndexOf("a"));
  assert(log.indexOf("a") < log.lastIndexOf("b"));
});

Deno.test("yieldNow() in a busy loop does not starve timers", async () => {
  let fired = false;
  const timer = setTimeout(() => fired = true, 1);
  let spins = 0;
  while (!fired) {
    await yieldNow();
    spins++;
  }
  clearTimeout(timer);
  assert(spins > 0);
});

// Deadlock detection ---------------------------------------------------------

Deno.test("deadlock: main blocked on a receive with nobody to send is reported as Go reports it", async () => {
  const ch = new Channel<number>();
  const message = await deadlockMessage(ch.receive());
  assert.equal(
    message,
    "all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:",
  );
});

Deno.test("deadlock: the report lists what every parked goroutine waits on", async () => {
  const main = new Channel<number>();
  const a = new Channel<number>();
  const b = new Channel<number>();
  const c = new Channel<number>();
  const goroutines = [
    go(() => a.send(1)),
    go(() => select([recv(b), send(c, 1)])),
    go(() => select([])),
    go(async () => {
      for await (const _ of b);
    }),
  ];
  const message = await deadlockMessage(main.receive());
  assert.match(message, /^all goroutines are asleep - deadlock!\n\n/);
  const lines = message.split("\n").slice(2);
  // The main program parked first: it is goroutine 1, as in Go.
  assert.equal(lines[0], "goroutine 1 [chan receive]:");
  assert.deepEqual(lines.map((l) => l.replace(/goroutine \d+ /, "")).sort(), [
    "[chan receive]:",
    "[chan receive]:",
    "[chan send]:",
    "[select (no cases)]:",
    "[select]:",
  ]);
  assert.deepEqual(
    lines.map((l) => Number(l.match(/^goroutine (\d+) /)![1])),
    [1, 2, 3, 4, 5],
  );
  // Every parked goroutine is woken with the same report.
  for (const g of goroutines) {
    assert.equal(await deadlockMessage(g), message);
  }
  assert.equal(numGoroutine(), 1);
});

Deno.test("deadlock: main blocked on a send, a select, or an empty select is reported", async () => {
  assert.match(
    await deadlockMessage(new Channel<number>().send(1)),
    /\n\ngoroutine 1 \[chan send\]:$/,
  );
  const full = new Channel<number>({ capacity: 1 });
  full.trySend(0);
  assert.match(
    await deadlockMessage(full.send(1)),
    /\n\ngoroutine 1 \[chan send\]:$/,
  );
  assert.match(
    await deadlockMessage(select([recv(new Channel()), recv(null)])),
    /\n\ngoroutine 1 \[select\]:$/,
  );
  assert.match(
    await deadlockMessage(select([])),
    /\n\ngoroutine 1 \[select \(no cases\)\]:$/,
  );
  assert.match(
    await deadlockMessage(select([recv(null), send(null, 1)])),
    /\n\ngoroutine 1 \[select \(no cases\)\]:$/,
  );
});

Deno.test("deadlock: goroutines blocked on each other while main waits are reported", async () => {
  const ping = new Channel<number>();
  const pong = new Channel<number>();
  const done = new Channel<void>();
  // Each waits to receive first: neither ever sends.
  const g1 = go(async () => {
    await ping.receive();
    await pong.send(1);
  });
  const g2 = go(async () => {
    await pong.receive();
    await ping.send(1);
  });
  const message = await deadlockMessage(done.receive());
  assert.equal(
    message.split("\n").filter((l) => l.startsWith("goroutine")).length,
    3,
  );
  await deadlockMessage(g1);
  await deadlockMessage(g2);
});

Deno.test("deadlock: the library works normally after a report", async () => {
  await deadlockMessage(new Channel<number>().receive());
  const ch = new Channel<number>();
  const g = go(() => ch.send(5));
  assert.deepEqual(await ch.receive(), { value: 5, ok: true });
  await g;
});

Deno.test("deadlock: not reported while a goroutine can still run", async () => {
  const ch = new Channel<number>();
  const g = go(async () => {
    for (let i = 0; i < 20; i++) await yieldNow();
    await ch.send(1);
  });
  assert.deepEqual(await ch.receive(), { value: 1, ok: true });
  await g;
});

Deno.test("deadlock: not reported while an after() timer is pending", async () => {
  const never = new Channel<number>();
  const r = await select([
    recv(never, () => "value"),
    recv(after(20), () => "timeout"),
  ]);
  assert.equal(r, "timeout");
  const { ok } = await after(5).receive();
  assert.equal(ok, true);
});

Deno.test("deadlock: not reported while a sleep() is pending", async () => {
  const ch = new Channel<string>();
  sleep(20).then(() => ch.trySend("woke"));
  assert.deepEqual(await ch.receive(), { value: "woke", ok: true });
});

Deno.test("deadlock: not reported while a goroutine awaits a timer outside the library", async () => {
  const ch = new Channel<string>();
  const g = go(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await ch.send("late");
  });
  assert.deepEqual(await ch.receive(), { value: "late", ok: true });
  await g;
});

Deno.test("deadlock: not reported while a local Deno.serve server may still send", async () => {
  const ch = new Channel<string>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      await ch.send(new URL(request.url).pathname);
      return new Response("sent");
    },
  );
  try {
    // Nothing but the server and a request in flight can wake main.
    const response = fetch(`http://127.0.0.1:${server.addr.port}/hello`);
    assert.deepEqual(await ch.receive(), { value: "/hello", ok: true });
    assert.equal(await (await response).text(), "sent");
  } finally {
    await server.shutdown();
  }
});

Deno.test("deadlock: not reported while a goroutine awaits a fetch from a local server", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("body"),
  );
  try {
    const ch = new Channel<string>();
    const g = go(async () => {
      const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
      await ch.send(await response.text());
    });
    assert.deepEqual(await ch.receive(), { value: "body", ok: true });
    await g;
  } finally {
    await server.shutdown();
  }
});

Deno.test("deadlock: reported once a closed server can no longer send", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("unused"),
  );
  await server.shutdown();
  await deadlockMessage(new Channel<number>().receive());
});

// KNOWN GAP (_parking.ts): main awaiting the promise of a goroutine that is
// blocked forever is not parked on a library primitive, so the detector
// (which needs more parked operations than live goroutines) stays silent and
// Deno reports "Promise resolution is still pending but the event loop has
// already resolved" instead of Go's report. Remove `ignore` to reproduce.
Deno.test({
  name:
    "deadlock: main awaiting a goroutine that is blocked forever is reported",
  ignore: true,
  async fn() {
    const ch = new Channel<number>();
    await deadlockMessage(go(() => ch.receive()));
  },
});

Deno.test("setDeadlockDetection(false) leaves a deadlocked wait pending instead of reporting it", async () => {
  const was = setDeadlockDetection(false);
  try {
    const ch = new Channel<number>();
    const abort = new AbortController();
    const pending = ch.receive({ signal: abort.signal });
    let settled = false;
    pending.then(() => settled = true, () => settled = true);
    // Several event-loop turns with every goroutine parked: no report.
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 2));
    assert.equal(settled, false);
    abort.abort(new Error("released"));
    await assert.rejects(pending, /released/);
  } finally {
    assert.equal(setDeadlockDetection(was), false);
  }
});
