// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * What `console.log`, `Deno.inspect` and Node's `util.inspect` show for the
 * library's channels and primitives: `Channel { id: 3, capacity: 4, size: 1,
 * closed: false, waitingSenders: 0, waitingReceivers: 2 }` rather than
 * `Channel {}` (their state is in private fields, which inspectors do not
 * show).
 *
 * {@linkcode defineInspect} puts two non-enumerable methods on a class's
 * prototype: `Symbol.for("Deno.customInspect")` (Deno) and
 * `Symbol.for("nodejs.util.inspect.custom")` (Node and Bun), both global
 * symbols, so nothing here imports `node:`. The class passes a function
 * that reads its private state (from a `static` block, where its private
 * names are in scope); it runs only when something inspects an instance.
 *
 * @module
 */

import { objectId } from "./_object_ids.ts";

/** A field's value as inspected: numbers, booleans and short strings. */
export type InspectValue = number | boolean | string;

const DENO_INSPECT = Symbol.for("Deno.customInspect");
const NODE_INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** `Name { a: 1, b: "x" }`, as the inspectors print a plain object. */
export function formatState(
  name: string,
  state: Record<string, InspectValue>,
): string {
  const fields = Object.entries(state).map(([key, value]) =>
    `${key}: ${typeof value === "string" ? JSON.stringify(value) : value}`
  );
  return fields.length === 0
    ? `${name} {}`
    : `${name} { ${fields.join(", ")} }`;
}

/**
 * Makes instances of `cls` inspect as `cls.name { id: 1, ...state(instance) }`
 * (the name of the instance's own class, for a subclass). The id is the one
 * a goroutine dump names the object by (`_object_ids.ts`), unless `state`
 * gives its own (a shared primitive's `ID` word).
 */
export function defineInspect<T extends object>(
  cls: { prototype: T; name: string },
  state: (value: T) => Record<string, InspectValue>,
): void {
  function inspect(this: T): string {
    const name = (this as { constructor?: { name?: unknown } }).constructor
      ?.name;
    const fields = state(this);
    return formatState(
      typeof name === "string" ? name : cls.name,
      "id" in fields ? fields : { id: objectId(this), ...fields },
    );
  }
  for (const key of [DENO_INSPECT, NODE_INSPECT]) {
    Object.defineProperty(cls.prototype, key, {
      value: inspect,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}
