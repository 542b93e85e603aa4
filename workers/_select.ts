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
 *   ring (see `shared_channel.ts`), preferring a channel that has selects
 *   watching to receive; so a select that sends rendezvouses with a select
 *   that receives, on an unbuffered channel too. A receiver that takes the
 *   offer commits the send case. The select has at most one offer out, and
 *   before it commits any other case it withdraws that offer under the
 *   channel's lock; if a receiver already took it, the send case is the
 *   one that committed. So exactly one case commits.
 * - Tier-1 cases of a mixed select park ordinary waiters, under a
 *   `SelectPark` whose `claim()` the tier-1 channel asks before it fires
 *   one (as Go's `dequeue` claims a select's `selectDone`). With an offer
 *   out, `claim()` withdraws it first, under the shared channel's lock: if a
 *   receiver already took it, the send case has committed, `claim()` says
 *   no, and the tier-1 operation goes on to its next waiter. So a mixed
 *   select offers too, and pairs with a select receiving on another
 *   thread.
 *
 * - On a slot ring (a buffered `int32` or `float64` channel), whose puts
 *   and takes read no watcher counts, a watching case also marks the slot
 *   it waits for (`arm`, see `_slot_ring.ts`); the put or take that next
 *   changes that slot bumps the word.
 *
 * Every wake-up re-checks the channels (hints read without the lock, then
 * polls under it), in a fresh random order, so among the cases ready at
 * that moment one is chosen uniformly.
 */

import { timerArmed, timerDisarmed } from "../_parking.ts";
import { park } from "../_parking.ts";
import { ChannelClosedError } from "../channel.ts";
import {
  type CaseLike,
  channelInternals,
  CLOSED,
  NOT_READY,
} from "../_selectable.ts";
import { RESULT, SelectPark, SENT, Waiter } from "../_waiter.ts";
import { unwatchWord, watchWord } from "./_watch.ts";

const SEND = 1;

/** `SharedOps.offer` results. */
export const OFFER_NONE = 0;
export const OFFER_COMMITTED = 1;
export const OFFER_MADE = 2;
/** `SharedOps.withdraw` / `offerState` results. */
export const WITHDRAWN = 0; // also "pending" for offerState
export const TAKEN = 1;
export const DROPPED = 2;

/** The channel operations a select performs; `shared_channel.ts` fills them. */
export interface SharedOps {
  words(ch: unknown): Int32Array;
  id(ch: unknown): number;
  seqIndex(send: boolean): number;
  encode(ch: unknown, value: unknown): unknown;
  pollReceive(ch: unknown): unknown;
  pollSend(ch: unknown, value: unknown, encoded: unknown): boolean;
  watch(ch: unknown, send: boolean, delta: number): void;
  looksReady(ch: unknown, send: boolean, ticket: number | undefined): boolean;
  /**
   * Asks to be woken when the case may become ready (a slot ring's mark):
   * false if it may be ready now, and the select should look again.
   */
  arm(ch: unknown, send: boolean): boolean;
  recvWatchers(ch: unknown): number;
  offer(ch: unknown, encoded: unknown): number;
  offerState(ch: unknown, ticket: number): number;
  withdraw(ch: unknown, ticket: number, wake: boolean): number;
  wakeSenders(ch: unknown): void;
  /** Set by a successful `offer`: its ticket, and `RECV_SEQ` around it. */
  ticket: number;
  seqBefore: number;
  seqAfter: number;
}

function unset(): never {
  throw new Error("shared_channel.ts was not loaded");
}

export const sharedOps: SharedOps = {
  words: unset,
  id: unset,
  seqIndex: unset,
  encode: unset,
  pollReceive: unset,
  pollSend: unset,
  watch: unset,
  looksReady: unset,
  arm: unset,
  recvWatchers: unset,
  offer: unset,
  offerState: unset,
  withdraw: unset,
  wakeSenders: unset,
  ticket: 0,
  seqBefore: 0,
  seqAfter: 0,
};

