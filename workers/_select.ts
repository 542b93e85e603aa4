// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * `select` over shared channels: how a select that found no ready case
 * waits when some of its cases are on `SharedChannel`s.
 *
 * Tier 1 parks one waiter per case and lets the first channel operation that
 * fires it commit the select. Across threads that is not enough: two
 * threads could fire two cases of one select at once. So a select never
 * lets another thread commit it on its behalf, except through one
 * conditional offer:
 *
 * - Receive cases only watch. The select counts itself in the channel's
 *   `RECV_WATCHERS` (not `RECV_WAITING`, so no sender hands a value to it),
 *   sleeps on the channel's `RECV_SEQ` word, and when that changes it polls
 *   the channel under its lock, like pass 1 of a select. A value is taken
 *   by exactly one poll, so racing selects never duplicate or lose one.
 * - Send cases watch `SEND_SEQ` the same way (room, a receiver starting to
 *   wait, or close). And a select with send cases puts its value in one of
 *   those channels as an offer, the record a blocked sender leaves in the
 *   byte ring (see `_offer.ts`), preferring a channel that has
 *   selects watching to receive; so a select that sends rendezvouses with a
 *   select that receives, on an unbuffered channel too. When a select
 *   starts watching to receive on another of its send channels while its
 *   offer waits where nobody receives, it moves the offer there (withdraw,
 *   then offer again): a watching select only polls, and would never find
 *   a value offered elsewhere. A receiver that
 *   takes the offer commits the send case. The select has at most one
 *   offer out, and before it commits any other case it withdraws that offer
 *   under the channel's lock; if a receiver already took it, the send case
 *   is the one that committed. So exactly one case commits.
 * - Tier-1 cases of a mixed select park ordinary waiters, under a
 *   `SelectPark` whose `claim()` the tier-1 channel asks before it fires
 *   one (as Go's `dequeue` claims a select's `selectDone`). With an offer
 *   out, `claim()` withdraws it first, under the shared channel's lock: if a
 *   receiver already took it, the send case has committed, `claim()` says
 *   no, and the tier-1 operation goes on to its next waiter. So a mixed
 *   select offers too, and pairs with a select receiving on another
 *   thread.
 * - Peers on any thread find a select blocked on an unbuffered channel
 *   and claim it, as Go's find a select's `sudog` and win its
 *   `selectDone`: the select takes a claim word in the claims arena
 *   (`_select_claims.ts`), lists its cases in each unbuffered channel's
 *   entries (`_locked_store.ts`) and tags its offer with it. A
 *   non-blocking sender that finds no receiver claims a listed receive
 *   case (compare-and-swap of the claim word), counts the select as a
 *   waiting receiver and commits its value, reserved for the select (a
 *   blocking one offers, and the select takes the offer); a receiver takes
 *   the offer only after it claimed the send case. The select itself owns its word (`OWNED`) whenever it runs, so
 *   it never commits a case a peer claimed: each look starts by taking the
 *   word, or by committing the case that a peer claimed meanwhile
 *   (`#pickUp`). A select whose channels carry different arenas, or that
 *   finds the arena full, waits without a claim word, as below.
 * - Peers on the select's own thread find it directly, as Go's find a
 *   select's `sudog` in a channel's queue: its cases on unbuffered
 *   channels are listed in `_local_selects.ts`, and a `trySend`,
 *   `tryReceive`, plain send or receive, or another select's poll on one of
 *   those channels claims the oldest case of the other direction
 *   (`claimReceive`, `claimSend`). A claim withdraws the offer first, as
 *   `claim()` does for a tier-1 case, so it fails if a receiver on another
 *   thread took the offer; the select never claims itself (its polls pass
 *   it as `except`).
 * - On a slot ring (a buffered `int32` or `float64` channel), whose puts
 *   and takes read no watcher counts, a watching case also marks the slot
 *   it waits for (`arm`, see `_slot_store.ts`); the put or take that next
 *   changes that slot bumps the word.
 *
 * Every wake-up re-checks the channels (hints read without the lock, then
 * polls under it), in a fresh random order, so among the cases ready at
 * that moment one is chosen uniformly.
 */

