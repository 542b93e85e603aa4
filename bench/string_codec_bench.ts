// Copyright the denogo authors. MIT license.

/**
 * The `string` codec on one thread: encode + decode of a string, and a
 * buffered `SharedChannel<string>`'s trySend + tryReceive, for an ASCII
 * word, a 1 KiB ASCII text, a non-ASCII text (UTF-8 of 2 and 4 bytes per
 * character) and a string holding a lone surrogate (the codec's exact,
 * slower path). Each bench iteration does 1,000 operations.
 *
 * Run: `deno bench --allow-read bench/string_codec_bench.ts`.
 *
 * @module
 */

import { codecFor, SharedChannel } from "../workers/mod.ts";
import { RUNS } from "./_quick.ts";

const N = 1000;

const STRINGS: Record<string, string> = {
  "16 ASCII chars": "hello, channels!",
  "1 KiB ASCII": "0123456789abcdef".repeat(64),
  "64 non-ASCII chars": "héllo wörld ☃ 😀 ".repeat(4),
  "64 chars, one lone surrogate": "hello, channels!".repeat(4).slice(0, 63) +
    "\ud800",
};

const codec = codecFor<string>("string");

for (const [label, s] of Object.entries(STRINGS)) {
  Deno.bench({
    name: `string codec encode+decode, ${label} (${N} ops)`,
    group: `string codec, ${label}`,
    ...RUNS,
    fn() {
      for (let i = 0; i < N; i++) {
        codec.decode((codec.encode(s) as Uint8Array).slice());
      }
    },
  });

  const ch = new SharedChannel<string>({ capacity: 1024, codec: "string" });
  Deno.bench({
    name: `SharedChannel<string> trySend+tryReceive, ${label} (${N} ops)`,
    group: `string codec, ${label}`,
    ...RUNS,
    fn() {
      for (let i = 0; i < N; i++) {
        ch.trySend(s);
        ch.tryReceive();
      }
    },
  });
}
