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
 * The state of the select's own random numbers: xorshift32 (Marsaglia),
 * seeded once from `Math.random()`, as Go's select draws from the runtime's
 * cheap `cheaprand` rather than a cryptographic source. A draw is three
 * shifts, where `Math.random()` is a call (and, every 64 draws, a refill of
 * V8's cache); `select` draws once per case after the first.
 */
let seed = (Math.random() * 0x1_0000_0000) | 0 || 0x9e3779b9;

/**
 * A uniform integer in `[0, bound)` for a small `bound`: its 16 high bits
 * scaled, so that no value is more likely than another by more than
 * `bound / 2^16` (under 0.4 % for the bounds it is used for, up to 256).
 */
function below(bound: number): number {
  let x = seed;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  seed = x;
  return ((x >>> 16) * bound) >>> 16;
}

/**
 * Fills `order[0..n)` with a uniformly random permutation of `0..n-1`
 * (Fisher and Yates, inside out). The first ready case in such an order
 * is uniform among the ready ones.
 */
export function randomOrder(order: number[], n: number): void {
  if (n === 0) return;
  order[0] = 0;
  for (let i = 1; i < n; i++) {
    const j = i < 256 ? below(i + 1) : Math.floor(Math.random() * (i + 1));
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
