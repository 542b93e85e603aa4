// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The header of a {@linkcode SharedChannel}'s `SharedArrayBuffer`, and the
 * wake-ups and sleeps on its futex words, which every store uses.
 *
 * The buffer is a header of 32-bit words followed by the data region,
 * where the chosen store keeps the values: the slot ring
 * (`_slot_store.ts`) or the byte ring (`_locked_store.ts`, with the
 * hand-off cell of `_handoff_cell.ts` for an unbuffered fixed-size codec).
 * All offsets are in bytes from the data region's start. Header words are
 * written under the lock (word 0), except those marked atomic, which
 * lock-free paths also read or change.
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 0 | `LOCK` | the channel lock: 0 free, 1 held, 2 held with sleepers (see `_lock.ts`) |
 * | 1 | `MAGIC` | `0x64676368` ("dgch"): marks a SharedChannel buffer (read-only) |
 * | 2 | `CODEC` | the codec's index in `CODEC_NAMES` (read-only) |
 * | 3 | `CAPACITY` | Go's `cap(ch)`; 0 for an unbuffered channel (read-only) |
 * | 4 | `CLOSED` | 1 once `close()` ran (atomic) |
 * | 5 | `COUNT` | byte ring: committed records at the front: buffered values, plus values handed to blocked receivers |
 * | 6 | `OFFERED` | byte ring: 1 if one more record follows the committed ones: a blocked sender's offer |
 * | 7 | `HEAD` | byte ring: offset of the first record |
 * | 8 | `TAIL` | byte ring: offset where the next record goes |
 * | 9 | `USED` | byte ring: bytes in use (committed records and the offer) |
 * | 10 | `RING_SIZE` | byte ring: its size in bytes; a multiple of 8; grows, never shrinks |
 * | 11 | `RECV_WAITING` | receivers blocked on this channel, on every thread (atomic) |
 * | 12 | `SEND_WAITING` | senders blocked on this channel, on every thread, the offerer included (atomic) |
 * | 13 | `RECV_WATCHERS` | blocked selects with a receive case on this channel, on every thread: they watch `RECV_SEQ` but are not counted as receivers (atomic) |
 * | 14 | `SEND_WATCHERS` | blocked selects with a send case on this channel: they watch `SEND_SEQ` (atomic) |
 * | 15 | `RECV_ASYNC` | the receivers of `RECV_WAITING` that wait with `waitAsync` rather than in `recvSync` (atomic) |
 * | 16 | `SEND_ASYNC` | the senders of `SEND_WAITING` that wait with `waitAsync` (atomic) |
 * | 17 | `OFFER_POS` | byte ring: offset of the offer record (valid while `OFFERED`) |
 * | 18 | `OFFER_BYTES` | byte ring: size of the offer record (valid while `OFFERED`) |
 * | 19 | `OFFER_TICKET` | ticket of the latest offer; a sender's offer is known by its ticket |
 * | 20 | `ACKED` | ticket of the latest offer a receiver took (received, or moved into the buffer) |
 * | 21 | `ID` | a non-zero number naming the channel, so that the objects of one thread that open it find each other (read-only) |
 * | 22 | `SLOT_RING` | the slot ring's bytes per slot if the values live in one, else 0 (read-only) |
 * | 23 | `SEND_ONLY_WATCHERS` | the selects of `SEND_WATCHERS` with no receive case on this channel: on an unbuffered channel, a select that both sends and receives here keeps no offer while they wait (see `_select.ts`) (atomic) |
 * | 24 | `OFFER_CLAIM` | byte ring: 0 for a plain sender's offer; for a select's, 1 + its slot in the claims arena (`_select_claims.ts`), which a receiver must claim before it takes the offer |
 * | 25 | `OFFER_CLAIM_TAG` | byte ring: the select's claim-word generation << 16, and the index of the offering case (valid while `OFFER_CLAIM` is not 0) |
 * | 26–27 | `ARENA` | the `ID` words of the claims arena the channel carries (`_select_claims.ts`): an object opened with another arena, or none, does not claim (read-only) |
 * | 28 | `RESERVED` | byte ring, unbuffered: 0, or the claim of the select the first record is reserved for, `gen << 13 \| (slot + 1)`: a sender that claimed the select handed it the value, which no other receiver takes (see `_locked_store.ts`) |
 * | 29 | `BYTES_TURN` | byte ring: the place now served among the senders waiting for bytes: its generation << 20, its number (`_byte_waiters.ts`) |
 * | 30 | `BYTES_WAITING` | byte ring: places taken in that queue and not yet passed; 0 when no sender waits for bytes |
 * | 31 | `BYTES_LEFT` | byte ring: bit i set: the place i + 1 after the turn was left before its turn |
 * | 32 | `RECV_SEQ` | futex word receivers sleep on: bumped and notified when a value or an offer arrives, or on close (atomic) |
 * | 33 | `RECV_SLEEPING` | `recvSync` calls inside `Atomics.wait` on `RECV_SEQ` (or about to be) (atomic) |
 * | 48 | `SEND_SEQ` | futex word senders sleep on: bumped and notified when room frees, an offer is taken or dropped, a receiver starts waiting, or on close (atomic) |
 * | 49 | `SEND_SLEEPING` | `sendSync` calls inside `Atomics.wait` on `SEND_SEQ` (atomic) |
 * | 64 | `RING_TAIL` | slot ring: the producers' ticket word (atomic) |
 * | 80 | `RING_HEAD` | slot ring: the consumers' ticket word (atomic) |
 * | 64–95 | `ENTRIES` | byte ring (which has no ticket words): the blocked selects' cases listed on an unbuffered channel, for peers on every thread to claim (see `_locked_store.ts`) |
 * | 96 | `CELL` | hand-off cell: its state (see `_handoff_cell.ts`); also the futex word its `recvSync` sleeps on (atomic) |
 * | 98–99 | `CELL_VALUE` | hand-off cell: the value, as a float64 (an `int32` fits exactly) |
 *
 * Words 0 to 31 share two cache lines; each futex word, each ticket word
 * and the cell have a line of their own, so threads spinning on one do not
 * slow the threads writing another. The data region starts at byte 448.
 *
 * ## Waking
 *
 * Every state change a sleeper could be waiting for bumps the matching
 * `*_SEQ` word, if `*_WAITING` or `*_WATCHERS` is above 0. A sleeper
 * increments `*_WAITING` and reads `*_SEQ` (under the lock, or before it
 * marks a slot-ring slot), then sleeps on that value, so no wake-up is
 * lost. The bump is followed by a `notify` only if someone may be inside a
 * wait: an async waiter or select, or a sync caller that has stopped
 * spinning (`*_SLEEPING`, which it increments before `Atomics.wait`, while
 * the waker bumps `*_SEQ` before reading it: either the waker sees the
 * sleeper or the sleeper sees the new `*_SEQ`). A spinning sync caller sees
 * the bump without the cost of a `notify`. Async waiters and selects of
 * this thread are woken through `_futex.ts` as well, because a `waitAsync`
 * woken by its own thread's `notify` is served late.
 */

