// Copyright the denogo authors. MIT license.
// Received payloads are read from a pool of small buffers for the decoding
// codecs; what a user keeps (a `bytes` value, a typed array inside a
// `structured` value) always has a buffer of its own.

import assert from "node:assert/strict";
import { SharedChannel } from "../../workers/mod.ts";

Deno.test("a received bytes value owns its buffer: transferring it leaves later values intact", async () => {
  const ch = new SharedChannel<Uint8Array>({ capacity: 8, codec: "bytes" });
  for (let i = 0; i < 4; i++) ch.trySend(new Uint8Array([i, i, i]));
  const first = (await ch.receive()).value!;
  assert.equal(first.buffer.byteLength, 3);
  const buffer = first.buffer as ArrayBuffer;
  structuredClone(buffer, { transfer: [buffer] }); // detaches it
  assert.equal(buffer.detached, true);
  for (let i = 1; i < 4; i++) {
    assert.deepEqual((await ch.receive()).value, new Uint8Array([i, i, i]));
  }
});

Deno.test("structured values decoded from pooled payloads are independent: no two share a typed array's buffer", async () => {
  const ch = new SharedChannel<unknown>({ capacity: 64, codec: "structured" });
  const sent = Array.from({ length: 50 }, (_, i) => ({
    i,
    name: `item ${i}`,
    bytes: new Uint8Array([i, i + 1]),
  }));
  for (const v of sent) assert.equal(ch.trySend(v), true);
  const got: { i: number; name: string; bytes: Uint8Array }[] = [];
  for (let i = 0; i < sent.length; i++) {
    got.push((await ch.receive()).value as typeof got[number]);
  }
  assert.deepEqual(got, sent);
  const buffers = new Set(got.map((v) => v.bytes.buffer));
  assert.equal(buffers.size, got.length);
  // Transferring one value's buffer detaches nothing of the others.
  const first = got[0].bytes.buffer as ArrayBuffer;
  structuredClone(first, { transfer: [first] });
  assert.deepEqual(got.slice(1), sent.slice(1));
});

Deno.test("string and json values survive many pooled payloads (a pool fills and is replaced)", async () => {
  const strings = new SharedChannel<string>({
    capacity: 1024,
    codec: "string",
  });
  const json = new SharedChannel<unknown>({ capacity: 1024, codec: "json" });
  for (let round = 0; round < 3; round++) {
    const want: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const s = `${round}:${i}:` + "x".repeat(i % 200);
      want.push(s);
      assert.equal(strings.trySend(s), true);
      assert.equal(json.trySend({ s }), true);
    }
    for (const s of want) {
      assert.equal((await strings.receive()).value, s);
      assert.deepEqual((await json.receive()).value, { s });
    }
  }
});
