// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * {@linkcode ChannelStore}: what a `SharedChannel` object does with
 * its buffer, whichever store holds the values. A channel picks one store
 * in its constructor and keeps it:
 *
 * - `SlotStore` (`_slot_store.ts`): a buffered channel of a
 *   fixed-size codec, its values in the lock-free slot ring;
 * - `LockedStore` (`_locked_store.ts`): every other channel, its
 *   values in the byte ring under the channel lock, with the hand-off cell
 *   (`_handoff_cell.ts`) in front for an unbuffered fixed-size codec.
 *
 * Both have the same methods, so a channel's calls stay monomorphic per
 * channel. This base class holds what they share: the header, the codec,
 * and this thread's queues of blocked async operations
 * (`_channel_waiters.ts`), which it serves, settles and aborts, asking the
 * store for the store-specific step.
 */

import type { ReceiveResult } from "../channel.ts";
import { outsideWaitEnded, outsideWaitStarted } from "../_parking.ts";
import { noteWait } from "../_wait_notes.ts";
import type { Codec } from "./codec.ts";
import { lock, unlock } from "./_lock.ts";
import {
  DRAINED,
  EMPTY,
  ID,
  LOCK,
  type Raw,
  RECV_SEQ,
  RECV_WAITING,
  RECV_WATCHERS,
  SEND_ONLY_WATCHERS,
  SEND_SEQ,
  SEND_WAITING,
  wake,
} from "./_channel_words.ts";
import {
  Blocked,
  type RecvWaiter,
  type SendWaiter,
} from "./_channel_waiters.ts";
import type { OfferOut } from "./_offer.ts";
import { isRetired, parkAsync } from "./_retired.ts";
import { type LocalSelect, nextStamp } from "./_local_selects.ts";
import type { Claims } from "./_select_claims.ts";

export const CLOSED_RESULT: ReceiveResult<never> = Object.freeze({
  value: undefined,
  ok: false,
});
export const DONE: IteratorReturnResult<undefined> = Object.freeze({
  value: undefined,
  done: true,
});
export const RESOLVED: Promise<void> = Promise.resolve();

/** The shared part of both stores; see the module doc. */
export abstract class ChannelStore<T> {
  readonly buffer: SharedArrayBuffer;
  /** The header words. */
  readonly h: Int32Array;
  readonly codec: Codec<T>;
  /** The codec's slot size: 4 or 8 for a fixed-size codec, else 0. */
  readonly slot: number;
  readonly capacity: number;
  /** The channel's `ID` word. */
  readonly id: number;
  /** This thread's blocked receives and sends on this channel object. */
  readonly recv: Blocked<RecvWaiter>;
  readonly send: Blocked<SendWaiter>;
  /** The claims arena the channel carries (`_select_claims.ts`), or null. */
  readonly claims: Claims | null;
  /** Whether blocked selects may list cases here, and tag offers (a byte ring). */
  abstract readonly claimable: boolean;

  constructor(
    buffer: SharedArrayBuffer,
    h: Int32Array,
    codec: Codec<T>,
    capacity: number,
    claims: Claims | null,
  ) {
    this.buffer = buffer;
    this.claims = claims;
    this.h = h;
    this.codec = codec;
    this.slot = codec.slotSize;
    this.capacity = capacity;
    this.id = h[ID];
    this.recv = new Blocked(h, RECV_SEQ, this.id, () => this.serveReceivers());
    this.send = new Blocked(h, SEND_SEQ, this.id, () => this.serveSenders());
  }

  // The operations; see `SharedChannel` for their contracts. ---------------

  /** Go's `len(ch)`. */
  abstract size(): number;
  /**
   * A send that does not block: false if it would. `except` is the
   * blocked select that polls, which must not pair with itself.
   */
  abstract pollSend(
    value: unknown,
    encoded: Raw,
    except?: LocalSelect,
  ): boolean;
  /** A receive that does not block: a value, EMPTY or DRAINED. */
  abstract receiveNow(
    except?: LocalSelect,
  ): Raw | typeof EMPTY | typeof DRAINED;
  /** The async send, after encoding. */
  abstract sendAsync(
    value: unknown,
    encoded: Raw,
    signal: AbortSignal | undefined,
  ): Promise<void>;
  /** The async receive: a `ReceiveResult`, or an `IteratorResult` for `for await`. */
  abstract receiveAsync(
    iteration: boolean,
    signal: AbortSignal | undefined,
  ): Promise<unknown>;
  abstract sendSync(value: T, encoded: Raw): void;
  abstract recvSync(): ReceiveResult<T>;
  abstract sendManySync(values: readonly T[], encoded: Raw[]): void;
  abstract recvManySync(max: number): T[];
  abstract close(): void;

  // For select (`_select.ts`). ----------------------------------------------

