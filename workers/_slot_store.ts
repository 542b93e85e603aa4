// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * {@linkcode SlotStore}: a buffered `SharedChannel` of a fixed-size codec
 * (`int32`, `float64`) with a capacity up to 2^20, its values in the
 * lock-free slot ring of `_slot_ring.ts`, so a producer and a consumer on
 * two threads do not take turns on the lock.
 *
 * | header word | name | meaning |
 * | --- | --- | --- |
 * | 22 | `SLOT_RING` | the ring's bytes per slot (non-zero: this store) (read-only) |
 * | 64 | `RING_TAIL` | the producers' ticket word (atomic) |
 * | 80 | `RING_HEAD` | the consumers' ticket word (atomic) |
 *
 * The slots' turn words and values are laid out in `_slot_ring.ts`. The
 * byte-ring words (`COUNT`, `OFFERED`, ...) stay 0; the lock (word 0)
 * serves only `close` and the counting of selects.
 *
 * ## Invariants
 *
 * - Puts and takes take no lock and read no waiter counts: reading two
 *   counts on every put and take cost a producer-consumer pair about a
 *   quarter of its time. Instead a waiter counts itself in `*_WAITING`
 *   (and `*_ASYNC`, or a select in `*_WATCHERS`) for `close` and `notify`,
 *   reads `*_SEQ`, then marks the slot it waits for in the ring's turn word
 *   and sleeps on the value it read. The put or take that next changes that
 *   slot swaps the mark out with the new turn and bumps `*_SEQ`; a mark
 *   that comes too late fails its compare-and-swap, and the waiter looks
 *   again instead of sleeping.
 * - The ring holds no offers: a sender (or a select's send case) on a full
 *   ring waits for room. `close` sets the ring's closed bit, so no value
 *   enters after it, and receivers drain what is there.
 */

import { ChannelClosedError, type ReceiveResult } from "../channel.ts";
import type { Codec } from "./codec.ts";
import { lock, unlock } from "./_lock.ts";
import {
  PUT_CLOSED,
  PUT_FULL,
  PUT_OK,
  RING_DRAINED,
  RING_EMPTY,
  SlotRing,
  WAKE_RECEIVERS,
  WAKE_SENDERS,
} from "./_slot_ring.ts";
import type { Claims } from "./_select_claims.ts";
import { ChannelStore, CLOSED_RESULT, RESOLVED } from "./_channel_store.ts";
import { OFFER_COMMITTED, OFFER_NONE, type OfferOut } from "./_offer.ts";
import type { RecvWaiter, SendWaiter } from "./_channel_waiters.ts";
import {
  bump,
  CLOSED,
  DATA,
  DRAINED,
  EMPTY,
  LOCK,
  type Raw,
  RECV_ASYNC,
  RECV_SEQ,
  RECV_WAITING,
  RECV_WATCHERS,
  RING_HEAD,
  RING_TAIL,
  SEND_ASYNC,
  SEND_SEQ,
  SEND_WAITING,
  SEND_WATCHERS,
  sleep,
  SLOT_RING,
  wake,
} from "./_channel_words.ts";

/** The slot-ring store of one channel object; see the module doc. */
export class SlotStore<T> extends ChannelStore<T> {
  readonly #ring: SlotRing;
  /** Buffered: no select lists a case here, nor offers. */
  readonly claimable = false;

  constructor(
    buffer: SharedArrayBuffer,
    h: Int32Array,
    codec: Codec<T>,
    capacity: number,
    claims: Claims | null,
  ) {
    super(buffer, h, codec, capacity, claims);
    this.#ring = new SlotRing(
      h,
      RING_TAIL,
      RING_HEAD,
      buffer,
      DATA,
      capacity,
      this.slot as 4 | 8,
      h[SLOT_RING],
    );
  }

  size(): number {
    return this.#ring.size();
  }

  checkSize(_encoded: Raw): void {
    // A slot holds any value of the codec.
  }

  pollSend(value: unknown, encoded: Raw): boolean {
    const ring = this.#ring;
    const put = ring.put(encoded as number);
    if (put === PUT_CLOSED) throw new ChannelClosedError("send", value);
    if (put !== PUT_OK) return false;
    this.#wakeMarked(ring.woke);
    return true;
  }

  /** Takes from the ring, waking senders if it took a value. */
  receiveNow(): Raw | typeof EMPTY | typeof DRAINED {
    const ring = this.#ring;
    const v = ring.take();
    if (v === RING_EMPTY) return EMPTY;
    if (v === RING_DRAINED) return DRAINED;
    this.#wakeMarked(ring.woke);
    return v;
  }

  sendAsync(
    value: unknown,
    encoded: Raw,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const h = this.h;
    const ring = this.#ring;
    const put = this.send.queue.length > 0
      ? Atomics.load(h, CLOSED) !== 0 ? PUT_CLOSED : PUT_FULL
      : ring.put(encoded as number);
    if (put === PUT_OK) {
      this.#wakeMarked(ring.woke);
      return RESOLVED;
    }
    if (put === PUT_CLOSED) {
      return Promise.reject(new ChannelClosedError("send", value));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    Atomics.add(h, SEND_WAITING, 1);
    Atomics.add(h, SEND_ASYNC, 1);
    const blocked = this.blockSend(value, encoded, false, 0, signal);
    this.#rewatch(false);
    return blocked;
  }

  receiveAsync(
    iteration: boolean,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const h = this.h;
    const raw = this.recv.queue.length > 0 ? EMPTY : this.receiveNow();
    if (raw !== EMPTY) {
      try {
        return Promise.resolve(this.result(iteration, raw));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    Atomics.add(h, RECV_WAITING, 1);
    Atomics.add(h, RECV_ASYNC, 1);
    const blocked = this.blockReceive(iteration, signal);
    this.#rewatch(true);
    return blocked;
  }

  sendSync(value: T, encoded: Raw): void {
    const ring = this.#ring;
    const h = this.h;
    let put = ring.put(encoded as number);
    if (put === PUT_FULL) {
      Atomics.add(h, SEND_WAITING, 1);
      try {
        for (;;) {
          const seq = Atomics.load(h, SEND_SEQ);
          put = ring.put(encoded as number);
          if (put !== PUT_FULL) break;
          if (ring.markPut()) sleep(h, SEND_SEQ, seq);
        }
      } finally {
        Atomics.sub(h, SEND_WAITING, 1);
      }
    }
    if (put === PUT_CLOSED) throw new ChannelClosedError("send", value);
    this.#wakeMarked(ring.woke);
  }

  recvSync(): ReceiveResult<T> {
    const ring = this.#ring;
    const h = this.h;
    let v = ring.take();
    if (v === RING_EMPTY) {
      Atomics.add(h, RECV_WAITING, 1);
      try {
        for (;;) {
          const seq = Atomics.load(h, RECV_SEQ);
          v = ring.take();
          if (v !== RING_EMPTY) break;
          if (ring.markTake()) sleep(h, RECV_SEQ, seq);
        }
      } finally {
        Atomics.sub(h, RECV_WAITING, 1);
      }
    }
    if (v === RING_DRAINED) return CLOSED_RESULT;
    this.#wakeMarked(ring.woke);
    return { value: v as T, ok: true };
  }

  sendManySync(values: readonly T[], encoded: Raw[]): void {
    const ring = this.#ring;
    const numbers = encoded as number[];
    const n = values.length;
    let i = 0;
    while (i < n) {
      const k = ring.putRun(numbers, i, n - i);
      if (k > 0) {
        this.#wakeMarked(ring.woke);
        i += k;
      } else {
        // Full or closed: wait for room as a single send does, or throw.
        this.sendSync(values[i], numbers[i]);
        i++;
      }
    }
  }

  recvManySync(max: number): T[] {
    const ring = this.#ring;
    const out: number[] = [];
    if (ring.takeRun(max, out) === 0) {
      // Empty or drained: wait as a single receive does.
      const r = this.recvSync();
      if (!r.ok) return out as T[];
      out.push(r.value as number);
      if (max === 1 || ring.takeRun(max - 1, out) === 0) return out as T[];
    }
    this.#wakeMarked(ring.woke);
    return out as T[];
  }

  close(): void {
    const h = this.h;
    lock(h, LOCK);
    try {
      if (h[CLOSED] !== 0) throw new ChannelClosedError("close");
      Atomics.store(h, CLOSED, 1);
      this.#ring.close();
      wake(h, RECV_WAITING, RECV_SEQ);
      wake(h, SEND_WAITING, SEND_SEQ);
    } finally {
      unlock(h, LOCK);
    }
  }

  // Select. ------------------------------------------------------------------

  looksReady(send: boolean, _ticket: number | undefined): boolean {
    if (Atomics.load(this.h, CLOSED) !== 0) return true;
    return send ? this.#ring.canPut() : this.#ring.canTake();
  }

  watchSelect(
    send: boolean,
    delta: number,
    _sendOnly: boolean,
    _entry: number,
    _tag: number,
  ): number {
    const h = this.h;
    lock(h, LOCK);
    try {
      Atomics.add(h, send ? SEND_WATCHERS : RECV_WATCHERS, delta);
    } finally {
      unlock(h, LOCK);
    }
    return -1;
  }

  arm(send: boolean): boolean {
    return send ? this.#ring.markPut() : this.#ring.markTake();
  }

  selectOffer(
    encoded: Raw,
    _out: OfferOut,
    _slot: number,
    _tag: number,
  ): number {
    // A slot ring never holds offers: a full one has no room to wait in.
    const ring = this.#ring;
    if (ring.put(encoded as number) !== PUT_OK) return OFFER_NONE;
    this.#wakeMarked(ring.woke);
    return OFFER_COMMITTED;
  }

  offerState(_ticket: number): number {
    throw new Error("unreachable: a slot ring holds no offers");
  }

  withdraw(_ticket: number, _wake: boolean): number {
    throw new Error("unreachable: a slot ring holds no offers");
  }

  announce(): void {
    throw new Error("unreachable: a slot ring holds no offers");
  }

  claimedReceive(
    _slot: number,
    _gen: number,
  ): Raw | typeof EMPTY | typeof DRAINED {
    throw new Error("unreachable: no select lists a case on a slot ring");
  }

  // Blocked async operations. ----------------------------------------------

  serveReceiversFrom(q: RecvWaiter[], served: unknown[]): number {
    const h = this.h;
    let n = 0;
    for (; n < q.length; n++) {
      const raw = this.receiveNow();
      if (raw === EMPTY) break;
      served.push(q[n], raw);
    }
    Atomics.sub(h, RECV_WAITING, n);
    Atomics.sub(h, RECV_ASYNC, n);
    if (n < q.length) this.#rewatch(true);
    return n;
  }

  serveSendersFrom(q: SendWaiter[], served: unknown[]): number {
    const h = this.h;
    const ring = this.#ring;
    let n = 0;
    for (; n < q.length; n++) {
      const w = q[n];
      const put = ring.put(w.encoded as number);
      if (put === PUT_OK) this.#wakeMarked(ring.woke);
      else if (put !== PUT_CLOSED) break;
      served.push(
        w,
        put === PUT_OK ? null : new ChannelClosedError("send", w.value),
      );
    }
    Atomics.sub(h, SEND_WAITING, n);
    Atomics.sub(h, SEND_ASYNC, n);
    if (n < q.length) this.#rewatch(false);
    return n;
  }

  abortedReceive(): typeof EMPTY {
    Atomics.sub(this.h, RECV_WAITING, 1);
    Atomics.sub(this.h, RECV_ASYNC, 1);
    return EMPTY;
  }

  abortedSend(w: SendWaiter): unknown {
    Atomics.sub(this.h, SEND_WAITING, 1);
    Atomics.sub(this.h, SEND_ASYNC, 1);
    return w.signal!.reason;
  }

  // Waking. ------------------------------------------------------------------

  /**
   * Wakes the sides whose marks a put or take cleared (the ring's `woke`);
   * nothing if it cleared none.
   */
  #wakeMarked(woke: number): void {
    if ((woke & WAKE_RECEIVERS) !== 0) bump(this.h, RECV_SEQ);
    if ((woke & WAKE_SENDERS) !== 0) bump(this.h, SEND_SEQ);
  }

  /**
   * Waits again for this object's still-blocked receivers (or senders): at
   * once, if the ring already changed for them; else when the futex word
   * moves from the value it has before the mark.
   */
  #rewatch(recv: boolean): void {
    const h = this.h;
    const ring = this.#ring;
    const seq = Atomics.load(h, recv ? RECV_SEQ : SEND_SEQ);
    const side = recv ? this.recv : this.send;
    if (!(recv ? ring.markTake() : ring.markPut())) side.poke();
    else side.watch(seq);
  }
}
