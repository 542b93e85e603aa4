// Copyright the denogo authors. MIT license.
// A worker for the shared-memory stress tests: each message is one job; the
// reply is `{ ok: true, result }` or `{ ok: false, error }`.

import { go, recv, select } from "../../mod.ts";
import {
  type CodecName,
  SharedChannel,
  type SharedChannelHandle,
  SharedMutex,
  type SharedMutexHandle,
} from "../../workers/mod.ts";
import { serveJobs } from "../workers/_spawn.ts";

/** The sums of squares are kept modulo this prime, exact in a double. */
export const MOD = 1_000_000_007;

/** Per-producer tallies a consumer returns: count, sum and sum of squares (mod {@linkcode MOD}) of sequence numbers. */
export interface Tally {
  count: number[];
  sum: number[];
  squares: number[];
  /** Values seen out of order for their producer (must be 0). */
  disorder: number;
}

/** One job for the stress fixture worker. */
export type StressJob =
  | {
    /** Runs producers `producers` (ids) and `consumers` consumers as goroutines. */
    cmd: "mix";
    ch: SharedChannelHandle<unknown>;
    producers: number[];
    consumers: number;
    n: number;
  }
  | {
    /**
     * Producer `producer` sends its `n` values with `sendSync`, or with
     * `sendManySync` in batches of `batch` when `batch` is above 1.
     */
    cmd: "produceSync";
    ch: SharedChannelHandle<unknown>;
    producer: number;
    n: number;
    batch: number;
  }
  | {
    /**
     * Receives until the channel is closed and drained, with `recvSync`, or
     * with `recvManySync(batch)` when `batch` is above 1.
     */
    cmd: "consumeSync";
    ch: SharedChannelHandle<unknown>;
    producers: number;
    batch: number;
  }
  | {
    /** Receives with select over `chans` until all are closed. */
    cmd: "selectTally";
    chans: SharedChannelHandle<unknown>[];
    producers: number;
  }
  | {
    /** Receives forever (until terminated) with async receive. */
    cmd: "recvForever";
    ch: SharedChannelHandle<unknown>;
  }
  | {
    /** Locks the mutex and keeps it; returns this thread's id. */
    cmd: "lockHold";
    mu: SharedMutexHandle;
  }
  | {
    /** `n` times: lock, increment `counter[0]` non-atomically, unlock. */
    cmd: "mutexLoop";
    mu: SharedMutexHandle;
    counter: SharedArrayBuffer;
    n: number;
  };

/** Makes producer `p`'s value number `s` for a codec. */
export function makeValue(codec: CodecName, p: number, s: number): unknown {
  switch (codec) {
    case "int32":
      return p * 2 ** 24 + s;
    case "float64":
      return p * 1e9 + s + 0.5;
    case "bytes":
      return new Uint8Array([p, s & 255, (s >> 8) & 255, (s >> 16) & 255]);
    case "string":
      return `${p}:${s}`;
    default:
      return { p, s, tag: "x" };
  }
}

/** Recovers `[producer, sequence]` from a value. */
export function readValue(codec: CodecName, v: unknown): [number, number] {
  switch (codec) {
    case "int32": {
      const x = v as number;
      return [Math.floor(x / 2 ** 24), x % 2 ** 24];
    }
    case "float64": {
      const x = (v as number) - 0.5;
      return [Math.floor(x / 1e9), x % 1e9];
    }
    case "bytes": {
      const b = v as Uint8Array;
      return [b[0], b[1] | (b[2] << 8) | (b[3] << 16)];
    }
    case "string": {
      const [p, s] = (v as string).split(":");
      return [Number(p), Number(s)];
    }
    default: {
      const o = v as { p: number; s: number };
      return [o.p, o.s];
    }
  }
}

/** An empty tally for `producers` producers. */
export function newTally(producers: number): Tally {
  return {
    count: new Array(producers).fill(0),
    sum: new Array(producers).fill(0),
    squares: new Array(producers).fill(0),
    disorder: 0,
  };
}

