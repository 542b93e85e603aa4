// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/sieve1.go: the concurrent prime sieve, a growing
// chain of filter goroutines joined by unbuffered channels. Go's program
// just exits with the chain still running; here the chain is torn down
// with an AbortSignal so that no goroutine outlives the test.

import assert from "node:assert/strict";
import {
  go,
  numGoroutine,
  type ReceiveChannel,
  type SendChannel,
} from "../../mod.ts";
import { NUMBER_KINDS, testEachKind } from "./_shared.ts";
import { settleAll, track } from "./_util.ts";

const PRIMES_BELOW_100 =
  "2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71 73 79 83 89 97"
    .split(" ").map(Number);

testEachKind(
  NUMBER_KINDS,
  "the concurrent prime sieve yields the primes in order",
  async (kind) => {
    const before = numGoroutine();
    const controller = new AbortController();
    const signal = controller.signal;
    const goroutines: Promise<void>[] = [];
    const spawn = <A extends unknown[]>(
      fn: (...args: A) => Promise<void>,
      ...args: A
    ) => track(goroutines, go(fn, ...args));

    async function generate(out: SendChannel<number>) {
      for (let i = 2;; i++) await out.send(i, { signal });
    }
    async function filter(
      input: ReceiveChannel<number>,
      out: SendChannel<number>,
      prime: number,
    ) {
      for (;;) {
        const { value } = await input.receive({ signal });
        if (value! % prime !== 0) await out.send(value!, { signal });
      }
    }
    async function sieve(primes: SendChannel<number>) {
      let ch = kind.make<number>();
      spawn(generate, ch);
      for (;;) {
        const { value: prime } = await ch.receive({ signal });
        await primes.send(prime!, { signal });
        const next = kind.make<number>();
        spawn(filter, ch, next, prime!);
        ch = next;
      }
    }

    const primes = kind.make<number>();
    spawn(sieve, primes);
    for (const expected of PRIMES_BELOW_100) {
      assert.equal((await primes.receive()).value, expected);
    }

    const stop = new Error("stop");
    controller.abort(stop);
    for (const result of await settleAll(goroutines)) {
      assert.equal(result.status, "rejected");
      assert.equal(result.reason, stop);
    }
    assert.equal(numGoroutine(), before);
  },
);
