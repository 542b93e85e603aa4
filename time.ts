// Copyright the denogo authors. MIT license.

/**
 * Go's `time` package, as channels: {@linkcode after}, {@linkcode tick},
 * {@linkcode Timer}, {@linkcode Ticker}, {@linkcode afterFunc} and
 * {@linkcode sleep}. Timer and ticker channels are ordinary receive-only
 * channels, so a timeout is just a `select` case.
 *
 * Timers follow Go 1.23: a timer's channel holds no stale value after
 * `stop()` or `reset()`, and a timer or ticker costs nothing while nobody
 * waits on its channel. A real JS timer is armed only while a receiver
 * (a `receive()` or a `select`) waits, and an expired timer still delivers
 * to whoever receives later. So an `after(60_000)` case of a select that
 * another case won keeps neither the process alive nor Deno's test
 * sanitizers busy.
 *
 * As in Go, the value a timer or ticker delivers is the time it fired (its
 * deadline), not the time it was received: `after(10)` received 500 ms
 * later gives a `Date` about 10 ms after the call. Any finite duration
 * works, including ones beyond `setTimeout`'s limit of 2^31 - 1 ms (about
 * 24.8 days): such a timer arms one JS timer for the limit and re-arms
 * when it fires, so there is never more than one JS timer per timer and
 * never a `TimeoutOverflowWarning`.
 *
 * @module
 */

import type { ReceiveChannel } from "./channel.ts";
import { go } from "./scheduler.ts";
import { timerArmed, timerDisarmed } from "./_parking.ts";
import { describe } from "./_describe.ts";
import {
  checkDuration,
  checkSignalOption,
  LazyClock,
  MAX_TIMEOUT_MS,
} from "./_clock.ts";

// The channel type of timers, so this entry point documents itself.
export type {
  ChannelWaitOptions,
  ReceiveChannel,
  ReceiveResult,
  TryReceiveResult,
} from "./channel.ts";

/** Makes an `afterFunc` timer; set by Timer's static block. */
let newFuncTimer: (ms: number, fn: () => unknown) => Timer;

/**
 * A single event in the future: Go's `time.Timer`. When `ms` have passed,
 * the time it fired is sent on {@linkcode Timer.c} (once): the deadline,
 * however late the value is received.
 *
 * @example A timeout in a select
 * ```ts
 * import { Channel, recv, select, Timer } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const never = new Channel<string>();
 * const timer = new Timer(10);
 * const r = await select([
 *   recv(never, () => "value"),
 *   recv(timer.c, () => "timeout"),
 * ]);
 * assert.equal(r, "timeout");
 * ```
 */
export class Timer implements Disposable {
  #clock: TimerClock;

  static {
    newFuncTimer = (ms, fn) => {
      const timer = new Timer(0);
      timer.#clock.stop();
      timer.#clock = new TimerClock(ms, fn);
      return timer;
    };
  }

  /**
   * Starts a timer that fires after `ms` milliseconds: Go's
   * `time.NewTimer`.
   *
   * @example Usage
   * ```ts
   * import { Timer } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const t = new Timer(1);
   * const { value } = await t.c.receive();
   * assert(value instanceof Date);
   * ```
   *
   * @param ms The delay in milliseconds; zero or negative fires at once.
   * @throws {TypeError} If `ms` is not a number.
   * @throws {RangeError} If `ms` is NaN or infinite.
   */
  constructor(ms: number) {
    this.#clock = new TimerClock(checkDuration(ms, "create Timer", false));
  }

  /**
   * The channel on which the time is delivered when the timer fires: Go's
   * `timer.C`.
   *
   * @example Usage
   * ```ts
   * import { Timer } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const t = new Timer(0);
   * assert.equal((await t.c.receive()).ok, true);
   * ```
   */
  get c(): ReceiveChannel<Date> {
    return this.#clock.channel;
  }

  /**
   * Stops the timer: Go's `timer.Stop()`. After it returns no value will be
   * received from {@linkcode Timer.c}, even one already due.
   *
   * @example Usage
   * ```ts
   * import { Timer } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const t = new Timer(1000);
   * assert.equal(t.stop(), true);
   * assert.equal(t.stop(), false);
   * ```
   *
   * @returns True if the call stopped the timer; false if its value had
   *   already been received (for `afterFunc`: the function had already
   *   started) or it had been stopped. As in Go 1.23, a timer past its
   *   deadline whose value nobody has received yet is still running.
   */
  stop(): boolean {
    return this.#clock.stop();
  }

  /**
   * Makes the timer fire `ms` from now instead: Go's `timer.Reset()`. No
   * value from before the reset will be received.
   *
   * @example Usage
   * ```ts
   * import { Timer } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const t = new Timer(60_000);
   * assert.equal(t.reset(1), true);
   * assert.equal((await t.c.receive()).ok, true);
   * ```
   *
   * @param ms The new delay in milliseconds.
   * @returns True if the timer was running before the reset, in the sense
   *   of {@linkcode Timer.stop}.
   * @throws {TypeError} If `ms` is not a number.
   * @throws {RangeError} If `ms` is NaN or infinite.
   */
  reset(ms: number): boolean {
    return this.#clock.reset(checkDuration(ms, "reset Timer", false));
  }

