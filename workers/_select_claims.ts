// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Claim words: how a select blocked on shared channels is claimed by a peer
 * on any thread, as Go's `selectDone` lets the first channel operation that
 * dequeues one of a select's `sudog`s win it.
 *
 * A blocked select's cases are listed in its channels' memory (the entries
 * of `_locked_store.ts`), and its offer carries its claim (`_offer.ts`);
 * but the one word that decides which case wins must be reachable from
 * every one of its channels, by every thread that holds one of them. Two
 * channels' buffers share no memory, so the claim words live in an arena:
 * one small `SharedArrayBuffer` per process, which every channel's handle
 * carries (`SharedChannelHandle.claims`). A thread adopts the first arena
 * it sees (in a handle it opens), or makes one when it makes its first
 * channel before opening any; a channel keeps the arena of the thread that
 * made it. A select claims only if all its shared channels carry the same
 * arena (by its `ID` words); else it waits as before, found across threads
 * only through its offer and its polls.
 *
 * | arena word | name | meaning |
 * | --- | --- | --- |
 * | 0 | `MAGIC` | `0x64677363` ("dgsc"): marks an arena (read-only) |
 * | 1–2 | `ID` | two random words naming the arena (read-only) |
 * | 3 | `CURSOR` | where the next slot search starts (a hint) |
 * | 4 + s | slot s | the claim word of the select holding slot s (atomic) |
 * | 4 + 4096 + s | owner s | the `ID` of the first `Retirement` the select's thread adopted (`_retired.ts`), 0 if none; negated once that retirement is retired (atomic) |
 *
 * A claim word is `gen << 16 | state`, `gen` counting the slot's reuses
 * (15 bits), so a peer that read an entry of a select that has finished
 * cannot claim the slot's next select:
 *
 * | state | meaning | who moves it on |
 * | --- | --- | --- |
 * | 0 `FREE` | no select holds the slot | a select blocking: `OWNED` (gen + 1 when freed) |
 * | 1 `WAITING` | its select waits; any peer may claim it | a peer: `CLAIMED + k`; its select: `OWNED` |
 * | 2 `OWNED` | its select runs (looks at its channels, or commits) | its select: `WAITING` or `FREE` |
 * | 3 + k `CLAIMED + k` | a peer on another thread won case k | its select: `FREE` |
 * | 0xffff `POKED` | `OWNED`, and a receiver found the select's offer while it ran | its select: `WAITING`, then it wakes its offer's channel's receivers, which look again |
 *
 * Every move out of `WAITING` is a compare-and-swap, so exactly one of the
 * select itself and its peers wins it. A peer that wins a receive case
 * counts the select in the channel's `RECV_WAITING` and commits its value,
 * reserved for the select, which then receives it under the lock (see
 * `_select.ts` and `_locked_store.ts`). A peer that wins a send case has taken the select's
 * offer. While the select is `OWNED` no peer claims it: a non-blocking peer
 * then reports not ready, as Go's does while a select is between its passes,
 * and a blocking one counts itself as waiting, which wakes the select.
 *
 * ## Retired selects
 *
 * A select whose thread is retired never takes a value again; its worker
 * may be terminated before it runs again. So a slot names its owner's
 * retirement, and `Retirement.retire()` negates the owner word of each
 * slot of its threads in every arena the retiring thread knows
 * ({@linkcode markRetired}). A peer that wins the claim word of such a
 * select backs off (it reads the owner word after its compare-and-swap:
 * a claim the marking did not see came before the retirement), and a
 * receiver that finds a record reserved for one releases it to every
 * receiver (`_locked_store.ts`). The select itself, if its thread runs
 * again, does the same.
 */

import { retireeId } from "./_retired.ts";

/** The claim-word states; see the module doc. */
export const FREE = 0;
export const WAITING = 1;
export const OWNED = 2;
export const CLAIMED = 3;
export const POKED = 0xffff;
/** Cases beyond this index are never claimed: a select with more takes no slot. */
export const MAX_CASES = 0x8000;

const MAGIC = 0;
const ID_A = 1;
const ID_B = 2;
const CURSOR = 3;
/** The first claim word. */
export const SLOTS = 4;
/** Slots in an arena: as many selects may claim at once, process-wide. */
export const SLOT_COUNT = 4096;
/** The first owner word. */
const OWNERS = SLOTS + SLOT_COUNT;
const WORDS = OWNERS + SLOT_COUNT;
const MAGIC_VALUE = 0x64677363;

/** One arena, as this thread sees it. */
export interface Claims {
  /** The arena's memory, for handles. */
  readonly buffer: SharedArrayBuffer;
  readonly words: Int32Array;
  /** Its `ID` words, as one number. */
  readonly id: number;
}

/** Writes the `ID` words of `claims` at `words[at]` and `words[at + 1]`. */
export function writeArenaId(
  claims: Claims,
  words: Int32Array,
  at: number,
): void {
  words[at] = claims.words[ID_A];
  words[at + 1] = claims.words[ID_B];
}