  /**
   * Whether a case could proceed, read without the lock (a hint: a select
   * polls under the lock before it commits). `ticket` names the select's
   * own offer on this channel, if any, which its receive case must not
   * count.
   */
  abstract looksReady(send: boolean, ticket: number | undefined): boolean;
  /**
   * Counts a blocked select's case in (`delta` 1) or out (-1); `sendOnly`
   * for a send case of a select with no receive case on this channel.
   * Counting in, with a claim slot (`entry` >= 0) and its case's `tag`
   * (`_locked_store.ts`), it also lists the case for peers to claim, on an
   * unbuffered byte ring: the entry's position, or -1 if not listed.
   * Counting out, `entry` is that position (-1: none), and is cleared.
   */
  abstract watchSelect(
    send: boolean,
    delta: number,
    sendOnly: boolean,
    entry: number,
    tag: number,
  ): number;
  /**
   * Asks to be woken when the case may become ready (a slot ring's mark):
   * false if it may be ready now, and the select should look again.
   */
  abstract arm(send: boolean): boolean;
  /**
   * A select's conditional send: commits the value if there is room, else
   * offers it if no other offer exists (then fills `out`). `slot` is the
   * select's claim slot (-1: none), and `tag` the offer's claim tag
   * (`OFFER_CLAIM_TAG`).
   */
  abstract selectOffer(
    encoded: Raw,
    out: OfferOut,
    slot: number,
    tag: number,
  ): number;
  /**
   * Wakes the receivers, for a select whose offer here a receiver found
   * while the select ran (`POKED`, `_select_claims.ts`).
   */
  abstract announce(): void;
  /**
   * For the select in `slot` at generation `gen`, whose receive case here
   * a peer claimed (`_select_claims.ts`): takes the record reserved for it,
   * and uncounts it from `RECV_WAITING`. EMPTY if none is reserved for it
   * (the peer backed off, or a receiver released it: its thread was
   * retired), or its thread is retired now (it releases the record).
   */
  abstract claimedReceive(
    slot: number,
    gen: number,
  ): Raw | typeof EMPTY | typeof DRAINED;
  /**
   * For a select whose thread was retired after a peer claimed its
   * receive case here: releases the record reserved for it (`slot`, `gen`),
   * if any, to every receiver (`_locked_store.ts`), and uncounts it.
   */
  releaseReserved(_slot: number, _gen: number): void {}
  /** What became of the offer `ticket`: `OFFER_PENDING`, `_TAKEN` or `_DROPPED` (`_offer.ts`). */
  abstract offerState(ticket: number): number;
  /**
   * Withdraws a select's offer if no receiver took it: `OFFER_WITHDRAWN`,
   * or what became of it. With `wake`, senders waiting for the offer slot
   * are told it is free.
   */
  abstract withdraw(ticket: number, wake: boolean): number;
  /** Tells blocked senders and selects that the offer slot is free. */
  wakeSenders(): void {
    const h = this.h;
    lock(h, LOCK);
    try {
      wake(h, SEND_WAITING, SEND_SEQ);
    } finally {
      unlock(h, LOCK);
    }
  }

  /** Senders blocked on this channel, on every thread (offerers included). */
  sendWaiting(): number {
    return Atomics.load(this.h, SEND_WAITING);
  }

  /** Blocked selects that send, and do not receive, on this channel. */
  sendOnlyWatchers(): number {
    return Atomics.load(this.h, SEND_ONLY_WATCHERS);
  }

  /** Receivers blocked on this channel, on every thread. */
  recvWaiting(): number {
    return Atomics.load(this.h, RECV_WAITING);
  }

  /** Blocked selects with a receive case on this channel, on every thread. */
  recvWatchers(): number {
    return Atomics.load(this.h, RECV_WATCHERS);
  }

  /** Encodes a value and checks that it could ever fit. */
  encodeChecked(value: unknown): Raw {
    const encoded = this.codec.encode(value as T);
    this.checkSize(encoded);
    return encoded;
  }

  // Values. ------------------------------------------------------------------

  decode(raw: Raw): T {
    return typeof raw === "number" ? raw as T : this.codec.decode(raw);
  }

  result(iteration: boolean, raw: Raw | typeof DRAINED): unknown {
    if (raw === DRAINED) return iteration ? DONE : CLOSED_RESULT;
    const value = this.decode(raw);
    return iteration ? { value, done: false } : { value, ok: true };
  }

  /**
   * Rejects a value that could never fit, before any lock is taken.
   *
   * @throws {RangeError} If its record is larger than the ring may grow.
   */
  abstract checkSize(encoded: Raw): void;

  // This thread's blocked async operations. ---------------------------------

