// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The two steps every blocking `select` shares, tier 1 (`select.ts`) and
 * the shared tier (`workers/_select.ts`): a uniformly random order of the
 * cases, and parking one waiter per tier-1 case under one `SelectPark`.
 */

import type { CaseLike } from "./_selectable.ts";
import { channelInternals } from "./_selectable.ts";
import { RESULT, type SelectPark, SENT, Waiter } from "./_waiter.ts";

const SEND = 1;

/**
 * Fills `order[0..n)` with a uniformly random permutation of `0..n-1`
 * (Fisher and Yates, inside out). The first ready case in such an order
 * is uniform among the ready ones.
 */
export function randomOrder(order: number[], n: number): void {
  if (n === 0) return;
  order[0] = 0;
  for (let i = 1; i < n; i++) {
    const j = Math.floor(Math.random() * (i + 1));
    order[i] = order[j];
    order[j] = i;
  }
}

/**
 * Parks a waiter of `sp` on the channel of every tier-1 case (not nil, not
 * shared), in the order `order[0..n)`: Go's `lockorder` queues the cases
 * in a random order too, so two cases on one channel do not always favour
 * the first.
 */
export function parkCases(
  cases: readonly CaseLike[],
  order: readonly number[],
  n: number,
  sp: SelectPark,
): void {
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const c = cases[i];
    const ch = c.channel;
    if (ch === null || c.shared) continue;
    const w = new Waiter(
      c.value,
      sp,
      i,
      c.kind === SEND ? SENT : RESULT,
      ignore,
    );
    sp.waiters.push(w);
    if (c.kind === SEND) channelInternals.parkSend(ch, w);
    else channelInternals.parkReceive(ch, w);
  }
}

function ignore(): void {}