/** Whether `words[at]` and `words[at + 1]` hold the `ID` words of `claims`. */
export function isArenaId(
  claims: Claims,
  words: Int32Array,
  at: number,
): boolean {
  return words[at] === claims.words[ID_A] &&
    words[at + 1] === claims.words[ID_B];
}

/** This thread's arena: the first it made or saw. */
let own: Claims | null = null;
/** Every arena this thread has seen, by ID, so channels share one view. */
const known = new Map<number, Claims>();

function random31(): number {
  return ((Math.random() * 0x7fffffff) | 0) + 1;
}

function view(buffer: SharedArrayBuffer): Claims {
  const words = new Int32Array(buffer);
  const id = words[ID_A] * 0x80000000 + words[ID_B];
  let c = known.get(id);
  if (c === undefined) {
    c = { buffer, words, id };
    known.set(id, c);
  }
  return c;
}

/** The arena a new channel carries: this thread's, made if need be. */
export function claimsForNew(): Claims {
  if (own === null) {
    const buffer = new SharedArrayBuffer(WORDS * 4);
    const words = new Int32Array(buffer);
    words[MAGIC] = MAGIC_VALUE;
    words[ID_A] = random31();
    words[ID_B] = random31();
    own = view(buffer);
  }
  return own;
}

/**
 * What is wrong with a handle's `claims` field (a phrase), or undefined.
 * Absent is fine: that channel's selects do not claim.
 */
export function checkClaims(claims: unknown): string | undefined {
  if (claims === undefined) return undefined;
  if (!(claims instanceof SharedArrayBuffer)) {
    return "its claims field is not a SharedArrayBuffer";
  }
  if (claims.byteLength !== WORDS * 4) {
    return `its claims buffer holds ${claims.byteLength} bytes, not ${
      WORDS * 4
    }`;
  }
  const words = new Int32Array(claims);
  if (words[MAGIC] !== MAGIC_VALUE || words[ID_A] <= 0 || words[ID_B] <= 0) {
    return "its claims buffer is not a claims arena";
  }
  return undefined;
}

/**
 * The arena of a handle's `claims` field (checked by
 * {@linkcode checkClaims}), adopted as this thread's if it has none yet;
 * null if absent.
 */
export function claimsFromHandle(claims: unknown): Claims | null {
  if (claims === undefined) return null;
  const c = view(claims as SharedArrayBuffer);
  own ??= c;
  return c;
}

/**
 * Takes a free slot for a select that blocks, its word set `OWNED`: the
 * slot, or -1 if all are taken (the select then does not claim).
 */
export function takeSlot(words: Int32Array): number {
  const start = Atomics.load(words, CURSOR);
  for (let i = 0; i < SLOT_COUNT; i++) {
    const s = (start + i) % SLOT_COUNT;
    const w = Atomics.load(words, SLOTS + s);
    if ((w & 0xffff) !== FREE) continue;
    if (Atomics.compareExchange(words, SLOTS + s, w, w | OWNED) === w) {
      // Before any peer may claim it (it is OWNED until it waits).
      Atomics.store(words, OWNERS + s, retireeId());
      Atomics.store(words, CURSOR, (s + 1) % SLOT_COUNT);
      return s;
    }
  }
  return -1;
}

/** The generation of a claim word. */
export function genOf(word: number): number {
  return word >>> 16;
}

/** Gives a slot back: `FREE`, its generation moved on. */
export function freeSlot(words: Int32Array, slot: number): void {
  Atomics.store(words, OWNERS + slot, 0);
  const gen = (Atomics.load(words, SLOTS + slot) >>> 16) + 1;
  Atomics.store(words, SLOTS + slot, (gen & 0x7fff) << 16);
}

/**
 * A peer claims case `index` of the select in `slot` if it still waits at
 * generation `gen`: true if it won.
 */
export function claimCase(
  words: Int32Array,
  slot: number,
  gen: number,
  index: number,
): boolean {
  const expected = (gen << 16) | WAITING;
  return Atomics.compareExchange(
    words,
    SLOTS + slot,
    expected,
    (gen << 16) | (CLAIMED + index),
  ) === expected;
}

/** Whether the thread of the select in `slot` has been retired. */
export function ownerRetired(words: Int32Array, slot: number): boolean {
  return Atomics.load(words, OWNERS + slot) < 0;
}

/**
 * Marks the selects of the threads that adopted the retirement `id`
 * retired, in every arena this thread knows (see the module doc). Called
 * once the retirement's `STATE` is written.
 */
export function markRetired(id: number): void {
  if (id <= 0) return;
  for (const c of known.values()) {
    const words = c.words;
    for (let s = 0; s < SLOT_COUNT; s++) {
      if (Atomics.load(words, OWNERS + s) === id) {
        Atomics.compareExchange(words, OWNERS + s, id, -id);
      }
    }
  }
}

/** How many slots of this thread's arena are taken (for tests). */
export function slotsTaken(): number {
  if (own === null) return 0;
  let n = 0;
  for (let s = 0; s < SLOT_COUNT; s++) {
    if ((Atomics.load(own.words, SLOTS + s) & 0xffff) !== FREE) n++;
  }
  return n;
}
