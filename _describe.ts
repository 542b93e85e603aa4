// Copyright the denogo authors. MIT license.

/**
 * How error messages show a value a caller passed: `received ${describe(x)}`.
 *
 * | value                    | described as                |
 * | ------------------------ | --------------------------- |
 * | `3`, `-1`, `1.5`, `NaN`  | `3`, `-1`, `1.5`, `NaN`     |
 * | `-0`                     | `-0`                        |
 * | `"3"`                    | `"3" (a string)`            |
 * | `3n`                     | `3n (a bigint)`             |
 * | `true`                   | `true (a boolean)`          |
 * | `undefined`, `null`      | `undefined`, `null`         |
 * | `Symbol("s")`            | `Symbol(s) (a symbol)`      |
 * | `() => {}`, `function f` | `a function`, `function f`  |
 * | `[1, 2]`                 | `an array of length 2`      |
 * | `{}`                     | `an object`                 |
 * | `new Map()`              | `an instance of Map`        |
 *
 * A number is shown bare, so it reads as a number refused; anything else
 * says its type, so `"3"` never reads as the number 3. Long strings are cut
 * to 40 characters. Never throws, whatever the value (a revoked proxy, an
 * object with a throwing `constructor` getter).
 *
 * @module
 */

const MAX_STRING = 40;

/**
 * Describes `value` for an error message: see the module's table.
 *
 * @param value Anything.
 * @returns A short, human-readable description.
 */
export function describe(value: unknown): string {
  switch (typeof value) {
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "string": {
      const shown = value.length > MAX_STRING
        ? value.slice(0, MAX_STRING) + "…"
        : value;
      return `${JSON.stringify(shown)} (a string)`;
    }
    case "bigint":
      return `${value}n (a bigint)`;
    case "boolean":
      return `${value} (a boolean)`;
    case "undefined":
      return "undefined";
    case "symbol":
      return `${value.toString()} (a symbol)`;
    case "function":
      return value.name ? `function ${value.name}` : "a function";
  }
  if (value === null) return "null";
  try {
    if (Array.isArray(value)) return `an array of length ${value.length}`;
    const proto = Object.getPrototypeOf(value);
    if (proto === null || proto === Object.prototype) return "an object";
    const name = proto.constructor?.name;
    if (typeof name === "string" && name !== "" && name !== "Object") {
      return `an instance of ${name}`;
    }
  } catch {
    // A revoked proxy or a throwing getter: fall through.
  }
  return "an object";
}
