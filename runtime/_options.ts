// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Checks of the runtime's options (`options.ts`): each returns the value
 * to use or throws a `TypeError` (wrong type) or `RangeError` (out of
 * range) whose message names the function, the option, the rule and the
 * value as given.
 *
 * @module
 */

import type { CloseOptions, RuntimeOptions, TaskOptions } from "./options.ts";
import { builtin } from "../workers/_builtin.ts";

/** The core count: `navigator`'s, or `node:os`' on Node 20 (no navigator). */
function cores(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } })
    .navigator;
  return nav?.hardwareConcurrency ??
    builtin<{ availableParallelism(): number }>("node:os")
      ?.availableParallelism() ??
    1;
}

/** `value` as a message shows it: strings quoted, numbers as written. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  if (value === null) return "null";
  if (typeof value === "object") {
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    if (!name || name === "Object") return "an object";
    return `${/^[AEIO]/.test(name) ? "an" : "a"} ${name}`;
  }
  if (Object.is(value, -0)) return "-0";
  return String(value);
}

function fail(
  where: string,
  name: string,
  rule: string,
  value: unknown,
  type: boolean,
): never {
  const message = `${where}: ${name} must be ${rule}, received ${show(value)}`;
  throw type ? new TypeError(message) : new RangeError(message);
}

/** An integer option in [min, max], or `fallback` when undefined. */
export function integerOption(
  where: string,
  name: string,
  value: unknown,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const rule = `an integer in [${min}, ${max}]`;
  if (typeof value !== "number") fail(where, name, rule, value, true);
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(where, name, rule, value, false);
  }
  return value;
}

/** One of `allowed`, or `fallback` when undefined. */
export function choiceOption<T extends string>(
  where: string,
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (allowed.includes(value as T)) return value as T;
  const rule = `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
  return fail(where, name, rule, value, typeof value !== "string");
}

/** An options bag: undefined or a non-null object. */
export function optionsBag<T extends object>(
  where: string,
  value: unknown,
): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object") {
    fail(where, "options", "an object", value, true);
  }
  return value as Partial<T>;
}

/** The sizes and settings of `Runtime.start`, checked. */
export interface StartSettings {
  procs: number;
  onClose: "wait" | "cancel";
  traceEvents: number;
  maxTasks: number;
  spinMicros: number;
  heapBytes: number;
  cancelGraceMs: number;
}

const START = "Runtime.start()";

/** Checks the options of `Runtime.start`. */
export function startSettings(options: unknown): StartSettings {
  const o = optionsBag<RuntimeOptions>(START, options);
  const procs = integerOption(
    START,
    "procs",
    o.procs,
    1,
    256,
    Math.min(256, cores()),
  );
  const onClose = choiceOption(START, "onClose", o.onClose, [
    "wait",
    "cancel",
  ], "wait");
  let traceEvents = 0;
  if (o.trace === true) traceEvents = 65536;
  else if (o.trace !== undefined && o.trace !== false) {
    const rule = "a boolean or an integer in [0, 1048576]";
    if (typeof o.trace !== "number") fail(START, "trace", rule, o.trace, true);
    if (!Number.isInteger(o.trace) || o.trace < 0 || o.trace > 1048576) {
      fail(START, "trace", rule, o.trace, false);
    }
    traceEvents = o.trace;
  }
  const maxTasks = integerOption(
    START,
    "maxTasks",
    o.maxTasks,
    1,
    2 ** 20,
    16384,
  );
  let spinMicros = 20;
  if (o.spinMicros !== undefined) {
    const rule = "a number in [0, 1000000]";
    const v = o.spinMicros;
    if (typeof v !== "number") fail(START, "spinMicros", rule, v, true);
    if (!(v >= 0 && v <= 1_000_000)) fail(START, "spinMicros", rule, v, false);
    spinMicros = v;
  }
  const heapBytes = integerOption(
    START,
    "heapBytes",
    o.heapBytes,
    0,
    2 ** 30,
    16 * 1024 * 1024,
  );
  const cancelGraceMs = integerOption(
    START,
    "cancelGraceMs",
    o.cancelGraceMs,
    0,
    2 ** 31 - 1,
    1000,
  );
  return {
    procs,
    onClose,
    traceEvents,
    maxTasks,
    spinMicros,
    heapBytes,
    cancelGraceMs,
  };
}

/**
 * Checks the options of one task call; returns undefined when there is
 * nothing to apply (the fast path), else a fresh, checked object.
 */
export function taskOptions(
  where: string,
  options: unknown,
): TaskOptions | undefined {
  if (options === undefined) return undefined;
  const o = optionsBag<TaskOptions>(where, options);
  const signal = o.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    fail(where, "signal", "an AbortSignal", signal, true);
  }
  const retries = integerOption(where, "retries", o.retries, 0, 2 ** 31 - 1, 0);
  const transfer = transferOption(where, o.transfer);
  if (signal === undefined && retries === 0 && transfer === undefined) {
    return undefined;
  }
  return { signal, retries, transfer };
}

/**
 * Detaches the buffers of a call's `transfer` option, once its arguments
 * are copied. A buffer that cannot be detached (a `WebAssembly.Memory`'s)
 * is found only here, by trying: those before it in the list are then
 * detached already.
 *
 * @throws {TypeError} Naming `transfer[i]`, for a buffer that cannot be
 * detached.
 */
export function moveBuffers(transfer: ArrayBuffer[]): void {
  for (let i = 0; i < transfer.length; i++) {
    const b = transfer[i];
    if (b.detached) continue; // listed by another call meanwhile
    try {
      b.transfer();
    } catch {
      fail(
        "Runtime task",
        `transfer[${i}]`,
        "an ArrayBuffer that can be detached (a WebAssembly.Memory's buffer cannot; pass it without transfer to copy it)",
        b,
        true,
      );
    }
  }
}

/** The `transfer` option: a copy of an array of distinct, attached ArrayBuffers. */
function transferOption(
  where: string,
  value: unknown,
): ArrayBuffer[] | undefined {
  if (value === undefined) return undefined;
  const rule = "an array of ArrayBuffers";
  if (!Array.isArray(value)) fail(where, "transfer", rule, value, true);
  const list = [...value] as unknown[];
  for (let i = 0; i < list.length; i++) {
    const b = list[i];
    if (!(b instanceof ArrayBuffer)) {
      fail(
        where,
        `transfer[${i}]`,
        b instanceof SharedArrayBuffer
          ? "an ArrayBuffer (a SharedArrayBuffer is shared, never moved)"
          : "an ArrayBuffer",
        b,
        true,
      );
    }
    if (b.detached) {
      fail(where, `transfer[${i}]`, "an ArrayBuffer not detached", b, true);
    }
    if (list.indexOf(b) !== i) {
      fail(where, `transfer[${i}]`, "listed once", b, true);
    }
  }
  return list as ArrayBuffer[];
}

/** Checks the options of `Runtime.close`; returns the mode. */
export function closeMode(
  options: unknown,
  fallback: "wait" | "cancel",
): "wait" | "cancel" {
  const where = "Runtime.close()";
  const o = optionsBag<CloseOptions>(where, options);
  return choiceOption(where, "mode", o.mode, ["wait", "cancel"], fallback);
}
