// Copyright the denogo authors. MIT license.
// select() over SharedChannels across real Workers: selects in two workers
// racing for the same values, selects that send racing into the main
// thread's select, and checksums proving nothing is lost or duplicated.

import assert from "node:assert/strict";
import { recv, select, send } from "../../mod.ts";
import { SharedChannel } from "../../workers/mod.ts";
import type { SelectJob } from "./_select_fixture.ts";
import { spawn } from "./_spawn.ts";

const FIXTURE = new URL("./_select_fixture.ts", import.meta.url);
const N = 4_000;

function assertExactly(got: number[], from: number, count: number): void {
  assert.equal(got.length, count, "no value lost or duplicated");
  const sorted = [...got].sort((a, b) => a - b);
  for (let i = 0; i < count; i++) assert.equal(sorted[i], from + i);
}

for (const capacity of [0, 16]) {
  Deno.test(`selects in two workers racing on two SharedChannels (capacity ${capacity}) each get distinct values`, async () => {
    using w1 = spawn<SelectJob>(FIXTURE);
    using w2 = spawn<SelectJob>(FIXTURE);
    const a = new SharedChannel<number>({ capacity, codec: "int32" });
    const b = new SharedChannel<number>({ capacity, codec: "float64" });
    const chans = [a.handle, b.handle];
    // Warm both workers up, so that they race from the start.
    await Promise.all(
      [w1, w2].map((w) =>
        w.run({ cmd: "selectSend", chans, from: 0, count: 0 })
      ),
    );
    const r1 = w1.run({ cmd: "selectRecv", chans });
    const r2 = w2.run({ cmd: "selectRecv", chans });
    // The main thread sends with a select too: select meets select.
    for (let v = 0; v < N; v++) {
      await select([send(a, v), send(b, v)]);
    }
    a.close();
    b.close();
    const [g1, g2] = await Promise.all([r1, r2]) as [number[], number[]];
    assertExactly([...g1, ...g2], 0, N);
  });
}

Deno.test("selects that send in two workers meet the main thread's receiving select on unbuffered SharedChannels", async () => {
  using w1 = spawn<SelectJob>(FIXTURE);
  using w2 = spawn<SelectJob>(FIXTURE);
  const a = new SharedChannel<number>({ codec: "int32" });
  const b = new SharedChannel<number>({ codec: "int32" });
  const chans = [a.handle, b.handle];
  const s1 = w1.run({ cmd: "selectSend", chans, from: 0, count: N });
  const s2 = w2.run({ cmd: "selectSend", chans, from: N, count: N });
  const got: number[] = [];
  const perA: number[] = [];
  for (let i = 0; i < 2 * N; i++) {
    await select([
      recv(a, (v) => {
        got.push(v!);
        perA.push(v!);
      }),
      recv(b, (v) => got.push(v!)),
    ]);
  }
  assert.deepEqual(await Promise.all([s1, s2]), [N, N]);
  assertExactly(got, 0, 2 * N);
  assert.ok(perA.length > 0 && perA.length < 2 * N, "both cases fired");
  assert.deepEqual(a.tryReceive(), { state: "empty" });
  assert.deepEqual(b.tryReceive(), { state: "empty" });
});

/** Whether `p` settles within `ms` (a bound never reached when it does). */
async function settlesWithin(
  p: Promise<unknown>,
  ms: number,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = await Promise.race([p.then(() => true, () => true), bound]);
  clearTimeout(timer);
  return settled;
}

for (const codec of ["float64", "structured"] as const) {
  Deno.test(`a select blocked sending on two unbuffered SharedChannels (${codec}) pairs with a worker's select receiving on one`, async () => {
    using w = spawn<SelectJob>(FIXTURE);
    await w.run({ cmd: "selectSend", chans: [], from: 0, count: 0 });
    // The select offers on one of its channels at random: when it chose
    // `b`, it must move its offer to `a`, where the worker's select watches.
    for (let trial = 0; trial < 10; trial++) {
      const a = new SharedChannel<number>({ codec });
      const b = new SharedChannel<number>({ codec });
      const s = select([send(a, 1, () => "a"), send(b, 2, () => "b")]);
      const r = w.run({ cmd: "selectRecv", chans: [a.handle] });
      try {
        assert.equal(
          await settlesWithin(s, 10_000),
          true,
          `trial ${trial}: the select stays blocked`,
        );
        assert.equal(await s, "a");
      } finally {
        a.close();
        b.close();
        await Promise.allSettled([s]);
      }
      assert.deepEqual(await r, [1]);
    }
  });
}

for (const codec of ["float64", "structured"] as const) {
  for (const how of ["await send()", "sendSync"] as const) {
    Deno.test(`a select blocked sending and receiving on one unbuffered SharedChannel (${codec}) receives a worker's ${how}`, async () => {
      using w = spawn<SelectJob>(FIXTURE);
      await w.run({ cmd: "selectSend", chans: [], from: 0, count: 0 });
      const c = new SharedChannel<number>({ codec });
      // Its offer holds the channel's one offer slot; the worker's sender
      // waits behind it until the select makes way.
      const s = select([
        send(c, 1, () => "sent"),
        recv(c, (v) => `received ${v}`),
      ]);
      const sent = how === "sendSync"
        ? w.run({ cmd: "sendMany", ch: c.handle, count: 1, batch: 1 })
        : w.run({ cmd: "send", ch: c.handle, value: 0 });
      try {
        assert.equal(
          await settlesWithin(s, 10_000),
          true,
          "the select stays blocked",
        );
        assert.equal(await s, "received 0");
        await sent;
      } finally {
        if (!c.closed) c.close();
        await Promise.allSettled([s, sent]);
      }
    });
  }
}

for (const codec of ["float64", "structured"] as const) {
  Deno.test(`a select blocked sending and receiving on one unbuffered SharedChannel (${codec}) receives from a worker's select that only sends there`, async () => {
    using w = spawn<SelectJob>(FIXTURE);
    await w.run({ cmd: "selectSend", chans: [], from: 0, count: 0 });
    const c = new SharedChannel<number>({ codec });
    const s = select([
      send(c, 1, () => "sent"),
      recv(c, (v) => `received ${v}`),
    ]);
    // The worker's select cannot offer while ours holds the offer slot.
    const sent = w.run({
      cmd: "selectSend",
      chans: [c.handle],
      from: 5,
      count: 1,
    });
    try {
      assert.equal(
        await settlesWithin(s, 10_000),
        true,
        "the select stays blocked",
      );
      assert.equal(await s, "received 5");
      await sent;
    } finally {
      if (!c.closed) c.close();
      await Promise.allSettled([s, sent]);
    }
  });
}
