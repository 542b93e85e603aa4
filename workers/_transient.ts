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

/** Set by `codec.ts`: the structured codec's transient encoder. */
export const transient: { encodeStructured: (value: unknown) => Uint8Array } = {
  encodeStructured: () => {
    throw new Error("unreachable: codec.ts sets the transient encoder");
  },
};

/**
 * The structured codec's encoding of `value`, plain data as a view of the
 * encoder's scratch space, valid until the next encoding on this thread.
 *
 * @throws {CodecError} If the codec cannot encode the value.
 */
export function encodeTransient(value: unknown): Uint8Array {
  return transient.encodeStructured(value);
}
