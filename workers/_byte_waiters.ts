// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The queue of senders waiting for bytes in a byte ring (`_locked_store.ts`):
 * a send whose record does not fit beside those in the ring makes no offer
 * and sleeps on `SEND_SEQ`; without an order, a later `trySend`, a small
 * sync send or a new sender would take the bytes a receive frees first, and
 * a large value could wait for ever behind a stream of small ones. Go
 * serves blocked senders in FIFO order before newcomers, and a
 * non-blocking send fails while one waits. So a waiting sender takes a
 * place (a ticket), and while any place is taken, only the sender whose
 * place is the turn may commit or offer: every other send, blocked or new,
 * treats the channel as full.
 *
 * All three words are written under the channel lock:
 *
 * | header word | name | meaning |
 * | --- | --- | --- |
 * | 29 | `BYTES_TURN` | the place now served: its generation << 20, then its number (20 bits) |
 * | 30 | `BYTES_WAITING` | places taken and not yet passed: the queue's length (0: no sender waits for bytes, the fast path's one read) |
 * | 31 | `BYTES_LEFT` | bit i set: the place i + 1 after the turn was left by its sender (aborted, closed, committed another way, or retired) |
 *
 * A sender's place is the turn's generation and the number `turn +
 * waiting`. The sender at the turn passes it on when it commits, offers or
 * leaves ({@linkcode leave}): the turn moves to the next place, and past
 * every place already left, and the senders are woken. A place left before
 * its turn is marked in `BYTES_LEFT`; one too far behind the turn to be
 * marked (more than 31 places) resets the queue: the generation changes,
 * no place is taken, and every waiting sender, woken, finds its place
 * stale and takes a new one, in the order they wake. `close()` resets the
 * queue too. So no sender that is gone holds the queue up.
 */

import {
  BYTES_LEFT,
  BYTES_TURN,
  BYTES_WAITING,
  SEND_SEQ,
  SEND_WAITING,
  wake,
} from "./_channel_words.ts";

/** No place: the sender is not in the queue. */
export const NO_PLACE = -1;

const NUMBER = 0xfffff;
const GEN_SHIFT = 20;
const GEN_MASK = 0x7ff;
/** Places after the turn that `BYTES_LEFT` can mark. */
const MARKS = 31;

/**
 * Whether a sender at `place` may commit or offer: no one waits for bytes,
 * or `place` is the turn. One plain read while no one waits.
 */
export function mayGo(h: Int32Array, place: number): boolean {
  return h[BYTES_WAITING] === 0 || place === h[BYTES_TURN];
}

/** `place`, or {@linkcode NO_PLACE} if a reset of the queue made it stale. */
export function current(h: Int32Array, place: number): number {
  return place !== NO_PLACE &&
      place >>> GEN_SHIFT !== h[BYTES_TURN] >>> GEN_SHIFT
    ? NO_PLACE
    : place;
}

/** Takes the last place in the queue; returns it. */
export function join(h: Int32Array): number {
  const turn = h[BYTES_TURN];
  const n = h[BYTES_WAITING];
  h[BYTES_WAITING] = n + 1;
  return (turn & ~NUMBER) | ((turn + n) & NUMBER);
}

/**
 * Gives up `place` (a no-op for {@linkcode NO_PLACE} or a stale place):
 * the turn passes on if it was the turn, else the place is marked left.
 */
export function leave(h: Int32Array, place: number): void {
  if (current(h, place) === NO_PLACE) return;
  const turn = h[BYTES_TURN];
  if (place === turn) {
    let left = h[BYTES_LEFT];
    let passed = 1;
    while ((left & 1) !== 0) {
      left >>>= 1;
      passed++;
    }
    h[BYTES_LEFT] = left >>> 1;
    h[BYTES_WAITING] -= passed;
    h[BYTES_TURN] = (turn & ~NUMBER) | ((turn + passed) & NUMBER);
    wake(h, SEND_WAITING, SEND_SEQ);
    return;
  }
  const after = ((place - turn) & NUMBER) - 1;
  if (after < MARKS) h[BYTES_LEFT] |= 1 << after;
  else reset(h);
}

/** Empties the queue: every place taken becomes stale; wakes the senders. */
export function reset(h: Int32Array): void {
  if (h[BYTES_WAITING] === 0) return;
  const gen = ((h[BYTES_TURN] >>> GEN_SHIFT) + 1) & GEN_MASK;
  h[BYTES_TURN] = gen << GEN_SHIFT;
  h[BYTES_WAITING] = 0;
  h[BYTES_LEFT] = 0;
  wake(h, SEND_WAITING, SEND_SEQ);
}
