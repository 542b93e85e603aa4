// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The clock behind `time.ts`'s timers and tickers: a deadline, and a real
 * JS timer armed only while a receiver waits on the channel (Go 1.23's
 * lazy timers), clamped to `setTimeout`'s limit and re-armed when it
 * fires. Also the duration and options checks of the time functions.
 *
 * @module
 */

import { Channel, type ReceiveChannel } from "./channel.ts";
import { timerArmed, timerDisarmed } from "./_parking.ts";
import { channelInternals, type ChannelSource } from "./_selectable.ts";
import { describe } from "./_describe.ts";

/**
 * Checks a duration: a number (TypeError otherwise), finite (and above zero
 * if `positive`; RangeError otherwise). Messages show the value as given.
 */
export function checkDuration(
  ms: unknown,
  what: string,
  positive: boolean,
): number {
  if (typeof ms !== "number") {
    throw new TypeError(
      `Cannot ${what}: duration must be a number of milliseconds, received ${
        describe(ms)
      }`,
    );
  }
  if (!Number.isFinite(ms) || (positive && ms <= 0)) {
    const kind = positive ? "a positive finite" : "a finite";
    throw new RangeError(
      `Cannot ${what}: duration must be ${kind} number of milliseconds, received ${
        describe(ms)
      }`,
    );
  }
  return ms;
}

/**
 * The longest delay `setTimeout` takes (2^31 - 1 ms, about 24.8 days); a
 * longer one would fire at once, with a warning. Timers with a later
 * deadline arm for this long and re-arm when it fires.
 */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The clock shared by {@linkcode Timer} and {@linkcode Ticker}: a deadline,
 * and a real timer armed only while a receiver waits on the channel.
 */
export abstract class LazyClock implements ChannelSource {
  readonly #channel = new Channel<Date>({ capacity: 1 });
  #handle: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Whether a receiver waits on the channel. */
  #waiting = false;
  /** Whether the detector counts this timer: waited on and active. */
  #counted = false;
  /** Whether the deadline moved since the real timer was armed. */
  #stale = false;
  #syncQueued = false;
  /** When the next value is due (`performance.now()` milliseconds). */
  protected deadline = 0;
  /**
   * The same instant on the wall clock (`Date.now()` milliseconds): the
   * value delivered, as Go sends the time the timer fired, however late
   * it is received.
   */
  protected wall = 0;
  /** Whether a value is still to come. */
  protected active = true;

  constructor(ms: number) {
    this.schedule(ms);
    channelInternals.attachSource(this.#channel, this);
  }

  /** Sets the next deadline `ms` from now (now, for `ms <= 0`, as Go). */
  protected schedule(ms: number): void {
    const d = ms > 0 ? ms : 0;
    this.deadline = performance.now() + d;
    this.wall = Date.now() + d;
  }

  get channel(): ReceiveChannel<Date> {
    return this.#channel;
  }

  /** Called when the deadline has passed: deliver, and set the next one. */
  protected abstract expire(now: number): void;

  /** Sends the time the deadline passed (dropped if the buffer is full). */
  deliver(): void {
    // Dropped if the buffer is full: a slow ticker reader loses ticks.
    this.#channel.trySend(new Date(this.wall));
  }

  poll(): void {
    if (!this.active) return;
    const now = performance.now();
    if (now >= this.deadline) this.expire(now);
  }

  waiting(): void {
    this.#waiting = true;
    this.#reconcile();
  }

  idle(): void {
    this.#waiting = false;
    this.#reconcile();
  }

  /**
   * Removes any undelivered value, so none is stale after a stop or reset;
   * true if there was one.
   */
  protected drain(): boolean {
    return this.#channel.tryReceive().state === "ok";
  }

  /** Re-arms or disarms after the deadline or the active flag changed. */
  protected rearm(): void {
    this.#stale = true;
    this.#reconcile();
  }

  /**
   * Counts the timer in or out for the deadlock detector at once, and
   * queues the real timer's arming or clearing for a microtask: this runs
   * inside channel operations (a select parking on this channel), where a
   * setTimeout call must not run (Node compatibility can make setTimeout
   * and clearTimeout run queued microtasks on the spot).
   */
  #reconcile(): void {
    const wanted = this.#waiting && this.active;
    if (wanted !== this.#counted) {
      this.#counted = wanted;
      if (wanted) timerArmed();
      else timerDisarmed();
    }
    if (!this.#syncQueued) {
      this.#syncQueued = true;
      queueMicrotask(this.#sync);
    }
  }

  #sync = (): void => {
    this.#syncQueued = false;
    if (this.#handle !== undefined && (!this.#counted || this.#stale)) {
      clearTimeout(this.#handle);
      this.#handle = undefined;
    }
    this.#stale = false;
    if (this.#counted && this.#handle === undefined) {
      // A later deadline fires early at MAX_TIMEOUT_MS and re-arms then.
      const delay = Math.min(
        Math.max(0, this.deadline - performance.now()),
        MAX_TIMEOUT_MS,
      );
      this.#handle = setTimeout(this.#fire, delay);
    }
  };

  #fire = (): void => {
    this.#handle = undefined;
    this.poll();
    // Still wanted (a ticker, a timer that fired a little early, or one
    // whose deadline is past MAX_TIMEOUT_MS): again, with one JS timer.
    if (this.#counted) this.#reconcile();
  };
}

/** The `signal` of an options bag, checked. */
export function checkSignalOption(
  options: { signal?: unknown } | undefined,
  what: string,
): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot ${what}: options must be an object, received ${
        describe(options)
      }`,
    );
  }
  const signal = options.signal;
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new TypeError(
    `Cannot ${what}: options.signal must be an AbortSignal, received ${
      describe(signal)
    }`,
  );
}
