// Copyright the denogo authors. MIT license.

/**
 * `from()` of every shared type checks the handle it is given against what
 * the type's constructor writes, and refuses a forged or foreign one with
 * one `TypeError` shape: "Cannot open <type>: <what is wrong>; pass the
 * handle of a <type> (its .handle, sent with postMessage)".
 */

import assert from "node:assert/strict";
import {
  AtomicBigInt64,
  AtomicInt32,
  SharedChannel,
  type SharedChannelHandle,
  type SharedChannelOptions,
  SharedContext,
  SharedMutex,
  SharedOnce,
  SharedRWMutex,
  SharedSemaphore,
  SharedWaitGroup,
} from "../../workers/mod.ts";

// Header words of a SharedChannel (workers/_channel_words.ts).
const CODEC = 2;
const CAPACITY = 3;
const RING_SIZE = 10;
const ID = 21;
const SLOT_RING = 22;
const HEADER_BYTES = 448;

/** A copy of a real channel's buffer, with `edit` applied to its header. */
function forged(
  options: SharedChannelOptions,
  edit: (h: Int32Array) => void,
): SharedChannelHandle<number> {
  const real = new SharedChannel<number>(options).handle.buffer;
  const copy = new SharedArrayBuffer(
    real.byteLength,
    real.growable ? { maxByteLength: real.maxByteLength } : undefined,
  );
  new Uint8Array(copy).set(new Uint8Array(real));
  edit(new Int32Array(copy, 0, HEADER_BYTES / 4));
  return { kind: "SharedChannel", buffer: copy };
}

function refused(kind: string, what: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof TypeError, `not a TypeError: ${error}`);
    assert.match(error.message, new RegExp(`^Cannot open ${kind}: `));
    assert.match(error.message, what);
    assert.match(
      error.message,
      new RegExp(`pass the handle of a ${kind} \\(its \\.handle`),
    );
    return true;
  };
}

Deno.test("SharedChannel.from() refuses a ring size of 0", () => {
  const handle = forged({ codec: "int32" }, (h) => h[RING_SIZE] = 0);
  assert.throws(
    () => SharedChannel.from(handle),
    refused("SharedChannel", /ring size word is 0/),
  );
});

Deno.test("SharedChannel.from() refuses a ring size other than the buffer's own in a buffer that does not grow", () => {
  for (const ring of [256, 1024]) {
    const handle = forged({ maxBytes: 512 }, (h) => h[RING_SIZE] = ring);
    assert.equal(handle.buffer.growable, false);
    assert.throws(
      () => SharedChannel.from(handle),
      refused("SharedChannel", new RegExp(`ring size word is ${ring}`)),
    );
  }
  const real = forged({ maxBytes: 512 }, () => {});
  assert.equal(SharedChannel.from(real).capacity, 0);
});

Deno.test("SharedChannel.from() refuses a header-only buffer", () => {
  const real = new SharedChannel<number>({ codec: "int32" }).handle.buffer;
  const buffer = new SharedArrayBuffer(HEADER_BYTES);
  new Uint8Array(buffer).set(new Uint8Array(real, 0, HEADER_BYTES));
  assert.throws(
    () => SharedChannel.from({ kind: "SharedChannel", buffer }),
    refused("SharedChannel", /holds 448 bytes/),
  );
});

Deno.test("SharedChannel.from() refuses codec 99", () => {
  const handle = forged({ codec: "json" }, (h) => h[CODEC] = 99);
  assert.throws(
    () => SharedChannel.from(handle),
    refused("SharedChannel", /codec word is 99, not a codec/),
  );
});

Deno.test("SharedChannel.from() refuses capacity -5, on both stores", () => {
  for (
    const options of [{ codec: "json" }, { capacity: 4, codec: "float64" }]
  ) {
    const handle = forged(
      options as SharedChannelOptions,
      (h) => h[CAPACITY] = -5,
    );
    assert.throws(
      () => SharedChannel.from(handle),
      refused("SharedChannel", /capacity word is -5/),
    );
  }
});

Deno.test("SharedChannel.from() refuses an id word of 0", () => {
  for (
    const options of [{ codec: "json" }, { capacity: 4, codec: "int32" }]
  ) {
    const handle = forged(options as SharedChannelOptions, (h) => h[ID] = 0);
    assert.throws(
      () => SharedChannel.from(handle),
      refused("SharedChannel", /id word is 0/),
    );
  }
});

Deno.test("SharedChannel.from() refuses a slot ring that does not fit its buffer", () => {
  const bigger = forged({ capacity: 4, codec: "float64" }, (h) => {
    h[CAPACITY] = 1000;
  });
  assert.throws(
    () => SharedChannel.from(bigger),
    refused("SharedChannel", /slot ring/),
  );
  const wrongCodec = forged({ capacity: 4, codec: "float64" }, (h) => {
    h[CODEC] = 2; // "bytes", not a fixed-size codec: no slot ring holds it
    h[SLOT_RING] = 64;
  });
  assert.throws(() => SharedChannel.from(wrongCodec), TypeError);
});

