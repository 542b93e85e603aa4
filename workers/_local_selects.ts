// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The selects blocked on this thread, found by this thread's operations on
 * unbuffered shared channels: Go's `sudog` of a select in a channel's
 * queue, for the peers that share the select's thread.
 *
 * A blocked select over shared channels is not counted as a receiver or a
 * sender: its receive cases watch and poll, and its send cases leave one
 * offer on one channel (see `_select.ts`). So a `trySend`, a `tryReceive`,
 * a select with a default, or a plain send on another of its channels,
 * would not find it, where Go pairs them. A peer on the select's own
 * thread can do what Go's does: claim the select directly. Each blocked
 * select lists its cases on unbuffered channels here, by channel `ID`; a
 * peer operation on one of them takes the oldest case of the other
 * direction and asks its select to commit it ({@linkcode LocalSelect}).
 * The select withdraws its offer first, under that channel's lock: if a
 * receiver on another thread took it already, the select has committed its
 * send case instead, and the claim fails, so exactly one case commits.
 *
 * Arrival order: entries carry a stamp from the thread's one counter,
 * which also stamps the plain async operations queued on a channel
 * (`_channel_waiters.ts`); a peer serves a select's case only if it is
 * older than the channel object's oldest queued operation of that side.
 *
 * Peers on other threads (and this one's, when it finds no listed case
 * here) claim the select through its claim word in the claims arena
 * (`_select_claims.ts`), which the local claims also win first: so a local
 * claim fails if a peer on another thread won the select, and the select
 * commits the case that peer claimed, then and there.
 */

import type { Raw } from "./_channel_words.ts";

/** What a peer asks of a blocked select. */
export interface LocalSelect {
  /**
   * Its slot in the claims arena (`_select_claims.ts`), or -1: its own
   * polls skip its own entries and offer by it.
   */
  readonly slot: number;
  /**
   * Commits receive case `index` with the raw value a sender hands it:
   * false if the select has already committed (or failed) elsewhere.
   */
  claimReceive(index: number, raw: Raw): boolean;
  /**
   * Commits send case `index` and returns its encoded value: null if the
   * select has already committed (or failed) elsewhere.
   */
  claimSend(index: number): Raw | null;
}

/** One case of a blocked select, listed under its channel. */
export interface LocalCase {
  readonly select: LocalSelect;
  readonly index: number;
  readonly send: boolean;
  /** Its channel's memory: channels of one thread may share an `ID`. */
  readonly buffer: SharedArrayBuffer;
  readonly stamp: number;
}

const byChannel = new Map<number, LocalCase[]>();
let stamps = 0;

/** The next arrival stamp of this thread. */
export function nextStamp(): number {
  return ++stamps;
}

/** Whether any select is blocked on an unbuffered shared channel here. */
export function anyLocalSelect(): boolean {
  return byChannel.size !== 0;
}

/** Lists a blocked select's case under the channel `id`. */
export function addLocalCase(id: number, c: LocalCase): void {
  const list = byChannel.get(id);
  if (list === undefined) byChannel.set(id, [c]);
  else list.push(c);
}

/** Removes a case listed with {@linkcode addLocalCase}. */
export function removeLocalCase(id: number, c: LocalCase): void {
  const list = byChannel.get(id);
  if (list === undefined) return;
  const i = list.indexOf(c);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) byChannel.delete(id);
}

/**
 * The oldest listed case of direction `send` on the channel `id` over
 * `buffer`, older than `before`, and not of the select `except`; or
 * undefined.
 */
export function oldestLocalCase(
  id: number,
  buffer: SharedArrayBuffer,
  send: boolean,
  before: number,
  except: LocalSelect | undefined,
): LocalCase | undefined {
  const list = byChannel.get(id);
  if (list === undefined) return undefined;
  for (const c of list) {
    if (c.stamp >= before) return undefined;
    if (c.send === send && c.buffer === buffer && c.select !== except) {
      return c;
    }
  }
  return undefined;
}
