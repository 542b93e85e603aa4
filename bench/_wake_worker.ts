// Copyright the denogo authors. MIT license.

/**
 * A plain worker (no runtime) for `bench/wake_bench.ts`: the library-free
 * floor of a cross-thread wake-up (an `Atomics.wait`/`notify` ping-pong),
 * and the sender that feeds the tiny tasks that block once.
 *
 * | word of `words` | meaning |
 * | --- | --- |
 * | 0 | ping's count: round trip `i` sets it to `i + 1` |
 * | 1 | pong's count: the echo of round trip `i` sets it to `i + 1` |
 *
 * @module
 */

import { SharedChannel, type SharedChannelHandle } from "../workers/mod.ts";

/** A job, posted by the bench; the worker posts back `null` when done. */
export type WakeJob =
  | { cmd: "ping" | "pong"; words: SharedArrayBuffer; n: number; spin: number }
  | {
    cmd: "feed";
    ask: SharedChannelHandle<number>;
    ch: SharedChannelHandle<number>;
  }
  | { cmd: "echo" };

/** How long the feeder polls for the next ask before it sleeps, in ms. */
const FEED_SPIN_MS = 2;

/** Waits until `words[index]` is `want`: spins `spin` loads, then sleeps. */
function waitFor(
  words: Int32Array,
  index: number,
  want: number,
  spin: number,
): void {
  for (let i = 0; i < spin; i++) {
    if (Atomics.load(words, index) === want) return;
  }
  let v;
  while ((v = Atomics.load(words, index)) !== want) {
    Atomics.wait(words, index, v);
  }
}

function serve(job: WakeJob): void {
  switch (job.cmd) {
    case "ping":
    case "pong": {
      const words = new Int32Array(job.words);
      const [mine, theirs] = job.cmd === "ping" ? [0, 1] : [1, 0];
      for (let i = 1; i <= job.n; i++) {
        if (job.cmd === "pong") waitFor(words, theirs, i, job.spin);
        Atomics.store(words, mine, i);
        Atomics.notify(words, mine);
        if (job.cmd === "ping") waitFor(words, theirs, i, job.spin);
      }
      return;
    }
    case "feed": {
      // One value per ask, each handed to a receiver already blocked,
      // until `ask` is closed. The feeder polls `ask` for a while before
      // it sleeps, so the row times the task's wake-up, not this thread's.
      const ask = SharedChannel.from(job.ask);
      const ch = SharedChannel.from(job.ch);
      for (let i = 0;; i++) {
        let r = ask.tryReceive();
        const until = performance.now() + FEED_SPIN_MS;
        while (r.state === "empty" && performance.now() < until) {
          r = ask.tryReceive();
        }
        if (r.state === "empty" && !ask.recvSync().ok) return;
        if (r.state === "closed") return;
        ch.sendSync(i);
      }
    }
    case "echo":
      return;
  }
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WakeJob>) => void) | null;
  postMessage(message: unknown): void;
};
scope.onmessage = (e) => {
  serve(e.data);
  scope.postMessage(null);
};
