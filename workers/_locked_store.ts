// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * {@linkcode LockedStore}: a `SharedChannel` whose values live in the byte
 * ring (`_byte_ring.ts`) under the channel lock: unbuffered channels (whose
 * rendezvous needs the offers below) and variable-size codecs (whose
 * records need a ring that grows). An unbuffered `int32` or `float64`
 * channel also has the hand-off cell (`_handoff_cell.ts`) in front, where
 * one `recvSync` at a time takes a value without the lock.
 *
 * | header word | name | meaning |
 * | --- | --- | --- |
 * | 5 | `COUNT` | committed records at the front: buffered values, plus values handed to blocked receivers |
 * | 6 | `OFFERED` | 1 if one more record follows the committed ones: a blocked sender's offer (`_offer.ts`, with words 17–20) |
 * | 28 | `RESERVED` | unbuffered: 0, or `gen << 13 \| (slot + 1)` of the select the first record is reserved for (see below; both parts must match) |
 * | 29–31 | `BYTES_TURN`, `BYTES_WAITING`, `BYTES_LEFT` | the queue of senders waiting for bytes (`_byte_waiters.ts`) |
 *
 * (The whole header is in `_channel_words.ts`.)
 *
 * ## Select entries
 *
 * A select blocked on an unbuffered channel lists each of its cases there,
 * so that a peer on any thread finds it, as Go's find a select's `sudog` in
 * a channel's queue. An entry is two words of `ENTRIES` (words 64–95,
 * which a byte ring does not use otherwise: 16 entries), written and
 * cleared under the lock:
 *
 * | entry word | meaning |
 * | --- | --- |
 * | 0 | 0: free; else 1 + the select's slot in the claims arena (`_select_claims.ts`) |
 * | 1 | the slot's generation << 16, the case's index << 1, and 1 for a send case |
 *
 * A non-blocking sender (`trySend`, a select's poll: `#tryCommit` with
 * `blocking` false, on any thread) that finds no plain receiver claims the
 * first select listed to receive whose claim word still waits, if the
 * channel holds no record, no offer and no value a retired receiver left
 * in the hand-off cell (the channel's first): it counts the select in
 * `RECV_WAITING`, commits its value and reserves it for that select
 * (`RESERVED`), as Go's `send` copies the value into the `sudog` of the
 * receiver it found. No other receiver, the sender included, takes a
 * reserved record: they may take an offer behind it (`ByteRing.takeLast`),
 * and no value is committed behind it. The select takes it
 * (`claimedReceive`), before a value left in the cell since. A select whose
 * thread was retired is not claimed (the claimer backs off, counting
 * nothing, and the select, if it runs again, finds nothing reserved), and
 * a record reserved for one is released, first in the channel, to every
 * receiver (`_select_claims.ts`); so is one whose select finds its own
 * thread retired when it comes to take it. A select's send cases are found
 * through its offer, which carries its claim (`_offer.ts`): a receiver
 * takes it only after it won the claim word, and drops it if the select's
 * thread was retired while the select owned its word (it may never run
 * again to settle it). A select whose cases do not fit in the
 * entries is found through its offer and its polls only.
 *
 * ## Blocking sends on an unbuffered channel
 *
 * A blocking send (`send`, `sendSync`, a blocked select's offer) commits
 * only to the receiver waiting in the hand-off cell, which takes the value
 * directly; otherwise it leaves an offer and completes when a receiver
 * takes it, as Go's blocked sender does. So it completes only once a
 * receiver has the value, and nobody else (the sender included) can take
 * it after. A non-blocking send that finds a plain receiver blocked under
 * the lock (`RECV_WAITING` above `COUNT`) commits its value for it: any
 * receiver may take that one first (the waiting one then waits on), which
 * Go does not allow; values are never lost or duplicated.
 *
 * ## Invariants (under the lock)
 *
 * - `COUNT <= CAPACITY + RECV_WAITING`: values beyond the capacity exist
 *   only when handed to receivers that are blocked and will take them. An
 *   unbuffered channel therefore holds a value only on its way from a sender
 *   to a waiting receiver, and `size` reports `min(COUNT, CAPACITY)`.
 * - Buffered: `OFFERED = 1` implies `COUNT >= CAPACITY + RECV_WAITING`:
 *   a sender offers only when it cannot commit, and when a receive makes
 *   room the offer is committed at once (moved into the buffer and
 *   acknowledged), as Go's `chanrecv` moves a blocked sender's value to the
 *   buffer's tail. (One exception: a select's offer that a receiver could
 *   not claim because the select was busy stays, even with room; the
 *   select, told of the room, moves its value in itself.) Unbuffered, an
 *   offer stays until a receiver takes it. Either way the offer is always
 *   the last record: no value is appended behind an offer, and a new
 *   sender never overtakes it.
 * - `RESERVED != 0` implies `COUNT = 1`, its select counted in
 *   `RECV_WAITING`, and its record the first (an offer may follow).
 * - At most one offer exists. Other blocked senders sleep on `SEND_SEQ` and
 *   retry; a sender's value is written to shared memory only once (commit
 *   or offer).
 * - `USED` never passes the ring's limit (`maxBytes`): a send whose record
 *   does not fit beside those in use neither commits nor offers; it waits
 *   on `SEND_SEQ`, which every take bumps, as when the buffer is full (a
 *   non-blocking send returns false). A record that could not fit even in
 *   an empty ring is a `RangeError` before the lock (`checkSize`). Offers
 *   are therefore only made when the buffer is full by count (or, on an
 *   unbuffered channel, no receiver waits), as before.
 * - Senders waiting for bytes are served oldest first (`_byte_waiters.ts`):
 *   such a sender takes a place, and while `BYTES_WAITING` is not 0 only
 *   the sender at the turn commits or offers; every other send (`trySend`,
 *   a select's send case, a new `send`, `sendSync` or `sendManySync`)
 *   finds the channel full and, if it blocks, takes a place behind. A
 *   blocked async sender takes its place when it blocks, after those of
 *   its object's queue, so that a queue's order is its places' order. The
 *   sender at the turn passes it on when it commits, offers, fails on
 *   close (which empties the queue), is aborted, or finds its thread retired.
 * - A send completes when its value is committed: buffered, handed to a
 *   blocked receiver (who will take it), or, for an offer, when `ACKED`
 *   reaches its ticket. `close()` drops the offer (its sender fails with
 *   `ChannelClosedError`) but keeps every committed value, which later
 *   receives drain.
 * - A sleeper increments `*_WAITING` and reads `*_SEQ` under the lock, so
 *   no wake-up is lost (see "Waking" in `_channel_words.ts`).
 */

import { ChannelClosedError, type ReceiveResult } from "../channel.ts";
import type { Codec } from "./codec.ts";
import { lock, unlock } from "./_lock.ts";
import { isRetired } from "./_retired.ts";
import { ByteRing } from "./_byte_ring.ts";
import { HandoffCell } from "./_handoff_cell.ts";
import { ChannelStore, CLOSED_RESULT, RESOLVED } from "./_channel_store.ts";
import {
  acceptOffer,
  dropOffer,
  makeOffer,
  OFFER_COMMITTED,
  OFFER_DROPPED,
  OFFER_MADE,
  OFFER_NONE,
  OFFER_PENDING,
  OFFER_TAKEN,
  OFFER_WITHDRAWN,
  type OfferOut,
  offerState,
} from "./_offer.ts";
import type { RecvWaiter, SendWaiter } from "./_channel_waiters.ts";
import {
  current,
  join,
  leave,
  mayGo,
  NO_PLACE,
  reset,
} from "./_byte_waiters.ts";
import {
  claimCase,
  CLAIMED,
  type Claims,
  OWNED,
  ownerRetired,
  POKED,
  SLOTS,
  WAITING,
} from "./_select_claims.ts";
import {
  anyLocalSelect,
  type LocalSelect,
  oldestLocalCase,
} from "./_local_selects.ts";
import {
  bump,
  BYTES_WAITING,
  CLOSED,
  COUNT,
  DRAINED,
  EMPTY,
  ENTRIES,
  ENTRIES_END,
  LOCK,
  OFFER_BYTES,
  OFFER_CLAIM,
  OFFER_CLAIM_TAG,
  OFFER_POS,
  OFFER_TICKET,
  OFFERED,
  type Raw,
  receiverWaits,
  RECV_ASYNC,
  RECV_SEQ,
  RECV_WAITING,
  RECV_WATCHERS,
  RESERVED,
  SEND_ASYNC,
  SEND_ONLY_WATCHERS,
  SEND_SEQ,
  SEND_WAITING,
  SEND_WATCHERS,
  sleepLocked,
  wake,
} from "./_channel_words.ts";

/** The byte-ring store of one channel object; see the module doc. */
export class LockedStore<T> extends ChannelStore<T> {
  readonly #ring: ByteRing;
  /** The hand-off cell, for an unbuffered fixed-size codec; else null. */
  readonly #cell: HandoffCell | null;
  /** Selects list cases here, and tag their offers. */
  readonly claimable = true;

  constructor(
    buffer: SharedArrayBuffer,
    h: Int32Array,
    codec: Codec<T>,
    capacity: number,
    claims: Claims | null,
  ) {
    super(buffer, h, codec, capacity, claims);
    // The bytes codec hands what it takes to the user: an array of its own.
    this.#ring = new ByteRing(buffer, h, this.slot, codec.name !== "bytes");
    this.#cell = capacity === 0 && this.slot !== 0
      ? new HandoffCell(buffer, h)
      : null;
  }

  size(): number {
    return Math.min(Atomics.load(this.h, COUNT), this.capacity);
  }

  checkSize(encoded: Raw): void {
    if (this.slot !== 0) return;
    const need = this.#ring.recordBytes(encoded);
    const limit = this.#ring.limit();
    if (need > limit) {
      throw new RangeError(
        `Cannot send on shared channel: the value needs ${need} bytes but ` +
          `the channel holds at most ${limit}; create it with a larger maxBytes`,
      );
    }
  }

  pollSend(value: unknown, encoded: Raw, except?: LocalSelect): boolean {
    const h = this.h;
    if (this.capacity === 0 && anyLocalSelect()) {
      if (Atomics.load(h, CLOSED) !== 0) {
        throw new ChannelClosedError("send", value);
      }
      if (this.#giveLocal(encoded, except)) return true;
    }
    lock(h, LOCK);
    try {
      if (h[CLOSED] !== 0) throw new ChannelClosedError("send", value);
      return this.#tryCommit(encoded, except?.slot ?? -1, false);
    } finally {
      unlock(h, LOCK);
    }
  }

  receiveNow(except?: LocalSelect): Raw | typeof EMPTY | typeof DRAINED {
    const h = this.h;
    let raw: Raw | typeof EMPTY | typeof DRAINED;
    lock(h, LOCK);
    try {
      // A select's poll (`except`) decodes later: it takes a copy of its own.
      raw = this.#receiveLocked(
        except?.slot ?? -1,
        0,
        except === undefined,
      );
    } finally {
      unlock(h, LOCK);
    }
    if (raw === EMPTY && this.capacity === 0 && anyLocalSelect()) {
      raw = this.#takeLocal(except);
    }
    return raw;
  }

  sendAsync(
    value: unknown,
    encoded: Raw,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const h = this.h;
    const queued = this.send.queue.length > 0;
    if (
      !queued && this.capacity === 0 && anyLocalSelect() &&
      Atomics.load(h, CLOSED) === 0 && this.#giveLocal(encoded, undefined)
    ) return RESOLVED;
    let ticket = 0;
    let offered = false;
    let place = NO_PLACE;
    let seq: number;
    lock(h, LOCK);
    try {
      if (h[CLOSED] !== 0) {
        return Promise.reject(new ChannelClosedError("send", value));
      }
      if (!queued && this.#tryCommit(encoded)) return RESOLVED;
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (
        !queued && h[OFFERED] === 0 && mayGo(h, NO_PLACE) &&
        this.#fits(encoded)
      ) {
        ticket = this.#offer(encoded);
        offered = true;
      } else if (h[BYTES_WAITING] !== 0 || !this.#fits(encoded)) {
        // In line behind the senders waiting for bytes, this object's
        // queued ones first.
        const q = this.send.queue;
        for (let i = 0; i < q.length; i++) {
          const w = q[i];
          if (!w.offered && current(h, w.place) === NO_PLACE) {
            w.place = join(h);
          }
        }
        place = join(h);
      }
      Atomics.add(h, SEND_WAITING, 1);
      Atomics.add(h, SEND_ASYNC, 1);
      if (!offered && !queued && h[OFFERED] !== 0) this.#behindOffer();
      seq = h[SEND_SEQ];
    } catch (error) {
      return Promise.reject(error);
    } finally {
      unlock(h, LOCK);
    }
    // Watched once the lock is free (see `serveReceiversFrom`).
    this.send.watch(seq);
    return this.blockSend(value, encoded, offered, ticket, signal, place);
  }

  receiveAsync(
    iteration: boolean,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const h = this.h;
    const queued = this.recv.queue.length > 0;
    let raw: Raw | typeof EMPTY | typeof DRAINED = EMPTY;
    if (!queued && this.capacity === 0 && anyLocalSelect()) {
      raw = this.receiveNow();
    }
    let watch = false;
    let seq = 0;
    lock(h, LOCK);
    try {
      if (!queued && raw === EMPTY) raw = this.#receiveLocked(-1, 0, true);
      if (raw === EMPTY && !signal?.aborted) {
        Atomics.add(h, RECV_WAITING, 1);
        Atomics.add(h, RECV_ASYNC, 1);
        receiverWaits(h);
        watch = true;
        seq = h[RECV_SEQ];
      }
    } finally {
      unlock(h, LOCK);
    }
    // Watched once the lock is free (see `serveReceiversFrom`).
    if (watch) this.recv.watch(seq);
    if (raw !== EMPTY) {
      try {
        return Promise.resolve(this.result(iteration, raw));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return this.blockReceive(iteration, signal);
  }

  sendSync(value: T, encoded: Raw): void {
    this.checkSize(encoded);
    const h = this.h;
    if (
      this.capacity === 0 && anyLocalSelect() &&
      Atomics.load(h, CLOSED) === 0 && this.#giveLocal(encoded, undefined)
    ) return;
    if (this.#cell !== null && this.#cell.send(encoded as number)) return;
    let told = false;
    let place = NO_PLACE;
    lock(h, LOCK);
    try {
      for (;;) {
        if (h[CLOSED] !== 0) throw new ChannelClosedError("send", value);
        place = current(h, place);
        if (this.#tryCommit(encoded, -1, true, place)) return;
        if (h[OFFERED] === 0 && mayGo(h, place) && this.#fits(encoded)) {
          leave(h, place);
          place = NO_PLACE;
          const ticket = this.#offer(encoded);
          Atomics.add(h, SEND_WAITING, 1);
          let state;
          while ((state = offerState(this.h, ticket)) === OFFER_PENDING) {
            sleepLocked(h, SEND_SEQ);
          }
          Atomics.sub(h, SEND_WAITING, 1);
          if (state === OFFER_DROPPED) {
            throw new ChannelClosedError("send", value);
          }
          return;
        }
        // Behind another's offer, or no room for the bytes of ours, or
        // behind the senders waiting for bytes.
        if (
          place === NO_PLACE &&
          (h[BYTES_WAITING] !== 0 || !this.#fits(encoded))
        ) place = join(h);
        Atomics.add(h, SEND_WAITING, 1);
        if (!told && h[OFFERED] !== 0) {
          told = true;
          this.#behindOffer();
        }
        if (place === NO_PLACE) sleepLocked(h, SEND_SEQ);
        else sleepLocked(h, SEND_SEQ, () => leave(h, place));
        Atomics.sub(h, SEND_WAITING, 1);
      }
    } finally {
      // Committed (the turn passes on), closed, or a codec's error.
      if (place !== NO_PLACE) leave(h, current(h, place));
      unlock(h, LOCK);
    }
  }

  recvSync(): ReceiveResult<T> {
    if (this.capacity === 0 && anyLocalSelect()) {
      const now = this.receiveNow();
      if (now === DRAINED) return CLOSED_RESULT;
      if (now !== EMPTY) return { value: this.decode(now), ok: true };
    }
    if (this.#cell !== null) {
      const v = this.#cell.receive();
      if (v !== EMPTY) return { value: v as T, ok: true };
    }
    const h = this.h;
    if (this.capacity > 0 && this.slot === 0) {
      this.#ring.awaitRecord(RECORD_SPIN);
    }
    let raw: Raw | typeof EMPTY | typeof DRAINED;
    lock(h, LOCK);
    try {
      while ((raw = this.#receiveLocked(-1, 0, true)) === EMPTY) {
        Atomics.add(h, RECV_WAITING, 1);
        receiverWaits(h);
        sleepLocked(h, RECV_SEQ);
        Atomics.sub(h, RECV_WAITING, 1);
      }
    } finally {
      unlock(h, LOCK);
    }
    return raw === DRAINED
      ? CLOSED_RESULT
      : { value: this.decode(raw), ok: true };
  }

  sendManySync(values: readonly T[], encoded: Raw[]): void {
    const h = this.h;
    const n = values.length;
    const capacity = this.capacity;
    const cell = this.#cell;
    let i = 0;
    for (;;) {
      lock(h, LOCK);
      try {
        if (h[CLOSED] !== 0) throw new ChannelClosedError("send", values[i]);
        const start = i;
        while (i < n) {
          if (cell !== null && cell.give(encoded[i] as number)) {
            i++;
          } else if (
            capacity > 0 && h[COUNT] < capacity + h[RECV_WAITING] &&
            h[OFFERED] === 0 && h[BYTES_WAITING] === 0 &&
            this.#fits(encoded[i])
          ) {
            this.#ring.append(encoded[i++]);
            h[COUNT]++;
          } else break;
        }
        if (i > start) wake(h, RECV_WAITING, RECV_SEQ);
      } finally {
        unlock(h, LOCK);
      }
      if (i === n) return;
      this.sendSync(values[i], encoded[i]);
      i++;
      if (i === n) return;
    }
  }

  recvManySync(max: number): T[] {
    const h = this.h;
    const raws: Raw[] = [];
    if (this.capacity === 0 && anyLocalSelect()) {
      const now = this.receiveNow();
      if (now === DRAINED) return [];
      if (now !== EMPTY) return [this.decode(now)];
    }
    lock(h, LOCK);
    try {
      while (this.#takeManyLocked(max, raws) === 0 && h[CLOSED] === 0) {
        Atomics.add(h, RECV_WAITING, 1);
        receiverWaits(h);
        sleepLocked(h, RECV_SEQ);
        Atomics.sub(h, RECV_WAITING, 1);
      }
    } finally {
      unlock(h, LOCK);
    }
    if (this.slot !== 0) return raws as T[];
    const out: T[] = new Array(raws.length);
    for (let i = 0; i < raws.length; i++) out[i] = this.decode(raws[i]);
    return out;
  }

  close(): void {
    const h = this.h;
    lock(h, LOCK);
    try {
      if (h[CLOSED] !== 0) throw new ChannelClosedError("close");
      Atomics.store(h, CLOSED, 1);
      if (this.#cell !== null) this.#cell.kick();
      if (h[OFFERED] !== 0) dropOffer(this.h, this.#ring);
      reset(h); // every waiting sender fails
      wake(h, RECV_WAITING, RECV_SEQ);
      wake(h, SEND_WAITING, SEND_SEQ);
    } finally {
      unlock(h, LOCK);
    }
  }

  // Select. ------------------------------------------------------------------

  looksReady(send: boolean, ticket: number | undefined): boolean {
    const h = this.h;
    if (Atomics.load(h, CLOSED) !== 0) return true;
    const cell = this.#cell;
    if (cell !== null && (send ? cell.hasReceiver() : cell.hasLeft())) {
      return true;
    }
    const count = Atomics.load(h, COUNT);
    if (send) {
      return count < this.capacity + Atomics.load(h, RECV_WAITING) &&
        Atomics.load(h, BYTES_WAITING) === 0;
    }
    // A record reserved for a select is not for this one.
    if (count > (Atomics.load(h, RESERVED) !== 0 ? 1 : 0)) return true;
    if (Atomics.load(h, OFFERED) === 0) return false;
    return ticket === undefined || Atomics.load(h, OFFER_TICKET) !== ticket;
  }

  watchSelect(
    send: boolean,
    delta: number,
    sendOnly: boolean,
    entry: number,
    tag: number,
  ): number {
    const h = this.h;
    let listed = -1;
    lock(h, LOCK);
    try {
      if (delta > 0) {
        if (entry >= 0 && this.capacity === 0) listed = this.#list(entry, tag);
      } else if (entry >= 0) {
        h[entry] = 0;
      }
      Atomics.add(h, send ? SEND_WATCHERS : RECV_WATCHERS, delta);
      // A select that may receive: selects that send here may offer now.
      if (!send && delta > 0) receiverWaits(h);
      if (sendOnly) {
        Atomics.add(h, SEND_ONLY_WATCHERS, delta);
        // A select that sends and receives here may have to make way.
        if (delta > 0 && h[RECV_WATCHERS] > 0) bump(h, SEND_SEQ);
      }
    } finally {
      unlock(h, LOCK);
    }
    return listed;
  }

  /** Lists a select's case in a free entry: its position, or -1 if none is free. */
  #list(slot: number, tag: number): number {
    const h = this.h;
    for (let e = ENTRIES; e < ENTRIES_END; e += 2) {
      if (h[e] === 0) {
        h[e + 1] = tag;
        h[e] = slot + 1;
        return e;
      }
    }
    return -1;
  }

  arm(_send: boolean): boolean {
    return true;
  }

  selectOffer(encoded: Raw, out: OfferOut, slot: number, tag: number): number {
    const h = this.h;
    lock(h, LOCK);
    try {
      if (h[CLOSED] !== 0) return OFFER_NONE;
      if (this.#tryCommit(encoded, slot)) return OFFER_COMMITTED;
      if (
        h[OFFERED] !== 0 || h[BYTES_WAITING] !== 0 || !this.#fits(encoded)
      ) return OFFER_NONE;
      out.seqBefore = h[RECV_SEQ];
      out.ticket = this.#offer(encoded, slot + 1, tag);
      out.seqAfter = h[RECV_SEQ];
      return OFFER_MADE;
    } finally {
      unlock(h, LOCK);
    }
  }

  offerState(ticket: number): number {
    const h = this.h;
    lock(h, LOCK);
    try {
      return offerState(this.h, ticket);
    } finally {
      unlock(h, LOCK);
    }
  }

  withdraw(ticket: number, wakeSenders: boolean): number {
    const h = this.h;
    lock(h, LOCK);
    try {
      const state = offerState(this.h, ticket);
      if (state !== OFFER_PENDING) return state;
      dropOffer(this.h, this.#ring);
      if (wakeSenders) wake(h, SEND_WAITING, SEND_SEQ);
      return OFFER_WITHDRAWN;
    } finally {
      unlock(h, LOCK);
    }
  }

  announce(): void {
    const h = this.h;
    lock(h, LOCK);
    try {
      wake(h, RECV_WAITING, RECV_SEQ);
    } finally {
      unlock(h, LOCK);
    }
  }

  claimedReceive(
    slot: number,
    gen: number,
  ): Raw | typeof EMPTY | typeof DRAINED {
    const h = this.h;
    const mine = reservation(slot, gen);
    lock(h, LOCK);
    try {
      // No record reserved for it: the claimer backed off (the select's
      // thread was retired), or a receiver released it (likewise). Then
      // the select was never counted in RECV_WAITING, or is no longer.
      if (h[RESERVED] !== mine) return EMPTY;
      // Retired since (a signal's abort, a peer on its thread): leave it.
      if (isRetired()) {
        this.#unreserve();
        return EMPTY;
      }
      Atomics.sub(h, RECV_WAITING, 1);
      return this.#receiveLocked(slot, mine);
    } finally {
      unlock(h, LOCK);
    }
  }

  override releaseReserved(slot: number, gen: number): void {
    const h = this.h;
    lock(h, LOCK);
    try {
      if (h[RESERVED] === reservation(slot, gen)) this.#unreserve();
    } finally {
      unlock(h, LOCK);
    }
  }

  /**
   * Undoes the reservation of the first record, whose select is gone (its
   * thread retired): the value stays first in the channel, for any
   * receiver, and the select is no longer counted as waiting.
   */
  #unreserve(): void {
    const h = this.h;
    h[RESERVED] = 0;
    Atomics.sub(h, RECV_WAITING, 1);
    wake(h, RECV_WAITING, RECV_SEQ);
  }

  // Blocked async operations. ----------------------------------------------

  serveReceiversFrom(q: RecvWaiter[], served: unknown[]): number {
    const h = this.h;
    let n = 0;
    let seq: number;
    lock(h, LOCK);
    try {
      for (; n < q.length; n++) {
        Atomics.sub(h, RECV_WAITING, 1);
        const raw = this.#receiveLocked();
        if (raw === EMPTY) {
          Atomics.add(h, RECV_WAITING, 1);
          break;
        }
        served.push(q[n], raw);
      }
      Atomics.sub(h, RECV_ASYNC, n);
      seq = h[RECV_SEQ];
    } finally {
      unlock(h, LOCK);
    }
    // The wait on the word is registered once the lock is free: it starts
    // this thread's poll (`_futex.ts`), which would hold the lock that long
    // and keep the thread that wakes us waiting for it. The word read under
    // the lock tells the wait whether a wake-up came meanwhile.
    if (n < q.length) this.recv.watch(seq);
    return n;
  }

  serveSendersFrom(q: SendWaiter[], served: unknown[]): number {
    const h = this.h;
    let n = 0;
    let seq: number;
    lock(h, LOCK);
    try {
      for (; n < q.length; n++) {
        const w = q[n];
        let error: unknown = null;
        if (w.offered) {
          const state = offerState(this.h, w.ticket);
          if (state === OFFER_PENDING) break;
          if (state === OFFER_DROPPED) {
            error = new ChannelClosedError("send", w.value);
          }
        } else if (h[CLOSED] !== 0) {
          error = new ChannelClosedError("send", w.value);
        } else {
          w.place = current(h, w.place);
          let committed: boolean;
          try {
            committed = this.#tryCommit(w.encoded, -1, true, w.place);
          } catch (e) {
            committed = true;
            error = e;
          }
          if (!committed) {
            if (
              h[OFFERED] === 0 && mayGo(h, w.place) && this.#fits(w.encoded)
            ) {
              leave(h, w.place);
              w.place = NO_PLACE;
              try {
                w.ticket = this.#offer(w.encoded);
                w.offered = true;
              } catch (e) {
                Atomics.sub(h, SEND_WAITING, 1);
                Atomics.sub(h, SEND_ASYNC, 1);
                served.push(w, e);
                n++;
              }
            } else if (
              w.place === NO_PLACE &&
              (h[BYTES_WAITING] !== 0 || !this.#fits(w.encoded))
            ) w.place = join(h);
            break;
          }
          leave(h, w.place);
          w.place = NO_PLACE;
        }
        Atomics.sub(h, SEND_WAITING, 1);
        Atomics.sub(h, SEND_ASYNC, 1);
        served.push(w, error);
      }
      seq = h[SEND_SEQ];
    } finally {
      unlock(h, LOCK);
    }
    // Watched once the lock is free (see `serveReceiversFrom`).
    if (n < q.length) this.send.watch(seq);
    return n;
  }

  abortedReceive(): Raw | typeof EMPTY | typeof DRAINED {
    const h = this.h;
    let raw: Raw | typeof EMPTY | typeof DRAINED = EMPTY;
    lock(h, LOCK);
    try {
      Atomics.sub(h, RECV_WAITING, 1);
      Atomics.sub(h, RECV_ASYNC, 1);
      // A sender may have handed a value on the strength of this receiver
      // waiting; if the others cannot cover it, completion wins the race.
      if (h[COUNT] > this.capacity + h[RECV_WAITING]) {
        raw = this.#receiveLocked();
      }
    } finally {
      unlock(h, LOCK);
    }
    return raw;
  }

  abortedSend(w: SendWaiter): unknown {
    const h = this.h;
    let error: unknown = w.signal!.reason;
    lock(h, LOCK);
    try {
      Atomics.sub(h, SEND_WAITING, 1);
      Atomics.sub(h, SEND_ASYNC, 1);
      // A place in the line for bytes passes on (or is marked left).
      leave(h, w.place);
      w.place = NO_PLACE;
      if (w.offered) {
        const state = offerState(this.h, w.ticket);
        if (state === OFFER_PENDING) {
          dropOffer(this.h, this.#ring);
          wake(h, SEND_WAITING, SEND_SEQ);
        } else {
          // Taken or dropped before the abort: that outcome stands.
          error = state === OFFER_TAKEN
            ? null
            : new ChannelClosedError("send", w.value);
        }
      }
    } finally {
      unlock(h, LOCK);
    }
    return error;
  }

  override retiredSenders(q: SendWaiter[]): void {
    const h = this.h;
    lock(h, LOCK);
    try {
      for (const w of q) {
        leave(h, w.place);
        w.place = NO_PLACE;
      }
    } finally {
      unlock(h, LOCK);
    }
  }

  // Selects blocked on this thread (`_local_selects.ts`), without the lock. --

  /**
   * Hands `encoded` to a select of this thread blocked receiving here (not
   * `except`), if it came before this object's queued receivers: true if
   * one took it. The caller has checked that the channel is open.
   */
  #giveLocal(encoded: Raw, except: LocalSelect | undefined): boolean {
    const q = this.recv.queue;
    const before = q.length > 0 ? q[0].stamp : Infinity;
    for (;;) {
      const c = oldestLocalCase(this.id, this.buffer, false, before, except);
      if (c === undefined) return false;
      // A select that cannot commit has finished, and left the list.
      if (c.select.claimReceive(c.index, encoded)) return true;
    }
  }

  /**
   * Takes the value of a select of this thread blocked sending here (not
   * `except`); EMPTY if there is none. (Offers in the ring come first.)
   */
  #takeLocal(except: LocalSelect | undefined): Raw | typeof EMPTY {
    for (;;) {
      const c = oldestLocalCase(this.id, this.buffer, true, Infinity, except);
      if (c === undefined) return EMPTY;
      const raw = c.select.claimSend(c.index);
      if (raw !== null) return raw;
    }
  }

  // Under the lock. ----------------------------------------------------------

  /**
   * Commits the value if a receiver waits for it (in the cell, counted in
   * `RECV_WAITING`, or a select listed here that it claims, not the one in
   * `exceptSlot`) or the buffer has room; false if the send must wait:
   * also when its record does not fit beside those in the ring (`#fits`).
   *
   * On an unbuffered channel a `blocking` send (every send but `trySend`
   * and a select's poll) commits only to the receiver in the cell, which
   * takes it directly: a receiver blocked under the lock, or a select,
   * takes it as an offer, so that the send completes only once that
   * receiver has it, as in Go (see the module doc).
   */
  #tryCommit(
    encoded: Raw,
    exceptSlot = -1,
    blocking = true,
    place = NO_PLACE,
  ): boolean {
    const h = this.h;
    if (this.#cell !== null && this.#cell.give(encoded as number)) return true;
    if (blocking && this.capacity === 0) return false;
    // Senders wait for bytes: only the one whose turn it is may go.
    if (!mayGo(h, place)) return false;
    if (!this.#fits(encoded)) return false;
    // Never behind an offer (a busy select's may stay while there is room).
    // Nor behind a record reserved for a select, which no one else takes.
    if (
      (h[COUNT] >= this.capacity + h[RECV_WAITING] || h[OFFERED] !== 0 ||
        h[RESERVED] !== 0) &&
      !this.#claimReceiver(exceptSlot)
    ) return false;
    this.#ring.append(encoded);
    h[COUNT]++;
    this.#wakeLocked(RECV_WAITING, RECV_WATCHERS, RECV_SEQ);
    return true;
  }

  /**
   * Whether the record of `encoded` fits beside those in the ring, grown as
   * far as `maxBytes` lets it. A send whose record does not waits for
   * receivers to free bytes, as for a full buffer (a `trySend` returns
   * false), and makes no offer: Go blocks a send until there is room, and
   * `checkSize` has refused, before the lock, a record that could never
   * fit even in an empty ring.
   */
  #fits(encoded: Raw): boolean {
    const ring = this.#ring;
    return ring.fits(ring.recordBytes(encoded));
  }

  /**
   * `wake` (`_channel_words.ts`) under the lock, for this store's hot
   * paths: every change to a byte ring's `*_WAITING` and `*_WATCHERS` words
   * is made under the lock, so plain reads see them (an `Atomics.load`
   * costs about 15 ns here; there are two per wake).
   */
  #wakeLocked(waiting: number, watchers: number, seq: number): void {
    const h = this.h;
    if (h[waiting] !== 0 || h[watchers] !== 0) bump(h, seq);
  }

  /**
   * Claims a select listed here to receive (not the one in `exceptSlot`),
   * counting it in `RECV_WAITING` and reserving the record the caller
   * appends for it (`RESERVED`): true if one was claimed. Only on an
   * unbuffered channel with no record and no offer, so that the reserved
   * record is the first and the only one.
   */
  #claimReceiver(exceptSlot: number): boolean {
    const h = this.h;
    const claims = this.claims;
    // Nor while the cell holds a value a retired receiver left: that one
    // is the channel's first, for the next receiver, the select included.
    if (
      claims === null || this.capacity !== 0 || h[RECV_WATCHERS] === 0 ||
      h[OFFERED] !== 0 || h[COUNT] !== 0 ||
      (this.#cell !== null && this.#cell.hasLeft())
    ) return false;
    for (let e = ENTRIES; e < ENTRIES_END; e += 2) {
      const slot = h[e] - 1;
      if (slot < 0 || slot === exceptSlot) continue;
      const tag = h[e + 1];
      if ((tag & 1) !== 0) continue;
      const gen = tag >>> 16;
      if (claimCase(claims.words, slot, gen, (tag & 0xffff) >>> 1)) {
        // A select whose thread was retired first will never take it. Its
        // word stays claimed: were it to run again, `claimedReceive` finds
        // nothing reserved for it, and it was never counted.
        if (ownerRetired(claims.words, slot)) continue;
        Atomics.add(h, RECV_WAITING, 1);
        h[RESERVED] = reservation(slot, gen);
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the offer may be taken: a plain sender's, or a select's whose
   * claim word this receiver won for the offering case (never the select
   * in `exceptSlot`'s own). A select's offer it cannot claim stays while
   * the select runs (`OWNED`): the select reads its offer's fate by ticket,
   * and would take a later offer's acknowledgement for its own. The
   * receiver marks it `POKED`, so that the select wakes this channel's
   * receivers when it waits again. If the
   * select was claimed by another case, or is gone, the offer is dead, and
   * is dropped here, the senders woken (the select ignores it).
   */
  #offerLive(exceptSlot: number): boolean {
    const h = this.h;
    const slot = h[OFFER_CLAIM] - 1;
    if (slot < 0) return true;
    if (slot === exceptSlot || this.claims === null) return false;
    const tag = h[OFFER_CLAIM_TAG];
    const gen = tag >>> 16;
    const words = this.claims.words;
    const waiting = (gen << 16) | WAITING;
    const owned = (gen << 16) | OWNED;
    for (;;) {
      const was = Atomics.compareExchange(
        words,
        SLOTS + slot,
        waiting,
        (gen << 16) | (CLAIMED + (tag & 0xffff)),
      );
      if (was === waiting) {
        h[OFFER_CLAIM] = 0;
        return true;
      }
      if (was !== owned && was !== ((gen << 16) | POKED)) break;
      // A retired thread's select may never run again to settle it (it
      // withdraws it if it does): the offer is dead.
      if (ownerRetired(words, slot)) break;
      if (was !== owned) return false;
      // Busy: ask it to wake us once it waits again.
      const poked = (gen << 16) | POKED;
      if (
        Atomics.compareExchange(words, SLOTS + slot, owned, poked) === owned
      ) {
        return false;
      }
    }
    dropOffer(h, this.#ring);
    wake(h, SEND_WAITING, SEND_SEQ);
    return false;
  }

  /**
   * Go's chanrecv with block = false: a raw value, EMPTY or DRAINED. The
   * select in `exceptSlot` does not take its own offer; `reservedFor`, the
   * `RESERVED` word of a select (see `reservation`), takes the record
   * reserved for it, before a value left in the cell (which is the next
   * receiver's: it came first, but the reserved record is this select's
   * alone, and nobody else would take it). With `transient`, an
   * encoding is a view of this thread's scratch space (`ByteRing.take`),
   * for a caller that decodes it before it returns.
   */
  #receiveLocked(
    exceptSlot = -1,
    reservedFor = 0,
    transient = false,
  ): Raw | typeof EMPTY | typeof DRAINED {
    const h = this.h;
    const reserved = h[RESERVED];
    if (
      this.#cell !== null && (reservedFor === 0 || reserved !== reservedFor)
    ) {
      const fromCell = this.#cell.takeLeft();
      if (fromCell !== EMPTY) return fromCell;
    }
    const count = h[COUNT];
    if (reserved !== 0) {
      const slot = (reserved & SLOT_MASK) - 1;
      if (reserved === reservedFor) {
        h[RESERVED] = 0;
      } else if (
        this.claims !== null && ownerRetired(this.claims.words, slot)
      ) {
        this.#unreserve();
      } else {
        // The first record is another select's: only an offer behind it
        // may be taken, by any receiver, as from a blocked sender.
        if (h[OFFERED] !== 0 && this.#offerLive(exceptSlot)) {
          const raw = this.#ring.takeLast(h[OFFER_POS], h[OFFER_BYTES]);
          acceptOffer(h);
          wake(h, SEND_WAITING, SEND_SEQ);
          return raw;
        }
        return h[CLOSED] !== 0 ? DRAINED : EMPTY;
      }
    }
    if (count > 0) {
      const raw = this.#ring.take(transient);
      h[COUNT] = count - 1;
      if (h[OFFERED] !== 0) {
        // (Unbuffered: the offer stays, for a receiver to take itself.)
        if (
          this.capacity > 0 && count - 1 < this.capacity + h[RECV_WAITING]
        ) {
          // Room in the buffer: the blocked sender's offer moves in; a
          // busy select's stays, and the select is told there is room.
          if (this.#offerLive(exceptSlot)) {
            acceptOffer(h);
            h[COUNT] = count;
          }
          wake(h, SEND_WAITING, SEND_SEQ);
        }
      } else {
        this.#wakeLocked(SEND_WAITING, SEND_WATCHERS, SEND_SEQ);
      }
      return raw;
    }
    if (h[OFFERED] !== 0 && this.#offerLive(exceptSlot)) {
      const raw = this.#ring.take(transient);
      acceptOffer(h);
      wake(h, SEND_WAITING, SEND_SEQ);
      return raw;
    }
    return h[CLOSED] !== 0 ? DRAINED : EMPTY;
  }

  /**
   * Takes up to `max` records into `out`, as that many receives would,
   * with one wake-up for senders; how many it took.
   */
  #takeManyLocked(max: number, out: Raw[]): number {
    const h = this.h;
    if (this.capacity === 0) {
      // Unbuffered: one value at a time, whatever the reservations.
      const raw = this.#receiveLocked();
      if (raw === EMPTY || raw === DRAINED) return 0;
      out.push(raw);
      return 1;
    }
    let n = 0;
    while (n < max) {
      const count = h[COUNT];
      if (count > 0) {
        out.push(this.#ring.take());
        h[COUNT] = count - 1;
      } else if (h[OFFERED] !== 0 && this.#offerLive(-1)) {
        out.push(this.#ring.take());
        acceptOffer(h);
      } else break;
      n++;
    }
    if (n === 0) return 0;
    if (
      this.capacity > 0 && h[OFFERED] !== 0 &&
      h[COUNT] < this.capacity + h[RECV_WAITING] && this.#offerLive(-1)
    ) {
      // Room in the buffer: the blocked sender's offer moves in.
      acceptOffer(h);
      h[COUNT]++;
    }
    wake(h, SEND_WAITING, SEND_SEQ);
    return n;
  }

  /**
   * A sender (counted in `SEND_WAITING`) waits behind another's offer: if
   * selects watch both sides, tells them, once per wait. The offer may be a
   * select's that also receives here: it withdraws it, so that this sender
   * offers and the select's receive case takes the value (`_select.ts`).
   */
  #behindOffer(): void {
    const h = this.h;
    if (
      Atomics.load(h, RECV_WATCHERS) > 0 && Atomics.load(h, SEND_WATCHERS) > 0
    ) bump(h, SEND_SEQ);
  }

  /**
   * Appends a blocked sender's offer and wakes receivers; its ticket. A
   * select's carries its claim (`claim`, `tag`: see `makeOffer`).
   */
  #offer(encoded: Raw, claim = 0, tag = 0): number {
    const h = this.h;
    const ticket = makeOffer(h, this.#ring, encoded, claim, tag);
    wake(h, RECV_WAITING, RECV_SEQ);
    // After OFFERED is set: a recvSync in the cell looks at OFFERED after
    // it claims the cell, so one of the two sees the other.
    if (this.#cell !== null) this.#cell.kick();
    return ticket;
  }
}

/** The slot bits of `RESERVED`. */
const SLOT_MASK = 0x1fff;

/**
 * The `RESERVED` word of the select in `slot` at generation `gen` (15
 * bits, `_select_claims.ts`): a record reserved for a select that has
 * finished is not taken by the slot's next select.
 */
function reservation(slot: number, gen: number): number {
  return ((gen & 0x7fff) << 13) | (slot + 1);
}

/**
 * Polls of `ByteRing.awaitRecord` before a buffered channel's `recvSync`
 * takes the lock: a few microseconds. A receiver a little ahead of its
 * sender then finds the value without counting itself in `RECV_WAITING`,
 * which would make every send bump `RECV_SEQ` and the receiver take the
 * lock twice; a receiver not yet counted changes nothing for a sender:
 * with the buffer empty, a send commits into it anyway.
 */
const RECORD_SPIN = 512;
