// Copyright the denogo authors. MIT license.
// A worker for the cross-thread select-claim tests
// (tests/conformance/shared_select_claims_test.ts): each message is one
// job; the reply is `{ ok: true, result }` or `{ ok: false, error }`.

import { recv, select, send } from "../../mod.ts";
import { SharedChannel, type SharedChannelHandle } from "../../workers/mod.ts";
import { serveJobs } from "./_spawn.ts";

/** A non-blocking or blocking peer operation on one channel. */
export type PeerOp =
  | "trySend"
  | "tryReceive"
  | "selectSend"
  | "selectRecv"
  | "send"
  | "sendSync"
  | "recvSync";

/** One job for the claim fixture worker. */
export type ClaimJob =
  | {
    /**
     * Runs `op` once on `ch` (sending `value`): whether it completed, and
     * the value received.
     */
    cmd: "peer";
    ch: SharedChannelHandle<unknown>;
    op: PeerOp;
    value?: unknown;
  }
  | {
    /**
     * Blocks a select with a receive case on each of `recvs` and a send
     * case of `value` on each of `sends`; once it has blocked, `ready`
     * gets a value. The select's case index and value.
     */
    cmd: "select";
    recvs: SharedChannelHandle<unknown>[];
    sends: SharedChannelHandle<unknown>[];
    value: unknown;
    ready: SharedChannelHandle<number>;
  }
  | {
    /**
     * Until `stop` is closed: sends `base`, `base + 1`, ... on `ch` with
     * `op` (`trySend` or `selectSend`), each retried until it succeeds.
     * How many it sent.
     */
    cmd: "sendLoop";
    ch: SharedChannelHandle<number>;
    op: "trySend" | "selectSend";
    base: number;
    stop: SharedChannelHandle<number>;
  }
  | {
    /**
     * Until `stop` is closed: receives on `ch` with `op` (`tryReceive` or
     * `selectRecv`, retried until each succeeds, or `select`, a select
     * that blocks on `ch` and `stop`). The values received.
     */
    cmd: "recvLoop";
    ch: SharedChannelHandle<number>;
    op: "tryReceive" | "selectRecv" | "select";
    stop: SharedChannelHandle<number>;
  };

/** What a `peer` job did. */
export interface PeerResult {
  done: boolean;
  value?: unknown;
}

async function peer(
  ch: SharedChannel<unknown>,
  op: PeerOp,
  value: unknown,
): Promise<PeerResult> {
  switch (op) {
    case "trySend":
      return { done: ch.trySend(value) };
    case "tryReceive": {
      const r = ch.tryReceive();
      return r.state === "ok"
        ? { done: true, value: r.value }
        : { done: false };
    }
    case "selectSend":
      return {
        done: await select([send(ch, value, () => true)], {
          default: () => false,
        }),
      };
    case "selectRecv":
      return await select([recv(ch, (v) => ({ done: true, value: v }))], {
        default: () => ({ done: false }),
      });
    case "send":
      await ch.send(value);
      return { done: true };
    case "sendSync":
      ch.sendSync(value);
      return { done: true };
    case "recvSync":
      return { done: true, value: ch.recvSync().value };
  }
}

async function run(job: ClaimJob): Promise<unknown> {
  switch (job.cmd) {
    case "peer":
      return await peer(SharedChannel.from(job.ch), job.op, job.value);
    case "select": {
      const recvs = job.recvs.map((h) => SharedChannel.from(h));
      const sends = job.sends.map((h) => SharedChannel.from(h));
      const p = select([
        ...recvs.map((c, i) => recv(c, (v) => ({ index: i, value: v }))),
        ...sends.map((c, i) =>
          send(c, job.value, () => ({ index: recvs.length + i }))
        ),
      ]);
      // The select has blocked (its first look ran in the call).
      SharedChannel.from(job.ready).trySend(1);
      return await p;
    }
    case "sendLoop": {
      const ch = SharedChannel.from(job.ch);
      const stop = SharedChannel.from(job.stop);
      let sent = 0;
      while (!stop.closed) {
        const v = job.base + sent;
        const ok = job.op === "trySend" ? ch.trySend(v) : await select(
          [send(ch, v, () => true)],
          { default: () => false },
        );
        if (ok) sent++;
      }
      return sent;
    }
    case "recvLoop": {
      const ch = SharedChannel.from(job.ch);
      const stop = SharedChannel.from(job.stop);
      const got: number[] = [];
      while (!stop.closed) {
        if (job.op === "select") {
          await select([
            recv(ch, (v, ok) => ok && got.push(v as number)),
            recv(stop, () => {}),
          ]);
        } else if (job.op === "tryReceive") {
          const r = ch.tryReceive();
          if (r.state === "ok") got.push(r.value);
        } else {
          await select([recv(ch, (v) => got.push(v as number))], {
            default: () => {},
          });
        }
      }
      return got;
    }
  }
}

serveJobs<ClaimJob>(run);