import { outsideWaitEnded, outsideWaitStarted, park } from "../_parking.ts";
import { ChannelClosedError } from "../channel.ts";
import { type CaseLike, CLOSED } from "../_selectable.ts";
import { parkCases, randomOrder } from "../_select_cases.ts";
import { SelectPark } from "../_waiter.ts";
import { releaseWord, unwatchWord, watchWord } from "./_futex.ts";
import { noteWait } from "../_wait_notes.ts";
import type { ChannelStore } from "./_channel_store.ts";
import { isRetiredNow, parkAsync } from "./_retired.ts";
import {
  OFFER_COMMITTED,
  OFFER_DROPPED,
  OFFER_MADE,
  OFFER_TAKEN,
  OFFER_WITHDRAWN,
  type OfferOut,
} from "./_offer.ts";
import {
  addLocalCase,
  type LocalCase,
  type LocalSelect,
  nextStamp,
  removeLocalCase,
} from "./_local_selects.ts";
import {
  CLOSED as CLOSED_WORD,
  DRAINED,
  EMPTY,
  type Raw,
  RECV_SEQ,
  SEND_SEQ,
} from "./_channel_words.ts";
import {
  CLAIMED,
  freeSlot,
  genOf,
  MAX_CASES,
  OWNED,
  POKED,
  SLOTS,
  takeSlot,
  WAITING,
} from "./_select_claims.ts";

const SEND = 1;

/** How a select reaches a shared channel's store; `shared_channel.ts` sets it. */
export const storeOf: { get(ch: unknown): ChannelStore<unknown> } = {
  get(): never {
    throw new Error("shared_channel.ts was not loaded");
  },
};

/** Passed to the tier-1 park's abort when a shared case won. */
const SHARED_WON: unique symbol = Symbol("shared case won");

/**
 * Blocks a select with at least one shared case; see the module doc. The
 * select's pass 1 has just found no case ready. Exactly one of `onCommit`
 * and `onFail` is called, once.
 */
export function blockSelect(
  cases: readonly CaseLike[],
  signal: AbortSignal | undefined,
  onCommit: (index: number, value: unknown, ok: boolean) => void,
  onFail: (error: unknown) => void,
): void {
  const noted = noteWait("select", 0);
  if (noted !== undefined) {
    const commit = onCommit, fail = onFail;
    onCommit = (index, value, ok) => {
      noted();
      commit(index, value, ok);
    };
    onFail = (error) => {
      noted();
      fail(error);
    };
  }
  let s: BlockedSelect;
  try {
    s = new BlockedSelect(cases, signal, onCommit, onFail);
  } catch (error) {
    // A send case's value the codec cannot encode.
    onFail(error);
    return;
  }
  s.start();
}

/** One blocked select with shared cases. */
class BlockedSelect implements LocalSelect {
  readonly #cases: readonly CaseLike[];
  readonly #signal: AbortSignal | undefined;
  readonly #onCommit: (index: number, value: unknown, ok: boolean) => void;
  readonly #onFail: (error: unknown) => void;
  /** The shared cases' indices, and their send cases'. */
  readonly #shared: number[] = [];
  readonly #sends: number[] = [];
  /** By case index: the store, the futex word it watches, the encoded value. */
  readonly #stores: ChannelStore<unknown>[] = [];
  readonly #seqs: number[] = [];
  readonly #encoded: Raw[] = [];
  /** By case index: the futex word's value when last looked at. */
  readonly #snap: number[] = [];
  /** Scratch: a random order of `#shared`. */
  readonly #order: number[] = [];
  readonly #offerOut: OfferOut = { ticket: 0, seqBefore: 0, seqAfter: 0 };
  /** Its cases on unbuffered channels, listed for this thread's peers. */
  readonly #local: LocalCase[] = [];
  /** Whether the select also has tier-1 cases, parked under `#park`. */
  readonly #mixed: boolean;
  #park: SelectPark | null = null;
  /** The claims arena's words, its slot there (-1: none), and the slot's generation. */
  #claims: Int32Array | null = null;
  #slot = -1;
  #gen = 0;
  /** Whether this select holds its claim word (`OWNED`). */
  #owned = false;
  /** The case a peer claimed, when taking the word found it claimed. */
  #claimedCase = -1;
  /** By case index: its entry in its channel (`watchSelect`), or -1. */
  readonly #entries: number[] = [];
  #done = false;
  #scheduled = false;
  /** The case whose value is offered (-1: none), and the offer's ticket. */
  #offerCase = -1;
  #ticket = 0;

