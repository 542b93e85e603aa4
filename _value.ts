// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * A value as an error message shows it: `"3" (a string)`, `5 (a number)`,
 * `null`, `undefined`, `an object`, so that a refused value that looks valid
 * when printed still says what it is.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return `${JSON.stringify(value)} (a string)`;
    case "number":
    case "bigint":
      return `${String(value)} (a ${typeof value})`;
    case "boolean":
      return `${value} (a boolean)`;
    case "undefined":
      return "undefined";
    case "symbol":
      return `${String(value)} (a symbol)`;
    case "function":
      return "a function";
    default:
      return value === null
        ? "null"
        : Array.isArray(value)
        ? "an array"
        : "an object";
  }
}
