// Copyright the denogo authors. MIT license.
// Random goroutine scripts over shared channels, run the same way on the
// main thread and in a worker (tests/property_workers_test.ts).

import { ChannelClosedError, go, recv, select, send } from "../../mod.ts";
import type { SharedChannel } from "../../workers/mod.ts";

/** One operation of a script; `ch` indexes the program's channels. */
export type ScriptOp =
  | { t: "send" | "recv" | "trySend" | "tryRecv"; ch: number }
  | {
    t: "select";
    cases: { kind: "send" | "recv"; ch: number }[];
    withDefault: boolean;
  };

/**
 * What one operation did. `sent` and `got` name values; `kind` says which
 * way: a value delivered, a value received from channel `ch`, a value
 * refused (`ChannelClosedError` for a send, `false` for a trySend), or
 * nothing (a closed channel, an empty one, a select's default).
 */
export type Outcome =
  | { kind: "delivered"; value: number; ch: number }
  | { kind: "received"; value: number; ch: number }
  | { kind: "refused"; value: number }
  | { kind: "none" };

/** The value a goroutine's `i`-th operation sends on case `c`. */
export function valueOf(
  thread: number,
  goroutine: number,
  i: number,
  c = 0,
): number {
  return ((thread * 64 + goroutine) * 256 + i) * 8 + c;
}

/** The sender (thread and goroutine) of a value, as one number. */
export function senderOf(value: number): number {
  return Math.floor(value / (256 * 8));
}

async function runOp(
  chans: readonly SharedChannel<number>[],
  op: ScriptOp,
  v: (c: number) => number,
): Promise<Outcome> {
  const n = chans.length;
  try {
    switch (op.t) {
      case "send":
        await chans[op.ch % n].send(v(0));
        return { kind: "delivered", value: v(0), ch: op.ch % n };
      case "trySend":
        return chans[op.ch % n].trySend(v(0))
          ? { kind: "delivered", value: v(0), ch: op.ch % n }
          : { kind: "refused", value: v(0) };
      case "recv": {
        const r = await chans[op.ch % n].receive();
        return r.ok
          ? { kind: "received", value: r.value, ch: op.ch % n }
          : { kind: "none" };
      }
      case "tryRecv": {
        const r = chans[op.ch % n].tryReceive();
        return r.state === "ok"
          ? { kind: "received", value: r.value, ch: op.ch % n }
          : { kind: "none" };
      }
      case "select": {
        const cases = op.cases.map((c, i) =>
          c.kind === "send"
            ? send(
              chans[c.ch % n],
              v(i),
              (): Outcome => ({
                kind: "delivered",
                value: v(i),
                ch: c.ch % n,
              }),
            )
            : recv(
              chans[c.ch % n],
              (value, ok): Outcome =>
                ok
                  ? { kind: "received", value: value!, ch: c.ch % n }
                  : { kind: "none" },
            )
        );
        return await select(cases, {
          default: op.withDefault
            ? (): Outcome => ({ kind: "none" })
            : undefined,
        });
      }
    }
  } catch (error) {
    if (!(error instanceof ChannelClosedError)) throw error;
    return { kind: "refused", value: error.value as number };
  }
}

/**
 * Runs each script in a goroutine of its own over `chans`; resolves with
 * each goroutine's outcomes once all have finished.
 */
export function runScripts(
  thread: number,
  chans: readonly SharedChannel<number>[],
  scripts: readonly ScriptOp[][],
): Promise<Outcome[][]> {
  return Promise.all(scripts.map((script, g) =>
    go(async () => {
      const out: Outcome[] = [];
      for (let i = 0; i < script.length; i++) {
        out.push(
          await runOp(chans, script[i], (c) => valueOf(thread, g, i, c)),
        );
      }
      return out;
    })
  ));
}
