// Copyright the denogo authors. MIT license.

/**
 * The channel kinds the conformance ports and the property model run over:
 * the tier-1 `Channel`, and `SharedChannel` with the `structured` codec
 * (values in the byte ring, under the lock) and with the `float64` codec
 * (a buffered one keeps its values in the lock-free slot ring, an
 * unbuffered one hands them over in the hand-off cell or the byte ring).
 *
 * A port written against {@linkcode Chan} and {@linkcode ChannelKind.make}
 * runs once per kind, with the kind's name appended to each test's name
 * (nothing for `Channel`, so its test names stay as they were).
 * `float64` carries only numbers, so a port whose values are anything else
 * runs over {@linkcode ANY_VALUE_KINDS}; the README lists which.
 *
 * A `SharedChannel` copies values through shared memory: a receiver gets
 * an equal value, not the same object. Ports that check identity run over
 * `Channel` only.
 *
 * @module
 */

import { Channel, type ReceiveChannel, type SendChannel } from "../../mod.ts";
import { type CodecName, SharedChannel } from "../../workers/mod.ts";
import { flushMacrotask } from "./_util.ts";

/** `STRESS=full` (`deno task stress`) runs the ports at full size. */
export const FULL = Deno.env.get("STRESS") === "full";

/** A channel of either tier: what every port is written against. */
export type Chan<T> = SendChannel<T> & ReceiveChannel<T>;

/** One way to make channels. */
export interface ChannelKind {
  /** `"Channel"`, `"SharedChannel structured"` or `"SharedChannel float64"`. */
  readonly name: string;
  /** Whether the channels are `SharedChannel`s. */
  readonly shared: boolean;
  /** The shared channel's codec; undefined for `Channel`. */
  readonly codec: CodecName | undefined;
  /** A new channel of this kind. */
  make<T>(capacity?: number): Chan<T>;
}

function sharedKind(codec: CodecName): ChannelKind {
  return {
    name: `SharedChannel ${codec}`,
    shared: true,
    codec,
    make: <T>(capacity = 0) => new SharedChannel<T>({ capacity, codec }),
  };
}

/** The tier-1 channel. */
export const CHANNEL: ChannelKind = {
  name: "Channel",
  shared: false,
  codec: undefined,
  make: <T>(capacity = 0) => new Channel<T>({ capacity }),
};

/** `SharedChannel` with the `structured` codec. */
export const SHARED_STRUCTURED: ChannelKind = sharedKind("structured");

/** `SharedChannel` with the `float64` codec: numbers only. */
export const SHARED_FLOAT64: ChannelKind = sharedKind("float64");

/** Every kind: for ports whose values are all numbers. */
export const NUMBER_KINDS: readonly ChannelKind[] = [
  CHANNEL,
  SHARED_STRUCTURED,
  SHARED_FLOAT64,
];

/** The kinds that carry any structured-clonable value. */
export const ANY_VALUE_KINDS: readonly ChannelKind[] = [
  CHANNEL,
  SHARED_STRUCTURED,
];

/** `name`, with the kind appended unless it is the tier-1 `Channel`. */
export function testName(name: string, kind: ChannelKind): string {
  return kind.shared ? `${name} (${kind.name})` : name;
}

/** Registers `fn` as one test per kind. */
export function testEachKind(
  kinds: readonly ChannelKind[],
  name: string,
  fn: (kind: ChannelKind) => Promise<void> | void,
): void {
  for (const kind of kinds) {
    Deno.test(testName(name, kind), () => fn(kind));
  }
}

/**
 * How long a "this does not block" check waits for the operation itself
 * before it fails. Never reached when the library is right.
 */
const BOUND_MS = 5_000;

/**
 * Whether `promise` settles without waiting on anyone: within one
 * macrotask turn for a `Channel`, whose operations complete through
 * microtasks only; for a `SharedChannel`, whose wake-ups may come through
 * `Atomics.waitAsync` and take more than one turn, within a bounded wait on
 * the promise itself (only a promise that never settles takes that long).
 *
 * Use it for "must not block" checks. For "blocks" checks keep
 * `settlesNow`: a false "blocked" there cannot make a test pass wrongly.
 */
export async function settlesSoon(
  promise: Promise<unknown>,
  kind: ChannelKind,
): Promise<boolean> {
  let settled = false;
  const observed = promise.then(
    () => settled = true,
    () => settled = true,
  );
  if (!kind.shared) {
    await flushMacrotask();
    return settled;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, BOUND_MS);
  });
  await Promise.race([observed, bound]);
  clearTimeout(timer);
  return settled;
}
