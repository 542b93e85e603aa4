// Copyright the denogo authors. MIT license.
// Port of Go's test/chan/nonblock.go: a select with a default never blocks,
// and a non-blocking send or receive succeeds once a peer is ready, for
// values of several types on unbuffered and buffered channels. Numbers run
// over every channel kind; the other types over those that carry them.

import assert from "node:assert/strict";
import { go, recv, select, send } from "../../mod.ts";
import {
  ANY_VALUE_KINDS,
  type Chan,
  type ChannelKind,
  NUMBER_KINDS,
  testEachKind,
} from "./_shared.ts";
import { flushMacrotask } from "./_util.ts";

/** Go retries with a sleep in between; we retry after a macrotask turn. */
const MAX_TRIES = 10;

async function trySendUntilTaken<T>(ch: Chan<T>, value: T): Promise<void> {
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const sent = await select([send(ch, value, () => true)], {
      default: () => false,
    });
    if (sent) return;
    await flushMacrotask();
  }
  assert.fail(`no receiver took ${String(value)}`);
}

async function tryReceiveUntilGiven<T>(ch: Chan<T>): Promise<T> {
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const got = await select([
      recv(ch, (v, ok) => ({ received: true as const, v, ok })),
    ], { default: () => ({ received: false as const }) });
    if (got.received) {
      assert.equal(got.ok, true);
      return got.v as T;
    }
    await flushMacrotask();
  }
  assert.fail("no sender gave a value");
}

async function checkNonblocking<T>(
  kind: ChannelKind,
  capacity: number,
  expectedByReceiver: T,
  sentBySender: T,
): Promise<void> {
  const c = kind.make<T>(capacity);
  const sync = kind.make<number>();

  // Nothing sent yet: a receive with a default takes the default.
  const empty = await select([recv(c, () => "received")], {
    default: () => "default",
  });
  assert.equal(empty, "default");

  // A receiver goroutine takes a non-blocking send.
  const receiver = go(async () => {
    const { value } = await c.receive();
    assert.equal(value, expectedByReceiver);
    await sync.send(1);
  });
  await trySendUntilTaken(c, expectedByReceiver);
  await sync.receive();
  await receiver;

  // A sender goroutine's value is taken by a non-blocking receive.
  const sender = go(async () => {
    await c.send(sentBySender);
    await sync.send(1);
  });
  if (capacity > 0) await sync.receive();
  assert.equal(await tryReceiveUntilGiven(c), sentBySender);
  if (capacity === 0) await sync.receive();
  await sender;
}

for (const capacity of [0, 1]) {
  testEachKind(
    NUMBER_KINDS,
    `non-blocking send and receive of numbers succeed once a peer is ready (capacity ${capacity})`,
    (kind) => checkNonblocking(kind, capacity, 123, 234),
  );

  testEachKind(
    ANY_VALUE_KINDS,
    `non-blocking send and receive of bigints succeed once a peer is ready (capacity ${capacity})`,
    async (kind) => {
      await checkNonblocking(kind, capacity, 123456n, 234567n);
    },
  );

  testEachKind(
    ANY_VALUE_KINDS,
    `non-blocking send and receive of booleans succeed once a peer is ready (capacity ${capacity})`,
    async (kind) => {
      await checkNonblocking(kind, capacity, true, false);
    },
  );

  testEachKind(
    ANY_VALUE_KINDS,
    `non-blocking send and receive of strings succeed once a peer is ready (capacity ${capacity})`,
    async (kind) => {
      await checkNonblocking(kind, capacity, "hello", "hello again");
    },
  );

  testEachKind(
    ANY_VALUE_KINDS,
    `non-blocking send and receive of undefined succeed once a peer is ready (capacity ${capacity})`,
    async (kind) => {
      await checkNonblocking<undefined>(kind, capacity, undefined, undefined);
    },
  );
}
