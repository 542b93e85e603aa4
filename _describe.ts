// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * How error messages show a value the caller passed: as given, with its
 * type wherever the text alone could pass for a valid argument, so that a
 * refused string `"3"` never reads as the number 3.
 *
 * @module
 */

/**
 * Renders `value` for an error message's "received ..." part.
 *
 * | value              | rendered                  |
 * | ------------------ | ------------------------- |
 * | `-1`, `NaN`, `-0`  | `-1`, `NaN`, `-0`         |
 * | `"3"`              | `"3" (a string)`          |
 * | `3n`               | `3n (a bigint)`           |
 * | `true`             | `true (a boolean)`        |
 * | `undefined`/`null` | `undefined` / `null`      |
 * | `Symbol("s")`      | `Symbol(s) (a symbol)`    |
 * | `function f() {}`  | `function f`              |
 * | `[1, 2]`           | `an array of length 2`    |
 * | `new Date(0)`      | `an object (Date)`        |
 * | `{}`               | `an object`               |
 *
 * @param value Any value.
 * @returns A short description; never throws.
 */
export function describe(value: unknown): string {
  switch (typeof value) {
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "string":
      return `${
        JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)
      } (a string)`;
    case "bigint":
      return `${value}n (a bigint)`;
    case "boolean":
      return `${value} (a boolean)`;
    case "undefined":
      return "undefined";
    case "symbol":
      return `${String(value)} (a symbol)`;
    case "function":
      return value.name ? `function ${value.name}` : "a function";
    default: {
      if (value === null) return "null";
      if (Array.isArray(value)) return `an array of length ${value.length}`;
      let name: unknown;
      try {
        name = Object.getPrototypeOf(value)?.constructor?.name;
      } catch {
        name = undefined;
      }
      return typeof name === "string" && name !== "" && name !== "Object"
        ? `an object (${name})`
        : "an object";
    }
  }
}
