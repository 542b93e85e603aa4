// Copyright the denogo authors. MIT license.

/**
 * Channel benchmarks: the first four targets of `bench/README.md` (buffered
 * send+recv, non-blocking and awaited; unbuffered ping-pong;
 * producer-consumer). Each bench iteration performs a batch of operations; the
 * number is in the bench's name, "(1000 ops)", so the time per operation is the
 * reported time divided by it. The Go counterparts are in
 * `bench/go/chan_test.go`; `bench/compare.ts` prints the ratios.
 *
 * Run with `deno bench bench/channel_bench.ts`.
 *
 * @module
 */

import { Channel, go } from "../mod.ts";
import { RUNS } from "./_quick.ts";

/** Operations per bench iteration. */
const N = 1000;
/** Items per producer-consumer iteration: well past the 1024 buffer. */
const ITEMS = 10_000;

if (import.meta.main) {
  console.log("Run with: deno bench bench/channel_bench.ts");
}

// 1. Buffered send+recv, non-blocking path. ---------------------------------

const buffered = new Channel<number>({ capacity: 1024 });

Deno.bench({
  name: `buffered trySend+tryReceive (${N} ops)`,
  group: "buffered send+recv, non-blocking",
  ...RUNS,
  fn() {
    for (let i = 0; i < N; i++) {
      buffered.trySend(i);
      buffered.tryReceive();
    }
  },
});

// 2. Buffered send+recv, awaited, against an `await Promise.resolve()` pair. --

Deno.bench({
  name: `await Promise.resolve() pair (${N} ops)`,
  group: "buffered send+recv, awaited",
  baseline: true,
  ...RUNS,
  async fn() {
    for (let i = 0; i < N; i++) {
      await Promise.resolve();
      await Promise.resolve();
    }
  },
});

// What receive() cannot do without: a fresh { value, ok } result in a
// fresh promise (send() already returns one shared settled promise).
const SETTLED = Promise.resolve();
Deno.bench({
  name:
    `floor: await a settled promise + a fresh { value, ok } promise (${N} ops)`,
  group: "buffered send+recv, awaited",
  ...RUNS,
  async fn() {
    for (let i = 0; i < N; i++) {
      await SETTLED;
      await Promise.resolve({ value: i, ok: true });
    }
  },
});

Deno.bench({
  name: `buffered await send+receive (${N} ops)`,
  group: "buffered send+recv, awaited",
  ...RUNS,
  async fn() {
    for (let i = 0; i < N; i++) {
      await buffered.send(i);
      await buffered.receive();
    }
  },
});

// 3. Unbuffered ping-pong round trip between two goroutines. ----------------

Deno.bench({
  name: `unbuffered ping-pong round trip (${N} ops)`,
  group: "unbuffered ping-pong",
  ...RUNS,
  async fn() {
    const ping = new Channel<number>();
    const pong = new Channel<number>();
    const echo = go(async () => {
      for await (const v of ping) await pong.send(v);
    });
    for (let i = 0; i < N; i++) {
      await ping.send(i);
      await pong.receive();
    }
    ping.close();
    await echo;
  },
});

// The floor of the ping-pong: the least a library-free program does for it.
// Each side parks on a fresh bare promise and the other resolves it with
// the value, two promises per round trip.

Deno.bench({
  name: `floor: ping-pong through resolved promises (${N} ops)`,
  group: "unbuffered ping-pong",
  baseline: true,
  ...RUNS,
  async fn() {
    let toEcho: (v: number) => void = () => {};
    let toMain: (v: number) => void = () => {};
    const echo = (async () => {
      for (;;) {
        const v = await new Promise<number>((resolve) => toEcho = resolve);
        if (v < 0) return;
        toMain(v);
      }
    })();
    for (let i = 0; i < N; i++) {
      const pong = new Promise<number>((resolve) => toMain = resolve);
      toEcho(i);
      await pong;
    }
    toEcho(-1);
    await echo;
  },
});

// 4. Producer-consumer, per item. --------------------------------------------

async function producerConsumer(capacity: number): Promise<void> {
  const ch = new Channel<number>({ capacity });
  const producer = go(async () => {
    for (let i = 0; i < ITEMS; i++) await ch.send(i);
    ch.close();
  });
  while ((await ch.receive()).ok);
  await producer;
}

Deno.bench({
  name: `producer-consumer, buffer 1024 (${ITEMS} ops)`,
  group: "producer-consumer",
  ...RUNS,
  // An async function: deno bench awaits only those.
  async fn() {
    await producerConsumer(1024);
  },
});

Deno.bench({
  name: `producer-consumer, unbuffered (${ITEMS} ops)`,
  group: "producer-consumer",
  ...RUNS,
  async fn() {
    await producerConsumer(0);
  },
});
