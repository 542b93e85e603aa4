// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * `node:async_hooks`' `AsyncLocalStorage` where the platform has it (Deno,
 * Node, Bun), read through `process.getBuiltinModule` so that a browser
 * bundle has no `node:` import. Browsers have none (nor `AsyncContext` yet):
 * there the store holds its value only during the synchronous part of
 * `run()`, so after a task's first `await`, `getStore()` is `undefined` and
 * a child spawned then is not linked to its parent for cancellation.
 *
 * @module
 */

import { builtin } from "../workers/_builtin.ts";

/** The part of `AsyncLocalStorage` the processor uses. */
export interface Store<T> {
  run<R>(value: T, fn: () => R): R;
  getStore(): T | undefined;
}

/** A store for the synchronous part of `run()` only. */
class SyncStore<T> implements Store<T> {
  #value: T | undefined;

  run<R>(value: T, fn: () => R): R {
    const outer = this.#value;
    this.#value = value;
    try {
      return fn();
    } finally {
      this.#value = outer;
    }
  }

  getStore(): T | undefined {
    return this.#value;
  }
}

/** `AsyncLocalStorage`, or {@linkcode SyncStore} without one. */
export const AsyncLocalStorage: new <T>() => Store<T> =
  builtin<{ AsyncLocalStorage: new <T>() => Store<T> }>("node:async_hooks")
    ?.AsyncLocalStorage ?? SyncStore;