  /**
   * Stops the timer, for `using`.
   *
   * @example Usage
   * ```ts
   * import { Timer } from "@denogo/go";
   *
   * { using _t = new Timer(60_000); }
   * ```
   */
  [Symbol.dispose](): void {
    this.stop();
  }
}

class TimerClock extends LazyClock {
  /** For `afterFunc`: run this instead of sending on the channel. */
  readonly #fn: (() => unknown) | undefined;

  constructor(ms: number, fn?: () => unknown) {
    super(ms);
    this.#fn = fn;
    // A function timer has no receiver to wait for it: arm it now.
    if (fn !== undefined) this.waiting();
  }

  protected expire(): void {
    this.active = false;
    if (this.#fn === undefined) this.deliver();
    else go(this.#fn);
  }

  /**
   * Go 1.23: true unless the value was already received (or the function
   * already started, or the timer was stopped). A timer past its deadline
   * whose value nobody has received yet still counts as running, so Go's
   * idiom `if (!t.stop()) await t.c.receive()` never blocks.
   */
  stop(): boolean {
    let wasRunning = this.active;
    this.active = false;
    if (this.drain()) wasRunning = true;
    this.rearm();
    return wasRunning;
  }

  reset(ms: number): boolean {
    const wasPending = this.stop();
    this.schedule(ms);
    this.active = true;
    this.rearm();
    return wasPending;
  }
}

/**
 * Delivers the time on {@linkcode Ticker.c} every `ms` milliseconds: Go's
 * `time.Ticker`. The channel buffers one tick; ticks a slow receiver
 * misses are dropped, not queued. Each value is the time of its tick (the
 * first missed tick's, for a slow receiver), not the time it was received. Stop it when done (or `using` it).
 *
 * @example Usage
 * ```ts
 * import { Ticker } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * using ticker = new Ticker(1);
 * let ticks = 0;
 * for await (const _ of ticker.c) if (++ticks === 3) break;
 * assert.equal(ticks, 3);
 * ```
 */
export class Ticker implements Disposable {
  readonly #clock: TickerClock;

  /**
   * Starts a ticker with period `ms`: Go's `time.NewTicker`.
   *
   * @example Usage
   * ```ts
   * import { Ticker } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * assert.throws(() => new Ticker(0), RangeError);
   * ```
   *
   * @param ms The period in milliseconds.
   * @throws {TypeError} If `ms` is not a number.
   * @throws {RangeError} If `ms` is NaN, infinite, zero or negative.
   */
  constructor(ms: number) {
    this.#clock = new TickerClock(checkDuration(ms, "create Ticker", true));
  }

  /**
   * The channel of ticks: Go's `ticker.C`.
   *
   * @example Usage
   * ```ts
   * import { Ticker } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * using t = new Ticker(1);
   * assert.equal((await t.c.receive()).ok, true);
   * ```
   */
  get c(): ReceiveChannel<Date> {
    return this.#clock.channel;
  }

  /**
   * Stops the ticker: no tick is received after it returns. The channel is
   * not closed, as in Go.
   *
   * @example Usage
   * ```ts
   * import { Ticker } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * const t = new Ticker(1000);
   * t.stop();
   * assert.deepEqual(t.c.tryReceive(), { state: "empty" });
   * ```
   */
  stop(): void {
    this.#clock.stop();
  }

  /**
   * Stops the ticker and restarts it with period `ms`: Go's `ticker.Reset`.
   *
   * @example Usage
   * ```ts
   * import { Ticker } from "@denogo/go";
   * import assert from "node:assert/strict";
   *
   * using t = new Ticker(60_000);
   * t.reset(1);
   * assert.equal((await t.c.receive()).ok, true);
   * ```
   *
   * @param ms The new period in milliseconds.
   * @throws {TypeError} If `ms` is not a number.
   * @throws {RangeError} If `ms` is NaN, infinite, zero or negative.
   */
  reset(ms: number): void {
    this.#clock.reset(checkDuration(ms, "reset Ticker", true));
  }

  /**
   * Stops the ticker, for `using`.
   *
   * @example Usage
   * ```ts
   * import { Ticker } from "@denogo/go";
   *
   * { using _t = new Ticker(10); }
   * ```
   */
  [Symbol.dispose](): void {
    this.stop();
  }
}

class TickerClock extends LazyClock {
  #period: number;

  constructor(period: number) {
    super(period);
    this.#period = period;
  }

  protected expire(now: number): void {
    this.deliver();
    // Skip the ticks that are already past: they are dropped, not queued.
    const missed = Math.floor((now - this.deadline) / this.#period) + 1;
    this.deadline += missed * this.#period;
    this.wall += missed * this.#period;
  }

  stop(): void {
    this.active = false;
    this.drain();
    this.rearm();
  }

  reset(period: number): void {
    this.#period = period;
    this.schedule(period);
    this.active = true;
    this.drain();
    this.rearm();
  }
}

/**
 * Returns a channel that receives the time it fired, `ms` milliseconds
 * from now: Go's `time.After`. Use it as a timeout case in a
 * {@linkcode select}; an unused one costs nothing once the select is done.
 *
 * @example Usage
 * ```ts
 * import { after, Channel, recv, select } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const results = new Channel<number>();
 * const r = await select([
 *   recv(results, (v) => v),
 *   recv(after(5), () => "timed out"),
 * ]);
 * assert.equal(r, "timed out");
 * ```
 *
 * @param ms The delay in milliseconds.
 * @returns A channel that receives one value.
 * @throws {TypeError} If `ms` is not a number.
 * @throws {RangeError} If `ms` is NaN or infinite.
 */
export function after(ms: number): ReceiveChannel<Date> {
  return new Timer(checkDuration(ms, "start after()", false)).c;
}

/**
 * Returns a channel that receives the time of each tick, every `ms`
 * milliseconds: Go's `time.Tick`. It cannot be stopped, but costs nothing while nobody waits
 * on it; use a {@linkcode Ticker} to stop it.
 *
 * @example Usage
 * ```ts
 * import { tick } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const ticks = tick(1);
 * await ticks.receive();
 * assert.equal((await ticks.receive()).ok, true);
 * ```
 *
 * @param ms The period in milliseconds.
 * @returns A channel of ticks.
 * @throws {TypeError} If `ms` is not a number.
 * @throws {RangeError} If `ms` is NaN, infinite, zero or negative.
 */
export function tick(ms: number): ReceiveChannel<Date> {
  return new Ticker(checkDuration(ms, "start tick()", true)).c;
}

/**
 * Runs `fn` in its own goroutine after `ms` milliseconds: Go's
 * `time.AfterFunc`. The returned timer's `stop()` cancels the call (true if
 * `fn` had not started) and `reset()` schedules it again; its channel is
 * unused.
 *
 * @example Usage
 * ```ts
 * import { afterFunc, Channel } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const done = new Channel<string>({ capacity: 1 });
 * afterFunc(1, () => done.send("ran"));
 * assert.equal((await done.receive()).value, "ran");
 * ```
 *
 * @param ms The delay in milliseconds.
 * @param fn The function to run.
 * @returns A timer that can stop or reset the call.
 * @throws {TypeError} If `ms` is not a number.
 * @throws {RangeError} If `ms` is NaN or infinite.
 * @throws {TypeError} If `fn` is not a function.
 */
export function afterFunc(ms: number, fn: () => unknown): Timer {
  checkDuration(ms, "start afterFunc()", false);
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot start afterFunc(): fn must be a function, received ${
        describe(fn)
      }`,
    );
  }
  return newFuncTimer(ms, fn);
}

/** Options for {@linkcode sleep}. */
export interface SleepOptions {
  /**
   * Ends the sleep early: when it aborts, the promise rejects with
   * `signal.reason` (at once if it is already aborted), as `@std/async`'s
   * `delay` does, and the timer is cleared.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/**
 * Pauses the calling goroutine for `ms` milliseconds: Go's `time.Sleep`.
 * Other goroutines run meanwhile. Any finite duration works: one longer
 * than `setTimeout`'s limit (2^31 - 1 ms, about 24.8 days) is waited out
 * in steps, one JS timer at a time, never cut short.
 *
 * @example Usage
 * ```ts
 * import { sleep } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const start = performance.now();
 * await sleep(5);
 * assert(performance.now() - start >= 4);
 * ```
 *
 * @example Stopping a sleep with a signal
 * ```ts
 * import { sleep } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const controller = new AbortController();
 * const nap = sleep(60_000, { signal: controller.signal });
 * controller.abort(new Error("woken up"));
 * await assert.rejects(nap, { message: "woken up" });
 * ```
 *
 * @param ms The pause in milliseconds; zero or negative returns after one
 *   event-loop turn.
 * @param options An optional `signal` that ends the sleep early.
 * @returns A promise that resolves after the pause, or rejects with the
 *   signal's reason if it aborts first.
 * @throws {TypeError} (as a rejection) If `ms` is not a number, or
 *   `options.signal` is not an AbortSignal.
 * @throws {RangeError} (as a rejection) If `ms` is NaN or infinite.
 */
export function sleep(ms: number, options?: SleepOptions): Promise<void> {
  let signal: AbortSignal | undefined;
  try {
    checkDuration(ms, "sleep", false);
    signal = checkSignalOption(options, "sleep");
  } catch (error) {
    return Promise.reject(error);
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + ms;
    let handle: ReturnType<typeof setTimeout>;
    let clamped = false;
    const arm = (left: number) => {
      clamped = left > MAX_TIMEOUT_MS;
      handle = setTimeout(onFire, clamped ? MAX_TIMEOUT_MS : Math.max(0, left));
    };
    const onFire = () => {
      if (clamped) return arm(deadline - performance.now());
      timerDisarmed();
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    const onAbort = () => {
      clearTimeout(handle);
      timerDisarmed();
      reject(signal!.reason);
    };
    timerArmed();
    signal?.addEventListener("abort", onAbort, { once: true });
    arm(ms);
  });
}
