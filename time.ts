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
 * @module
 */

import { Channel, type ReceiveChannel } from "./channel.ts";
import { go } from "./scheduler.ts";
import { timerArmed, timerDisarmed } from "./_parking.ts";
import { channelInternals, type ChannelSource } from "./_selectable.ts";

function checkDuration(ms: unknown, what: string, positive: boolean): number {
  if (
    typeof ms !== "number" || !Number.isFinite(ms) || (positive && ms <= 0)
  ) {
    const kind = positive ? "a positive finite" : "a finite";
    throw new RangeError(
      `Cannot ${what}: duration must be ${kind} number of milliseconds, received ${
        String(ms)
      }`,
    );
  }
  return ms;
}

/** Makes an `afterFunc` timer; set by Timer's static block. */
let newFuncTimer: (ms: number, fn: () => unknown) => Timer;

/**
 * The clock shared by {@linkcode Timer} and {@linkcode Ticker}: a deadline,
 * and a real timer armed only while a receiver waits on the channel.
 */
abstract class LazyClock implements ChannelSource {
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
  protected deadline: number;
  /** Whether a value is still to come. */
  protected active = true;

  constructor(ms: number) {
    this.deadline = performance.now() + ms;
    channelInternals.attachSource(this.#channel, this);
  }

  get channel(): ReceiveChannel<Date> {
    return this.#channel;
  }

  /** Called when the deadline has passed: deliver, and set the next one. */
  protected abstract expire(now: number): void;

  deliver(): void {
    // Dropped if the buffer is full: a slow ticker reader loses ticks.
    this.#channel.trySend(new Date());
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
      const delay = Math.max(0, this.deadline - performance.now());
      this.#handle = setTimeout(this.#fire, delay);
    }
  };

  #fire = (): void => {
    this.#handle = undefined;
    this.poll();
    // Still wanted (a ticker, or a timer that fired a little early): again.
    if (this.#counted) this.#reconcile();
  };
}

/**
 * A single event in the future: Go's `time.Timer`. When `ms` have passed,
 * the current time is sent on {@linkcode Timer.c} (once).
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
   * @throws {RangeError} If `ms` is not a finite number.
   */
  constructor(ms: number) {
    this.#clock = new TimerClock(checkDuration(ms, "start timer", false));
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
   * @throws {RangeError} If `ms` is not a finite number.
   */
  reset(ms: number): boolean {
    return this.#clock.reset(checkDuration(ms, "reset timer", false));
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
    this.deadline = performance.now() + ms;
    this.active = true;
    this.rearm();
    return wasPending;
  }
}

/**
 * Delivers the time on {@linkcode Ticker.c} every `ms` milliseconds: Go's
 * `time.Ticker`. The channel buffers one tick; ticks a slow receiver
 * misses are dropped, not queued. Stop it when done (or `using` it).
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
   * @throws {RangeError} If `ms` is not a positive finite number.
   */
  constructor(ms: number) {
    this.#clock = new TickerClock(checkDuration(ms, "start ticker", true));
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
   * @throws {RangeError} If `ms` is not a positive finite number.
   */
  reset(ms: number): void {
    this.#clock.reset(checkDuration(ms, "reset ticker", true));
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
  }

  stop(): void {
    this.active = false;
    this.drain();
    this.rearm();
  }

  reset(period: number): void {
    this.#period = period;
    this.deadline = performance.now() + period;
    this.active = true;
    this.drain();
    this.rearm();
  }
}

/**
 * Returns a channel that receives the current time after `ms`
 * milliseconds: Go's `time.After`. Use it as a timeout case in a
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
 * @throws {RangeError} If `ms` is not a finite number.
 */
export function after(ms: number): ReceiveChannel<Date> {
  return new Timer(ms).c;
}

/**
 * Returns a channel that receives the time every `ms` milliseconds: Go's
 * `time.Tick`. It cannot be stopped, but costs nothing while nobody waits
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
 * @throws {RangeError} If `ms` is not a positive finite number.
 */
export function tick(ms: number): ReceiveChannel<Date> {
  return new Ticker(ms).c;
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
 * @throws {RangeError} If `ms` is not a finite number.
 * @throws {TypeError} If `fn` is not a function.
 */
export function afterFunc(ms: number, fn: () => unknown): Timer {
  checkDuration(ms, "start timer", false);
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot start timer: expected a function, received ${typeof fn}`,
    );
  }
  return newFuncTimer(ms, fn);
}

/**
 * Pauses the calling goroutine for `ms` milliseconds: Go's `time.Sleep`.
 * Other goroutines run meanwhile.
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
 * @param ms The pause in milliseconds; zero or negative returns after one
 *   event-loop turn.
 * @returns A promise that resolves after the pause.
 * @throws {RangeError} If `ms` is not a finite number.
 */
export function sleep(ms: number): Promise<void> {
  checkDuration(ms, "sleep", false);
  timerArmed();
  return new Promise((resolve) =>
    setTimeout(() => {
      timerDisarmed();
      resolve();
    }, Math.max(0, ms))
  );
}