Deno.test("SharedChannel.from() refuses foreign buffers and wrong kinds", () => {
  const mutexBuffer = new SharedMutex().handle.buffer;
  assert.throws(
    () => SharedChannel.from({ kind: "SharedChannel", buffer: mutexBuffer }),
    refused("SharedChannel", /holds 24 bytes/),
  );
  const big = new SharedArrayBuffer(4096);
  assert.throws(
    () => SharedChannel.from({ kind: "SharedChannel", buffer: big }),
    refused("SharedChannel", /magic word is 0/),
  );
  const ch = new SharedChannel<number>({ codec: "int32" });
  const wrongKind = { ...ch.handle, kind: "SharedMutex" } as unknown;
  assert.throws(
    () => SharedChannel.from(wrongKind as SharedChannelHandle<number>),
    refused("SharedChannel", /its kind is "SharedMutex"/),
  );
  assert.throws(
    () =>
      SharedChannel.from(undefined as unknown as SharedChannelHandle<number>),
    refused("SharedChannel", /received undefined/),
  );
  const notShared = { kind: "SharedChannel", buffer: new ArrayBuffer(512) };
  assert.throws(
    () =>
      SharedChannel.from(notShared as unknown as SharedChannelHandle<number>),
    refused(
      "SharedChannel",
      /its buffer is ArrayBuffer, not a SharedArrayBuffer/,
    ),
  );
});

Deno.test("SharedChannel.from() leaves nothing behind when it refuses", async () => {
  const handle = forged({ codec: "int32" }, (h) => h[RING_SIZE] = 0);
  assert.throws(() => SharedChannel.from(handle), TypeError);
  // The next constructor call makes a new channel, as asked.
  const fresh = new SharedChannel<number>({ capacity: 2, codec: "float64" });
  assert.equal(fresh.capacity, 2);
  assert.equal(fresh.codec, "float64");
  await fresh.send(1.5);
  // And an opened real channel is the same channel.
  const b = SharedChannel.from<number>(structuredClone(fresh.handle));
  assert.deepEqual(await b.receive(), { value: 1.5, ok: true });
});

Deno.test("every shared type's from() refuses another type's handle with the same message shape", () => {
  const handles: Record<
    string,
    { handle: unknown; from: (h: never) => unknown }
  > = {
    SharedMutex: { handle: new SharedMutex().handle, from: SharedMutex.from },
    SharedWaitGroup: {
      handle: new SharedWaitGroup().handle,
      from: SharedWaitGroup.from,
    },
    SharedOnce: { handle: new SharedOnce().handle, from: SharedOnce.from },
    SharedRWMutex: {
      handle: new SharedRWMutex().handle,
      from: SharedRWMutex.from,
    },
    SharedSemaphore: {
      handle: new SharedSemaphore(1).handle,
      from: SharedSemaphore.from,
    },
    SharedContext: {
      handle: new SharedContext().handle,
      from: SharedContext.from,
    },
    AtomicInt32: { handle: new AtomicInt32().handle, from: AtomicInt32.from },
    AtomicBigInt64: {
      handle: new AtomicBigInt64().handle,
      from: AtomicBigInt64.from,
    },
  };
  for (const [kind, { from }] of Object.entries(handles)) {
    for (const [other, { handle }] of Object.entries(handles)) {
      if (other === kind) continue;
      assert.throws(
        () => from(handle as never),
        refused(kind, new RegExp(`its kind is "${other}"`)),
      );
    }
    // The same buffer under the type's own kind but the wrong size or magic.
    const forgedBuffer = { kind, buffer: new SharedArrayBuffer(64), index: 99 };
    assert.throws(() => from(forgedBuffer as never), refused(kind, /its /));
  }
});

Deno.test("the guarded types and the mutex refuse a buffer whose magic word is wrong", () => {
  for (
    const [kind, make, from] of [
      ["SharedMutex", () => new SharedMutex().handle, SharedMutex.from],
      [
        "SharedWaitGroup",
        () => new SharedWaitGroup().handle,
        SharedWaitGroup.from,
      ],
      ["SharedOnce", () => new SharedOnce().handle, SharedOnce.from],
      ["SharedRWMutex", () => new SharedRWMutex().handle, SharedRWMutex.from],
      [
        "SharedSemaphore",
        () => new SharedSemaphore(1).handle,
        SharedSemaphore.from,
      ],
    ] as const
  ) {
    const real = make().buffer;
    const buffer = new SharedArrayBuffer(real.byteLength);
    assert.throws(
      () => (from as (h: unknown) => unknown)({ kind, buffer }),
      refused(kind, /magic word is 0/),
    );
  }
});

Deno.test("SharedSemaphore.from() refuses a negative size word", () => {
  const real = new SharedSemaphore(2).handle.buffer;
  const buffer = new SharedArrayBuffer(real.byteLength);
  new Uint8Array(buffer).set(new Uint8Array(real));
  new Int32Array(buffer)[5] = -5; // SIZE
  assert.throws(
    () => SharedSemaphore.from({ kind: "SharedSemaphore", buffer }),
    refused("SharedSemaphore", /size word is -5/),
  );
});
