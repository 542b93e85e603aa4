// Copyright the denogo authors. MIT license.

/**
 * {@linkcode CodecError}: a value a codec cannot encode, or bytes it
 * cannot decode. Exported from `codec.ts`.
 *
 * @module
 */

import type { CodecName } from "./codec.ts";

/**
 * Options of a {@linkcode CodecError}.
 *
 * @example Usage
 * ```ts
 * import { CodecError, type CodecErrorOptions } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * const options: CodecErrorOptions = { decoding: true };
 * const error = new CodecError("structured", new Uint8Array(1), "cut short", options);
 * assert.match(error.message, /Cannot decode/);
 * ```
 */
export interface CodecErrorOptions extends ErrorOptions {
  /**
   * Bytes could not be decoded (they are corrupt), rather than a value
   * encoded.
   *
   * @default {false}
   */
  decoding?: boolean;
}

/**
 * Thrown when a value cannot be encoded by a channel's codec. The channel
 * is left as it was: the value was rejected before anything was written.
 * Also thrown, with {@linkcode CodecErrorOptions.decoding}, when bytes
 * handed to a codec's `decode` are corrupt (forged or cut short); its
 * `value` is then the bytes.
 *
 * @example Usage
 * ```ts
 * import { CodecError, codecFor } from "@denogo/go/workers";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => codecFor("int32").encode(1.5), CodecError);
 * ```
 */
export class CodecError extends TypeError {
  /**
   * The codec that refused the value.
   *
   * @example Usage
   * ```ts
   * import { CodecError } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new CodecError("json", 1n, "BigInt").codec, "json");
   * ```
   */
  readonly codec: CodecName;
  /**
   * The value that could not be encoded.
   *
   * @example Usage
   * ```ts
   * import { CodecError } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new CodecError("json", 1n, "BigInt").value, 1n);
   * ```
   */
  readonly value: unknown;

  /**
   * Creates the error.
   *
   * @param codec The codec that refused the value.
   * @param value The value.
   * @param why What the codec accepts, or why it failed.
   * @param options The underlying error, if any, and whether decoding failed.
   */
  constructor(
    codec: CodecName,
    value: unknown,
    why: string,
    options?: CodecErrorOptions,
  ) {
    super(
      options?.decoding
        ? `Cannot decode a value with the "${codec}" codec: ${why}; the bytes are corrupt`
        : `Cannot encode value with the "${codec}" codec: ${why}, received ${
          describe(value)
        }; pick a codec that fits the values (see codec.ts)`,
      options,
    );
    this.name = "CodecError";
    this.codec = codec;
    this.value = value;
  }
}

function describe(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value.length > 40
        ? `a string of length ${value.length}`
        : JSON.stringify(value);
    case "number":
      return String(value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return value.toString();
    case "function":
      return `a function${value.name ? ` (${value.name})` : ""}`;
    case "undefined":
      return "undefined";
    default:
      if (value === null) return "null";
      return `an object (${
        (value as object).constructor?.name ?? "no prototype"
      })`;
  }
}
