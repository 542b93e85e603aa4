// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The shared types that cross into another thread as themselves (in a
 * task's payload, in a value on a `structured` channel): each is known by
 * its handle's `kind` and reopened there with its own `from(handle)`.
 *
 * | kind | class | handle |
 * | --- | --- | --- |
 * | `SharedChannel` | `SharedChannel` (registers itself: `shared_channel.ts` imports the codecs, which need this table) | `{ kind, buffer }` |
 * | `SharedMutex`, `SharedRWMutex`, `SharedSemaphore`, `SharedOnce`, `SharedWaitGroup`, `SharedContext` | the class of that name | `{ kind, buffer }` |
 * | `AtomicInt32`, `AtomicBigInt64` | the class of that name | `{ kind, buffer, index }` |
 *
 * @module
 */

import { AtomicBigInt64, AtomicInt32 } from "./atomic.ts";
import { SharedContext } from "./shared_context.ts";
import { SharedMutex } from "./shared_mutex.ts";
import { SharedOnce } from "./shared_once.ts";
import { SharedRWMutex } from "./shared_rw_mutex.ts";
import { SharedSemaphore } from "./shared_semaphore.ts";
import { SharedWaitGroup } from "./shared_wait_group.ts";

/** A shared type's handle: its kind, its buffer, and maybe more words. */
export interface AnyHandle {
  readonly kind: string;
  readonly buffer: SharedArrayBuffer;
  readonly [field: string]: unknown;
}

/** A class of shared objects. */
export interface SharedKind {
  // deno-lint-ignore no-explicit-any
  readonly type: abstract new (...args: any[]) => { readonly handle: unknown };
  // deno-lint-ignore no-explicit-any
  from(handle: any): unknown;
}

const kinds = new Map<string, SharedKind>();

/** Adds `kind` to the table (`SharedChannel` calls it for itself). */
export function registerKind(name: string, kind: SharedKind): void {
  kinds.set(name, kind);
}

// By name, not `type.name`: a minifier renames classes, not handle kinds.
const builtIn: [string, SharedKind["type"], (h: never) => unknown][] = [
  ["SharedMutex", SharedMutex, SharedMutex.from],
  ["SharedRWMutex", SharedRWMutex, SharedRWMutex.from],
  ["SharedSemaphore", SharedSemaphore, SharedSemaphore.from],
  ["SharedOnce", SharedOnce, SharedOnce.from],
  ["SharedWaitGroup", SharedWaitGroup, SharedWaitGroup.from],
  ["SharedContext", SharedContext, SharedContext.from],
  ["AtomicInt32", AtomicInt32, AtomicInt32.from],
  ["AtomicBigInt64", AtomicBigInt64, AtomicBigInt64.from],
];
for (const [name, type, from] of builtIn) registerKind(name, { type, from });

/** The handle of `v` if it is an object of a shared type, else undefined. */
export function sharedHandle(v: object): AnyHandle | undefined {
  for (const kind of kinds.values()) {
    if (v instanceof kind.type) return v.handle as AnyHandle;
  }
  return undefined;
}

/** Opens `handle` with its kind's `from()`; undefined for an unknown kind. */
export function openHandle(handle: AnyHandle): unknown {
  return kinds.get(handle.kind)?.from(handle);
}
