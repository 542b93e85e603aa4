// Copyright the denogo authors. MIT license.
// Task functions for tests/runtime/wake_test.ts: tasks that wait on shared
// channels, and one that uses a timer and fetch meanwhile.
//
// Task arguments cannot carry a channel yet (issue 13, item 1): a task gets
// the channels by name from the main thread through a BroadcastChannel,
// which carries a SharedArrayBuffer. A worker keeps one BroadcastChannel
// open and caches the channels: in Deno 2.9 a BroadcastChannel opened in a
// worker after another one there was closed receives nothing.

import {
  SharedChannel,
  type SharedChannelHandle,
} from "../../workers/shared_channel.ts";

/** The message the main thread answers with a channel's handle. */
export interface Ask {
  ask: string;
}

/** The main thread's answer to an {@linkcode Ask}. */
export interface Answer {
  name: string;
  handle: SharedChannelHandle<number>;
}

/** The BroadcastChannel name of {@linkcode Ask} and {@linkcode Answer}. */
export const BROADCAST = "denogo-wake-test";

let bc: BroadcastChannel | undefined;
const opened = new Map<string, Promise<SharedChannel<number>>>();
const asked = new Map<string, (ch: SharedChannel<number>) => void>();

function channel(name: string): Promise<SharedChannel<number>> {
  let ch = opened.get(name);
  if (ch !== undefined) return ch;
  if (bc === undefined) {
    bc = new BroadcastChannel(BROADCAST);
    bc.onmessage = (e: MessageEvent<Ask | Answer>) => {
      if ("ask" in e.data) return;
      asked.get(e.data.name)?.(SharedChannel.from(e.data.handle));
      asked.delete(e.data.name);
    };
  }
  ch = new Promise((resolve) => asked.set(name, resolve));
  opened.set(name, ch);
  bc.postMessage({ ask: name } satisfies Ask);
  return ch;
}

/** Says it is ready on `ready`, then receives one value on `from`. */
export async function receiveOnce(
  ready: string,
  from: string,
): Promise<number> {
  const [r, f] = await Promise.all([channel(ready), channel(from)]);
  await r.send(1);
  return (await f.receive()).value!;
}

/** Echoes values from `from` to `to` until `from` is closed; returns how many. */
export async function echo(from: string, to: string): Promise<number> {
  const [f, t] = await Promise.all([channel(from), channel(to)]);
  let n = 0;
  for await (const v of f) {
    await t.send(v);
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
