// Copyright the denogo authors. MIT license.
// The `string` codec returns every JavaScript string exactly, lone
// surrogates included, and keeps UTF-8 for well-formed strings.

import assert from "node:assert/strict";
import fc from "fast-check";
import { CodecError, codecFor, SharedChannel } from "../../workers/mod.ts";
import type { Job } from "./_worker_fixture.ts";
import { spawn } from "./_spawn.ts";

const codec = codecFor<string>("string");

function roundTrip(s: string): string {
  // The channel hands `decode` a private copy of the payload.
  return codec.decode((codec.encode(s) as Uint8Array).slice());
}

/** Any UTF-16 code unit, surrogates (paired or not) often. */
const codeUnit = fc.oneof(
  fc.integer({ min: 0xd800, max: 0xdfff }),
  fc.nat({ max: 0x7f }),
  fc.nat({ max: 0xffff }),
).map((u) => String.fromCharCode(u));

/** Strings of any code units, and well-formed strings of any code points. */
const anyString = fc.oneof(
  fc.string({ unit: codeUnit }),
  fc.string({ unit: "binary" }),
);

const FC_OPTIONS = { numRuns: 2_000, seed: 0x57f1_9c0d };

Deno.test("string codec: lone surrogates and their neighbours come back exactly", () => {
  for (
    const s of [
      "\ud800",
      "\udfff",
      "a\ud800b",
      "\udc00\ud800", // a pair in the wrong order: two lone surrogates
      "\ud83d\ude00", // a valid pair
      "\ud83d\ude00\ud83d",
      "é\ud800😀",
      "",
      "\u00ff\ud800",
    ]
  ) {
    assert.equal(roundTrip(s), s, JSON.stringify(s));
  }
});

Deno.test("string codec: a long string with a lone surrogate comes back exactly", () => {
  // Longer than one chunk of the decoder's code-unit buffer.
  const s = "x".repeat(10_000) + "\udbff" + "é".repeat(5_000);
  assert(roundTrip(s) === s, "the long string changed");
});

Deno.test("string codec: every string of any code units comes back exactly", () => {
  fc.assert(
    fc.property(anyString, (s) => roundTrip(s) === s),
    FC_OPTIONS,
  );
});

Deno.test("string codec: a well-formed string still travels as its UTF-8 bytes", () => {
  const encoder = new TextEncoder();
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), (s) => {
      assert.deepEqual(codec.encode(s), encoder.encode(s));
    }),
    FC_OPTIONS,
  );
});

Deno.test("string codec: a non-string is refused with CodecError", () => {
  for (const v of [1, null, undefined, {}, ["a"], new String("a")]) {
    assert.throws(
      () => codec.encode(v as unknown as string),
      (e) =>
        e instanceof CodecError && e.codec === "string" &&
        /"string" codec: expected a string/.test(e.message),
    );
  }
});

Deno.test("SharedChannel<string>: strings with lone surrogates cross the channel exactly", async () => {
  const strings = fc.sample(anyString, { numRuns: 500, seed: 7 });
  const ch = new SharedChannel<string>({ capacity: 8, codec: "string" });
  const got: string[] = [];
  const reader = (async () => {
    for await (const s of ch) got.push(s);
  })();
  for (const s of strings) await ch.send(s);
  ch.close();
  await reader;
  assert.deepEqual(got, strings);
});

Deno.test("SharedChannel<string>: a lone surrogate reaches a worker exactly", async () => {
  using fixture = spawn<Job>(new URL("./_worker_fixture.ts", import.meta.url));
  const ch = new SharedChannel<string>({ capacity: 1, codec: "string" });
  for (const s of ["\ud800", "a\udc00b", "ok 😀"]) {
    const received = fixture.run({ cmd: "recvSync", ch: ch.handle });
    await ch.send(s);
    assert.deepEqual(await received, { value: s, ok: true });
  }
});
