// Copyright the denogo authors. MIT license.
// A worker for the shared select tests: each message is one job; the reply
// is `{ ok: true, result }` or `{ ok: false, error }`.

import { recv, select, send } from "../../mod.ts";
import { SharedChannel, type SharedChannelHandle } from "../../workers/mod.ts";
import {
  SharedContext,
  type SharedContextHandle,
} from "../../workers/shared_context.ts";
import { serveJobs } from "./_spawn.ts";

/** One job for the select fixture worker. */
export type SelectJob =
  | {
    /** Receives with select over all `chans` until every one is closed. */
    cmd: "selectRecv";
    chans: SharedChannelHandle<number>[];
  }
  | {
    /** Sends `from .. from+count-1`, each with a select over all `chans`. */
    cmd: "selectSend";
    chans: SharedChannelHandle<number>[];
    from: number;
    count: number;
  }
  | {
    /** Receives from `ch` until the context is cancelled; the values. */
    cmd: "recvUntilDone";
    ch: SharedChannelHandle<number>;
    ctx: SharedContextHandle;
  }
  | {
    /** Sends `0 .. count-1` with `sendManySync` in batches of `batch`. */
    cmd: "sendMany";
    ch: SharedChannelHandle<number>;
    count: number;
    batch: number;
  }
  | {
    /** Sends `value` with `await send()`. */
    cmd: "send";
    ch: SharedChannelHandle<number>;
    value: number;
  }
  | {
    /** Receives with `recvManySync(max)` until closed; all values. */
    cmd: "recvMany";
    ch: SharedChannelHandle<number>;
    max: number;
  }
  | {
    /** Cancels the context with a cause. */
    cmd: "cancel";
    ctx: SharedContextHandle;
  }
  | {
    /** Waits for the context's done channel alone; its err() message. */
    cmd: "waitDone";
    ctx: SharedContextHandle;
  };

async function run(job: SelectJob): Promise<unknown> {
  switch (job.cmd) {
    case "selectRecv": {
      const chans = job.chans.map((h) => SharedChannel.from(h));
      const got: number[] = [];
      let open = chans.length;
      const live: (SharedChannel<number> | null)[] = [...chans];
      while (open > 0) {
        await select(live.map((ch, i) =>
          recv(ch, (v, ok) => {
            if (ok) got.push(v);
            else {
              live[i] = null;
              open--;
            }
          })
        ));
      }
      return got;
    }
    case "selectSend": {
      const chans = job.chans.map((h) => SharedChannel.from(h));
      const end = job.from + job.count;
      for (let v = job.from; v < end; v++) {
        await select(chans.map((ch) => send(ch, v)));
      }
      return job.count;
    }
    case "recvUntilDone": {
      const ch = SharedChannel.from(job.ch);
      const ctx = SharedContext.from(job.ctx);
      const got: number[] = [];
      for (;;) {
        const more = await select([
          recv(ch, (v, ok) => ok && got.push(v) > 0),
          recv(ctx.done(), () => false),
        ]);
        if (!more) return { got, err: ctx.err()?.message };
      }
    }
    case "send":
      await SharedChannel.from(job.ch).send(job.value);
      return null;
    case "sendMany": {
      const ch = SharedChannel.from(job.ch);
      for (let i = 0; i < job.count; i += job.batch) {
        const xs: number[] = [];
        for (let j = i; j < Math.min(job.count, i + job.batch); j++) xs.push(j);
        ch.sendManySync(xs);
      }
      return job.count;
    }
    case "recvMany": {
      const ch = SharedChannel.from(job.ch);
      const got: number[] = [];
      for (let xs = ch.recvManySync(job.max); xs.length > 0;) {
        if (xs.length > job.max) throw new Error("too many");
        got.push(...xs);
        xs = ch.recvManySync(job.max);
      }
      return got;
    }
    case "cancel": {
      SharedContext.from(job.ctx).cancel(new Error("from worker"));
      return null;
    }
    case "waitDone": {
      const ctx = SharedContext.from(job.ctx);
      await ctx.done().receive();
      return { err: ctx.err()?.name, aborted: ctx.signal.aborted };
    }
  }
}

serveJobs<SelectJob>(run);
