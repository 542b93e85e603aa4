// Copyright the denogo authors. MIT license.

// The articles' counter: 1,000 goroutines each add one to a shared counter.
//
//   deno run examples/counter_race.ts [goroutines]
//
// In Go, `counter++` from many goroutines is a data race: goroutines run in
// parallel, and two can read the same old value. On one Deno isolate only one
// goroutine runs at a time, and it is interrupted only where it awaits. So a
// plain `counter++` is already safe here, and the race appears only when a
// read-modify-write spans an `await`: another goroutine runs in the gap and
// its update is overwritten. The broken version below does exactly that; the
// three fixes are a Mutex, a channel that owns the counter, and keeping the
// read-modify-write free of awaits.

import { Channel, go, Mutex, WaitGroup, yieldNow } from "../mod.ts";

const n = Number(Deno.args[0] ?? 1000);

/** Read, yield (as a real update might await I/O), then write: racy. */
async function racy(): Promise<number> {
  let counter = 0;
  const wg = new WaitGroup();
  for (let i = 0; i < n; i++) {
    wg.go(async () => {
      const seen = counter;
      await yieldNow(); // Other goroutines run here and update counter...
      counter = seen + 1; // ...and this write discards their updates.
    });
  }
  await wg.wait();
  return counter;
}

/** Fix 1: a Mutex makes the read-modify-write a critical section. */
async function withMutex(): Promise<number> {
  let counter = 0;
  const mu = new Mutex();
  const wg = new WaitGroup();
  for (let i = 0; i < n; i++) {
    wg.go(async () => {
      using _ = await mu.locked();
      const seen = counter;
      await yieldNow(); // Others may run, but none can enter this section.
      counter = seen + 1;
    });
  }
  await wg.wait();
  return counter;
}

/**
 * Fix 2: share memory by communicating. One goroutine owns the counter;
 * the others send it increments.
 */
async function withChannel(): Promise<number> {
  const increments = new Channel<number>();
  const owner = go(async () => {
    let counter = 0;
    for await (const d of increments) counter += d;
    return counter;
  });
  const wg = new WaitGroup();
  for (let i = 0; i < n; i++) wg.go(() => increments.send(1));
  await wg.wait();
  increments.close();
  return await owner;
}

/**
 * Fix 3: on one isolate nothing runs between the read and the write of
 * `counter++`, so it needs no lock at all. (Across workers it would: see
 * the shared-memory tier's atomics.)
 */
async function plain(): Promise<number> {
  let counter = 0;
  const wg = new WaitGroup();
  for (let i = 0; i < n; i++) {
    wg.go(async () => {
      await yieldNow();
      counter++;
    });
  }
  await wg.wait();
  return counter;
}

console.log(`${n} goroutines each add 1; the right answer is ${n}.\n`);
for (
  const [name, run] of [
    ["racy: read, await, write", racy],
    ["fix 1: sync.Mutex", withMutex],
    ["fix 2: a channel owns the counter", withChannel],
    ["fix 3: no await inside counter++", plain],
  ] as const
) {
  const got = await run();
  const verdict = got === n ? "correct" : `lost ${n - got} updates`;
  console.log(`${name.padEnd(36)} ${String(got).padStart(6)}  ${verdict}`);
}
