// Copyright the denogo authors. MIT license.
// Every bad argument of the context constructors: a TypeError or RangeError
// whose message names the function, the rule and the value as given, and no
// context, child registration or timer left behind.

import assert from "node:assert/strict";
import {
  afterFunc,
  background,
  cause,
  type Context,
  fromSignal,
  withCancel,
  withCancelCause,
  withDeadline,
  withDeadlineCause,
  withoutCancel,
  withSignal,
  withTimeout,
  withTimeoutCause,
  withValue,
} from "../../context/mod.ts";
import { contextInternals } from "../../context/_internals.ts";

type ErrorClass = typeof TypeError | typeof RangeError;

function assertThrows(call: () => unknown, type: ErrorClass, message: string) {
  assert.throws(call, (e) => {
    assert(e instanceof type, `${e} is not a ${type.name}`);
    assert.equal((e as Error).message, message);
    return true;
  });
}

const NOT_A_CONTEXT = (what: string, shown: string) =>
  `Cannot ${what}: parent must be a Context (with done, err, deadline, value and signal), received ${shown}`;
const NIL_PARENT = (what: string) =>
  `Cannot ${what}: cannot create context from nil parent; use background() for a root context`;

Deno.test("every constructor names itself and shows a bad parent as given", () => {
  const makers: [string, (parent: Context) => unknown][] = [
    ["withCancel", (p) => withCancel(p)],
    ["withCancelCause", (p) => withCancelCause(p)],
    ["withDeadline", (p) => withDeadline(p, Date.now() + 1000)],
    ["withDeadlineCause", (p) => withDeadlineCause(p, Date.now() + 1000, 1)],
    ["withTimeout", (p) => withTimeout(p, 1000)],
    ["withTimeoutCause", (p) => withTimeoutCause(p, 1000, 1)],
    ["withValue", (p) => withValue(p, "k", 1)],
    ["withoutCancel", (p) => withoutCancel(p)],
    ["withSignal", (p) => withSignal(p, new AbortController().signal)],
    ["afterFunc", (p) => afterFunc(p, () => {})],
    ["cause", (p) => cause(p)],
  ];
  for (const [what, make] of makers) {
    assertThrows(
      () => make(undefined as unknown as Context),
      TypeError,
      NIL_PARENT(what),
    );
    assertThrows(
      () => make(null as unknown as Context),
      TypeError,
      NIL_PARENT(what),
    );
    assertThrows(
      () => make("ctx" as unknown as Context),
      TypeError,
      NOT_A_CONTEXT(what, '"ctx" (a string)'),
    );
    assertThrows(
      () => make({ done() {} } as unknown as Context),
      TypeError,
      NOT_A_CONTEXT(what, "an object"),
    );
  }
  assert.equal(contextInternals.armedTimers(), 0);
});

Deno.test("withTimeout() and withTimeoutCause() show a bad timeout as given", () => {
  const [parent, cancel] = withCancel(background());
  const cases: [unknown, ErrorClass, string][] = [
    [
      "10",
      TypeError,
      'timeout must be a number of milliseconds, received "10" (a string)',
    ],
    [
      undefined,
      TypeError,
      "timeout must be a number of milliseconds, received undefined",
    ],
    [
      10n,
      TypeError,
      "timeout must be a number of milliseconds, received 10n (a bigint)",
    ],
    [
      NaN,
      RangeError,
      "timeout must be a finite number of milliseconds, received NaN",
    ],
    [
      -Infinity,
      RangeError,
      "timeout must be a finite number of milliseconds, received -Infinity",
    ],
  ];
  for (const [ms, type, rule] of cases) {
    assertThrows(
      () => withTimeout(parent, ms as number),
      type,
      `Cannot withTimeout: ${rule}`,
    );
    assertThrows(
      () => withTimeoutCause(parent, ms as number, "why"),
      type,
      `Cannot withTimeoutCause: ${rule}`,
    );
  }
  // Nothing was registered in the parent, and no timer armed.
  assert.equal(contextInternals.childCount(parent), 0);
  assert.equal(contextInternals.armedTimers(), 0);
  cancel();
});

Deno.test("withDeadline() and withDeadlineCause() show a bad deadline as given", () => {
  const [parent, cancel] = withCancel(background());
  const cases: [unknown, ErrorClass, string][] = [
    [
      "2030-01-01",
      TypeError,
      'deadline must be a Date or epoch milliseconds, received "2030-01-01" (a string)',
    ],
    [
      null,
      TypeError,
      "deadline must be a Date or epoch milliseconds, received null",
    ],
    [
      {},
      TypeError,
      "deadline must be a Date or epoch milliseconds, received an object",
    ],
    [
      new Date("x"),
      RangeError,
      "deadline must be a valid date, received Invalid Date",
    ],
    [NaN, RangeError, "deadline must be a valid date, received NaN"],
    [1e300, RangeError, "deadline must be a valid date, received 1e+300"],
  ];
  for (const [deadline, type, rule] of cases) {
    assertThrows(
      () => withDeadline(parent, deadline as number),
      type,
      `Cannot withDeadline: ${rule}`,
    );
    assertThrows(
      () => withDeadlineCause(parent, deadline as number, "why"),
      type,
      `Cannot withDeadlineCause: ${rule}`,
    );
  }
  assert.equal(contextInternals.childCount(parent), 0);
  assert.equal(contextInternals.armedTimers(), 0);
  cancel();
});

Deno.test("withValue() refuses a nil key, naming it", () => {
  for (const key of [undefined, null]) {
    assertThrows(
      () => withValue(background(), key as unknown as string, 1),
      TypeError,
      `Cannot withValue: nil key; use a ContextKey, a symbol or an object as the key, received ${key}`,
    );
  }
});

Deno.test("afterFunc() shows a bad function as given and registers nothing", () => {
  const [ctx, cancel] = withCancel(background());
  for (
    const [fn, shown] of [[5, "5"], ["f", '"f" (a string)'], [
      undefined,
      "undefined",
    ]]
  ) {
    assertThrows(
      () => afterFunc(ctx, fn as unknown as () => void),
      TypeError,
      `Cannot afterFunc: fn must be a function, received ${shown}`,
    );
  }
  assert.equal(contextInternals.childCount(ctx), 0);
  cancel();
});

Deno.test("withSignal() and fromSignal() show a bad signal as given", () => {
  const [parent, cancel] = withCancel(background());
  for (
    const [signal, shown] of [[null, "null"], ["abort", '"abort" (a string)'], [
      {},
      "an object",
    ]]
  ) {
    assertThrows(
      () => withSignal(parent, signal as unknown as AbortSignal),
      TypeError,
      `Cannot withSignal: expected an AbortSignal, received ${shown}`,
    );
    assertThrows(
      () => fromSignal(signal as unknown as AbortSignal),
      TypeError,
      `Cannot fromSignal: expected an AbortSignal, received ${shown}`,
    );
  }
  assert.equal(contextInternals.childCount(parent), 0);
  cancel();
});
