// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Windows into a context's private state, for the tests that check what Go's
 * tests check with `pc.children`: that cancelling a child unregisters it
 * from its parent, and that the done channel and AbortSignal are created
 * only on demand. `context.ts` fills these in when it loads.
 */
export interface ContextInternals {
  /**
   * How many children (cancelable contexts and `afterFunc` registrations)
   * a cancelable context holds; -1 for any other context.
   */
  childCount(ctx: unknown): number;
  /** Whether a context has allocated its own done channel. */
  hasDoneChannel(ctx: unknown): boolean;
  /** Whether a context has allocated its own AbortController. */
  hasController(ctx: unknown): boolean;
  /**
   * How many deadline timers are armed. Deno's sanitizers do not report a
   * leaked timer (as of Deno 2.9), so the tests check this instead.
   */
  armedTimers(): number;
}

/** Filled in by `context.ts`. */
export const contextInternals: ContextInternals = {
  childCount: unset,
  hasDoneChannel: unset,
  hasController: unset,
  armedTimers: unset,
};

function unset(): never {
  throw new Error("context.ts was not loaded");
}
