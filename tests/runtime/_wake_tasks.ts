// Copyright the denogo authors. MIT license.
// Task functions for tests/runtime/wake_test.ts: tasks that wait on shared
// primitives, and one that uses a timer and fetch meanwhile.

import { recv, select } from "../../mod.ts";
import { workerIndex } from "../../runtime/mod.ts";
import type {
  SharedChannel,
  SharedMutex,
  SharedSemaphore,
  SharedWaitGroup,
} from "../../workers/mod.ts";

/** Says it is ready on `ready`, then receives one value on `from`. */
export async function receiveOnce(
  ready: SharedChannel<number>,
  from: SharedChannel<number>,
): Promise<number> {
  await ready.send(1);
  return (await from.receive()).value!;
}

/** Echoes values from `from` to `to` until `from` is closed; returns how many. */
export async function echo(
  from: SharedChannel<number>,
  to: SharedChannel<number>,
): Promise<number> {
  let n = 0;
  for await (const v of from) {
    await to.send(v);
    n++;
  }
  return n;
}

/** Sleeps `ms` on a timer, then fetches `url`; returns the body. */
export async function timerThenFetch(ms: number, url: string): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  const response = await fetch(url);
  return await response.text();
}

/** The shared primitives two tasks hand a turn back and forth over. */
export interface Kit {
  a: SharedChannel<number>;
  b: SharedChannel<number>;
  c: SharedChannel<number>;
  mu: SharedMutex;
  sem: SharedSemaphore;
  wgs: SharedWaitGroup[];
}

/**
 * One side of `rounds` hand-offs between two tasks: side 0 sends on `a`
 * and waits for the answer, side 1 answers; each round goes over a
 * channel (`receive`, `send`), a select over two channels, a mutex, a
 * semaphore and a wait group, so every kind of wait of a goroutine in a
 * worker is woken by the other worker. Returns this side's worker index.
 */
export async function handOff(
  kit: Kit,
  side: 0 | 1,
  rounds: number,
): Promise<number> {
  const { a, b, c, mu, sem, wgs } = kit;
  for (let i = 0; i < rounds; i++) {
    if (side === 0) {
      await a.send(i);
      const got = await select([
        recv(b, (v) => v!),
        recv(c, (v) => -v!),
      ]);
      if (got !== i) throw new Error(`round ${i}: got ${got}`);
      // The other side holds the lock and the semaphore's one permit
      // until it is past the wait group of this round.
      await mu.lock();
      mu.unlock();
      await sem.acquire();
      sem.release();
      wgs[i % 2].done();
    } else {
      const v = (await a.receive()).value!;
      await mu.lock();
      await sem.acquire();
      await (i % 3 === 0 ? c.send(-v) : b.send(v));
      wgs[(i + 1) % 2].add(1); // the next round's, before this one ends
      mu.unlock();
      sem.release();
      await wgs[i % 2].wait();
    }
  }
  return workerIndex();
}

/**
 * Holds its worker's thread in a synchronous `recvSync()` on `hello`
 * after saying so on `started`, so the task that says hello runs on
 * another worker; then runs {@linkcode handOff}'s side 1.
 */
export function handOffHeld(
  started: SharedChannel<number>,
  hello: SharedChannel<number>,
  kit: Kit,
  rounds: number,
): Promise<number> {
  started.trySend(workerIndex());
  hello.recvSync();
  return handOff(kit, 1, rounds);
}

/** Says hello, then runs {@linkcode handOff}'s side 0. */
export async function handOffHello(
  hello: SharedChannel<number>,
  kit: Kit,
  rounds: number,
): Promise<number> {
  await hello.send(workerIndex());
  return await handOff(kit, 0, rounds);
}
