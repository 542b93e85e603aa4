// Copyright the denogo authors. MIT license.
// A worker that runs the peer goroutines of the Go conformance ports
// (tests/conformance/peer_worker_test.ts) over shared channels whose
// handles it is posted. Each message is one job; the reply is
// `{ ok: true, result }` or `{ ok: false, error }` (see _spawn.ts).

import { ChannelClosedError, go, select, send } from "../../mod.ts";
import { SharedChannel, type SharedChannelHandle } from "../../workers/mod.ts";
import { runScripts, type ScriptOp } from "./_script.ts";
import { serveJobs } from "./_spawn.ts";

type Handle = SharedChannelHandle<number>;

/** One job for the conformance fixture worker. */
export type ConformanceJob =
  /** fifo.go's sender: 0 .. n-1, in order. */
  | { cmd: "sendSeq"; ch: Handle; n: number; sync: boolean; close: boolean }
  /** fifo.go's receiver: n values; returns them in arrival order. */
  | { cmd: "receiveSeq"; ch: Handle; n: number; sync: boolean }
  /** sieve1.go's generator: 2, 3, 4, ... until the channel closes. */
  | { cmd: "generate"; ch: Handle; sync: boolean }
  /**
   * doubleselect.go's sender: each of 0 .. n-1 through a select over a
   * send case on each channel, then closes them all.
   */
  | { cmd: "selectSend"; outs: Handle[]; n: number }
  /**
   * chan_test.go's TestChan senders: `goroutines` goroutines, each sending
   * 0 .. n-1.
   */
  | { cmd: "sendEach"; ch: Handle; goroutines: number; n: number }
  /**
   * chan_test.go's TestChan receivers: `goroutines` goroutines, each
   * receiving n values; returns how often each value arrived.
   */
  | { cmd: "receiveEach"; ch: Handle; goroutines: number; n: number }
  /** Blocks in one receive; returns what it got (close: `ok: false`). */
  | { cmd: "receiveOne"; ch: Handle; sync: boolean }
  /** The property model's worker half: scripts run as thread 1. */
  | { cmd: "scripts"; chans: Handle[]; scripts: ScriptOp[][] };

async function run(job: ConformanceJob): Promise<unknown> {
  switch (job.cmd) {
    case "sendSeq": {
      const ch = SharedChannel.from(job.ch);
      for (let i = 0; i < job.n; i++) {
        if (job.sync) ch.sendSync(i);
        else await ch.send(i);
      }
      if (job.close) ch.close();
      return job.n;
    }
    case "receiveSeq": {
      const ch = SharedChannel.from(job.ch);
      const got: number[] = [];
      for (let i = 0; i < job.n; i++) {
        const r = job.sync ? ch.recvSync() : await ch.receive();
        if (!r.ok) break;
        got.push(r.value);
      }
      return got;
    }
    case "generate": {
      const ch = SharedChannel.from(job.ch);
      let i = 2;
      try {
        for (;; i++) {
          if (job.sync) ch.sendSync(i);
          else await ch.send(i);
        }
      } catch (error) {
        if (!(error instanceof ChannelClosedError)) throw error;
      }
      return i - 2;
    }
    case "selectSend": {
      const outs = job.outs.map((h) => SharedChannel.from(h));
      for (let i = 0; i < job.n; i++) {
        await select(outs.map((c) => send(c, i)));
      }
      for (const c of outs) c.close();
      return job.n;
    }
    case "sendEach": {
      const ch = SharedChannel.from(job.ch);
      await Promise.all(
        Array.from({ length: job.goroutines }, () =>
          go(async () => {
            for (let i = 0; i < job.n; i++) await ch.send(i);
          })),
      );
      return job.goroutines * job.n;
    }
    case "receiveEach": {
      const ch = SharedChannel.from(job.ch);
      const counts = new Array<number>(job.n).fill(0);
      await Promise.all(
        Array.from({ length: job.goroutines }, () =>
          go(async () => {
            for (let i = 0; i < job.n; i++) {
              const { value, ok } = await ch.receive();
              if (!ok) throw new Error("the channel closed early");
              counts[value]++;
            }
          })),
      );
      return counts;
    }
    case "receiveOne": {
      const ch = SharedChannel.from(job.ch);
      return job.sync ? ch.recvSync() : await ch.receive();
    }
    case "scripts":
      return await runScripts(
        1,
        job.chans.map((h) => SharedChannel.from(h)),
        job.scripts,
      );
  }
}

serveJobs<ConformanceJob>(run);
