// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Transient encodings: what a channel's `sendSync` and `trySend` encode
 * and copy into the channel's ring before anything else runs on this
 * thread. For the `structured` codec, plain data then comes as a view of
 * the encoder's scratch space (`_plain.ts`), not a copy in a pooled array:
 * the ring's copy is the only one. A caller that keeps the encoding past
 * its own call (an async send that waits, a select's send case, an
 * unbuffered channel's hand-off to a select of this thread) must use the
 * codec's own `encode`.
 *
 * @module
 */

import type { Codec } from "./codec.ts";

/** Set by `codec.ts`: the structured codec, and its transient encoder. */
export const transient: {
  structured: Codec<unknown> | undefined;
  encodeStructured: (value: unknown) => Uint8Array;
} = {
  structured: undefined,
  encodeStructured: () => {
    throw new Error("unreachable: codec.ts sets the transient encoder");
  },
};

/**
 * `codec.encode(value)`, or for the structured codec a transient encoding,
 * valid until the next encoding on this thread.
 *
 * @throws {CodecError} If the codec cannot encode the value.
 */
export function encodeTransient<T>(
  codec: Codec<T>,
  value: T,
): number | Uint8Array {
  return (codec as Codec<unknown>) === transient.structured
    ? transient.encodeStructured(value)
    : codec.encode(value);
}
