// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * A FIFO ring buffer: the element store of a buffered channel (the `buf`
 * of Go's `hchan`).
 *
 * The backing array has a power-of-two length so that indices wrap with a
 * mask. It starts small and doubles when full, so a channel with a large
 * capacity costs memory only for the values it actually holds. The bound
 * (the channel's capacity) is the caller's to enforce.
 *
 * Invariants: `0 <= #length <= #items.length`; the oldest value is at
 * `#items[#head]`; slots outside the live range hold `undefined`, so the
 * buffer never keeps a received value alive.
 */
export class Ring<T> {
  #items: (T | undefined)[];
  #head = 0;
  #length = 0;
  #mask: number;

  constructor(initialSize = 8) {
    let size = 1;
    while (size < initialSize) size <<= 1;
    this.#items = new Array(size);
    this.#mask = size - 1;
  }

  get length(): number {
    return this.#length;
  }

  push(value: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) & this.#mask] = value;
    this.#length++;
  }

  /** Removes and returns the oldest value; the caller checks `length`. */
  shift(): T {
    const head = this.#head;
    const value = this.#items[head] as T;
    this.#items[head] = undefined;
    this.#head = (head + 1) & this.#mask;
    this.#length--;
    return value;
  }

  #grow(): void {
    const old = this.#items;
    const items = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.#length; i++) {
      items[i] = old[(this.#head + i) & this.#mask];
    }
    this.#items = items;
    this.#head = 0;
    this.#mask = items.length - 1;
  }
}
