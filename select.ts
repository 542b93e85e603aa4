// Copyright the denogo authors. MIT license.

/**
 * Go's `select` statement: wait on several channel operations at once and
 * run the one that can proceed.
 *
 * @module
 */

import { Channel, type ReceiveChannel, type SendChannel } from "./channel.ts";
import { describe } from "./_describe.ts";
import { park } from "./_parking.ts";
import { resumed, resuming } from "./_goroutines.ts";
import { afterTurn, preemptDue } from "./_preempt.ts";
import {
  channelInternals,
  CLOSED,
  NOT_READY,
  sharedSelect,
} from "./_selectable.ts";
import { SelectPark } from "./_waiter.ts";
import { parkCases, randomOrder } from "./_select_cases.ts";

const RECEIVE = 0;
const SEND = 1;

/**
 * A receive case's body: Go's `case v, ok := <-ch:`. It gets the value and
 * `ok` (false when the channel is closed and drained); testing `ok` narrows
 * the value.
 */
export type ReceiveHandler<T, R> = (
  ...args: [value: T, ok: true] | [value: undefined, ok: false]
) => R;

/**
 * One case of a {@linkcode select}, made by {@linkcode recv} or
 * {@linkcode send}. `R` is what its body returns.
 *
 * @typeParam R The result of the case's body.
 */
export class SelectCase<R> {
  /** @internal */
  readonly kind: typeof RECEIVE | typeof SEND;
  /** @internal A `Channel`, a `SharedChannel`, or null. */
  readonly channel: object | null;
  /** @internal */
  readonly value: unknown;
  /** @internal */
  readonly body: ((value?: unknown, ok?: boolean) => R) | undefined;
  /** @internal Whether `channel` is a `SharedChannel`. */
  readonly shared: boolean;

  /** @internal */
  constructor(
    kind: typeof RECEIVE | typeof SEND,
    channel: object | null,
    value: unknown,
    body: ((value?: unknown, ok?: boolean) => R) | undefined,
    shared: boolean,
  ) {
    this.kind = kind;
    this.channel = channel;
    this.value = value;
    this.body = body;
    this.shared = shared;
  }
}

/** A case's channel that is neither null nor a `Channel`: a `SharedChannel`. */
function checkShared(
  channel: unknown,
  builder: string,
): object {
  if (sharedSelect.isShared(channel)) return channel as object;
  throw new TypeError(
    `Cannot make a select case with ${builder}(): expected a Channel or null, received ${
      describe(channel)
    }`,
  );
}

function checkBody(body: unknown, builder: string): void {
  if (body !== undefined && typeof body !== "function") {
    throw new TypeError(
      `Cannot make a select case with ${builder}(): the body must be a function or omitted, received ${
        describe(body)
      }`,
    );
  }
}

/**
 * A receive case: Go's `case v, ok := <-channel: body`. A `null` channel is
 * Go's nil channel: the case never fires. Without a body the value is
 * dropped, as in `case <-channel:`.
 *
 * @example Usage
 * ```ts
 * import { Channel, recv, select } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const ch = new Channel<number>({ capacity: 1 });
 * ch.trySend(41);
 * const got = await select([recv(ch, (v, ok) => ok ? v + 1 : -1)]);
 * assert.equal(got, 42);
 * ```
 *
 * @typeParam T The channel's value type.
 * @typeParam R What the body returns.
 * @param channel The channel to receive from, or null for a case that never fires.
 * @param body Runs with the value and `ok` when this case is chosen.
 * @returns The case.
 * @throws {TypeError} If `channel` is neither a Channel nor null, or `body`
 *   is neither a function nor omitted.
 */
export function recv<T, R = undefined>(
  channel: ReceiveChannel<T> | null,
  body?: ReceiveHandler<T, R>,
): SelectCase<R>;
/**
 * A receive case whose body takes only the value (`undefined` once the
 * channel is closed): Go's `case v := <-channel: body`.
 *
 * @example Usage
 * ```ts
 * import { Channel, recv, select } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const ch = new Channel<string>({ capacity: 1 });
 * ch.trySend("hi");
 * assert.equal(await select([recv(ch, (v) => v?.toUpperCase())]), "HI");
 * ```
 *
 * @typeParam T The channel's value type.
 * @typeParam R What the body returns.
 * @param channel The channel to receive from, or null for a case that never fires.
 * @param body Runs with the value when this case is chosen.
 * @returns The case.
 * @throws {TypeError} If `channel` is neither a Channel nor null, or `body`
 *   is neither a function nor omitted.
 */
export function recv<T, R>(
  channel: ReceiveChannel<T> | null,
  body: (value: T | undefined) => R,
): SelectCase<R>;
export function recv<T, R>(
  channel: ReceiveChannel<T> | null,
  body?: ReceiveHandler<T, R> | ((value: T | undefined) => R),
): SelectCase<R> {
  checkBody(body, "recv");
  const local = channel === null || channel instanceof Channel;
  return new SelectCase<R>(
    RECEIVE,
    local ? channel : checkShared(channel, "recv"),
    undefined,
    body as ((value?: unknown, ok?: boolean) => R) | undefined,
    !local,
  );
}