import { type Codec, CODEC_NAMES, codecFor, type CodecName } from "./codec.ts";
import { newId, wakeHere } from "./_futex.ts";
import { slotBytesFor } from "./_slot_ring.ts";
import { lock, notifyUnlocked, unlock } from "./_lock.ts";
import { isRetired, parkForever } from "./_retired.ts";

export const LOCK = 0;
export const MAGIC = 1;
export const CODEC = 2;
export const CAPACITY = 3;
export const CLOSED = 4;
export const COUNT = 5;
export const OFFERED = 6;
export const HEAD = 7;
export const TAIL = 8;
export const USED = 9;
export const RING_SIZE = 10;
export const RECV_WAITING = 11;
export const SEND_WAITING = 12;
export const RECV_WATCHERS = 13;
export const SEND_WATCHERS = 14;
export const RECV_ASYNC = 15;
export const SEND_ASYNC = 16;
export const OFFER_POS = 17;
export const OFFER_BYTES = 18;
export const OFFER_TICKET = 19;
export const ACKED = 20;
export const ID = 21;
export const SLOT_RING = 22;
export const SEND_ONLY_WATCHERS = 23;
export const OFFER_CLAIM = 24;
export const OFFER_CLAIM_TAG = 25;
export const ARENA = 26;
export const RESERVED = 28;
export const BYTES_TURN = 29;
export const BYTES_WAITING = 30;
export const BYTES_LEFT = 31;
export const RECV_SEQ = 32;
export const RECV_SLEEPING = 33;
export const SEND_SEQ = 48;
export const SEND_SLEEPING = 49;
export const RING_TAIL = 64;
export const RING_HEAD = 80;
/** The select entries of a byte ring, words `ENTRIES` to `ENTRIES_END - 1`. */
export const ENTRIES = 64;
export const ENTRIES_END = 96;
export const CELL = 96;
export const CELL_VALUE = 98;
export const HEADER_WORDS = 112;
/** Offset of the data region; a multiple of 64, so no ring slot shares a cache line with the header. */
export const DATA = HEADER_WORDS * 4;