/** Passed to the tier-1 park's abort when a shared case won. */
const SHARED_WON: unique symbol = Symbol("shared case won");

function shuffled(xs: readonly number[]): number[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/**
 * Blocks a select with at least one shared case; see the module doc. The
 * select's pass 1 has just found no case ready.
 */
export function blockSelect(
  cases: readonly CaseLike[],
  signal: AbortSignal | undefined,
  onCommit: (index: number, value: unknown, ok: boolean) => void,
  onFail: (error: unknown) => void,
): void {
  const ops = sharedOps;
  const shared: number[] = [];
  const sends: number[] = [];
  let tier1 = 0;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    if (c.channel === null) continue;
    if (!c.shared) {
      tier1++;
      continue;
    }
    shared.push(i);
    if (c.kind === SEND) sends.push(i);
  }
  const mixed = tier1 > 0;
  const encoded: unknown[] = [];
  try {
    for (const i of sends) {
      encoded[i] = ops.encode(cases[i].channel, cases[i].value);
    }
  } catch (error) {
    onFail(error);
    return;
  }
  const snap: number[] = [];
  let done = false;
  let scheduled = false;
  /** The case whose value is offered, and the offer's ticket. */
  let offerCase = -1;
  let ticket = 0;
  let sp: SelectPark | null = null;

  const wake = (): void => {
    if (done || scheduled) return;
    scheduled = true;
    queueMicrotask(cycle);
  };
  const unwatchAll = (): void => {
    for (const i of shared) {
      const ch = cases[i].channel;
      unwatchWord(ops.id(ch), ops.seqIndex(cases[i].kind === SEND), wake);
    }
  };
  const finish = (): void => {
    done = true;
    unwatchAll();
    for (const i of shared) {
      ops.watch(cases[i].channel, cases[i].kind === SEND, -1);
    }
    timerDisarmed();
    if (!mixed) signal?.removeEventListener("abort", onAbort);
  };
  const commit = (index: number, value: unknown, ok: boolean): void => {
    finish();
    sp?.abort(SHARED_WON);
    onCommit(index, value, ok);
  };
  const fail = (error: unknown): void => {
    finish();
    sp?.abort(SHARED_WON);
    onFail(error);
  };
  const closedError = (i: number) =>
    new ChannelClosedError("send", cases[i].value);
  const onAbort = (): void => {
    if (done) return;
    if (offerCase >= 0 && withdrawOffer() === TAKEN) {
      commit(offerCase, undefined, true);
      return;
    }
    fail(signal!.reason);
  };

  function cycle(): void {
    scheduled = false;
    if (done) return;
    unwatchAll();
    const offerCh = offerCase >= 0 ? cases[offerCase].channel : undefined;
    if (offerCase >= 0) {
      const state = ops.offerState(offerCh, ticket);
      if (state === TAKEN) return commit(offerCase, undefined, true);
      if (state === DROPPED) return fail(closedError(offerCase));
    }
    for (const i of shared) {
      const c = cases[i];
      snap[i] = Atomics.load(
        ops.words(c.channel),
        ops.seqIndex(c.kind === SEND),
      );
    }
    let ready = false;
    for (const i of shared) {
      if (i === offerCase) continue;
      const c = cases[i];
      const own = offerCase >= 0 && c.channel === offerCh ? ticket : undefined;
      if (ops.looksReady(c.channel, c.kind === SEND, own)) {
        ready = true;
        break;
      }
    }
    let withdrawn = -1;
    if (ready) {
      if (offerCase >= 0) {
        const state = ops.withdraw(offerCh, ticket, false);
        if (state === TAKEN) return commit(offerCase, undefined, true);
        if (state === DROPPED) return fail(closedError(offerCase));
        withdrawn = offerCase;
        offerCase = -1;
      }
      for (const i of shuffled(shared)) {
        const c = cases[i];
        if (c.kind === SEND) {
          let sent: boolean;
          try {
            sent = ops.pollSend(c.channel, c.value, encoded[i]);
          } catch (error) {
            wakeWithdrawn(withdrawn);
            return fail(error);
          }
          if (sent) {
            wakeWithdrawn(withdrawn);
            return commit(i, undefined, true);
          }
        } else {
          const v = ops.pollReceive(c.channel);
          if (v !== NOT_READY) {
            wakeWithdrawn(withdrawn);
            return commit(i, v === CLOSED ? undefined : v, v !== CLOSED);
          }
        }
      }
    }
    if (offerCase < 0 && sends.length > 0) {
      let pick = sends.filter((i) => ops.recvWatchers(cases[i].channel) > 0);
      if (pick.length === 0) pick = sends;
      const i = pick[Math.floor(Math.random() * pick.length)];
      const ch = cases[i].channel;
      const r = ops.offer(ch, encoded[i]);
      if (r === OFFER_COMMITTED) {
        if (withdrawn !== i) wakeWithdrawn(withdrawn);
        return commit(i, undefined, true);
      }
      if (r === OFFER_MADE) {
        offerCase = i;
        ticket = ops.ticket;
        // Our own offer must not wake our own receive cases on `ch`.
        for (const j of shared) {
          if (cases[j].channel === ch && cases[j].kind !== SEND) {
            if (snap[j] === ops.seqBefore) snap[j] = ops.seqAfter;
          }
        }
      }
    }
    if (withdrawn >= 0 && withdrawn !== offerCase) wakeWithdrawn(withdrawn);
    for (const i of shared) {
      const c = cases[i];
      const ch = c.channel;
      if (
        !ops.arm(ch, c.kind === SEND) ||
        !watchWord(
          ops.words(ch),
          ops.seqIndex(c.kind === SEND),
          ops.id(ch),
          snap[i],
          wake,
        )
      ) {
        wake();
        break;
      }
    }
  }

  /** Withdraws the offer, waking senders waiting for the offer slot. */
  function withdrawOffer(): number {
    const state = ops.withdraw(cases[offerCase].channel, ticket, true);
    if (state === WITHDRAWN) offerCase = -1;
    return state;
  }

  function wakeWithdrawn(withdrawn: number): void {
    if (withdrawn >= 0) ops.wakeSenders(cases[withdrawn].channel);
  }

  for (const i of shared) {
    ops.watch(cases[i].channel, cases[i].kind === SEND, 1);
  }
  timerArmed();
  if (mixed) {
    sp = new SelectPark(
      "select",
      (index, value, ok) => {
        finish();
        onCommit(index, value, ok);
      },
      (error) => {
        if (error === SHARED_WON) return;
        // Aborted by the signal: the offer may have committed already.
        if (offerCase >= 0 && withdrawOffer() === TAKEN) {
          finish();
          onCommit(offerCase, undefined, true);
          return;
        }
        finish();
        onFail(error);
      },
    );
    // A tier-1 case may fire only if the offer is still ours to withdraw.
    sp.claim = () => {
      if (offerCase < 0) return true;
      const state = withdrawOffer();
      if (state === WITHDRAWN) return true;
      if (state === TAKEN) commit(offerCase, undefined, true);
      else fail(closedError(offerCase));
      return false;
    };
    const order: number[] = [];
    for (let i = 0; i < cases.length; i++) {
      if (cases[i].channel !== null && !cases[i].shared) order.push(i);
    }
    for (const i of shuffled(order)) {
      const c = cases[i];
      const w = new Waiter(
        c.value,
        sp,
        i,
        c.kind === SEND ? SENT : RESULT,
        ignore,
        ignore,
      );
      sp.waiters.push(w);
      if (c.kind === SEND) channelInternals.parkSend(c.channel, w);
      else channelInternals.parkReceive(c.channel, w);
    }
    park(sp, signal);
  } else if (signal !== undefined) {
    signal.addEventListener("abort", onAbort, { once: true });
  }
  cycle();
}

function ignore(): void {}
