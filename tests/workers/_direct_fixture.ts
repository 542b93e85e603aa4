// Copyright the denogo authors. MIT license.
// A worker for tests/workers/shared_channel_direct_test.ts: each message is
// one job; the reply is `{ ok: true, result }` or `{ ok: false, error }`.

import { recv, select } from "../../mod.ts";
import { SharedChannel, type SharedChannelHandle } from "../../workers/mod.ts";
import { serveJobs } from "./_spawn.ts";
import { mix, type MixJob } from "./_direct_mix.ts";

/** How a job receives. */
export type RecvHow = "receive" | "recvSync" | "select";

/** One job for the direct hand-off fixture worker. */
export type DirectJob =
  | {
    /** Receives once on `ch`, `how` says with what; the result. */
    cmd: "receive";
    ch: SharedChannelHandle<unknown>;
    how: RecvHow;
    /** A channel no one uses, the select's second case. */
    other: SharedChannelHandle<unknown>;
    /** Gets a value once the select has blocked (buffered). */
    ready: SharedChannelHandle<number>;
  }
  | {
    /**
     * Sends `value` on `ch` with `send()` or `sendSync()`, then tries to
     * receive at once: what `tryReceive()` and a select with a default got.
     */
    cmd: "sendThenTry";
    ch: SharedChannelHandle<unknown>;
    how: "send" | "sendSync";
    value: unknown;
  }
  | {
    /** `trySend(value)` on `ch`: whether it sent. */
    cmd: "trySend";
    ch: SharedChannelHandle<unknown>;
    value: unknown;
  }
  | ({ cmd: "mix" } & MixJob);

async function run(job: DirectJob): Promise<unknown> {
  switch (job.cmd) {
    case "receive": {
      const ch = SharedChannel.from(job.ch);
      if (job.how === "recvSync") return ch.recvSync();
      if (job.how === "receive") return await ch.receive();
      const other = SharedChannel.from(job.other);
      const selected = select([
        recv(ch, (value, ok) => ({ value, ok })),
        recv(other, () => "other"),
      ]);
      // Its first look ran in the call: it waits, and may be claimed.
      SharedChannel.from(job.ready).trySend(1);
      return await selected;
    }
    case "sendThenTry": {
      const ch = SharedChannel.from(job.ch);
      if (job.how === "send") await ch.send(job.value);
      else ch.sendSync(job.value);
      const tried = ch.tryReceive();
      const selected = await select([recv(ch, (v) => ({ got: v }))], {
        default: () => "default",
      });
      return { tried, selected };
    }
    case "trySend":
      return SharedChannel.from(job.ch).trySend(job.value);
    case "mix":
      return await mix(job);
  }
}

serveJobs<DirectJob>(run);