export const MAGIC_VALUE = 0x64676368;

/**
 * The first size of a byte ring: it grows from there. A ring bounded by at
 * most this many bytes is allocated whole, in a buffer that does not grow.
 */
const INITIAL_MAX_BYTES = 1 << 16;

/**
 * Polls of the futex word before `Atomics.wait` in the sync paths (a few
 * microseconds). Measured in bench/shared_bench.ts on a 2-core machine: the
 * unbuffered sendSync/recvSync ping-pong between two workers took 7.9 µs per
 * round trip with 256 polls and 1.25 µs with 2,000. The async paths never
 * spin: that would stall the thread's event loop.
 */
export const SYNC_SPIN = 2_000;

/** A raw value: a number (fixed-size codecs) or an encoding. */
export type Raw = number | Uint8Array;

/** Results of a receive that did not produce a value. */
export const EMPTY: unique symbol = Symbol("empty");
export const DRAINED: unique symbol = Symbol("closed");

/**
 * Bumps a futex word and wakes its sleepers, if anybody waits on it (is
 * counted in `waiting` or watches it from a select).
 */
export function wake(h: Int32Array, waiting: number, seq: number): void {
  if (
    Atomics.load(h, seq === RECV_SEQ ? RECV_WATCHERS : SEND_WATCHERS) === 0 &&
    Atomics.load(h, waiting) === 0
  ) return;
  bump(h, seq);
}

/**
 * The wake-up itself: bumps the futex word `seq` and wakes its sleepers,
 * with `notify` on other threads, and directly on this one.
 */
export function bump(h: Int32Array, seq: number): void {
  const recv = seq === RECV_SEQ;
  const watchers = Atomics.load(h, recv ? RECV_WATCHERS : SEND_WATCHERS);
  Atomics.add(h, seq, 1);
  // Async waiters and selects, on every thread, wait in `waitAsync`.
  const async = Atomics.load(h, recv ? RECV_ASYNC : SEND_ASYNC) + watchers;
  if (
    async > 0 || Atomics.load(h, recv ? RECV_SLEEPING : SEND_SLEEPING) > 0
  ) {
    notifyUnlocked(h, seq); // under the channel lock: once it is released
  }
  if (async > 0) wakeHere(h[ID], seq);
}

/** A receiver starts waiting: selects with a send case may now commit. */
export function receiverWaits(h: Int32Array): void {
  if (h[SEND_WATCHERS] > 0) wake(h, SEND_WAITING, SEND_SEQ);
}

/**
 * Spins, then sleeps, until the futex word `seq` is no longer `value`. The
 * caller counts itself in `RECV_WAITING` (for `RECV_SEQ`) or
 * `SEND_WAITING` (for `SEND_SEQ`) around the sleep: a thread retired
 * meanwhile (`_retired.ts`) uncounts itself and parks for good.
 */
export function sleep(h: Int32Array, seq: number, value: number): void {
  wait(h, seq, value);
  if (isRetired()) {
    Atomics.sub(h, seq === RECV_SEQ ? RECV_WAITING : SEND_WAITING, 1);
    parkForever();
  }
}

function wait(h: Int32Array, seq: number, value: number): void {
  for (let i = 0; i < SYNC_SPIN && Atomics.load(h, seq) === value; i++);
  if (Atomics.load(h, seq) === value) {
    const sleeping = seq === RECV_SEQ ? RECV_SLEEPING : SEND_SLEEPING;
    Atomics.add(h, sleeping, 1);
    Atomics.wait(h, seq, value);
    Atomics.sub(h, sleeping, 1);
  }
}

/**
 * Releases the lock, sleeps until `seq` changes, retakes the lock; counted
 * as for {@linkcode sleep}. A retired thread runs `retiring` (to give up
 * what the wait holds) and uncounts itself under the lock, releases it and
 * parks for good.
 */
