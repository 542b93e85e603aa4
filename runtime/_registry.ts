// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The registry of task functions: a table in shared memory that gives each
 * task function (a module URL and an export name) a small integer id, the
 * same on every thread, so a slot names its function with one word
 * (`S_FN`). Entries are only appended, never removed.
 *
 * ## Words (in the header of `_layout.ts`)
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 5 | `H_REG_LOCK` | spin lock of appenders |
 * | 6 | `H_REG_COUNT` | entries published; stored after the entry is written |
 * | 7 | `H_REG_BYTES` | bytes used in the string area |
 *
 * ## Table (`REG_MAX` entries of two Int32 from `layout.regTable`)
 *
 * | Int32 | meaning |
 * | --- | --- |
 * | 2 id | byte offset of the key in the string area (from `layout.regBytes`) |
 * | 2 id + 1 | the key's length in bytes |
 *
 * A key is the UTF-8 of `url + "\n" + name`. An appender writes the key
 * and the entry under the lock, then stores `H_REG_COUNT = id + 1`; a
 * reader that loads `H_REG_COUNT > id` sees the entry (the store
 * synchronizes before that load returns). A slot's `S_FN` is written after
 * its function was registered, and the slot is published by an `Atomics`
 * store, so whoever runs a slot can always name its function.
 *
 * @module
 */

import {
  H_REG_BYTES,
  H_REG_COUNT,
  H_REG_LOCK,
  type Memory,
  REG_BYTES,
  REG_MAX,
} from "./_layout.ts";
import { lockSpin, unlockSpin } from "./_spin_lock.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** This thread's view of the registry, with a cache of the ids it has seen. */
export class Registry {
  #m: Memory;
  #ids = new Map<string, number>();
  #keys: string[] = [];

  /** Opens the registry in `m`. */
  constructor(m: Memory) {
    this.#m = m;
  }

  #catchUp(): void {
    const { i32, u8, layout } = this.#m;
    const count = Atomics.load(i32, H_REG_COUNT);
    for (let id = this.#keys.length; id < count; id++) {
      const offset = i32[layout.regTable + id * 2];
      const len = i32[layout.regTable + id * 2 + 1];
      const key = decoder.decode(
        u8.slice(layout.regBytes + offset, layout.regBytes + offset + len),
      );
      this.#keys.push(key);
      this.#ids.set(key, id);
    }
  }

  /**
   * The id of `url`'s export `name`, registering it if new.
   *
   * @throws {RangeError} If the registry is full.
   */
  idOf(url: string, name: string): number {
    const key = `${url}\n${name}`;
    const known = this.#ids.get(key);
    if (known !== undefined) return known;
    const { i32, u8, layout } = this.#m;
    lockSpin(i32, H_REG_LOCK);
    try {
      this.#catchUp();
      const found = this.#ids.get(key);
      if (found !== undefined) return found;
      const bytes = encoder.encode(key);
      const id = i32[H_REG_COUNT];
      const used = i32[H_REG_BYTES];
      if (id >= REG_MAX || used + bytes.length > REG_BYTES) {
        throw new RangeError(
          `Cannot register task "${name}" of ${url}: the runtime's registry ` +
            `is full (${REG_MAX} functions or ${REG_BYTES} bytes of names)`,
        );
      }
      u8.set(bytes, layout.regBytes + used);
      i32[layout.regTable + id * 2] = used;
      i32[layout.regTable + id * 2 + 1] = bytes.length;
      i32[H_REG_BYTES] = used + bytes.length;
      Atomics.store(i32, H_REG_COUNT, id + 1);
      this.#keys.push(key);
      this.#ids.set(key, id);
      return id;
    } finally {
      unlockSpin(i32, H_REG_LOCK);
    }
  }

  /** The module URL and export name of function `id`. */
  nameOf(id: number): { url: string; name: string } {
    if (id >= this.#keys.length) this.#catchUp();
    const key = this.#keys[id];
    const at = key.indexOf("\n");
    return { url: key.slice(0, at), name: key.slice(at + 1) };
  }
}
