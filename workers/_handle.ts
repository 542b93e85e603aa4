// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Handles: how every shared type crosses to another thread. A handle is a
 * plain, structured-clonable object `{ kind, buffer, ... }`; `X.from(handle)`
 * checks it with {@linkcode checkHandle} and passes the buffer to the
 * constructor through an {@linkcode Opening}, so the constructor keeps the
 * public signature that makes a new object.
 *
 * `from()` trusts nothing in a handle: the kind, the buffer's type and size,
 * and every read-only header word are checked against what the type's own
 * constructor writes, so a forged or foreign buffer is refused with one
 * `TypeError` shape, before any object is made:
 *
 * `Cannot open SharedChannel: its buffer's codec word is 99, not a codec;
 * pass the handle of a SharedChannel (its .handle, sent with postMessage)`
 */

/** The one-shot slot through which `from()` hands a buffer to the constructor. */
export class Opening<B> {
  #value: B | undefined = undefined;

  /** Runs `make` (the constructor) with `value` available to {@linkcode Opening.take}. */
  open<R>(value: B, make: () => R): R {
    this.#value = value;
    try {
      return make();
    } finally {
      this.#value = undefined;
    }
  }

  /** In the constructor: the value being opened, or undefined to make a new object. */
  take(): B | undefined {
    const value = this.#value;
    this.#value = undefined;
    return value;
  }
}

/**
 * What is wrong with a handle's buffer (a phrase such as "its buffer's magic
 * word is 0"), or undefined if it is a buffer of the type.
 */
export type BufferCheck = (
  buffer: SharedArrayBuffer,
  handle: Record<string, unknown>,
) => string | undefined;

/**
 * Checks that `handle` is a handle of `kind` whose buffer passes `check`;
 * returns the buffer.
 *
 * @throws {TypeError} If it is not, naming what is wrong.
 */
export function checkHandle(
  handle: unknown,
  kind: string,
  check: BufferCheck,
): SharedArrayBuffer {
  let reason: string | undefined;
  if (typeof handle !== "object" || handle === null) {
    reason = `received ${describe(handle)}`;
  } else {
    const h = handle as Record<string, unknown>;
    const buffer = h.buffer;
    if (h.kind !== kind) {
      reason = `its kind is ${describe(h.kind)}`;
    } else if (!(buffer instanceof SharedArrayBuffer)) {
      reason = `its buffer is ${describe(buffer)}, not a SharedArrayBuffer`;
    } else {
      reason = check(buffer, h);
      if (reason === undefined) return buffer;
    }
  }
  throw new TypeError(
    `Cannot open ${kind}: ${reason}; pass the handle of a ${kind} ` +
      `(its .handle, sent with postMessage)`,
  );
}

/**
 * A check of a buffer of exactly `words` 32-bit words whose word `index`
 * holds `magic`: the header of most shared types.
 */
export function wordsCheck(
  words: number,
  index: number,
  magic: number,
): BufferCheck {
  return (buffer) => {
    if (buffer.byteLength !== words * 4) {
      return `its buffer holds ${buffer.byteLength} bytes, not ${words * 4}`;
    }
    const word = new Int32Array(buffer)[index];
    return word === magic ? undefined : `its buffer's magic word is ${word}`;
  };
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object" && value !== null) {
    return value.constructor?.name ?? "an object";
  }
  return String(value);
}
