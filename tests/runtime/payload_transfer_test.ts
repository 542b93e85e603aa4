// Copyright the denogo authors. MIT license.

/**
 * The `transfer` task option: the listed ArrayBuffers are detached on the
 * caller's side once the arguments are written; the task receives their
 * bytes. Bad lists are refused with a TypeError naming `transfer`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Runtime } from "../../runtime/mod.ts";
import type * as Tasks from "./_tasks.ts";

const TASKS = new URL("./_tasks.ts", import.meta.url);

Deno.test("transfer detaches the caller's buffer; the task receives its bytes", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const buf = new Uint8Array([1, 2, 3]).buffer;
  const back = await rt.run<ArrayBuffer>(TASKS, "echo", [buf], {
    transfer: [buf],
  });
  assert.equal(buf.detached, true);
  assert.equal(buf.byteLength, 0);
  assert.deepEqual([...new Uint8Array(back)], [1, 2, 3]);

  const t = rt.module<typeof Tasks>(TASKS);
  const view = new Uint16Array([7, 8]);
  const got = await t.echo.with({ transfer: [view.buffer] })({ view }) as {
    view: Uint16Array;
  };
  assert.equal(view.buffer.detached, true);
  assert.deepEqual([...got.view], [7, 8]);

  // A listed buffer not among the arguments is detached all the same.
  const other = new ArrayBuffer(4);
  assert.equal(
    await rt.run(TASKS, "inc", [1], { transfer: [other] }),
    2,
  );
  assert.equal(other.detached, true);
});

Deno.test("a typed array in a task's arguments or result owns its buffer, as postMessage gives", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const t = rt.module<typeof Tasks>(TASKS);
  const sent = {
    a: new Float64Array([1.5, 2.5]),
    b: new Uint8Array([1, 2, 3]),
    c: new Int32Array([4]),
  };
  const got = await t.echo(sent) as typeof sent;
  for (const view of [got.a, got.b, got.c]) {
    assert.equal(view.byteOffset, 0);
    assert.equal(view.buffer.byteLength, view.byteLength);
  }
  assert.notEqual(got.a.buffer, got.b.buffer);
  assert.deepEqual(got, sent);
});

Deno.test("a payload the runtime refuses leaves the transfer list attached", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const buf = new ArrayBuffer(4);
  await assert.rejects(
    rt.run(TASKS, "echo", [buf, () => 1], { transfer: [buf] }),
    /argument 1 is a function/,
  );
  assert.equal(buf.detached, false);
});

Deno.test("transfer must be an array of distinct, attached ArrayBuffers: TypeError naming it", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const t = rt.module<typeof Tasks>(TASKS);
  const detached = new ArrayBuffer(1);
  detached.transfer();
  const buf = new ArrayBuffer(1);
  const cases: [unknown, string][] = [
    [buf, "transfer must be an array of ArrayBuffers, received an ArrayBuffer"],
    ["x", 'transfer must be an array of ArrayBuffers, received "x"'],
    [
      [new Uint8Array(1)],
      "transfer[0] must be an ArrayBuffer, received a Uint8Array",
    ],
    [
      [new SharedArrayBuffer(4)],
      "transfer[0] must be an ArrayBuffer (a SharedArrayBuffer is shared, never moved), received a SharedArrayBuffer",
    ],
    [
      [detached],
      "transfer[0] must be an ArrayBuffer not detached, received an ArrayBuffer",
    ],
    [[buf, buf], "transfer[1] must be listed once, received an ArrayBuffer"],
  ];
  for (const [transfer, message] of cases) {
    assert.throws(
      () => rt.run(TASKS, "inc", [1], { transfer } as never),
      (error: Error) => {
        assert.ok(error instanceof TypeError);
        assert.equal(error.message, `Runtime.run(): ${message}`);
        return true;
      },
    );
    assert.throws(
      () => t.inc.with({ transfer } as never),
      (error: Error) =>
        error instanceof TypeError &&
        error.message === `Runtime.module(): inc.with(): ${message}`,
    );
  }
  assert.equal(buf.detached, false);
});

Deno.test("a buffer that cannot be detached fails its call with a TypeError naming it, and the runtime still closes", async () => {
  const rt = await Runtime.start({ procs: 1 });
  const wasm = new WebAssembly.Memory({ initial: 1 }).buffer as ArrayBuffer;
  const moved = new ArrayBuffer(4);
  const t = rt.module<typeof Tasks>(TASKS);
  await assert.rejects(
    t.echo.with({ transfer: [moved, wasm] })(new Uint8Array(wasm, 0, 4)),
    (error: Error) => {
      assert.ok(error instanceof TypeError);
      assert.match(
        error.message,
        /^Runtime task: transfer\[1\] must be an ArrayBuffer that can be detached/,
      );
      return true;
    },
  );
  // The buffers before it in the list are detached already (the only way
  // to find a buffer that cannot be is to try).
  assert.equal(moved.detached, true);
  assert.equal(wasm.detached, false);
  // The call's slot went back: nothing is left pending, more calls run, and
  // close() returns.
  assert.equal(rt.stats().pending, 0);
  for (let i = 0; i < 300; i++) assert.equal(await t.inc(i), i + 1);
  await rt.close();
});
