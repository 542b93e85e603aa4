// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

import type { QueueWatcher, Waiter } from "./_waiter.ts";

/**
 * What `select` needs of a channel, beyond its public methods: a
 * non-blocking attempt at each operation, and a way to park a waiter of a
 * select on it. `channel.ts` fills in {@linkcode channelInternals} from a
 * static block, so these stay out of the public API while `select.ts` reaches
 * the channel's private state without a lookup.
 */

/** `pollReceive` found nothing to receive and the channel is open. */
export const NOT_READY: unique symbol = Symbol("not ready");
/** `pollReceive` found the channel closed and drained. */
export const CLOSED: unique symbol = Symbol("closed");

/** The channel operations a select performs. */
export interface ChannelInternals<C> {
  /** Receives without blocking: the value, `NOT_READY` or `CLOSED`. */
  pollReceive(ch: C): unknown;
  /**
   * Sends without blocking; false if it would block.
   * @throws {ChannelClosedError} If the channel is closed.
   */
  pollSend(ch: C, value: unknown): boolean;
  /** Queues a select's receive waiter. */
  parkReceive(ch: C, w: Waiter): void;
  /** Queues a select's send waiter. */
  parkSend(ch: C, w: Waiter): void;
  /** Makes `source` the lazy producer of a channel's values (timers). */
  attachSource(ch: C, source: ChannelSource): void;
}

/**
 * A producer that fills a channel on demand: a timer or ticker. It is told
 * when receivers start and stop waiting (so it arms a real timer only while
 * someone waits, as Go 1.23 timers do), and it is polled before a receive
 * finds the channel empty (so an expired timer delivers even if nobody was
 * waiting when it expired).
 */
export interface ChannelSource extends QueueWatcher {
  poll(): void;
}

// deno-lint-ignore no-explicit-any
export const channelInternals: ChannelInternals<any> = {
  pollReceive: unset,
  pollSend: unset,
  parkReceive: unset,
  parkSend: unset,
  attachSource: unset,
};

function unset(): never {
  throw new Error("channel.ts was not loaded");
}

/**
 * A select case as the shared-memory tier sees it (`select.ts`'s
 * `SelectCase`): its kind (0 receive, 1 send), channel (null for a nil
 * channel), the value to send, and whether the channel is a `SharedChannel`.
 */
export interface CaseLike {
  readonly kind: 0 | 1;
  readonly channel: unknown;
  readonly value: unknown;
  readonly shared: boolean;
}

/**
 * What `select` needs of the shared-memory tier (`workers/`), which fills
 * these in when `workers/shared_channel.ts` is loaded; until then no shared
 * channel exists and `isShared` is always false. Tier 1 never imports the
 * workers code.
 */
export interface SharedSelectHooks {
  /** Whether `ch` is a `SharedChannel`. */
  isShared(ch: unknown): boolean;
  /** Receives without blocking: the value, `NOT_READY` or `CLOSED`. */
  pollReceive(ch: unknown): unknown;
  /**
   * Sends without blocking; false if it would block.
   * @throws {ChannelClosedError} If the channel is closed.
   */
  pollSend(ch: unknown, value: unknown): boolean;
  /**
   * Blocks a select that has at least one shared case and no ready case;
   * exactly one of `onCommit` and `onFail` is called, once.
   */
  block(
    cases: readonly CaseLike[],
    signal: AbortSignal | undefined,
    onCommit: (index: number, value: unknown, ok: boolean) => void,
    onFail: (error: unknown) => void,
  ): void;
}

/** The shared tier's select hooks; see {@linkcode SharedSelectHooks}. */
export const sharedSelect: SharedSelectHooks = {
  isShared: () => false,
  pollReceive: unset,
  pollSend: unset,
  block: unset,
};