  /** Serves, from the store, the oldest of `q`; pushes each with its outcome. */
  abstract serveReceiversFrom(q: RecvWaiter[], served: unknown[]): number;
  abstract serveSendersFrom(q: SendWaiter[], served: unknown[]): number;
  /**
   * Uncounts an aborted receiver; a value it must take after all (a sender
   * handed one on the strength of its waiting), or EMPTY.
   */
  abstract abortedReceive(): Raw | typeof EMPTY | typeof DRAINED;
  /** Uncounts an aborted sender; null if its send completed after all, else the error. */
  abstract abortedSend(w: SendWaiter): unknown;

  /**
   * This thread was retired: its blocked senders `q` stay queued for good,
   * and give up what would hold other senders up (a byte ring's places,
   * `_byte_waiters.ts`). Nothing by default.
   */
  retiredSenders(_q: SendWaiter[]): void {}

  /**
   * Queues a blocked receive (already counted in `RECV_WAITING`). Its wait
   * note (`_wait_notes.ts`) ends where it settles, which costs no promise
   * reaction of its own.
   */
  blockReceive(
    iteration: boolean,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const w: RecvWaiter = {
        iteration,
        stamp: nextStamp(),
        resolve,
        reject,
        signal,
        onAbort: undefined,
        endNote: noteWait("chan receive", this.id),
      };
      if (this.recv.queue.push(w) === 1) outsideWaitStarted();
      if (signal !== undefined) {
        w.onAbort = () => this.#abortReceive(w);
        signal.addEventListener("abort", w.onAbort, { once: true });
      }
    });
  }

  /**
   * Queues a blocked send (already counted in `SEND_WAITING`), noted as
   * {@linkcode blockReceive}; `place` is its place among a byte ring's
   * senders waiting for bytes, if it took one.
   */
  blockSend(
    value: unknown,
    encoded: Raw,
    offered: boolean,
    ticket: number,
    signal: AbortSignal | undefined,
    place = -1,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const w: SendWaiter = {
        value,
        encoded,
        stamp: nextStamp(),
        offered,
        ticket,
        place,
        resolve,
        reject,
        signal,
        onAbort: undefined,
        endNote: noteWait("chan send", this.id),
      };
      if (this.send.queue.push(w) === 1) outsideWaitStarted();
      if (signal !== undefined) {
        w.onAbort = () => this.#abortSend(w);
        signal.addEventListener("abort", w.onAbort, { once: true });
      }
    });
  }

  /** Serves this thread's blocked receivers, oldest first. */
  serveReceivers(): void {
    const q = this.recv.queue;
    if (q.length === 0) return;
    // A retired thread's blocked operations stay queued for good (`_retired.ts`).
    if (isRetired()) {
      parkAsync();
      return;
    }
    const served: unknown[] = [];
    const n = this.serveReceiversFrom(q, served);
    if (n === 0) return;
    q.splice(0, n);
    if (q.length === 0) outsideWaitEnded();
    for (let i = 0; i < served.length; i += 2) {
      this.settleReceive(
        served[i] as RecvWaiter,
        served[i + 1] as Raw | typeof DRAINED,
      );
    }
  }

  /** Serves this thread's blocked senders, oldest first. */
  serveSenders(): void {
    const q = this.send.queue;
    if (q.length === 0) return;
    if (isRetired()) {
      this.retiredSenders(q);
      parkAsync();
      return;
    }
    const served: unknown[] = [];
    const n = this.serveSendersFrom(q, served);
    if (n === 0) return;
    q.splice(0, n);
    if (q.length === 0) outsideWaitEnded();
    for (let i = 0; i < served.length; i += 2) {
      this.settleSend(served[i] as SendWaiter, served[i + 1]);
    }
  }

  settleReceive(w: RecvWaiter, raw: Raw | typeof DRAINED): void {
    if (w.onAbort !== undefined) {
      w.signal!.removeEventListener("abort", w.onAbort);
    }
    w.endNote?.();
    try {
      w.resolve(this.result(w.iteration, raw));
    } catch (error) {
      w.reject(error);
    }
  }

  settleSend(w: SendWaiter, error: unknown): void {
    if (w.onAbort !== undefined) {
      w.signal!.removeEventListener("abort", w.onAbort);
    }
    w.endNote?.();
    if (error === null) w.resolve();
    else w.reject(error);
  }

  #abortReceive(w: RecvWaiter): void {
    const q = this.recv.queue;
    const i = q.indexOf(w);
    if (i < 0 || isRetired()) return;
    q.splice(i, 1);
    if (q.length === 0) outsideWaitEnded();
    w.onAbort = undefined;
    this.recv.release();
    const raw = this.abortedReceive();
    if (raw === EMPTY) {
      w.endNote?.();
      w.reject(w.signal!.reason);
    } else this.settleReceive(w, raw);
  }

  #abortSend(w: SendWaiter): void {
    const q = this.send.queue;
    const i = q.indexOf(w);
    if (i < 0) return;
    q.splice(i, 1);
    if (q.length === 0) outsideWaitEnded();
    w.onAbort = undefined;
    this.send.release();
    this.settleSend(w, this.abortedSend(w));
  }
}