  constructor(
    cases: readonly CaseLike[],
    signal: AbortSignal | undefined,
    onCommit: (index: number, value: unknown, ok: boolean) => void,
    onFail: (error: unknown) => void,
  ) {
    this.#cases = cases;
    this.#signal = signal;
    this.#onCommit = onCommit;
    this.#onFail = onFail;
    let tier1 = 0;
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      if (c.channel === null) continue;
      if (!c.shared) {
        tier1++;
        continue;
      }
      const store = storeOf.get(c.channel);
      this.#shared.push(i);
      this.#stores[i] = store;
      this.#seqs[i] = c.kind === SEND ? SEND_SEQ : RECV_SEQ;
      if (c.kind === SEND) {
        this.#sends.push(i);
        this.#encoded[i] = store.encodeChecked(c.value);
      }
    }
    this.#mixed = tier1 > 0;
    // A claim word, if every shared channel carries the same arena and a
    // byte ring may list a case or hold an offer.
    let claims = null, claimable = false;
    for (const i of this.#shared) {
      const store = this.#stores[i];
      if (store.claims === null) return;
      if (claims === null) claims = store.claims;
      else if (store.claims.id !== claims.id) return;
      if (store.claimable) claimable = true;
    }
    if (claims === null || !claimable || cases.length > MAX_CASES) return;
    const slot = takeSlot(claims.words);
    if (slot < 0) return;
    this.#claims = claims.words;
    this.#slot = slot;
    this.#gen = genOf(Atomics.load(claims.words, SLOTS + slot));
    this.#owned = true;
  }

  /** Its slot in the claims arena, or -1 (`LocalSelect`). */
  get slot(): number {
    return this.#slot;
  }

  /** Counts the select in on its channels, parks its tier-1 cases, looks once. */
  start(): void {
    const stamp = nextStamp();
    const slot = this.#slot;
    for (const i of this.#shared) {
      const store = this.#stores[i];
      const send = this.#cases[i].kind === SEND;
      const listed = slot >= 0;
      this.#entries[i] = store.watchSelect(
        send,
        1,
        send && !this.#receivesOn(store),
        listed ? slot : -1,
        listed ? (this.#gen << 16) | (i << 1) | (send ? 1 : 0) : 0,
      );
      if (store.capacity === 0) {
        const c = { select: this, index: i, send, buffer: store.buffer, stamp };
        this.#local.push(c);
        addLocalCase(store.id, c);
      }
    }
    outsideWaitStarted();
    if (this.#mixed) this.#parkTier1();
    else this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#cycle();
  }

  // The steps of one look at the channels. ----------------------------------

  /** Runs when a watched word may have changed: look again, once. */
  readonly #wake = (): void => {
    if (this.#done || this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.#cycle);
  };

  /**
   * One look: settle the offer, snapshot the words, poll if a case looks
   * ready, offer if none committed, then watch every word.
   */
  readonly #cycle = (): void => {
    this.#scheduled = false;
    if (this.#done) return;
    this.#unwatchAll();
    // A retired thread's select stays pending for good (`_retired.ts`).
    if (isRetiredNow()) {
      this.#retire();
      return;
    }
    if (!this.#own() && this.#pickUp()) return;
    if (this.#offerSettled()) return;
    this.#snapshot();
    let withdrawn = -1;
    if (this.#anyLooksReady()) {
      if (this.#offerCase >= 0) {
        const i = this.#offerCase;
        const state = this.#stores[i].withdraw(this.#ticket, false);
        if (this.#offerOutcome(state)) return;
        withdrawn = i;
        this.#offerCase = -1;
      }
      if (this.#pollAll(withdrawn)) return;
    }
    if (withdrawn < 0 && this.#offerHoldsSender()) {
      // A sender waits behind our offer on a channel we also receive on:
      // make way, so that it offers and our receive case takes its value.
      const i = this.#offerCase;
      const state = this.#stores[i].withdraw(this.#ticket, false);
      if (this.#offerOutcome(state)) return;
      withdrawn = i;
      this.#offerCase = -1;
    }
    if (withdrawn < 0 && this.#offerStranded()) {
      // Move the offer to a channel where a receiving select now watches.
      const i = this.#offerCase;
      const state = this.#stores[i].withdraw(this.#ticket, false);
      if (this.#offerOutcome(state)) return;
      withdrawn = i;
      this.#offerCase = -1;
    }
    if (this.#offerCase < 0 && this.#sends.length > 0) {
      if (this.#makeOffer(withdrawn)) return;
    }
    if (withdrawn >= 0 && withdrawn !== this.#offerCase) {
      this.#stores[withdrawn].wakeSenders();
    }
    this.#release();
    this.#watchAll();
  };

  /**
   * Parks a select whose thread was retired: it leaves a value a peer
   * reserved for it to the others, and withdraws its offer, which no
   * receiver could take while it owns its word (they would wait for good).
   */
  #retire(): void {
    if (!this.#own() && this.#cases[this.#claimedCase].kind !== SEND) {
      this.#stores[this.#claimedCase].releaseReserved(this.#slot, this.#gen);
    }
    // (Taken if a receiver claimed the send case: that outcome stands.)
    if (this.#offerCase >= 0) {
      this.#stores[this.#offerCase].withdraw(this.#ticket, true);
      this.#offerCase = -1;
    }
    parkAsync();
  }

  // The claim word (`_select_claims.ts`). ----------------------------------

  /**
   * Takes the claim word (`WAITING` to `OWNED`): true, or false if a peer
   * claimed a case first (`#claimedCase`). True without a claim word.
   */
  #own(): boolean {
    if (this.#slot < 0 || this.#owned) return true;
    const at = SLOTS + this.#slot;
    const waiting = (this.#gen << 16) | WAITING;
    const was = Atomics.compareExchange(
      this.#claims!,
      at,
      waiting,
      (this.#gen << 16) | OWNED,
    );
    if (was === waiting) {
      this.#owned = true;
      return true;
    }
    this.#claimedCase = (was & 0xffff) - CLAIMED;
    return false;
  }

  /**
   * Lets peers claim the select again, before it waits. If a receiver
   * found the offer meanwhile (`POKED`), wakes that channel's receivers.
   */
  #release(): void {
    if (this.#slot < 0 || !this.#owned) return;
    this.#owned = false;
    const words = this.#claims!, at = SLOTS + this.#slot, gen = this.#gen << 16;
    const was = Atomics.compareExchange(words, at, gen | OWNED, gen | WAITING);
    if (was === (gen | POKED)) {
      Atomics.store(words, at, gen | WAITING);
      if (this.#offerCase >= 0) this.#stores[this.#offerCase].announce();
    }
  }

  /**
   * A peer claimed `#claimedCase`: commits it (true). For a receive case
   * the value waits reserved for this select (`_locked_store.ts`); were it
   * gone, the select would own the word again and go on waiting (false).
   * The offer, if elsewhere, is dead: it is withdrawn.
   */
  #pickUp(): boolean {
    const k = this.#claimedCase;
    // Nobody else moves a claimed word on: it is this select's again.
    this.#owned = true;
    Atomics.store(this.#claims!, SLOTS + this.#slot, (this.#gen << 16) | OWNED);
    if (this.#offerCase >= 0 && this.#offerCase !== k) {
      this.#stores[this.#offerCase].withdraw(this.#ticket, true);
      this.#offerCase = -1;
    }
    if (this.#cases[k].kind === SEND) {
      // A receiver took the offer.
      this.#commit(k, undefined, true);
      return true;
    }
    const store = this.#stores[k];
    const raw = store.claimedReceive(this.#slot, this.#gen);
    if (raw === EMPTY) return false;
    if (raw === DRAINED) {
      this.#commit(k, undefined, false);
      return true;
    }
    let value: unknown;
    try {
      value = store.decode(raw);
    } catch (error) {
      this.#fail(error);
      return true;
    }
    this.#commit(k, value, true);
    return true;
  }

  /** If the offer was taken or dropped, commits or fails the select: true. */
  #offerSettled(): boolean {
    const i = this.#offerCase;
    if (i < 0) return false;
    return this.#offerOutcome(this.#stores[i].offerState(this.#ticket));
  }

  /** Acts on an offer taken (commit) or dropped (fail): true if it was. */
  #offerOutcome(state: number): boolean {
    if (state === OFFER_TAKEN) {
      this.#commit(this.#offerCase, undefined, true);
      return true;
    }
    if (state === OFFER_DROPPED) {
      if (this.#killed()) return false;
      this.#fail(this.#closedError(this.#offerCase));
      return true;
    }
    return false;
  }

  /**
   * Whether the offer was dropped on an open channel, which only a
   * receiver that found this select claimed by another case (`_offer.ts`;
   * `#pickUp` then ignores the offer), or its thread retired, does: then
   * it is as
   * withdrawn. False if the channel is closed.
   */
  #killed(): boolean {
    const i = this.#offerCase;
    if (Atomics.load(this.#stores[i].h, CLOSED_WORD) !== 0) return false;
    this.#offerCase = -1;
    return true;
  }

  #snapshot(): void {
    for (const i of this.#shared) {
      this.#snap[i] = Atomics.load(this.#stores[i].h, this.#seqs[i]);
    }
  }

  /** Whether any case other than the offer looks ready (a hint). */
  #anyLooksReady(): boolean {
    const offerCase = this.#offerCase;
    const offerStore = offerCase >= 0 ? this.#stores[offerCase] : undefined;
    for (const i of this.#shared) {
      if (i === offerCase) continue;
      const store = this.#stores[i];
      const own = store === offerStore ? this.#ticket : undefined;
      if (store.looksReady(this.#cases[i].kind === SEND, own)) return true;
    }
    return false;
  }

  /**
   * Selects watching to receive on `store`, on every thread, besides this
   * one's own receive cases there.
   */
  #otherWatchers(store: ChannelStore<unknown>): number {
    let n = store.recvWatchers();
    for (const i of this.#shared) {
      if (this.#stores[i] === store && this.#cases[i].kind !== SEND) n--;
    }
    return n;
  }

  /**
   * Whether senders wait on `store`'s channel that a select receiving
   * there must make way for: plain ones, and selects that only send there.
   * (Selects that also receive there need no way made: when one holds the
   * offer, the other's receive case takes it.)
   */
  #sendersWait(store: ChannelStore<unknown>): boolean {
    return store.sendWaiting() > 0 || store.sendOnlyWatchers() > 0;
  }

  /** Whether this select has a receive case on `store`'s channel. */
  #receivesOn(store: ChannelStore<unknown>): boolean {
    for (const i of this.#shared) {
      if (this.#stores[i] === store && this.#cases[i].kind !== SEND) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a sender (a plain one, or a select that only sends there)
   * waits behind the offer, on an unbuffered channel
   * where this select also receives (on a buffered one, full, the receive
   * case would be ready): the sender cannot offer while ours is there, and
   * our receive case cannot take our own value, so both would wait for
   * good (see `#behindOffer` in `_locked_store.ts`).
   */
  #offerHoldsSender(): boolean {
    const i = this.#offerCase;
    if (i < 0) return false;
    const store = this.#stores[i];
    return store.capacity === 0 && this.#sendersWait(store) &&
      this.#receivesOn(store);
  }

  /**
   * Whether the offer waits where nobody else may take it (no receiver
   * waits, no other select watches to receive) while another send case's
   * channel has a select watching to receive: that select only polls, and
   * would never find the value (see the module doc).
   */
  #offerStranded(): boolean {
    const i = this.#offerCase;
    if (i < 0 || this.#sends.length < 2) return false;
    const store = this.#stores[i];
    if (store.recvWaiting() > 0 || this.#otherWatchers(store) > 0) return false;
    for (const j of this.#sends) {
      const other = this.#stores[j];
      if (other !== store && this.#otherWatchers(other) > 0) return true;
    }
    return false;
  }

  /** Polls the shared cases in a random order; true if one committed. */
  #pollAll(withdrawn: number): boolean {
    const shared = this.#shared;
    const order = this.#order;
    randomOrder(order, shared.length);
    for (let k = 0; k < shared.length; k++) {
      const i = shared[order[k]];
      const c = this.#cases[i];
      const store = this.#stores[i];
      if (c.kind === SEND) {
        let sent: boolean;
        try {
          sent = store.pollSend(c.value, this.#encoded[i], this);
        } catch (error) {
          this.#wakeWithdrawn(withdrawn);
          this.#fail(error);
          return true;
        }
        if (sent) {
          this.#wakeWithdrawn(withdrawn);
          this.#commit(i, undefined, true);
          return true;
        }
      } else {
        const raw = store.receiveNow(this);
        if (raw !== EMPTY) {
          this.#wakeWithdrawn(withdrawn);
          const v = raw === DRAINED ? CLOSED : store.decode(raw);
          this.#commit(i, v === CLOSED ? undefined : v, v !== CLOSED);
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Offers one send case's value, preferring a channel with selects
   * watching to receive; true if it committed at once instead.
   */
  #makeOffer(withdrawn: number): boolean {
    const sends = this.#sends;
    // Not where a sender waits and we receive: it could never offer.
    const open = sends.filter((i) => {
      const store = this.#stores[i];
      return store.capacity !== 0 || !this.#sendersWait(store) ||
        !this.#receivesOn(store);
    });
    if (open.length === 0) return false;
    let pick = open.filter((i) => this.#otherWatchers(this.#stores[i]) > 0);
    if (pick.length === 0) pick = open;
    const i = pick[Math.floor(Math.random() * pick.length)];
    const store = this.#stores[i];
    const out = this.#offerOut;
    const r = store.selectOffer(
      this.#encoded[i],
      out,
      this.#slot,
      this.#slot >= 0 ? (this.#gen << 16) | i : 0,
    );
    if (r === OFFER_COMMITTED) {
      if (withdrawn !== i) this.#wakeWithdrawn(withdrawn);
      this.#commit(i, undefined, true);
      return true;
    }
    if (r === OFFER_MADE) {
      this.#offerCase = i;
      this.#ticket = out.ticket;
      // Our own offer must not wake our own receive cases on that channel.
      for (const j of this.#shared) {
        if (this.#stores[j] === store && this.#cases[j].kind !== SEND) {
          if (this.#snap[j] === out.seqBefore) this.#snap[j] = out.seqAfter;
        }
      }
    }
    return false;
  }

  /** Watches every word from its snapshot; looks again at once if one moved. */
  #watchAll(): void {
    for (const i of this.#shared) {
      const store = this.#stores[i];
      if (
        !store.arm(this.#cases[i].kind === SEND) ||
        !watchWord(store.h, this.#seqs[i], store.id, this.#snap[i], this.#wake)
      ) {
        this.#wake();
        break;
      }
    }
  }

  #unwatchAll(): void {
    for (const i of this.#shared) {
      unwatchWord(this.#stores[i].id, this.#seqs[i], this.#wake);
    }
  }

  // Ending. ------------------------------------------------------------------

  #finish(): void {
    this.#done = true;
    for (const c of this.#local) {
      removeLocalCase(this.#stores[c.index].id, c);
    }
    // For good: a wait left pending would keep the channels' memory alive.
    for (const i of this.#shared) {
      releaseWord(this.#stores[i].id, this.#seqs[i], this.#wake);
    }
    for (const i of this.#shared) {
      const store = this.#stores[i];
      const send = this.#cases[i].kind === SEND;
      store.watchSelect(
        send,
        -1,
        send && !this.#receivesOn(store),
        this.#entries[i] ?? -1,
        0,
      );
    }
    // After the entries are gone: a peer that read one holds the old generation.
    if (this.#slot >= 0) freeSlot(this.#claims!, this.#slot);
    outsideWaitEnded();
    if (!this.#mixed) this.#signal?.removeEventListener("abort", this.#onAbort);
  }

  #commit(index: number, value: unknown, ok: boolean): void {
    this.#finish();
    this.#park?.abort(SHARED_WON);
    this.#onCommit(index, value, ok);
  }

  #fail(error: unknown): void {
    this.#finish();
    this.#park?.abort(SHARED_WON);
    this.#onFail(error);
  }

  // Claimed by a peer on this thread (`_local_selects.ts`). ---------------

  claimReceive(index: number, raw: Raw): boolean {
    if (this.#done || !this.#claim()) return false;
    let value: unknown;
    try {
      value = this.#stores[index].decode(raw);
    } catch (error) {
      this.#fail(error);
      return true;
    }
    this.#commit(index, value, true);
    return true;
  }

  claimSend(index: number): Raw | null {
    if (this.#done || !this.#claim()) return null;
    this.#commit(index, undefined, true);
    return this.#encoded[index];
  }

  /**
   * Before a case other than the offer's commits: withdraws the offer.
   * False if it was taken (the send case has committed) or dropped by
   * close (the select has failed).
   */
  readonly #claim = (): boolean => {
    // A peer on another thread won a case: commit it now, unless its value
    // went to another receiver.
    if (!this.#own() && this.#pickUp()) return false;
    if (this.#offerCase < 0) return true;
    const state = this.#withdrawOffer();
    if (state === OFFER_WITHDRAWN) return true;
    if (state === OFFER_TAKEN) this.#commit(this.#offerCase, undefined, true);
    else if (this.#killed()) return true;
    else this.#fail(this.#closedError(this.#offerCase));
    return false;
  };

  #closedError(i: number): ChannelClosedError {
    return new ChannelClosedError("send", this.#cases[i].value);
  }

  /** Withdraws the offer, waking senders waiting for the offer slot. */
  #withdrawOffer(): number {
    const state = this.#stores[this.#offerCase].withdraw(this.#ticket, true);
    if (state === OFFER_WITHDRAWN) this.#offerCase = -1;
    return state;
  }

  #wakeWithdrawn(withdrawn: number): void {
    if (withdrawn >= 0) this.#stores[withdrawn].wakeSenders();
  }

  /** The signal aborted a select without tier-1 cases. */
  readonly #onAbort = (): void => {
    if (this.#done) return;
    if (!this.#own() && this.#pickUp()) return;
    if (this.#offerCase >= 0 && this.#withdrawOffer() === OFFER_TAKEN) {
      this.#commit(this.#offerCase, undefined, true);
      return;
    }
    this.#fail(this.#signal!.reason);
  };

  /** Parks the tier-1 cases of a mixed select under one `SelectPark`. */
  #parkTier1(): void {
    const sp = new SelectPark(
      "select",
      (index, value, ok) => {
        this.#finish();
        this.#onCommit(index, value, ok);
      },
      (error) => {
        if (error === SHARED_WON) return;
        // Aborted by the signal: a peer may have claimed a case already.
        this.#park = null;
        if (!this.#own() && this.#pickUp()) return;
        // ... or the offer may have committed already.
        if (this.#offerCase >= 0 && this.#withdrawOffer() === OFFER_TAKEN) {
          this.#finish();
          this.#onCommit(this.#offerCase, undefined, true);
          return;
        }
        this.#finish();
        this.#onFail(error);
      },
    );
    // A tier-1 case may fire only if the offer is still ours to withdraw.
    sp.claim = this.#claim;
    this.#park = sp;
    const order: number[] = [];
    randomOrder(order, this.#cases.length);
    parkCases(this.#cases, order, this.#cases.length, sp);
    park(sp, this.#signal);
  }
}
