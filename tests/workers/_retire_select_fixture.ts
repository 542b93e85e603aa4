// Copyright the denogo authors. MIT license.
// A node:worker_threads worker for tests/workers/retirement_test.ts: selects
// on unbuffered shared channels, in a retired thread or beside one. Each job
// posts "blocked" once its select waits (its first look ran in the call:
// peers may claim it), then what the select returned, or the message of the
// error it failed with. A `gate` keeps the thread blocked in `recvSync`
// until the test sends on it: the select cannot look again meanwhile, so
// the test knows what its peers see.

import { parentPort } from "node:worker_threads";
import { recv, select, send } from "../../mod.ts";
import {
  Retirement,
  type RetirementHandle,
  SharedChannel,
  type SharedChannelHandle,
} from "../../workers/mod.ts";

/** What the test posts. */
export type RetireSelectJob =
  | {
    /** `select([send(x, 7), recv(y)])`, in a thread that adopted `retirement`. */
    op: "sendOrRecv";
    retirement: RetirementHandle;
    x: SharedChannelHandle<number>;
    y: SharedChannelHandle<number>;
    gate?: SharedChannelHandle<number>;
  }
  | {
    /** `select([recv(x), recv(other)])`; the thread is not retired. */
    op: "recvEither";
    x: SharedChannelHandle<unknown>;
    other: SharedChannelHandle<unknown>;
    gate?: SharedChannelHandle<number>;
  }
  | {
    /** `select([recv(x)], { signal })` in a retired thread; the test's "abort" message aborts it. */
    op: "recvAbortable";
    retirement: RetirementHandle;
    x: SharedChannelHandle<number>;
  }
  | {
    /** `tryReceive()` on a channel opened from `x` (no "blocked"). */
    op: "tryReceive";
    x: SharedChannelHandle<unknown>;
  };

const ac = new AbortController();

async function run(job: RetireSelectJob): Promise<unknown> {
  switch (job.op) {
    case "sendOrRecv": {
      Retirement.from(job.retirement).adopt();
      const x = SharedChannel.from(job.x), y = SharedChannel.from(job.y);
      const selected = select([
        send(x, 7, () => "sent"),
        recv(y, (_, ok) => ok ? "received" : "closed"),
      ]);
      parentPort!.postMessage("blocked");
      if (job.gate !== undefined) SharedChannel.from(job.gate).recvSync();
      return await selected;
    }
    case "recvEither": {
      const x = SharedChannel.from(job.x);
      const selected = select([
        recv(x, (value, ok) => ({ value, ok })),
        recv(SharedChannel.from(job.other), () => "other"),
      ]);
      parentPort!.postMessage("blocked");
      if (job.gate !== undefined) SharedChannel.from(job.gate).recvSync();
      return await selected;
    }
    case "recvAbortable": {
      Retirement.from(job.retirement).adopt();
      const x = SharedChannel.from(job.x);
      const selected = select([recv(x, (value, ok) => ({ value, ok }))], {
        signal: ac.signal,
      });
      parentPort!.postMessage("blocked");
      return await selected;
    }
    case "tryReceive":
      return SharedChannel.from(job.x).tryReceive();
  }
}

// `on`, not `once`: the listening port keeps the worker alive while it
// awaits (Atomics.waitAsync alone does not).
parentPort!.on("message", async (job: RetireSelectJob | "abort") => {
  if (job === "abort") {
    ac.abort(new Error("aborted"));
    return;
  }
  try {
    parentPort!.postMessage({ result: await run(job) });
  } catch (error) {
    parentPort!.postMessage({ error: String(error) });
  }
});
