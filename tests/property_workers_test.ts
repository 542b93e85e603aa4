// Copyright the denogo authors. MIT license.

/**
 * The property model across threads: random programs over two or three
 * `SharedChannel`s of capacity 0 to 3, with goroutines on the main thread
 * and in a worker (`tests/workers/_conformance_fixture.ts`) at once, for the
 * `structured` and the `float64` codec. Each goroutine runs a random script
 * of sends, receives, `trySend`, `tryReceive` and selects (some with a
 * default); after a short while, or once every goroutine is done, the test
 * closes every channel, which must release every blocked operation, and
 * drains what the buffers still hold.
 *
 * Which operations succeed depends on the timing of two threads, so unlike
 * `property_test.ts` there is no step-by-step model. What Go guarantees
 * whatever the timing is checked:
 *
 * - every value a send reported delivered is received exactly once, on the
 *   channel it was sent on, and no other value is received (a refused send's
 *   value never is);
 * - a channel is FIFO: a goroutine receives the values of any one sender on
 *   one channel in the order they were sent;
 * - once every channel is closed, every goroutine finishes.
 *
 * CI runs a fixed seed and a few hundred programs; `STRESS=full` runs many
 * more with a random seed (`FC_SEED` and `FC_PATH` replay a failure).
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { SharedChannel } from "../workers/mod.ts";
import {
  type ChannelKind,
  SHARED_FLOAT64,
  SHARED_STRUCTURED,
  testName,
} from "./conformance/_shared.ts";
import type { ConformanceJob } from "./workers/_conformance_fixture.ts";
import {
  type Outcome,
  runScripts,
  type ScriptOp,
  senderOf,
} from "./workers/_script.ts";
import { type Fixture, spawn } from "./workers/_spawn.ts";

const FULL = Deno.env.get("STRESS") === "full";
const SEED_ENV = Deno.env.get("FC_SEED");
const FC_OPTIONS: fc.Parameters<unknown> = {
  numRuns: FULL ? 5_000 : 150,
  seed: SEED_ENV !== undefined
    ? Number(SEED_ENV)
    : FULL
    ? undefined
    : 0x5eed_7a2d,
  path: Deno.env.get("FC_PATH"),
};

/** How long the goroutines may run before the test closes every channel. */
const RUN_MS = 10;
/** How long closing every channel may take to release every goroutine. */
const RELEASE_MS = 10_000;

const chanIndex = fc.nat({ max: 2 });
const opArb: fc.Arbitrary<ScriptOp> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ t: fc.constant("send" as const), ch: chanIndex }),
  },
  {
    weight: 6,
    arbitrary: fc.record({ t: fc.constant("recv" as const), ch: chanIndex }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("trySend" as const), ch: chanIndex }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("tryRecv" as const), ch: chanIndex }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant("select" as const),
      cases: fc.array(
        fc.record({
          kind: fc.constantFrom("send" as const, "recv" as const),
          ch: chanIndex,
        }),
        { minLength: 1, maxLength: 3 },
      ),
      withDefault: fc.boolean(),
    }),
  },
);
const scriptsArb = fc.array(fc.array(opArb, { maxLength: 12 }), {
  minLength: 1,
  maxLength: 3,
});
const scenarioArb = fc.record({
  capacities: fc.array(fc.nat({ max: 3 }), { minLength: 2, maxLength: 3 }),
  main: scriptsArb,
  worker: scriptsArb,
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

/** Resolves after `ms`, or with `promise`; the timer never outlives it. */
async function within<T>(
  promise: Promise<T>,
  ms: number,
): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function check(
  kind: ChannelKind,
  worker: Fixture<ConformanceJob>,
  { capacities, main, worker: remote }: Scenario,
): Promise<void> {
  const chans = capacities.map((capacity) =>
    new SharedChannel<number>({ capacity, codec: kind.codec })
  );
  const there = worker.run({
    cmd: "scripts",
    chans: chans.map((c) => c.handle),
    scripts: remote,
  }) as Promise<Outcome[][]>;
  const here = runScripts(0, chans, main);
  const both = Promise.all([here, there]);
  both.catch(() => {}); // Awaited below; a failure is reported there.
  await within(both, RUN_MS);
  for (const c of chans) c.close();
  const done = await within(both, RELEASE_MS);
  assert.notEqual(done, "timeout", "still blocked after every channel closed");
  const [mine, theirs] = await both;
  const drained: Outcome[] = [];
  chans.forEach((c, ch) => {
    for (let r = c.tryReceive(); r.state === "ok"; r = c.tryReceive()) {
      drained.push({ kind: "received", value: r.value, ch });
    }
  });

  // Conservation: delivered values are received exactly once, on their channel.
  const receivers = [...mine, ...theirs, drained];
  const delivered = new Map<number, number>();
  for (const o of receivers.flat()) {
    if (o.kind === "delivered") delivered.set(o.value, o.ch);
  }
  const received = new Set<number>();
  for (const o of receivers.flat()) {
    if (o.kind !== "received") continue;
    assert(!received.has(o.value), `value ${o.value} received twice`);
    received.add(o.value);
    assert.equal(
      delivered.get(o.value),
      o.ch,
      `value ${o.value} received on channel ${o.ch} but not delivered there`,
    );
  }
  assert.equal(received.size, delivered.size, "a delivered value was lost");

  // FIFO: per receiver, channel and sender, values arrive in send order.
  for (const log of receivers) {
    const last = new Map<string, number>();
    for (const o of log) {
      if (o.kind !== "received") continue;
      const key = `${o.ch}/${senderOf(o.value)}`;
      const before = last.get(key);
      assert(
        before === undefined || before < o.value,
        `channel ${o.ch}: ${o.value} received after ${before}, sent later`,
      );
      last.set(key, o.value);
    }
  }
}

for (const kind of [SHARED_STRUCTURED, SHARED_FLOAT64]) {
  Deno.test(
    testName(
      "random programs on two threads conserve values and keep FIFO order",
      kind,
    ),
    async () => {
      using worker = spawn<ConformanceJob>(
        new URL("./workers/_conformance_fixture.ts", import.meta.url),
      );
      await fc.assert(
        fc.asyncProperty(scenarioArb, (s) => check(kind, worker, s)),
        FC_OPTIONS,
      );
    },
  );
}
