// Copyright the denogo authors. MIT license.

/**
 * Timing out with select, from "Go Concurrency Patterns: Timing out, moving
 * on" (the Go blog, 2010) and Rob Pike's talk "Go Concurrency Patterns"
 * (Google I/O 2012).
 *
 *     deno run examples/timeout.ts
 *
 * 1. A read with a timeout: a goroutine sends a word after a delay, and the
 *    reader selects between the word and `after(ms)`. Run once in time and
 *    once too late.
 * 2. A timeout for the whole conversation: Pike's `boring` generator talks
 *    at random intervals until the conversation's timer fires; then a `quit`
 *    channel tells it to stop.
 *
 * The program is written with `main()`, so it ends when its main function
 * returns, goroutines still sleeping or not.
 *
 * @module
 */

import {
  after,
  Channel,
  go,
  main,
  type ReceiveChannel,
  recv,
  select,
  send,
  sleep,
} from "../mod.ts";

/**
 * Returns a channel on which `word` arrives after `delay` ms. The channel is
 * buffered, so the sender never blocks and can exit even if nobody is left
 * to read the word (the blog's point about `make(chan bool, 1)`).
 */
function say(word: string, delay: number): ReceiveChannel<string> {
  const ch = new Channel<string>({ capacity: 1 });
  go(async () => {
    await sleep(delay);
    await ch.send(word);
  });
  return ch;
}

/** Reads one word, giving up after `timeout` ms. */
function readWithTimeout(
  ch: ReceiveChannel<string>,
  timeout: number,
): Promise<string> {
  return select([
    recv(ch, (word) => `in time: got "${word}"`), // a read from ch has occurred
    recv(after(timeout), () => `timed out after ${timeout} ms`), // the read from ch has timed out
  ]);
}

/**
 * Pike's boring generator: a goroutine that says `msg` at random intervals
 * until told to quit. `select` with a send case lets it stop even while
 * nobody is listening.
 */
function boring(
  msg: string,
  quit: ReceiveChannel<void>,
): ReceiveChannel<string> {
  const c = new Channel<string>();
  go(async () => {
    for (let i = 0;; i++) {
      await sleep(Math.random() * 40);
      const more = await select([
        send(c, `${msg} ${i}`, () => true),
        recv(quit, () => false),
      ]);
      if (!more) return c.close();
    }
  });
  return c;
}

// main(): the program ends when this function returns, as a Go program does,
// so the goroutine of say("goodbye", 200), still sleeping, is abandoned
// rather than kept alive for its timer.
if (import.meta.main) {
  main(async () => {
    // 1. The word arrives after 10 ms; we wait up to 200 ms.
    console.log(await readWithTimeout(say("hello", 10), 200));
    // The word would arrive after 200 ms; we wait only 20 ms.
    console.log(await readWithTimeout(say("goodbye", 200), 20));

    // 2. Timeout for whole conversation using select.
    const quit = new Channel<void>();
    const c = boring("Joe", quit);
    const timeout = after(150);
    for (let talking = true; talking;) {
      talking = await select([
        recv(c, (s) => {
          console.log(`  ${s}`);
          return true;
        }),
        recv(timeout, () => {
          console.log("You talk too much.");
          return false;
        }),
      ]);
    }
    quit.close(); // Tell Joe to stop; his goroutine returns.
  });
}
