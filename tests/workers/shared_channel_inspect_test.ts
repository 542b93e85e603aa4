// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import { SharedChannel } from "../../workers/mod.ts";

Deno.test("a SharedChannel shows its id, codec, capacity, size, closed and waiters", async () => {
  const ch = new SharedChannel<number>({ capacity: 4, codec: "int32" });
  await ch.send(7);
  const text = Deno.inspect(ch);
  assert.match(
    text,
    /^SharedChannel \{ id: \d+, codec: "int32", capacity: 4, size: 1, closed: false, waitingSenders: 0, waitingReceivers: 0 \}$/,
  );
  const node = (ch as unknown as Record<symbol, () => string>)[
    Symbol.for("nodejs.util.inspect.custom")
  ]();
  assert.equal(node, text);
  const u = new SharedChannel<number>({ codec: "int32" });
  const receiving = u.receive();
  assert.match(Deno.inspect(u), /waitingReceivers: 1 \}$/);
  await u.send(1);
  assert.equal((await receiving).value, 1);
  u.close();
  assert.match(Deno.inspect(u), /closed: true/);
});
