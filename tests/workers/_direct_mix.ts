// Copyright the denogo authors. MIT license.
// The stress loop of tests/workers/shared_channel_direct_test.ts, run by
// goroutines on the main thread and in its fixture workers
// (`_direct_fixture.ts`).

import { recv, select, send, yieldNow } from "../../mod.ts";
import {
  type AtomicHandle,
  AtomicInt32,
  SharedChannel,
  type SharedChannelHandle,
} from "../../workers/mod.ts";

/** The stress loop's parameters: see {@linkcode mix}. */
export interface MixJob {
  ch: SharedChannelHandle<number>;
  stop: SharedChannelHandle<number>;
  received: AtomicHandle;
  /** The first goroutine's id; one id a goroutine from there. */
  id: number;
  /** One goroutine per entry, of that role (see {@linkcode mix}). */
  roles: readonly number[];
  /** Plain `send()`/`receive()` only, or selects and `trySend` too. */
  plain: boolean;
}

/** What one goroutine of the stress loop sent and received. */
export interface MixResult {
  id: number;
  sent: number[];
  got: number[];
}

/** A value of goroutine `id`: its id in the high digits. */
export function mixValue(id: number, n: number): number {
  return id * 1_000_000 + n;
}

/** The goroutine that sent `value`. */
export function senderOf(value: number): number {
  return Math.floor(value / 1_000_000);
}

/**
 * Until `stop` is closed, one goroutine per entry of `roles` sends its
 * own values and receives on `ch`: role 0 only sends, role 1 only
 * receives (one of each among all the threads' goroutines keeps the others
 * from all waiting on the same side), role 2 sends, then receives, and so
 * on. They send with plain
 * `send()`, or, unless `plain`, also with `trySend()` (retried) and selects
 * with a `stop` case; they receive with plain `receive()` if `plain`, else
 * with selects with a `stop` case (a plain receiver on another thread
 * takes a trySend's value through the channel: see the README's known
 * limits). Every blocking call ends when `stop` closes. Counts every value
 * received in `received`.
 */
export async function mix(job: MixJob): Promise<MixResult[]> {
  const ch = SharedChannel.from(job.ch);
  const stop = SharedChannel.from(job.stop);
  const received = AtomicInt32.from(job.received);
  const ac = new AbortController();
  const signal = ac.signal;
  const stopped = stop.receive().then(() => ac.abort());
  const one = async (id: number, role: number): Promise<MixResult> => {
    const sent: number[] = [];
    const got: number[] = [];
    let n = 0;
    const sendOne = async (): Promise<void> => {
      const v = mixValue(id, n);
      const r = job.plain ? 0 : Math.random();
      if (r < 0.4) {
        await ch.send(v, { signal });
      } else if (r < 0.7) {
        while (!ch.trySend(v)) {
          if (signal.aborted) return;
          await yieldNow();
        }
      } else if (
        !await select([send(ch, v, () => true), recv(stop, () => false)])
      ) return;
      sent.push(v);
      n++;
    };
    const receiveOne = async (): Promise<void> => {
      if (job.plain) {
        const r = await ch.receive({ signal });
        if (r.ok) got.push(r.value);
      } else {
        await select([
          recv(ch, (x, ok) => ok && got.push(x as number)),
          recv(stop, () => {}),
        ]);
      }
    };
    while (!signal.aborted) {
      // Goroutines of one thread that pair among themselves run in
      // microtasks, where the wake-up of `stopped` may come late.
      if (stop.closed) ac.abort();
      try {
        if (role !== 1) await sendOne();
        if (role !== 0 && !signal.aborted) {
          const had = got.length;
          await receiveOne();
          if (got.length > had) received.add(1);
        }
      } catch (error) {
        if (!signal.aborted) throw error;
      }
    }
    return { id, sent, got };
  };
  const all = await Promise.all(
    job.roles.map((role, i) => one(job.id + i, role)),
  );
  await stopped;
  return all;
}
