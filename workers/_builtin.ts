// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * A `node:` built-in module, when the platform has one (Deno 2, Node ≥ 20.16,
 * Bun), read through `process.getBuiltinModule` rather than a static
 * `import`, so that the shared tier loads and bundles where there is none
 * (browsers): there this returns `undefined`.
 *
 * @module
 */

const g = globalThis as {
  process?: { getBuiltinModule?(id: string): unknown };
};

/** The built-in module `id` (e.g. `"node:v8"`), or `undefined`. */
export function builtin<T>(id: string): T | undefined {
  return g.process?.getBuiltinModule?.(id) as T | undefined;
}