/**
 * A send case: Go's `case channel <- value: body`. A `null` channel is Go's
 * nil channel: the case never fires. If the channel is closed when the select
 * tries this case, the select rejects with `ChannelClosedError`, as Go panics.
 *
 * @example Usage
 * ```ts
 * import { Channel, select, send } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const ch = new Channel<string>({ capacity: 1 });
 * const r = await select([send(ch, "hello", () => "sent")]);
 * assert.equal(r, "sent");
 * assert.equal(ch.size, 1);
 * ```
 *
 * @typeParam T The channel's value type.
 * @typeParam R What the body returns.
 * @param channel The channel to send on, or null for a case that never fires.
 * @param value The value to send.
 * @param body Runs when this case is chosen, after the value is delivered.
 * @returns The case.
 * @throws {TypeError} If `channel` is neither a Channel nor null, or `body`
 *   is neither a function nor omitted.
 */
export function send<T, R = undefined>(
  channel: SendChannel<T> | null,
  value: NoInfer<T>,
  body?: () => R,
): SelectCase<R> {
  checkBody(body, "send");
  const local = channel === null || channel instanceof Channel;
  return new SelectCase<R>(
    SEND,
    local ? channel : checkShared(channel, "send"),
    value,
    body,
    !local,
  );
}

/** Options for {@linkcode select}. */
export interface SelectOptions<D> {
  /**
   * Go's `default:` case: runs, and the select returns its result, when no
   * case can proceed at once. With it, `select` never blocks.
   */
  default?: () => D;
  /**
   * Cancels a blocked select: it rejects with the signal's reason and no
   * case fires. (A context's `done()` channel as a case is the Go way.)
   */
  signal?: AbortSignal;
}

/** The union of what the bodies of `cases` return. */
export type SelectResult<C extends readonly SelectCase<unknown>[]> =
  C[number] extends SelectCase<infer R> ? Awaited<R> : never;

const RESOLVED_UNDEFINED: Promise<undefined> = Promise.resolve(undefined);

/**
 * The order in which a select polls its cases, and then queues them: a
 * random permutation, rebuilt by every select before anything else runs.
 */
const pollOrder: number[] = [];

/**
 * Waits until one of `cases` can proceed, performs it, runs its body and
 * resolves with what the body returns: Go's `select` statement.
 *
 * - When several cases are ready, one is chosen uniformly at random.
 * - Exactly one case commits: a value is never both delivered and left with
 *   its sender, nor taken by two selects.
 * - With no ready case it blocks, unless `options.default` is given, which
 *   then runs instead. A select with no cases (or only `null` channels) and
 *   no default blocks forever, as `select {}` does.
 * - Bodies run in the selecting goroutine after the case has committed; an
 *   async body is awaited before the select resolves, and a body that throws
 *   rejects the select.
 *
 * @example A receive with a timeout
 * ```ts
 * import { after, Channel, go, recv, select } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const words = new Channel<string>();
 * go(() => words.send("hello"));
 * const got = await select([
 *   recv(words, (w, ok) => ok ? w : "closed"),
 *   recv(after(1000), () => "timeout"),
 * ]);
 * assert.equal(got, "hello");
 * ```
 *
 * @example A non-blocking send
 * ```ts
 * import { Channel, select, send } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * const ch = new Channel<number>(); // nobody receives
 * const sent = await select([send(ch, 1, () => true)], { default: () => false });
 * assert.equal(sent, false);
 * ```
 *
 * @typeParam C The cases' types.
 * @typeParam D What the default case returns.
 * @param cases The cases, made with {@linkcode recv} and {@linkcode send}.
 * @param options A default case, and a signal that cancels the wait.
 * @returns What the chosen case's body (or the default) returns; undefined
 *   for a case without a body.
 * @throws {ChannelClosedError} If a send case's channel is closed when the
 *   select tries it, or closes while the select waits on it.
 * @throws {TypeError} If `cases` is not an array of cases made by
 *   {@linkcode recv} and {@linkcode send}, or `options` is not an object
 *   whose `default` is a function and `signal` an `AbortSignal`. The promise
 *   rejects before any case is tried, so no value is taken or sent.
 */
export function select<
  const C extends readonly SelectCase<unknown>[],
  D = never,
