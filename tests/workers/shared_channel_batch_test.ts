// Copyright the denogo authors. MIT license.
// SharedChannel.sendManySync / recvManySync between real workers.

import assert from "node:assert/strict";
import { SharedChannel } from "../../workers/mod.ts";
import type { SelectJob } from "./_select_fixture.ts";
import { spawn } from "./_spawn.ts";

const FIXTURE = new URL("./_select_fixture.ts", import.meta.url);

for (const capacity of [0, 1, 64]) {
  Deno.test(`SharedChannel sendManySync to recvManySync keeps every value in order (capacity ${capacity})`, async () => {
    using w1 = spawn<SelectJob>(FIXTURE);
    using w2 = spawn<SelectJob>(FIXTURE);
    const ch = new SharedChannel<number>({ capacity, codec: "float64" });
    const count = 5_000;
    const got = w2.run({ cmd: "recvMany", ch: ch.handle, max: 100 });
    await w1.run({ cmd: "sendMany", ch: ch.handle, count, batch: 37 });
    ch.close();
    assert.deepEqual(await got, Array.from({ length: count }, (_, i) => i));
  });
}

Deno.test("SharedChannel recvManySync and sendManySync take plain sends and feed plain receives", async () => {
  using w = spawn<SelectJob>(FIXTURE);
  const ch = new SharedChannel<number>({ capacity: 8, codec: "int32" });
  const got = w.run({ cmd: "recvMany", ch: ch.handle, max: 3 });
  for (let i = 0; i < 100; i++) await ch.send(i);
  ch.close();
  assert.deepEqual(await got, Array.from({ length: 100 }, (_, i) => i));

  const back = new SharedChannel<number>({ capacity: 4, codec: "int32" });
  const sent = w.run({
    cmd: "sendMany",
    ch: back.handle,
    count: 50,
    batch: 10,
  });
  const mine: number[] = [];
  for (let i = 0; i < 50; i++) mine.push((await back.receive()).value!);
  assert.equal(await sent, 50);
  assert.deepEqual(mine, Array.from({ length: 50 }, (_, i) => i));
});

Deno.test("SharedChannel batch calls throw on the main thread and check max", () => {
  const ch = new SharedChannel<number>({ codec: "int32" });
  assert.throws(() => ch.recvManySync(4), /main thread/);
  assert.throws(() => ch.sendManySync([1]), /main thread/);
});
