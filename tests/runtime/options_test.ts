// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import { Runtime, TaskPayloadError } from "../../runtime/mod.ts";
import type * as Tasks from "./_tasks.ts";

const TASKS = new URL("./_tasks.ts", import.meta.url);

/** Asserts `fn` throws (or rejects with) `type` whose message names `parts`. */
async function rejectsWith(
  fn: () => unknown,
  type: typeof TypeError | typeof RangeError,
  ...parts: string[]
): Promise<void> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof type, `expected ${type.name}, got ${caught}`);
  assert.equal((caught as Error).constructor, type);
  for (const part of parts) {
    assert.ok(
      (caught as Error).message.includes(part),
      `"${(caught as Error).message}" does not name ${part}`,
    );
  }
}

Deno.test("Runtime.start() rejects each bad option with a RangeError or TypeError naming it and the value", async () => {
  const bad: [Record<string, unknown>, typeof TypeError, string, string][] = [
    [{ procs: 0 }, RangeError, "procs", "0"],
    [{ procs: 1.5 }, RangeError, "procs", "1.5"],
    [{ procs: 257 }, RangeError, "procs", "257"],
    [{ procs: NaN }, RangeError, "procs", "NaN"],
    [{ procs: "2" }, TypeError, "procs", '"2"'],
    [{ onClose: "later" }, RangeError, "onClose", '"later"'],
    [{ onClose: 1 }, TypeError, "onClose", "1"],
    [{ trace: NaN }, RangeError, "trace", "NaN"],
    [{ trace: -1 }, RangeError, "trace", "-1"],
    [{ trace: 1.5 }, RangeError, "trace", "1.5"],
    [{ trace: "yes" }, TypeError, "trace", '"yes"'],
    [{ maxTasks: Infinity }, RangeError, "maxTasks", "Infinity"],
    [{ maxTasks: 0 }, RangeError, "maxTasks", "0"],
    [{ maxTasks: 2 ** 32 }, RangeError, "maxTasks", "4294967296"],
    [{ maxTasks: "8" }, TypeError, "maxTasks", '"8"'],
    [{ spinMicros: NaN }, RangeError, "spinMicros", "NaN"],
    [{ spinMicros: -1 }, RangeError, "spinMicros", "-1"],
    [{ spinMicros: Infinity }, RangeError, "spinMicros", "Infinity"],
    [{ heapBytes: NaN }, RangeError, "heapBytes", "NaN"],
    [{ heapBytes: -8 }, RangeError, "heapBytes", "-8"],
    [{ heapBytes: 2 ** 31 }, RangeError, "heapBytes", "2147483648"],
    [{ heapBytes: 10n }, TypeError, "heapBytes", "10n"],
    [{ cancelGraceMs: -1 }, RangeError, "cancelGraceMs", "-1"],
    [{ cancelGraceMs: Infinity }, RangeError, "cancelGraceMs", "Infinity"],
    [{ cancelGraceMs: "5" }, TypeError, "cancelGraceMs", '"5"'],
  ];
  for (const [options, type, name, value] of bad) {
    await rejectsWith(
      () => Runtime.start(options as never),
      type,
      "Runtime.start()",
      name,
      `received ${value}`,
    );
  }
  await rejectsWith(() => Runtime.start(7 as never), TypeError, "options", "7");
  await rejectsWith(
    () => Runtime.start(null as never),
    TypeError,
    "options",
    "null",
  );
});

Deno.test("task options are checked: retries must be an integer in [0, 2147483647], signal an AbortSignal", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  const t = rt.module<typeof Tasks>(TASKS);
  const bad: [unknown, typeof TypeError, string][] = [
    [Infinity, RangeError, "Infinity"],
    [2 ** 32, RangeError, "4294967296"],
    [-1, RangeError, "-1"],
    [1.5, RangeError, "1.5"],
    [NaN, RangeError, "NaN"],
    ["3", TypeError, '"3"'],
  ];
  for (const [retries, type, shown] of bad) {
    await rejectsWith(
      () => t.inc.with({ retries } as never),
      type,
      "inc.with()",
      "retries",
      `received ${shown}`,
    );
    await rejectsWith(
      () => rt.run(TASKS, "inc", [1], { retries } as never),
      type,
      "Runtime.run()",
      "retries",
      `received ${shown}`,
    );
  }
  await rejectsWith(
    () => t.inc.with({ signal: {} } as never),
    TypeError,
    "signal",
    "an AbortSignal",
  );
  await rejectsWith(
    () => rt.run(TASKS, "inc", 1 as never),
    TypeError,
    "Runtime.run()",
    "args",
    "received 1",
  );
  await rejectsWith(
    () => t.inc.with("fast" as never),
    TypeError,
    "options",
    '"fast"',
  );
  // Good options still work, and nothing was lost.
  assert.equal(await t.inc.with({ retries: 2 ** 31 - 1 })(1), 2);
  assert.equal(await rt.run(TASKS, "inc", [2], { retries: 0 }), 3);
  assert.equal(rt.stats().pending, 0);
});

Deno.test("Runtime.close() checks its mode", async () => {
  const rt = await Runtime.start({ procs: 1 });
  await rejectsWith(
    () => rt.close({ mode: "now" } as never),
    RangeError,
    "Runtime.close()",
    "mode",
    '"now"',
  );
  await rejectsWith(() => rt.close(5 as never), TypeError, "options", "5");
  await rt.close();
});

Deno.test("TaskPayloadError names what cannot be copied; a SharedArrayBuffer crosses as itself", async () => {
  await using rt = await Runtime.start({ procs: 1 });
  for (const value of [() => 1, Symbol("s"), new WeakMap()]) {
    await assert.rejects(rt.go(TASKS, "echo", value), (error: Error) => {
      assert.ok(error instanceof TaskPayloadError);
      assert.match(
        error.message,
        /^Cannot pass the arguments to or from a task: argument 0 is a (function|symbol|WeakMap \(a class instance\));/,
      );
      assert.doesNotMatch(error.message, /not structured-clonable/);
      return true;
    });
  }
  const sab = new SharedArrayBuffer(4);
  assert.equal(await rt.go(TASKS, "echo", sab), sab);
  assert.equal(await rt.go(TASKS, "inc", 1), 2);
});