>(
  cases: C,
  options?: SelectOptions<D>,
): Promise<SelectResult<C> | D> {
  // Check every argument before any case is tried: a bad one rejects the
  // select with nothing taken or sent. (The message is worked out only
  // then, so the check costs a type test per case.)
  const n = cases?.length;
  if (typeof n !== "number") return Promise.reject(argumentsError(cases));
  for (let i = 0; i < n; i++) {
    if (!(cases[i] instanceof SelectCase)) {
      return Promise.reject(argumentsError(cases));
    }
  }
  let fallback: (() => D) | undefined;
  let signal: AbortSignal | undefined;
  if (options !== undefined) {
    if (typeof options !== "object" || options === null) {
      return Promise.reject(optionsError(options));
    }
    fallback = options.default;
    signal = options.signal;
    if (
      (fallback !== undefined && typeof fallback !== "function") ||
      (signal !== undefined && !(signal instanceof AbortSignal))
    ) {
      return Promise.reject(optionsError(options));
    }
  }
  let hasShared = false;
  // Pass 1: try every case, in random order, without blocking. The first
  // ready case in a uniformly random permutation is uniform among the ready.
  if (n > 0) {
    randomOrder(pollOrder, n);
    for (let k = 0; k < n; k++) {
      const c = cases[pollOrder[k]];
      const ch = c.channel;
      if (ch === null) continue;
      const internals = c.shared
        ? (hasShared = true, sharedSelect)
        : channelInternals;
      if (c.kind === RECEIVE) {
        const v = internals.pollReceive(ch);
        if (v === NOT_READY) continue;
        return runBody(c, v === CLOSED ? undefined : v, v !== CLOSED);
      }
      try {
        if (!internals.pollSend(ch, c.value)) continue;
      } catch (error) {
        return Promise.reject(error);
      }
      return runBody(c, undefined, true);
    }
  }
  if (fallback !== undefined) {
    let result;
    try {
      result = fallback();
    } catch (error) {
      return Promise.reject(error);
    }
    return preemptDue() ? afterTurn(result) : Promise.resolve(result);
  }
  if (signal?.aborted) return Promise.reject(signal.reason);

  // Pass 2: park a waiter on every case's channel; the first to fire wins.
  // A select over shared channels waits in the shared tier, which also
  // parks its tier-1 cases.
  if (hasShared) {
    return new Promise((resolve, reject) => {
      sharedSelect.block(cases, signal, (index, value, ok) => {
        const c = cases[index];
        if (c.body === undefined) {
          resolve(undefined as SelectResult<C>);
          return;
        }
        queueMicrotask(() => {
          try {
            resolve(callBody(c, value, ok) as SelectResult<C>);
          } catch (error) {
            reject(error);
          }
        });
      }, reject);
    });
  }
  return new Promise((resolve, reject) => {
    let live = 0;
    for (let i = 0; i < n; i++) if (cases[i].channel !== null) live++;
    const sp = new SelectPark(
      live === 0 ? "select (no cases)" : "select",
      (index, value, ok) => {
        const c = cases[index];
        if (c.body === undefined) {
          resolve(undefined as SelectResult<C>);
          return;
        }
        queueMicrotask(() => {
          // The body ran as the select's goroutine; so does what awaits it.
          resuming(sp);
          try {
            resolve(callBody(c, value, ok) as SelectResult<C>);
          } catch (error) {
            reject(error);
          }
          resumed(sp);
        });
      },
      reject,
    );
    // Queue the cases in the same random order.
    parkCases(cases, pollOrder, n, sp);
    park(sp, signal);
  });
}

const CASES_RULE = "cases must be an array of cases made by recv() or send()";

function argumentsError(cases: unknown): TypeError {
  if (!Array.isArray(cases)) return casesError(cases);
  for (let i = 0; i < cases.length; i++) {
    if (!(cases[i] instanceof SelectCase)) return caseError(cases[i], i);
  }
  // An array-like that is not an array, with cases in it.
  return casesError(cases);
}

function casesError(cases: unknown): TypeError {
  if (cases instanceof SelectCase) {
    return new TypeError(
      `Cannot select: ${CASES_RULE}, received a single case; ` +
        "wrap it in an array: select([recv(ch)])",
    );
  }
  return new TypeError(
    `Cannot select: ${CASES_RULE}, received ${describe(cases)}`,
  );
}

function caseError(c: unknown, index: number): TypeError {
  return new TypeError(
    `Cannot select: cases[${index}] must be a case made by recv() or send(), received ${
      describe(c)
    }`,
  );
}

function optionsError(options: unknown): TypeError {
  if (typeof options !== "object" || options === null) {
    return new TypeError(
      "Cannot select: options must be an object such as " +
        `{ default: () => value }, received ${describe(options)}`,
    );
  }
  const { default: fallback, signal } = options as SelectOptions<unknown>;
  if (fallback !== undefined && typeof fallback !== "function") {
    return new TypeError(
      `Cannot select: options.default must be a function (the default case's body), received ${
        describe(fallback)
      }`,
    );
  }
  return new TypeError(
    `Cannot select: options.signal must be an AbortSignal, received ${
      describe(signal)
    }`,
  );
}

function callBody<R>(c: SelectCase<R>, value: unknown, ok: boolean): R {
  return c.kind === RECEIVE ? c.body!(value, ok) : c.body!();
}

// deno-lint-ignore no-explicit-any
function runBody(c: SelectCase<unknown>, value: unknown, ok: boolean): any {
  if (c.body === undefined) {
    return preemptDue() ? afterTurn(undefined) : RESOLVED_UNDEFINED;
  }
  let result;
  try {
    result = callBody(c, value, ok);
  } catch (error) {
    return Promise.reject(error);
  }
  return preemptDue() ? afterTurn(result) : Promise.resolve(result);
}
