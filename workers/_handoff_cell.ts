// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * {@linkcode HandoffCell}: Go's direct hand-off (`sendDirect`) for an
 * unbuffered `SharedChannel` of a fixed-size codec (`int32`, `float64`).
 *
 * Under the lock, one unbuffered hand-off moves about eight cache lines
 * between the two threads (lock, counts, ring data, futex word, on two
 * channels for a round trip). Go's `chansend` copies the value straight to
 * a waiting receiver; the cell does the same in one line: one `recvSync` at
 * a time waits in it for a sender to hand it a value, without the lock.
 * It sits in front of the byte ring of `_locked_store.ts`, which serves
 * everything else.
 *
 * | header word | name | meaning |
 * | --- | --- | --- |
 * | 96 | `CELL` | the state, below; also the futex word the cell's `recvSync` sleeps on |
 * | 98–99 | `CELL_VALUE` | the value, as a float64 (an `int32` fits exactly) |
 *
 * | state | meaning | who moves it on |
 * | --- | --- | --- |
 * | 0 `FREE` | nobody waits in the cell | a `recvSync` claims it: `WAITING` |
 * | 1 `WAITING` | a `recvSync` waits, spinning | a sender: `FILLING`; the receiver, before `Atomics.wait`: `ASLEEP`; an offer or `close`: `FREE` |
 * | 2 `ASLEEP` | ... and sleeps on this word | as `WAITING`, and whoever moves it on notifies |
 * | 3 `FILLING` | a sender writes `CELL_VALUE` | that sender: `FULL` |
 * | 4 `FULL` | a committed value waits there, for the cell's receiver only | that receiver: `TAKING`; retired (`_retired.ts`): `LEFT` |
 * | 5 `TAKING` | a receiver reads `CELL_VALUE` | that receiver: `FREE` |
 * | 6 `LEFT` | a committed value whose receiver retired: the channel's first value | any receiver: `TAKING` |
 *
 * ## Invariants
 *
 * Every transition out of `WAITING`, `ASLEEP`, `FULL` and `LEFT` is a
 * compare-and-swap, so exactly one sender fills a waiting cell and exactly
 * one receiver takes its value. With the byte ring:
 *
 * - Any send (`sendSync` without the lock; `send`, `trySend`, a select's
 *   send case, under it) fills a waiting cell before it looks at
 *   `RECV_WAITING`: the receiver there is a blocked receiver, as in Go. A
 *   sender does not fill the cell while `COUNT > 0`: its own earlier value
 *   may still be in the ring, and must not be overtaken.
 * - A `FULL` cell's value belongs to the receiver that waits there, as
 *   Go's `send` copies the value into the `sudog` of the receiver it
 *   found: no other receiver, the sender included, takes it. Only if that
 *   receiver retires before it takes the value does it leave the value
 *   (`LEFT`), and wake the blocked receivers (`RECV_SEQ`): every receiver
 *   takes a `LEFT` value before the ring's records, which are newer, so
 *   it is neither lost nor overtaken.
 * - A `recvSync` claims the cell and then checks `CLOSED` and `OFFERED`;
 *   `close` and a sender that offers set those and then push a waiting
 *   receiver out of the cell (`FREE`). One of the two sees the other, so
 *   the receiver goes on under the lock, where the offer or the close is.
 *   It also wakes selects watching to send, which may now commit.
 *
 * - A retired thread's receiver (`_retired.ts`) that wakes in the cell
 *   frees its claim, or leaves a `FULL` cell's value for the others
 *   (`LEFT`), and parks for good.
 *
 * Limitations: a worker terminated between filling the cell and marking it
 * `FULL` leaves the cell's receiver waiting. A value handed to a receiver
 * whose worker was terminated without a `Retirement` is lost: Deno does
 * not stop a worker blocked in `recvSync` (denoland/deno#14003), which
 * takes the value on; and if its thread did stop, the cell stays `FULL`
 * for good, unused (every receiver and sender then goes through the lock).
 */

import {
  CELL,
  CELL_VALUE,
  CLOSED,
  COUNT,
  EMPTY,
  OFFERED,
  RECV_SEQ,
  RECV_WAITING,
  SEND_SEQ,
  SEND_WAITING,
  SEND_WATCHERS,
  SYNC_SPIN,
  wake,
} from "./_channel_words.ts";
import { isRetired, parkForever } from "./_retired.ts";

/**
 * Polls of the cell by a `sendSync` that found no receiver there, before it
 * takes the lock path (a few microseconds at most).
 */
const GIVE_SPIN = 64;

const FREE = 0;
const WAITING = 1;
const ASLEEP = 2;
const FILLING = 3;
const FULL = 4;
const TAKING = 5;
const LEFT = 6;

/** The hand-off cell of one channel object. */
export class HandoffCell {
  readonly #h: Int32Array;
  readonly #value: Float64Array;

  constructor(buffer: SharedArrayBuffer, h: Int32Array) {
    this.#h = h;
    this.#value = new Float64Array(buffer, CELL_VALUE * 4, 1);
  }

  /**
   * Hands the value to a `recvSync` waiting in the cell: false if none
   * waits, or if the ring holds committed values, which this value must
   * not overtake (they may be this sender's own). The caller has checked
   * that the channel is open.
   */
  give(encoded: number): boolean {
    const h = this.#h;
    if (Atomics.load(h, COUNT) !== 0) return false;
    let was = Atomics.compareExchange(h, CELL, WAITING, FILLING);
    if (was === ASLEEP) was = Atomics.compareExchange(h, CELL, ASLEEP, FILLING);
    if (was !== WAITING && was !== ASLEEP) return false;
    this.#value[0] = encoded;
    // The cell's receiver's alone: nobody else is woken for it.
    Atomics.store(h, CELL, FULL);
    if (was === ASLEEP) Atomics.notify(h, CELL);
    return true;
  }

  /**
   * `sendSync` through the cell: hands the value to a `recvSync` that waits
   * there, or that claims the cell within a short spin. False if none did,
   * or the lock path has to serve the send: the channel is closed, a
   * receiver waits there, values are queued or another sender offers.
   *
   * The spin is for ping-pong: the other side claims the cell a moment after
   * it took the previous value, and a sender that went to the lock path
   * instead would leave an offer, which costs a round trip through the lock
   * on both sides (about 2 µs, against 0.5 µs for a hand-off).
   */
  send(encoded: number): boolean {
    const h = this.#h;
    if (Atomics.load(h, CLOSED) !== 0) return false;
    if (this.give(encoded)) return true;
    for (let i = 0; i < GIVE_SPIN; i++) {
      const cell = Atomics.load(h, CELL);
      if (
        (cell === WAITING || cell === ASLEEP) &&
        Atomics.load(h, CLOSED) === 0 && this.give(encoded)
      ) return true;
      if (
        Atomics.load(h, CLOSED) !== 0 || Atomics.load(h, COUNT) !== 0 ||
        Atomics.load(h, RECV_WAITING) !== 0 || Atomics.load(h, OFFERED) !== 0
      ) return false;
    }
    return false;
  }

  /** Whether a receiver waits in the cell (a hint, read without the lock). */
  hasReceiver(): boolean {
    const cell = Atomics.load(this.#h, CELL);
    return cell === WAITING || cell === ASLEEP;
  }

  /**
   * Whether a value any receiver may take waits in the cell, left by a
   * retired receiver (a hint).
   */
  hasLeft(): boolean {
    return Atomics.load(this.#h, CELL) === LEFT;
  }

  /**
   * Takes the value a retired receiver left in the cell, for a receiver
   * outside the cell: it comes before the ring's records. EMPTY if there is
   * none, or another receiver took it. A `FULL` cell's value is its own
   * receiver's: never taken here.
   */
  takeLeft(): number | typeof EMPTY {
    if (Atomics.load(this.#h, CELL) !== LEFT) return EMPTY;
    return this.#take(LEFT);
  }

  /** Takes the value from state `from` (`FULL` or `LEFT`); EMPTY if it moved. */
  #take(from: number): number | typeof EMPTY {
    const h = this.#h;
    if (Atomics.compareExchange(h, CELL, from, TAKING) !== from) return EMPTY;
    const v = this.#value[0];
    Atomics.store(h, CELL, FREE);
    return v;
  }

  /**
   * Sends the `recvSync` waiting in the cell, if any, back to the lock
   * path: an offer was made or the channel closed.
   */
  kick(): void {
    const h = this.#h;
    const was = Atomics.compareExchange(h, CELL, WAITING, FREE);
    if (
      was === ASLEEP &&
      Atomics.compareExchange(h, CELL, ASLEEP, FREE) === ASLEEP
    ) Atomics.notify(h, CELL);
  }

  /**
   * `recvSync` through the cell: claims it, waits until a sender fills it,
   * and takes the value. EMPTY when the lock path must serve this receive:
   * it has a value, an offer or the close; another receiver has the cell;
   * or an offer or `close` pushed this one out, or a receiver took the
   * value first.
   */
  receive(): number | typeof EMPTY {
    const h = this.#h;
    const claimed = Atomics.compareExchange(h, CELL, FREE, WAITING);
    // Another receiver's value (`FULL`) is not ours; a left one is anyone's.
    if (claimed !== FREE) return claimed === LEFT ? this.#take(LEFT) : EMPTY;
    if (
      Atomics.load(h, CLOSED) !== 0 || Atomics.load(h, COUNT) !== 0 ||
      Atomics.load(h, OFFERED) !== 0
    ) {
      // An offer or close came before the claim: leave the cell, unless a
      // sender is already filling it.
      const was = Atomics.compareExchange(h, CELL, WAITING, FREE);
      if (was === WAITING || was === FREE) return EMPTY;
    } else if (Atomics.load(h, SEND_WATCHERS) > 0) {
      // Selects with a send case here may commit now.
      wake(h, SEND_WAITING, SEND_SEQ);
    }
    for (;;) {
      let state = Atomics.load(h, CELL);
      for (let i = 0; i < SYNC_SPIN && state === WAITING; i++) {
        state = Atomics.load(h, CELL);
      }
      switch (state) {
        case FULL:
          if (isRetired()) retiredLeave(h);
          // Ours: only this receiver moves a FULL cell on.
          return this.#take(FULL);
        case WAITING:
          Atomics.compareExchange(h, CELL, WAITING, ASLEEP);
          break;
        case ASLEEP:
          Atomics.wait(h, CELL, ASLEEP);
          if (isRetired()) retiredLeave(h);
          break;
        case FILLING:
        case TAKING:
          break;
        default:
          return EMPTY;
      }
    }
  }
}

/**
 * A retired thread's `receive` (`_retired.ts`): gives up its claim on the
 * cell, or leaves the value a sender put there for the next receiver
 * (`LEFT`, waking the blocked receivers), and parks for good.
 */
function retiredLeave(h: Int32Array): never {
  for (;;) {
    const state = Atomics.load(h, CELL);
    if (state === WAITING || state === ASLEEP) {
      if (Atomics.compareExchange(h, CELL, state, FREE) === state) break;
    } else if (state === FULL) {
      // Only the cell's receiver moves FULL on: this store cannot race.
      Atomics.store(h, CELL, LEFT);
      wake(h, RECV_WAITING, RECV_SEQ);
      break;
    } else if (state !== FILLING) {
      break; // FREE: pushed out by an offer or close.
    }
    // FILLING: a sender is writing our value; it marks it FULL next.
  }
  return parkForever();
}