/** Counts one value into a tally; `last` tracks per-producer order. */
export function count(
  t: Tally,
  last: number[],
  codec: CodecName,
  v: unknown,
): void {
  const [p, s] = readValue(codec, v);
  if (s <= (last[p] ?? -1)) t.disorder++;
  last[p] = s;
  t.count[p]++;
  t.sum[p] += s;
  t.squares[p] = (t.squares[p] + (s * s) % MOD) % MOD;
}

/** Adds tallies together. */
export function merge(ts: Tally[], producers: number): Tally {
  const out = newTally(producers);
  for (const t of ts) {
    out.disorder += t.disorder;
    for (let p = 0; p < producers; p++) {
      out.count[p] += t.count[p] ?? 0;
      out.sum[p] += t.sum[p] ?? 0;
      out.squares[p] = (out.squares[p] + (t.squares[p] ?? 0)) % MOD;
    }
  }
  return out;
}

/** Runs producers and consumers on this thread as goroutines. */
export async function mix(
  ch: SharedChannel<unknown>,
  producers: number[],
  consumers: number,
  n: number,
  totalProducers: number,
): Promise<Tally[]> {
  const codec = ch.codec;
  const prods = producers.map((p) =>
    go(async () => {
      for (let s = 0; s < n; s++) await ch.send(makeValue(codec, p, s));
    })
  );
  const cons = Array.from({ length: consumers }, () =>
    go(async () => {
      const t = newTally(totalProducers);
      const last: number[] = [];
      for await (const v of ch) count(t, last, codec, v);
      return t;
    }));
  await Promise.all(prods);
  return await Promise.all(cons);
}

async function run(job: StressJob): Promise<unknown> {
  switch (job.cmd) {
    case "mix": {
      return await mix(
        SharedChannel.from(job.ch),
        job.producers,
        job.consumers,
        job.n,
        4,
      );
    }
    case "produceSync": {
      const ch = SharedChannel.from(job.ch);
      const codec = ch.codec;
      for (let s = 0; s < job.n;) {
        if (job.batch <= 1) {
          ch.sendSync(makeValue(codec, job.producer, s++));
          continue;
        }
        const xs = [];
        while (xs.length < job.batch && s < job.n) {
          xs.push(makeValue(codec, job.producer, s++));
        }
        ch.sendManySync(xs);
      }
      return job.n;
    }
    case "consumeSync": {
      const ch = SharedChannel.from(job.ch);
      const codec = ch.codec;
      const t = newTally(job.producers);
      const last: number[] = [];
      if (job.batch <= 1) {
        for (let r = ch.recvSync(); r.ok; r = ch.recvSync()) {
          count(t, last, codec, r.value);
        }
      } else {
        for (
          let xs = ch.recvManySync(job.batch);
          xs.length > 0;
          xs = ch.recvManySync(job.batch)
        ) {
          for (const v of xs) count(t, last, codec, v);
        }
      }
      return t;
    }
    case "selectTally": {
      const chans = job.chans.map((h) => SharedChannel.from(h));
      const codec = chans[0].codec;
      const t = newTally(job.producers);
      const last: number[] = [];
      const live: (SharedChannel<unknown> | null)[] = [...chans];
      let open = live.length;
      while (open > 0) {
        await select(live.map((ch, i) =>
          recv(ch, (v, ok) => {
            if (ok) count(t, last, codec, v);
            else {
              live[i] = null;
              open--;
            }
          })
        ));
      }
      return t;
    }
    case "recvForever": {
      const ch = SharedChannel.from(job.ch);
      for (;;) await ch.receive();
    }
    case "lockHold": {
      SharedMutex.from(job.mu).lockSync();
      return SharedMutex.threadId;
    }
    case "mutexLoop": {
      const mu = SharedMutex.from(job.mu);
      const counter = new Int32Array(job.counter);
      for (let i = 0; i < job.n; i++) {
        mu.lockSync();
        const x = counter[0];
        counter[0] = x + 1;
        mu.unlock();
      }
      return job.n;
    }
  }
}

if (
  typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !==
    "undefined"
) {
  serveJobs<StressJob>(run);
}
