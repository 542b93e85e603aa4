// Copyright the denogo authors. MIT license.

// Preemption: an awaited operation that keeps completing at once, for more
// than Go's 10 ms time slice, takes a macrotask turn so that timers and I/O
// run. Each loop below would never end without it; none asserts a time.

import assert from "node:assert/strict";
import { Channel, go, recv, select, yieldNow } from "../mod.ts";
import { background, DeadlineExceeded, withTimeout } from "../context/mod.ts";

/** Sets a flag from a `setTimeout(0)` callback. */
function timerFlag(): { fired: boolean } {
  const flag = { fired: false };
  setTimeout(() => flag.fired = true, 0);
  return flag;
}

Deno.test("a ping-pong loop on unbuffered channels lets a setTimeout(0) fire", async () => {
  const ping = new Channel<number>();
  const pong = new Channel<number>();
  const echo = go(async () => {
    for await (const n of ping) await pong.send(n);
    pong.close();
  });
  const flag = timerFlag();
  let rounds = 0;
  while (!flag.fired) {
    await ping.send(rounds);
    assert.equal((await pong.receive()).value, rounds);
    rounds++;
  }
  ping.close();
  await echo;
  assert(rounds > 0);
});

Deno.test("buffered send + receive in one goroutine lets a setTimeout(0) fire", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  const flag = timerFlag();
  let rounds = 0;
  while (!flag.fired) {
    await ch.send(rounds);
    assert.equal((await ch.receive()).value, rounds++);
  }
  assert.equal(ch.size, 0);
});

Deno.test("for await over a channel refilled by trySend lets a setTimeout(0) fire", async () => {
  const ch = new Channel<number>({ capacity: 1 });
  const flag = timerFlag();
  ch.trySend(0);
  let rounds = 0;
  for await (const v of ch) {
    assert.equal(v, rounds++);
    if (flag.fired) break;
    ch.trySend(rounds);
  }
  assert(rounds > 0);
});

Deno.test("a loop of select with a ready case lets a setTimeout(0) fire", async () => {
  const a = new Channel<number>({ capacity: 1 });
  const b = new Channel<number>({ capacity: 1 });
  const flag = timerFlag();
  let rounds = 0;
  while (!flag.fired) {
    a.trySend(rounds);
    const got = await select([recv(a, (v) => v), recv(b, () => -1)]);
    assert.equal(got, rounds++);
  }
});

Deno.test("a loop of select with default lets a setTimeout(0) fire", async () => {
  const never = new Channel<number>();
  const flag = timerFlag();
  let rounds = 0;
  while (!flag.fired) {
    await select([recv(never)], { default: () => rounds++ });
  }
  assert(rounds > 0);
});

Deno.test("a loop of yieldNow() lets a setTimeout(0) fire", async () => {
  const flag = timerFlag();
  let rounds = 0;
  while (!flag.fired) {
    await yieldNow();
    rounds++;
  }
  assert(rounds > 0);
});

Deno.test("a loop of yieldNow() lets I/O complete", async () => {
  let done = false;
  const read = Deno.readTextFile(new URL(import.meta.url)).then((text) => {
    done = true;
    return text;
  });
  while (!done) await yieldNow();
  assert.match(await read, /yieldNow/);
});

// The articles' goodWorker, ported literally:
//
//   func goodWorker(ctx context.Context) {
//       for {
//           select {
//           case <-ctx.Done():
//               return
//           default:
//               // do work
//           }
//       }
//   }
Deno.test("goodWorker: a CPU-bound loop polling ctx.done() with select + default sees its timeout", async () => {
  const [ctx, cancel] = withTimeout(background(), 50);
  let iterations = 0;
  const start = performance.now();
  const worker = go(async () => {
    for (;;) {
      const done = await select([recv(ctx.done(), () => true)], {
        default: () => {
          iterations++; // do work
          return false;
        },
      });
      if (done) return ctx.err();
    }
  });
  assert.equal(await worker, DeadlineExceeded);
  const took = performance.now() - start;
  cancel();
  assert(iterations > 0);
  // A sanity bound, far above Go's 2 × timeout so that a loaded machine
  // cannot fail it; the bench measures the real figure.
  assert(took < 10_000, `goodWorker took ${took} ms`);
});

Deno.test("a program that spun on yieldNow() past a time slice exits", async () => {
  const program = `
    import { yieldNow } from ${
    JSON.stringify(new URL("../mod.ts", import.meta.url).href)
  };
    let fired = false;
    setTimeout(() => fired = true, 0);
    while (!fired) await yieldNow();
    console.log("done");
  `;
  // The signal only stops a hung child, so that a failure cannot hang CI.
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(program));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, err);
  assert.equal(new TextDecoder().decode(stdout), "done\n");
});
