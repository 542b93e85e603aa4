// Copyright the denogo authors. MIT license.
// A node:worker_threads worker for tests/workers/retirement_test.ts: adopts
// a Retirement, says so, then blocks in one shared-memory call in a loop,
// counting what it takes in `took` (a select also says when it blocked). (A node:worker_threads worker, unlike a
// Web Worker, does not keep the test process alive once terminated, even
// while it is parked for good.)

import { parentPort } from "node:worker_threads";
import { recv, select } from "../../mod.ts";
import {
  type AtomicHandle,
  AtomicInt32,
  Retirement,
  type RetirementHandle,
  SharedChannel,
  type SharedChannelHandle,
  SharedMutex,
  type SharedMutexHandle,
} from "../../workers/mod.ts";

/** What the test posts. */
export interface RetireJob {
  op: "recvSync" | "receive" | "select" | "lockSync" | "lock";
  retirement: RetirementHandle;
  took: AtomicHandle;
  ch?: SharedChannelHandle<unknown>;
  mu?: SharedMutexHandle;
}

// `on`, not `once`: the listening port keeps the worker alive while it
// awaits (Atomics.waitAsync alone does not).
parentPort!.on("message", async (job: RetireJob) => {
  Retirement.from(job.retirement).adopt();
  const took = AtomicInt32.from(job.took);
  parentPort!.postMessage("adopted");
  if (job.ch !== undefined) {
    const ch = SharedChannel.from<unknown>(job.ch);
    while (job.op === "select") {
      const selected = select([recv(ch, (_, ok) => ok)]);
      // Its first look ran in the call: it waits, and may be claimed.
      parentPort!.postMessage("blocked");
      if (!await selected) return;
      took.add(1);
    }
    for (;;) {
      const r = job.op === "recvSync" ? ch.recvSync() : await ch.receive();
      if (!r.ok) return;
      took.add(1);
    }
  }
  const mu = SharedMutex.from(job.mu!);
  for (;;) {
    if (job.op === "lockSync") mu.lockSync();
    else await mu.lock();
    took.add(1);
    mu.unlock();
  }
});
