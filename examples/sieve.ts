// Copyright the denogo authors. MIT license.

/**
 * The concurrent prime sieve from Go's documentation (doc/play/sieve.go),
 * as shown in "Share Memory By Communicating" and Rob Pike's talks: a
 * generator goroutine feeds a daisy chain of filter goroutines, one per
 * prime found so far.
 *
 *     deno run examples/sieve.ts        # the first 100 primes
 *     deno run examples/sieve.ts 1000   # the first 1000 primes
 *
 * Every number travels down the chain over unbuffered channels until a
 * filter removes it, so this measures goroutine hand-offs: the run prints
 * how many channel sends it took and the time per send.
 *
 * @module
 */

import {
  Channel,
  ChannelClosedError,
  go,
  numGoroutine,
  type SendChannel,
} from "../mod.ts";

let sends = 0;

/** Send the sequence 2, 3, 4, ... to channel `ch`, until it is closed. */
async function generate(ch: SendChannel<number>): Promise<void> {
  try {
    for (let i = 2;; i++) {
      await ch.send(i); // Send 'i' to channel 'ch'.
      sends++;
    }
  } catch (error) {
    if (!(error instanceof ChannelClosedError)) throw error;
  }
}

/**
 * Copy the values from channel `input` to channel `out`, removing those
 * divisible by `prime`. Closing `out` ends the filter and closes `input`,
 * so shutting down the last channel unwinds the whole chain.
 */
async function filter(
  input: Channel<number>,
  out: Channel<number>,
  prime: number,
): Promise<void> {
  for await (const i of input) { // Receive value from 'input'.
    if (i % prime === 0) continue;
    try {
      await out.send(i); // Send 'i' to 'out'.
      sends++;
    } catch (error) {
      if (!(error instanceof ChannelClosedError)) throw error;
      break; // out was closed: the sieve is done.
    }
  }
  input.close();
}

/** The prime sieve: daisy-chain filter goroutines. Returns the first n primes. */
export async function sieve(n: number): Promise<number[]> {
  const primes: number[] = [];
  let ch = new Channel<number>(); // Create a new channel.
  const chain: Promise<void>[] = [go(generate, ch)]; // Launch generate goroutine.
  for (let i = 0; i < n; i++) {
    const { value: prime } = await ch.receive();
    primes.push(prime!);
    const ch1 = new Channel<number>();
    chain.push(go(filter, ch, ch1, prime!));
    ch = ch1;
  }
  // Go's program just exits here. We close the end of the chain instead,
  // and each filter closes its input in turn, back to the generator.
  ch.close();
  await Promise.all(chain);
  return primes;
}

if (import.meta.main) {
  const n = Deno.args.length > 0 ? Number(Deno.args[0]) : 100;
  if (!Number.isInteger(n) || n < 1) {
    console.error(
      `usage: deno run examples/sieve.ts [N], received ${Deno.args[0]}`,
    );
    Deno.exit(2);
  }
  const start = performance.now();
  const primes = await sieve(n);
  const ms = performance.now() - start;

  const width = String(primes.at(-1)).length;
  for (let i = 0; i < primes.length; i += 10) {
    console.log(
      primes.slice(i, i + 10).map((p) => String(p).padStart(width)).join(" "),
    );
  }
  console.log(
    `\n${n} primes from ${n + 1} chained goroutines in ${ms.toFixed(1)} ms: ` +
      `${sends.toLocaleString("en-US")} channel sends, ` +
      `${(ms * 1e6 / sends).toFixed(0)} ns per send` +
      ` (goroutines left: ${numGoroutine() - 1})`,
  );
}
