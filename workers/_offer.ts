// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Offers: how a sender that cannot commit its value waits on a byte-ring
 * channel (`_locked_store.ts`), and how a blocked select sends. Go parks a
 * blocked sender with its value (`sudog.elem`); here the value goes into
 * the ring once, as the record after the committed ones, and a receiver
 * that takes it acknowledges the sender by its ticket. All of it runs
 * under the channel lock.
 *
 * | header word | name | meaning |
 * | --- | --- | --- |
 * | 6 | `OFFERED` | 1 if the ring's last record is an offer (atomic: read as a hint without the lock) |
 * | 17 | `OFFER_POS` | offset of the offer record (valid while `OFFERED`) |
 * | 18 | `OFFER_BYTES` | size of the offer record (valid while `OFFERED`) |
 * | 19 | `OFFER_TICKET` | ticket of the latest offer; a sender's offer is known by its ticket |
 * | 20 | `ACKED` | ticket of the latest offer a receiver took (received, or moved into the buffer) |
 * | 24 | `OFFER_CLAIM` | 0 for a plain sender's offer; for a select's, 1 + its claim slot (`_select_claims.ts`) |
 * | 25 | `OFFER_CLAIM_TAG` | the select's claim-word generation << 16, and the index of its offering case |
 *
 * ## Invariants
 *
 * - At most one offer exists, and it is the ring's last record.
 * - An offer's fate is read from its ticket (`offerState`): taken once
 *   `ACKED` reaches it (tickets compare modulo 2^32), pending while it is
 *   still the offer, else dropped (by `close`) or withdrawn (by its
 *   select, or an aborted sender, which then knows it was not taken).
 * - A select withdraws its offer before it commits any other case, so
 *   exactly one of its cases commits (see `_select.ts`).
 * - A select's offer carries its claim (`OFFER_CLAIM`): a receiver takes
 *   it only if it wins the select's claim word for that case. While the
 *   select is busy the offer stays, untaken (the select reads its fate by
 *   ticket, and a later offer's `ACKED` would read as its own). If the
 *   select was claimed by another case, or is gone, the offer is dead: the
 *   receiver that finds it drops it and wakes the senders; the select
 *   ignores what became of it.
 */

import type { ByteRing } from "./_byte_ring.ts";
import {
  ACKED,
  OFFER_BYTES,
  OFFER_CLAIM,
  OFFER_CLAIM_TAG,
  OFFER_POS,
  OFFER_TICKET,
  OFFERED,
  type Raw,
} from "./_channel_words.ts";

/** What became of an offer: still pending, taken by a receiver, or dropped by close. */
export const OFFER_PENDING = 0;
export const OFFER_TAKEN = 1;
export const OFFER_DROPPED = 2;
/** ... or withdrawn by the withdraw that returns it. */
export const OFFER_WITHDRAWN = 3;

/** What a select's conditional send did: nothing, committed, or left an offer. */
export const OFFER_NONE = 0;
export const OFFER_COMMITTED = 1;
export const OFFER_MADE = 2;

/** Where a select's conditional send puts its new offer's ticket. */
export interface OfferOut {
  ticket: number;
  /** `RECV_SEQ` before and after the offer was made. */
  seqBefore: number;
  seqAfter: number;
}

/**
 * Appends an offer of `encoded` to the ring; its ticket. `claim` and `tag`
 * are a select's (`OFFER_CLAIM`, `OFFER_CLAIM_TAG`), 0 for a plain sender.
 */
export function makeOffer(
  h: Int32Array,
  ring: ByteRing,
  encoded: Raw,
  claim = 0,
  tag = 0,
): number {
  const pos = ring.append(encoded);
  h[OFFER_CLAIM] = claim;
  h[OFFER_CLAIM_TAG] = tag;
  Atomics.store(h, OFFERED, 1);
  h[OFFER_POS] = pos;
  h[OFFER_BYTES] = ring.recordBytes(encoded);
  const ticket = (h[OFFER_TICKET] + 1) | 0;
  h[OFFER_TICKET] = ticket;
  return ticket;
}

/** A receiver took the offer: received it, or moved it into the buffer. */
export function acceptOffer(h: Int32Array): void {
  h[OFFERED] = 0;
  h[ACKED] = h[OFFER_TICKET];
}

/** What became of the offer `ticket`: pending, taken or dropped. */
export function offerState(h: Int32Array, ticket: number): number {
  if (((h[ACKED] - ticket) | 0) >= 0) return OFFER_TAKEN;
  return h[OFFERED] !== 0 && h[OFFER_TICKET] === ticket
    ? OFFER_PENDING
    : OFFER_DROPPED;
}

/** Removes the offer, the ring's last record. */
export function dropOffer(h: Int32Array, ring: ByteRing): void {
  h[OFFERED] = 0;
  ring.dropLast(h[OFFER_POS], h[OFFER_BYTES]);
}
