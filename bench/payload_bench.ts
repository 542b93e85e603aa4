// Copyright the denogo authors. MIT license.

/**
 * What it costs to carry a value across threads, by kind of value:
 *
 * - a task's arguments written into and read out of its slot
 *   (`runtime/_payload.ts`, no scheduling): numbers (no serialization), a
 *   10-field plain object (`node:v8`), the same object holding a
 *   `SharedChannel` (lifted into a ref, reopened by `from()`);
 * - the `structured` codec, `trySend` + `tryReceive` on one thread: the
 *   plain object (the JS fast path), a `Map` (`node:v8`), the object
 *   holding a `SharedChannel`; and each side of `shared_bench.ts`'s
 *   structured row on its own (512 `trySend`s, then 512 `tryReceive`s);
 * - a task's round trip through a runtime of one worker, with the same
 *   arguments, and with a new `SharedArrayBuffer` each call (its memory is
 *   posted to the worker once, the first time).
 *
 * The rows with a shared object need a runtime on this thread (its buffer
 * hub carries the channel's memory); where shared objects cannot cross
 * (an older build) they are left out. This module is also the task module.
 *
 * `deno bench --allow-read --allow-env --allow-run bench/payload_bench.ts`
 *
 * @module
 */

import { Runtime } from "../runtime/mod.ts";
import { layoutFor, memoryOf } from "../runtime/_layout.ts";
import { readArgs, writeArgs } from "../runtime/_payload.ts";
import { SharedChannel } from "../workers/mod.ts";
import { benchObject } from "./_structured_object.ts";

/** Echoes its arguments' first. */
export function echo<T>(value: T): T {
  return value;
}

const isMain = (globalThis as { Deno?: { mainModule?: string } }).Deno
      ?.mainModule === import.meta.url || !("WorkerGlobalScope" in globalThis);

/** Values per iteration of the structured rows' sides. */
const SIDE = 512;

/** A 10-field object of numbers and short strings. */
function record(): Record<string, unknown> {
  return {
    id: 1,
    name: "job",
    weight: 2.5,
    tag: "a",
    count: 10,
    ok: true,
    at: 1_700_000_000,
    note: "short",
    x: -3,
    y: null,
  };
}

if (isMain && "bench" in Deno) {
  const rt = await Runtime.start({ procs: 1 });
  const ch = new SharedChannel<number>({ capacity: 1 });
  const numbers = [1, 2, 3];
  const plain = [record()];
  const shared = [{ ...record(), ch }];
  const layout = layoutFor({
    procs: 1,
    mainSlots: 16,
    workerSlots: 16,
    dequeCapacity: 16,
    traceEvents: 0,
    heapBytes: 1 << 16,
  });
  const m = memoryOf(new SharedArrayBuffer(layout.byteLength), layout);
  /** Whether `args` crosses at all in this build. */
  const crosses = (args: unknown[]) => {
    try {
      writeArgs(m, 0, args);
      const first = readArgs(m, 0)[0];
      return typeof first !== "object" || first === null ||
        !("ch" in first) || first.ch instanceof SharedChannel;
    } catch {
      return false;
    }
  };
  const slot = (name: string, args: unknown[]) => {
    if (!crosses(args)) return;
    Deno.bench({
      name: `task payload write+read: ${name}`,
      group: "payload: slot",
      fn() {
        writeArgs(m, 0, args);
        readArgs(m, 0);
      },
    });
  };
  slot("3 numbers", numbers);
  slot("a 10-field object", plain);
  slot("a 10-field object holding a SharedChannel", shared);

  const box = new SharedChannel<unknown>({ capacity: 4 });
  const codec = (name: string, value: unknown) => {
    try {
      box.trySend(value);
      box.tryReceive();
    } catch {
      return;
    }
    Deno.bench({
      name: `structured trySend+tryReceive: ${name}`,
      group: "payload: structured",
      fn() {
        box.trySend(value);
        box.tryReceive();
      },
    });
  };
  codec("a 10-field object", plain[0]);
  codec("a Map of 10 entries", new Map(Object.entries(record())));
  codec("a 10-field object holding a SharedChannel", shared[0]);

  // Each side of shared_bench.ts's structured row, on one thread: 512
  // sends of its object into a channel of 1024, then 512 receives; each
  // row times one side.
  const items = Array.from({ length: SIDE }, (_, i) => benchObject(i));
  const side = new SharedChannel<unknown>({ capacity: 1024 });
  for (const sending of [true, false]) {
    Deno.bench({
      name: `structured ${
        sending ? "trySend" : "tryReceive"
      } of shared_bench's object, cap 1024 (${SIDE} ops)`,
      group: "payload: structured sides",
      fn(b) {
        if (sending) b.start();
        for (let i = 0; i < SIDE; i++) side.trySend(items[i]);
        if (sending) b.end();
        else b.start();
        for (let i = 0; i < SIDE; i++) side.tryReceive();
        if (!sending) b.end();
      },
    });
  }

  const task = (name: string, args: unknown[]) => {
    if (!crosses(args)) return;
    Deno.bench({
      name: `task round trip: ${name}`,
      group: "payload: task",
      async fn() {
        await rt.run(import.meta.url, "echo", args);
      },
    });
  };
  task("a number", [1]);
  task("a 10-field object", plain);
  task("a 10-field object holding a SharedChannel", shared);
  // A new buffer each call: its memory is posted to every other thread
  // once (one postMessage per worker), then named by id.
  if (crosses([{ sab: new SharedArrayBuffer(8) }])) {
    Deno.bench({
      name: "task round trip: a new SharedArrayBuffer each call",
      group: "payload: task",
      async fn() {
        await rt.run(import.meta.url, "echo", [new SharedArrayBuffer(8)]);
      },
    });
  }
  globalThis.addEventListener("unload", () => rt.close());
}
