// Copyright the denogo authors. MIT license.

// A worker whose tasks wait on shared channels wakes them itself, polling
// and sleeping on the channels' words (runtime/_processor.ts): timers and
// I/O of its other tasks must still be served meanwhile.

import assert from "node:assert/strict";
import { Runtime } from "../../runtime/mod.ts";
import { SharedChannel } from "../../workers/shared_channel.ts";
import { type Answer, type Ask, BROADCAST } from "./_wake_tasks.ts";
import type * as Tasks from "./_wake_tasks.ts";

const TASKS = new URL("./_wake_tasks.ts", import.meta.url);

/** Answers the tasks' requests for the channels in `channels`. */
function publish(channels: Record<string, SharedChannel<number>>): () => void {
  const bc = new BroadcastChannel(BROADCAST);
  bc.onmessage = (e: MessageEvent<Ask | Answer>) => {
    if (!("ask" in e.data)) return;
    const ch = channels[e.data.ask];
    if (ch !== undefined) {
      bc.postMessage({ name: e.data.ask, handle: ch.handle } satisfies Answer);
    }
  };
  return () => bc.close();
}

Deno.test("a timer and fetch in a task complete while the worker's other tasks are blocked on shared channels or busy with another thread", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("served"),
  );
  const url = `http://127.0.0.1:${server.addr.port}/`;
  // One worker: every task below shares it.
  await using rt = await Runtime.start({ procs: 1 });
  const t = rt.module<typeof Tasks>(TASKS);
  const channels = {
    ready: new SharedChannel<number>({ capacity: 8, codec: "float64" }),
    blocked: new SharedChannel<number>({ codec: "float64" }),
    ping: new SharedChannel<number>({ codec: "float64" }),
    pong: new SharedChannel<number>({ codec: "float64" }),
  };
  const close = publish(channels);
  try {
    // Three tasks blocked on a channel nobody sends on yet.
    const settled: boolean[] = [false, false, false];
    const blocked = settled.map((_, i) =>
      t.receiveOnce("ready", "blocked").then((v) => {
        settled[i] = true;
        return v;
      })
    );
    for (let i = 0; i < 3; i++) await channels.ready.receive();
    // One task echoing what this thread sends, so the worker keeps waking
    // up for it through the fast path.
    const echoed = t.echo("ping", "pong");
    let done = false;
    const fetched = t.timerThenFetch(20, url).finally(() => done = true);
    let rounds = 0;
    while (!done && rounds < 5_000_000) {
      await channels.ping.send(rounds);
      assert.equal((await channels.pong.receive()).value, rounds);
      rounds++;
    }
    assert.equal(await fetched, "served");
    assert.deepEqual(settled, [false, false, false]);
    channels.ping.close();
    assert.equal(await echoed, rounds);
    for (let i = 0; i < 3; i++) await channels.blocked.send(10 + i);
    assert.deepEqual((await Promise.all(blocked)).sort(), [10, 11, 12]);
  } finally {
    close();
  }
});

Deno.test("a timer and fetch in a task complete while all the worker's other tasks are blocked on shared channels", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("served"),
  );
  const url = `http://127.0.0.1:${server.addr.port}/`;
  await using rt = await Runtime.start({ procs: 1 });
  const t = rt.module<typeof Tasks>(TASKS);
  const channels = {
    ready: new SharedChannel<number>({ capacity: 8, codec: "float64" }),
    a: new SharedChannel<number>({ codec: "float64" }),
    b: new SharedChannel<number>({ codec: "float64" }),
  };
  const close = publish(channels);
  try {
    const settled = [false, false];
    const blocked = [
      t.receiveOnce("ready", "a").then((v) => (settled[0] = true, v)),
      t.receiveOnce("ready", "b").then((v) => (settled[1] = true, v)),
    ];
    for (let i = 0; i < 2; i++) await channels.ready.receive();
    assert.equal(await t.timerThenFetch(5, url), "served");
    assert.equal(await t.timerThenFetch(0, url), "served");
    assert.deepEqual(settled, [false, false]);
    await channels.a.send(1);
    await channels.b.send(2);
    assert.deepEqual(await Promise.all(blocked), [1, 2]);
  } finally {
    close();
  }
});
