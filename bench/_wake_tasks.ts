// Copyright the denogo authors. MIT license.

/**
 * The tasks of `bench/wake_bench.ts`: the runtime loads this module in its
 * workers.
 *
 * Two tasks of a ping-pong are placed on two distinct workers without a
 * placement option: {@linkcode pong} holds its worker's thread in a
 * synchronous `recvSync()` on `hello` until {@linkcode ping} sends on it,
 * so `ping` can only run on another worker; once both run, they go on with
 * awaited calls only.
 *
 * @module
 */

import { workerIndex } from "../runtime/mod.ts";
import type { SharedChannel } from "../workers/mod.ts";

/**
 * Says on `started` which worker runs it, holds that worker until `ping`
 * says hello, then echoes values from `a` to `b` until a negative one;
 * returns its worker's index.
 */
export async function pong(
  started: SharedChannel<number>,
  hello: SharedChannel<number>,
  a: SharedChannel<number>,
  b: SharedChannel<number>,
): Promise<number> {
  started.trySend(workerIndex());
  hello.recvSync(); // this worker runs nothing else until ping runs
  for (;;) {
    const v = (await a.receive()).value!;
    if (v < 0) return workerIndex();
    await b.send(v);
  }
}

/**
 * Says hello to `pong` and its worker's index on `done`, then for each count `n` received on `go` makes `n`
 * round trips (`await a.send(i)`, `await b.receive()`) and says `n` on
 * `done`; a negative count ends it and `pong`. Returns its worker's index.
 */
export async function ping(
  hello: SharedChannel<number>,
  a: SharedChannel<number>,
  b: SharedChannel<number>,
  go: SharedChannel<number>,
  done: SharedChannel<number>,
): Promise<number> {
  await hello.send(workerIndex());
  await done.send(workerIndex());
  for (;;) {
    const n = (await go.receive()).value!;
    if (n < 0) break;
    for (let i = 0; i < n; i++) {
      await a.send(i);
      await b.receive();
    }
    await done.send(n);
  }
  await a.send(-1);
  return workerIndex();
}

/**
 * The tiny task that blocks once: waits for a value on unbuffered `ch`
 * (its receive is registered before it asks, so it always blocks), asks
 * for one on `ask`, returns the value plus one.
 */
export async function once(
  ask: SharedChannel<number>,
  ch: SharedChannel<number>,
): Promise<number> {
  const got = ch.receive();
  ask.trySend(0);
  return (await got).value! + 1;
}

const given: [SharedChannel<number>, SharedChannel<number>][] = [];

/**
 * Keeps `ask` and `ch` in this worker for {@linkcode onceGiven}, as pair
 * `which`.
 */
export function give(
  ask: SharedChannel<number>,
  ch: SharedChannel<number>,
  which = 0,
) {
  given[which] = [ask, ch];
}

/**
 * {@linkcode once} over the channels {@linkcode give} kept as pair
 * `which`: the wake-up without the cost of two shared objects in every
 * call's arguments.
 */
export async function onceGiven(x: number, which = 0): Promise<number> {
  const [ask, ch] = given[which];
  const got = ch.receive();
  ask.trySend(0);
  return (await got).value! + x;
}

/** x + 1: the tiny task without a channel, the floor of {@linkcode once}. */
export function inc(x: number): number {
  return x + 1;
}
