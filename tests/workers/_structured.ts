// Copyright the denogo authors. MIT license.
// What the structured codec's tests share (structured_codec_test.ts,
// structured_shapes_test.ts).

import { encodePlain } from "../../workers/_plain.ts";
import { codecFor } from "../../workers/mod.ts";

/** The `structured` codec. */
export const codec = codecFor<unknown>("structured");

/** Encodes and decodes `value` as a channel would. */
export function roundTrip(value: unknown): unknown {
  return codec.decode(codec.encode(value) as Uint8Array);
}

/** Whether `value` took the fast path (the plain format). */
export function plain(value: unknown): boolean {
  return encodePlain(value) !== undefined;
}