export function sleepLocked(
  h: Int32Array,
  seq: number,
  retiring?: () => void,
): void {
  const value = h[seq];
  unlock(h, LOCK);
  wait(h, seq, value);
  lock(h, LOCK);
  if (isRetired()) {
    retiring?.();
    Atomics.sub(h, seq === RECV_SEQ ? RECV_WAITING : SEND_WAITING, 1);
    unlock(h, LOCK);
    parkForever();
  }
}

/**
 * Makes the buffer of a new channel of `capacity` values of `codec`, its
 * data region at most `max` bytes (a multiple of 8), and writes its
 * read-only header words: a slot ring if one fits, else a byte ring that
 * starts small and grows (allocated whole if `max` is at most 64 KiB).
 */
export function newChannelBuffer(
  capacity: number,
  codec: Codec<unknown>,
  max: number,
): SharedArrayBuffer {
  const slot = codec.slotSize;
  const slotBytes = slot === 0 ? 0 : slotBytesFor(capacity, slot, max);
  if (slotBytes !== 0) {
    const buffer = new SharedArrayBuffer(DATA + capacity * slotBytes);
    initHeader(buffer, codec.name, capacity)[SLOT_RING] = slotBytes;
    return buffer;
  }
  if (max <= INITIAL_MAX_BYTES) {
    // A small bound is allocated whole: a buffer that never grows takes none
    // of the process's memory mappings, where a growable one takes two.
    const buffer = new SharedArrayBuffer(DATA + max);
    initHeader(buffer, codec.name, capacity)[RING_SIZE] = max;
    return buffer;
  }
  const want = slot !== 0 ? slot * (capacity + 1) : 256 + 64 * capacity;
  const ring = Math.min(Math.max(8, (want + 7) & ~7), INITIAL_MAX_BYTES);
  const buffer = new SharedArrayBuffer(DATA + ring, {
    maxByteLength: DATA + max,
  });
  initHeader(buffer, codec.name, capacity)[RING_SIZE] = ring;
  return buffer;
}

/** Writes a new channel's read-only header words; the header. */
function initHeader(
  buffer: SharedArrayBuffer,
  codec: CodecName,
  capacity: number,
): Int32Array {
  const h = new Int32Array(buffer, 0, HEADER_WORDS);
  h[MAGIC] = MAGIC_VALUE;
  h[CODEC] = CODEC_NAMES.indexOf(codec);
  h[CAPACITY] = capacity;
  h[ID] = newId();
  return h;
}

/**
 * What is wrong with a buffer handed to `from()`, checked against what
 * {@linkcode newChannelBuffer} writes; undefined if nothing.
 */
export function checkChannelBuffer(
  buffer: SharedArrayBuffer,
): string | undefined {
  if (buffer.byteLength <= DATA) {
    return `its buffer holds ${buffer.byteLength} bytes, not a channel's ${DATA}-byte header and its ring`;
  }
  const h = new Int32Array(buffer, 0, HEADER_WORDS);
  if (h[MAGIC] !== MAGIC_VALUE) return `its buffer's magic word is ${h[MAGIC]}`;
  // Every channel's ID is non-zero (`newId`): its thread-local wake-ups key on it.
  if (h[ID] === 0) return `its buffer's id word is 0`;
  const codec = CODEC_NAMES[h[CODEC]];
  if (codec === undefined) {
    return `its buffer's codec word is ${h[CODEC]}, not a codec`;
  }
  const capacity = h[CAPACITY];
  if (capacity < 0) return `its buffer's capacity word is ${capacity}`;
  const slot = codecFor(codec).slotSize;
  const slotBytes = h[SLOT_RING];
  if (slotBytes !== 0) {
    if (
      slot === 0 ||
      slotBytes !== slotBytesFor(capacity, slot, slotBytes * capacity) ||
      DATA + capacity * slotBytes > buffer.byteLength
    ) {
      return `its buffer's slot ring (${slotBytes} bytes a slot, capacity ${capacity}, codec ${codec}) does not fit it`;
    }
    return undefined;
  }
  // Read before the buffer's size: a growth elsewhere grows the buffer first.
  const ring = h[RING_SIZE];
  if (
    ring < 8 || ring % 8 !== 0 || DATA + ring > buffer.byteLength ||
    (buffer.growable
      ? DATA + ring > buffer.maxByteLength
      : DATA + ring !== buffer.byteLength)
  ) {
    return `its buffer's ring size word is ${ring}, for a buffer of ${buffer.byteLength} bytes`;
  }
  return undefined;
}
