// Copyright the denogo authors. MIT license.

// A regression test that needs a fresh isolate, so it has a file of its own:
// with Node compatibility loaded (node:assert is), the first setTimeout call
// of a program can run queued microtasks on the spot. A select parking on a
// timer's channel must not arm that timer mid-park, or a send queued before
// the select would run between its cases and find no receiver.

import assert from "node:assert/strict";
import { after, Channel, recv, select } from "../mod.ts";

Deno.test("a select parked on after() and a channel takes a send queued before it", async () => {
  const words = new Channel<string>();
  const sent = Promise.resolve().then(() => words.send("hello"));
  const got = await select([
    recv(words, (w, ok) => ok ? w : "closed"),
    recv(after(1000), () => "timeout"),
  ]);
  assert.equal(got, "hello");
  await sent;
});
