// Copyright the denogo authors. MIT license.
// SharedContext: cancellation that crosses threads, on one thread and with
// real workers.

import assert from "node:assert/strict";
import { recv, select } from "../../mod.ts";
import {
  background,
  Canceled,
  DeadlineExceeded,
  withCancel,
  withCancelCause,
  withTimeout,
} from "../../context/mod.ts";
import { SharedChannel, SharedContext } from "../../workers/mod.ts";
import type { SelectJob } from "./_select_fixture.ts";
import { spawn } from "./_spawn.ts";
import { flush } from "../_util.ts";

const FIXTURE = new URL("./_select_fixture.ts", import.meta.url);

Deno.test("SharedContext follows its parent: cancel closes done() on every view", async () => {
  const [ctx, cancel] = withCancel(background());
  const shared = new SharedContext(ctx);
  const there = SharedContext.from(structuredClone(shared.handle));
  assert.equal(there.err(), undefined);
  let fired = false;
  const p = select([recv(there.done(), () => fired = true)]);
  await flush();
  assert.equal(fired, false);
  cancel();
  await p;
  assert.equal(there.err(), Canceled);
  assert.equal(shared.err(), Canceled);
  assert.equal(there.signal.aborted, true);
  assert.equal(there.signal.reason, Canceled);
});

Deno.test("SharedContext reports DeadlineExceeded when its parent's deadline passes", async () => {
  const [ctx, cancel] = withTimeout(background(), 1);
  const shared = new SharedContext(ctx);
  const there = SharedContext.from(structuredClone(shared.handle));
  assert.equal(there.deadline()?.getTime(), ctx.deadline()?.getTime());
  await there.done().receive();
  assert.equal(there.err(), DeadlineExceeded);
  cancel();
});

Deno.test("SharedContext.cancel() from any view carries the cause as text", async () => {
  const [ctx, cancel] = withCancelCause(background());
  const shared = new SharedContext(ctx);
  const there = SharedContext.from(structuredClone(shared.handle));
  there.cancel(new RangeError("too far"));
  await shared.done().receive();
  assert.equal(shared.err(), Canceled);
  const reason = shared.signal.reason as Error;
  assert.equal(reason.name, "RangeError");
  assert.equal(reason.message, "too far");
  // The parent is not cancelled by its shared child.
  assert.equal(ctx.err(), undefined);
  cancel(undefined);
});

Deno.test("SharedContext works as the parent of tier-1 contexts", async () => {
  const shared = new SharedContext();
  const [child, cancelChild] = withCancel(shared);
  shared.cancel();
  await child.done().receive();
  assert.equal(child.err(), Canceled);
  cancelChild();
});

Deno.test("SharedContext.from() refuses what is not a SharedContext handle", () => {
  assert.throws(
    () =>
      SharedContext.from({
        kind: "SharedContext",
        buffer: new SharedArrayBuffer(8),
      }),
    TypeError,
  );
});

Deno.test("cancelling on the main thread fires a worker's select on done()", async () => {
  using w = spawn<SelectJob>(FIXTURE);
  const [ctx, cancel] = withCancel(background());
  const shared = new SharedContext(ctx);
  const ch = new SharedChannel<number>({ codec: "int32" });
  const job = w.run({
    cmd: "recvUntilDone",
    ch: ch.handle,
    ctx: shared.handle,
  });
  for (let i = 0; i < 100; i++) await ch.send(i);
  cancel();
  const r = await job as { got: number[]; err: string };
  assert.deepEqual(r.got, Array.from({ length: 100 }, (_, i) => i));
  assert.equal(r.err, "context canceled");
  ch.close();
});

Deno.test("a worker's cancel() wakes the main thread's select on done() and another worker", async () => {
  using w1 = spawn<SelectJob>(FIXTURE);
  using w2 = spawn<SelectJob>(FIXTURE);
  const shared = new SharedContext();
  const waiter = w1.run({ cmd: "waitDone", ctx: shared.handle });
  const mine = select([recv(shared.done(), () => "done")]);
  await w2.run({ cmd: "cancel", ctx: shared.handle });
  assert.equal(await mine, "done");
  assert.equal((shared.signal.reason as Error).message, "from worker");
  assert.deepEqual(await waiter, { err: "CanceledError", aborted: true });
});
